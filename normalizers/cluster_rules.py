"""What a person decided about clusters, as ingest must obey it: pairs of items split apart
(never again in one cluster) and pairs merged together (kept in one cluster whatever their
later versions say). Written by ``cluster_edits``; read here by ``ingestion._place``.

Pairs name items, not clusters, so they hold while cluster ids change as stories grow and merge.
"""

from __future__ import annotations

import sqlite_utils

__all__ = ["APART", "TOGETHER", "constrain", "pair"]

APART = "apart"
TOGETHER = "together"


def pair(a: int, b: int) -> tuple[int, int]:
    """The stored order of a pair (smaller id first): one row per pair, whatever its kind."""
    return (a, b) if a < b else (b, a)


def _members(db: sqlite_utils.Database, cluster_id: int, item_id: int) -> set[int]:
    return {r[0] for r in db.conn.execute("SELECT id FROM items WHERE cluster = ? AND id != ?",
                                          [cluster_id, item_id])}


def _apart(db: sqlite_utils.Database, xs: set[int], ys: set[int]) -> bool:
    """Whether some item of *xs* was split apart from some item of *ys*."""
    if not xs or not ys:
        return False
    mx, my = ",".join("?" * len(xs)), ",".join("?" * len(ys))
    row = db.conn.execute(
        f"SELECT 1 FROM cluster_edits WHERE kind = ? AND ((item_a IN ({mx}) AND item_b IN ({my})) "
        f"OR (item_a IN ({my}) AND item_b IN ({mx}))) LIMIT 1",
        [APART, *xs, *ys, *ys, *xs],
    ).fetchone()
    return row is not None


def constrain(db: sqlite_utils.Database, item_id: int, clusters: list[int]) -> list[int]:
    """The clusters *item_id* may join (and merge), given those its matches are in, best first.

    The clusters of the items it was merged with come first (a merged story stays merged, even
    when a new version matches none of it); then the matched clusters, each dropped if it holds
    an item split apart from the item or from a cluster already kept (a split member never
    rejoins its old story, and a re-post matching both never glues them back together).
    """
    if db.conn.execute("SELECT 1 FROM cluster_edits LIMIT 1").fetchone() is None:
        return clusters  # nobody edited a cluster: ingest as before, at no cost
    forced = [r[0] for r in db.conn.execute(
        "SELECT DISTINCT i.cluster FROM cluster_edits e JOIN items i "
        "ON i.id = CASE WHEN e.item_a = ? THEN e.item_b ELSE e.item_a END "
        "WHERE e.kind = ? AND (e.item_a = ? OR e.item_b = ?) AND i.cluster IS NOT NULL ORDER BY i.cluster",
        [item_id, TOGETHER, item_id, item_id])]
    joined = {item_id}
    kept: list[int] = []
    for c in forced + [c for c in clusters if c not in forced]:
        members = _members(db, c, item_id)
        if c in forced or not _apart(db, joined, members):
            kept.append(c)
            joined |= members
    return kept
