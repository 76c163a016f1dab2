"""Pairwise precision/recall/F1 and the adjusted Rand index of a clustering against true labels."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

__all__ = ["Scores", "score"]


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


@dataclass
class Scores:
    precision: float
    recall: float
    f1: float
    ari: float
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int


def score(labels: Sequence[Hashable], predicted: Sequence[Hashable]) -> Scores:
    """Compare two clusterings of the same items (pairs counted from the contingency table).

    Precision: of the item pairs put together, how many are one story. Recall: of the pairs that
    are one story, how many were put together. ARI (Hubert & Arabie 1985): the Rand index
    corrected for chance, 1.0 = identical clusterings, ~0 = random.
    """
    if len(labels) != len(predicted):
        raise ValueError("labels and predictions differ in length")
    n = len(labels)
    cells = Counter(zip(labels, predicted, strict=True))
    a = Counter(labels)
    b = Counter(predicted)
    sum_cells = sum(_pairs(v) for v in cells.values())
    sum_a = sum(_pairs(v) for v in a.values())
    sum_b = sum(_pairs(v) for v in b.values())
    precision = sum_cells / sum_b if sum_b else 1.0
    recall = sum_cells / sum_a if sum_a else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    total = _pairs(n)
    expected = sum_a * sum_b / total if total else 0.0
    maximum = (sum_a + sum_b) / 2
    ari = (sum_cells - expected) / (maximum - expected) if maximum != expected else 1.0
    return Scores(precision, recall, f1, ari, sum_a, sum_b, sum_cells)
