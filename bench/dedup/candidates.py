"""Candidate recall: whether the index put a re-post's original among the candidates it verified.

A pair the index never returns cannot be matched however good the verification is (HK01's copy of
the December 2025 Politburo meeting shared none of 16 bands with its story), so the bench reports
this share beside precision and recall: the index's own recall, before any verification.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import normalizers.clusters as clusters

__all__ = ["CandidateLog", "recording"]


class CandidateLog:
    """The verified candidates of every ingested item, by the number it was ingested under."""

    def __init__(self) -> None:
        self.current: int | None = None
        self.by_item: dict[int, set[int]] = {}

    def found(self, later: int, earlier_item_id: int) -> bool:
        """Whether the item ingested as *later* had the stored item *earlier_item_id* among its candidates."""
        return earlier_item_id in self.by_item.get(later, set())

    def recall(self, pairs: list[tuple[int, int]], item_ids: dict[int, int]) -> tuple[int, int]:
        """(pairs found, pairs) over (re-post, original) pairs of ingest numbers: each pair is found
        when whichever came second had the first among its verified candidates."""
        hits = sum(self.found(max(a, b), item_ids[min(a, b)]) for a, b in pairs)
        return hits, len(pairs)


@contextmanager
def recording() -> Iterator[CandidateLog]:
    """Record the candidates ``find_matches`` verifies (set ``log.current`` before each ingest)."""
    log = CandidateLog()
    real = clusters._candidates

    def spy(db, fp, exclude):  # noqa: ANN001, ANN202 — the same call, recorded
        out = real(db, fp, exclude)
        if log.current is not None:
            log.by_item.setdefault(log.current, set()).update(out)
        return out

    clusters._candidates = spy
    try:
        yield log
    finally:
        clusters._candidates = real
