"""A person splits an item out of its story or merges two stories: the clusters change now, and
the decision is kept as item pairs (``cluster_rules``) that every later ingest obeys.

The review desk calls these (with its own roles and history); they are the only writes of
clusters besides ingest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

import store
from normalizers.cluster_rules import APART, TOGETHER, pair
from normalizers.errors import ClusterEditRefused, UnknownItem
from normalizers.ingestion import _new_cluster, _now_iso, _refresh_cluster

__all__ = ["ClusterEdit", "merge_clusters", "split_item"]


@dataclass(frozen=True)
class ClusterEdit:
    """What a split or merge did: the cluster the items are in now and who moved."""

    cluster_id: int  # the split item's new cluster, or the merged story
    moved: tuple[int, ...]  # items whose cluster changed
    others: tuple[int, ...]  # the split item's old company, or the surviving story's members


def _cluster_of(db: sqlite_utils.Database, item_id: int) -> int:
    row = db.conn.execute("SELECT cluster FROM items WHERE id = ?", [item_id]).fetchone()
    if row is None:
        raise UnknownItem(f"item {item_id}: not stored")
    if row[0] is None:
        raise ClusterEditRefused(f"item {item_id} is in no story")
    return int(row[0])


def _ids(db: sqlite_utils.Database, cluster_id: int) -> list[int]:
    return [r[0] for r in db.conn.execute("SELECT id FROM items WHERE cluster = ? ORDER BY id", [cluster_id])]


def _save(db: sqlite_utils.Database, pairs: list[tuple[int, int]], kind: str, actor: str, reason: str,
          at: str) -> None:
    db.conn.executemany(
        "INSERT OR REPLACE INTO cluster_edits (item_a, item_b, kind, actor, reason, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [(*pair(a, b), kind, actor, reason, at) for a, b in pairs],
    )


def split_item(db: sqlite_utils.Database, item_id: int, *, actor: str, reason: str,
               now: datetime | None = None) -> ClusterEdit:
    """Move *item_id* out of its story into a story of its own, for good.

    It is kept apart from every item it shared the story with, so neither a new version of it
    nor a re-post matching both brings it back; merges it was part of are undone for it.
    """
    with store.transaction(db):
        old = _cluster_of(db, item_id)
        others = [i for i in _ids(db, old) if i != item_id]
        if not others:
            raise ClusterEditRefused(f"item {item_id} is alone in its story; there is nothing to split")
        at = _now_iso(now)
        db.conn.execute("DELETE FROM cluster_edits WHERE kind = ? AND (item_a = ? OR item_b = ?)",
                        [TOGETHER, item_id, item_id])
        _save(db, [(item_id, o) for o in others], APART, actor, reason, at)
        new = _new_cluster(db, at)
        db.conn.execute("UPDATE items SET cluster = ? WHERE id = ?", [new, item_id])
        _refresh_cluster(db, old, at)
        _refresh_cluster(db, new, at)
        return ClusterEdit(new, (item_id,), tuple(others))


def merge_clusters(db: sqlite_utils.Database, a: int, b: int, *, actor: str, reason: str,
                   now: datetime | None = None) -> ClusterEdit:
    """Merge story *b* into story *a* (cluster ids), for good.

    Every member of one is kept together with every member of the other, so later versions
    stay in the merged story and a re-post matching either joins it; splits between them are
    forgotten (this decision is the later one).
    """
    with store.transaction(db):
        if a == b:
            raise ClusterEditRefused(f"cluster {a}: a story cannot be merged with itself")
        ids_a, ids_b = _ids(db, a), _ids(db, b)
        for cluster, ids in ((a, ids_a), (b, ids_b)):
            if not ids:
                raise ClusterEditRefused(f"cluster {cluster}: no such story")
        at = _now_iso(now)
        across = [(x, y) for x in ids_a for y in ids_b]
        _save(db, across, TOGETHER, actor, reason, at)
        db.conn.execute("UPDATE items SET cluster = ? WHERE cluster = ?", [a, b])
        _refresh_cluster(db, b, at)  # empty now: removed
        _refresh_cluster(db, a, at)
        return ClusterEdit(a, tuple(ids_b), tuple(ids_a))
