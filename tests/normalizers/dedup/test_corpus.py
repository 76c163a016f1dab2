"""On the real corpus: re-posts built at test time cluster with their originals; the corpus' own
look-alikes (欢迎…总理访华, 国内联播快讯 across days, weekly 常务会议) never merge."""

from __future__ import annotations

from pathlib import Path

import pytest

import normalizers
import store
from bench.dedup.dataset import build, load_stories
from bench.dedup.quality import run_quality


@pytest.fixture(scope="module")
def stories(corpus_dir: Path):
    return load_stories(corpus_dir)


def test_reposts_cluster_and_lookalikes_stay_apart(stories, tmp_path: Path) -> None:
    items = build(stories, n_stories=120, hard_limit=40, seed=11)
    run = run_quality(items, tmp_path / "corpus.db")
    assert run.scores.f1 >= 0.99, (run.scores, run.misses[:5], run.false_merges[:5])
    for kind in ("visit", "briefs", "state-council"):
        assert run.hard[kind]["stories"] >= 20
        assert run.hard[kind]["false_merge_pairs"] == 0, (kind, run.false_merges[:5])


def test_grenada_and_thailand_welcomes_stay_two_stories(stories, tmp_path: Path) -> None:
    pair = [s for s in stories if s.title.endswith(("欢迎格林纳达总理访华", "欢迎泰国总理访华"))]
    assert len({s.title for s in pair}) == 2
    items = [li for li in build(pair, n_stories=len(pair), hard_limit=None, seed=5,
                                variants_per_story=(2, 3))]
    db = store.open_db(tmp_path / "pair.db")
    normalizers.init(db)
    from bench.dedup.dataset import bench_config

    config = bench_config()
    cluster_by_label: dict[int, set[int]] = {}
    for n, li in enumerate(items, start=1):
        r = normalizers.ingest(db, n, li.item, li.source, config)
        cluster_by_label.setdefault(li.label, set()).add(r.item_id)
    final = dict(db.conn.execute("SELECT id, cluster FROM items").fetchall())
    clusters = {label: {final[i] for i in ids} for label, ids in cluster_by_label.items()}
    assert all(len(c) == 1 for c in clusters.values()), "every re-post joins its own original"
    assert len(set().union(*clusters.values())) == len(clusters), "different visits never share a cluster"
