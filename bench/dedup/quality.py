"""Ingest a labelled set through the real ``normalizers.ingest`` and score the clusters it makes."""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import store
from bench.dedup.candidates import recording
from bench.dedup.dataset import PAIRED_KINDS, LabelledItem, bench_config
from bench.dedup.metrics import Scores, score
from normalizers import clean_item, comparison_key, ingest, init, possible_matches, route
from settings.model import Config

__all__ = ["QualityRun", "run_quality"]


@dataclass
class QualityRun:
    items: int
    stories: int
    scores: Scores
    seconds: float
    cpu_seconds: float  # CPU time of this process: the one-core figure, whatever else the machine runs
    hard: dict[str, dict[str, int]]  # kind -> {"items", "stories", "false_merge_pairs"}
    false_merges: list[tuple[str, str]] = field(default_factory=list)  # titles put together wrongly
    misses: list[tuple[str, str, str]] = field(default_factory=list)  # (variant, title, original title)
    per_variant: dict[str, dict[str, float]] = field(default_factory=dict)  # variant -> re-posts, joined, recall
    candidates: dict[str, int] = field(default_factory=dict)  # "found", "pairs": originals among verified candidates
    # the review desk's 可能是同一报道 on dated items: how many get a story not theirs (by kind: "all" and hard kinds)
    suggestions: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def per_second(self) -> float:
        return self.items / self.seconds if self.seconds else 0.0

    @property
    def per_cpu_second(self) -> float:
        return self.items / self.cpu_seconds if self.cpu_seconds else 0.0


def run_quality(items: list[LabelledItem], db_path: Path, *, config: Config | None = None) -> QualityRun:
    """Ingest every item (one transaction each, as the pipeline does) and compare clusters to labels."""
    config = config or bench_config()
    db = store.open_db(db_path)
    init(db)
    # One-time process costs (jieba's dictionary ~1.5 s, OpenCC) are paid before the clock starts.
    route(clean_item(items[0].item, items[0].source), items[0].source, config.rules, config.columns)
    comparison_key("預熱")
    item_ids: dict[int, int] = {}
    with recording() as log:
        t0, c0 = time.perf_counter(), time.process_time()
        for n, li in enumerate(items, start=1):
            log.current = n
            with store.transaction(db):
                item_ids[n] = ingest(db, n, li.item, li.source, config).item_id
        seconds, cpu_seconds = time.perf_counter() - t0, time.process_time() - c0
    # Clusters may merge after an item was ingested: read the final assignment.
    final = dict(db.conn.execute("SELECT collected_id, cluster FROM items").fetchall())
    predicted = [final[n] for n in range(1, len(items) + 1)]
    labels = [li.label for li in items]
    sc = score(labels, predicted)

    hard: dict[str, dict[str, int]] = defaultdict(lambda: {"items": 0, "stories": 0, "false_merge_pairs": 0})
    kind_labels: dict[str, set[int]] = defaultdict(set)
    for li in items:
        if li.kind:
            hard[li.kind]["items"] += 1
            kind_labels[li.kind].add(li.label)
    for kind, labs in kind_labels.items():
        hard[kind]["stories"] = len(labs)
    by_cluster: dict[int, list[int]] = defaultdict(list)
    for i, c in enumerate(predicted):
        by_cluster[c].append(i)
    false_merges: list[tuple[str, str]] = []
    for members in by_cluster.values():
        labs = Counter(labels[i] for i in members)
        if len(labs) < 2:
            continue
        for a_pos, a in enumerate(members):
            for b in members[a_pos + 1 :]:
                if labels[a] == labels[b]:
                    continue
                ka, kb = items[a].kind, items[b].kind
                if ka and ka == kb:
                    hard[ka]["false_merge_pairs"] += 1
                elif {ka, kb} & set(PAIRED_KINDS):  # a follow-up or reaction put with the story it quotes
                    hard[(ka if ka in PAIRED_KINDS else kb)]["false_merge_pairs"] += 1
                if len(false_merges) < 50:
                    false_merges.append((items[a].item.title, items[b].item.title))
    misses: list[tuple[str, str, str]] = []
    original_cluster = {li.label: predicted[i] for i, li in enumerate(items) if li.variant == "original"}
    original_title = {li.label: li.item.title for li in items if li.variant == "original"}
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # re-posts, joined, original among candidates
    original_n = {li.label: n for n, li in enumerate(items, start=1) if li.variant == "original"}
    for i, li in enumerate(items):
        if li.variant == "original":
            continue
        joined = predicted[i] == original_cluster.get(li.label)
        counts[li.variant][0] += 1
        counts[li.variant][1] += joined
        o = original_n.get(li.label)
        counts[li.variant][2] += o is not None and log.found(max(o, i + 1), item_ids[min(o, i + 1)])
        if not joined and len(misses) < 200:
            misses.append((li.variant, li.item.title, original_title.get(li.label, "")))
    per_variant = {v: {"reposts": n, "joined": j, "recall": j / n if n else 1.0, "candidate_recall": c / n if n else 1.0}
                   for v, (n, j, c) in sorted(counts.items())}
    candidates = {"found": sum(c for _, _, c in counts.values()), "pairs": sum(n for n, _, _ in counts.values())}
    label_of = {item_ids[n]: labels[n - 1] for n in item_ids}
    suggestions: dict[str, dict[str, int]] = defaultdict(lambda: {"items": 0, "wrong": 0})
    for n, li in enumerate(items, start=1):
        wrong = any(label_of.get(m.item_id) != li.label for m in possible_matches(db, item_ids[n]))
        for kind in ("all", *([li.kind] if li.kind else [])):
            suggestions[kind]["items"] += 1
            suggestions[kind]["wrong"] += wrong
    db.conn.close()
    return QualityRun(len(items), len(set(labels)), sc, seconds, cpu_seconds, dict(hard), false_merges, misses,
                      per_variant, candidates, dict(suggestions))
