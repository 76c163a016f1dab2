"""Reads of the normalizers' tables: one item, listings, a story's members, tombstones, the
ingest cursor and the rows set aside (review_queue, publisher, pipeline and run.py read here)."""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

__all__ = ["get_item", "list_items", "cluster_members", "is_tombstoned", "last_ingested", "failed_ingests"]

_JSON_FIELDS = ("attachments", "keywords", "topics", "flags")
_COLUMNS = (
    "id, source, identity, version, title, text, html, url, canonical_url, published_at, date_origin, "
    'source_line, author, reporter, editor, attachments, keywords, "column", topics, cluster, flags, '
    "content_hash, collected_id, created_at, updated_at, withdrawn, withdrawn_at"
)


def _row_dict(cursor_description: Any, row: tuple) -> dict[str, Any]:
    d = {desc[0]: value for desc, value in zip(cursor_description, row, strict=True)}
    for f in _JSON_FIELDS:
        d[f] = json.loads(d[f]) if d[f] else []
    return d


def get_item(db: sqlite_utils.Database, item_id: int) -> dict[str, Any] | None:
    """All stored fields of one item (JSON fields decoded), or None."""
    cur = db.conn.execute(f"SELECT {_COLUMNS} FROM items WHERE id = ?", [item_id])
    row = cur.fetchone()
    return _row_dict(cur.description, row) if row else None


# Everything but the body (text, html): what listings of thousands of items need.
_SUMMARY_COLUMNS = _COLUMNS.replace(" text, html,", "")


def list_items(
    db: sqlite_utils.Database, *, limit: int | None = None, ids: list[int] | None = None,
    bodies: bool = True,
) -> list[dict[str, Any]]:
    """Stored items, newest first; only *ids* if given; at most *limit*.

    ``bodies=False`` leaves out ``text`` and ``html`` (listings: a body is ~10 kB, a row without it ~1 kB).
    """
    sql = f"SELECT {_COLUMNS if bodies else _SUMMARY_COLUMNS} FROM items"
    params: list[Any] = []
    if ids is not None:
        if not ids:
            return []
        sql += f" WHERE id IN ({','.join('?' * len(ids))})"
        params += list(ids)
    sql += " ORDER BY id DESC"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(int(limit))
    cur = db.conn.execute(sql, params)
    return [_row_dict(cur.description, r) for r in cur.fetchall()]


def cluster_members(db: sqlite_utils.Database, cluster_id: int) -> list[dict[str, Any]]:
    """The items of one story, representative first, then by authority and publish time ("also reported by")."""
    rep = db.conn.execute("SELECT representative_id FROM clusters WHERE id = ?", [cluster_id]).fetchone()
    rep_id = rep[0] if rep else None
    rows = db.conn.execute(
        "SELECT i.id, i.source, i.title, i.url, i.published_at FROM items i "
        "LEFT JOIN dedup_docs d ON d.item_id = i.id WHERE i.cluster = ? "
        "ORDER BY i.id != ?, COALESCE(d.rank, 1000000), i.published_at IS NULL, i.published_at, i.id",
        [cluster_id, rep_id if rep_id is not None else -1],
    ).fetchall()
    return [{"item_id": r[0], "source": r[1], "title": r[2], "url": r[3], "published_at": r[4]} for r in rows]


def is_tombstoned(db: sqlite_utils.Database, item_id: int) -> bool:
    """Whether the item was rejected or retracted for good."""
    return db.conn.execute("SELECT 1 FROM tombstones WHERE item_id = ?", [item_id]).fetchone() is not None


def last_ingested(db: sqlite_utils.Database) -> int:
    """The highest collected_id done so far (0 before the first): the pipeline's cursor.

    Done means ingested, or quarantined after repeated failures (see :func:`record_failure`).
    """
    row = db.conn.execute(
        "SELECT MAX(m) FROM (SELECT MAX(collected_id) AS m FROM ingest_log "
        "UNION ALL SELECT MAX(collected_id) FROM ingest_failures WHERE quarantined = 1)"
    ).fetchone()
    return int(row[0] or 0)


def failed_ingests(db: sqlite_utils.Database, *, quarantined_only: bool = True) -> list[dict[str, Any]]:
    """Collected rows set aside after repeated ingest failures, oldest first, with the last error."""
    sql = "SELECT * FROM ingest_failures" + (" WHERE quarantined = 1" if quarantined_only else "")
    cur = db.conn.execute(sql + " ORDER BY collected_id")
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def source_items(db: sqlite_utils.Database, since: str, until: str) -> list[dict[str, Any]]:
    """Items first stored from *since* to before *until* (ISO UTC), each with what the site
    evaluation asks of it: its source, column, publish time, when it was stored, its cluster and
    the source that was first with the story (earliest publish time in the cluster, then earliest
    stored; an item without a cluster is its own story)."""
    rows = db.conn.execute(
        "SELECT id, source, \"column\", published_at, created_at, collected_id, cluster FROM items "
        "WHERE created_at >= ? AND created_at < ? ORDER BY id", [since, until]).fetchall()
    keys = ("id", "source", "column", "published_at", "created_at", "collected_id", "cluster")
    out = [dict(zip(keys, r, strict=True)) for r in rows]
    clusters = sorted({d["cluster"] for d in out if d["cluster"] is not None})
    first: dict[int, str] = {}
    for i in range(0, len(clusters), 500):  # one ranked query per 500 clusters, not one per item
        chunk = clusters[i:i + 500]
        marks = ",".join("?" for _ in chunk)
        first.update(db.conn.execute(
            "SELECT cluster, source FROM (SELECT cluster, source, row_number() OVER (PARTITION BY cluster "
            "ORDER BY published_at IS NULL, published_at, created_at, id) AS n FROM items "
            f"WHERE cluster IN ({marks})) WHERE n = 1", chunk).fetchall())
    for d in out:
        d["first_source"] = first.get(d["cluster"]) or d["source"]
    return out


def source_currency(db: sqlite_utils.Database, until: str) -> dict[str, tuple[str | None, int]]:
    """Each source's (newest publish time or None, number of items) among its items stored before
    *until* (ISO UTC), in one pass: how current a site's column is, and whether it ever had any."""
    return {r[0]: (r[1], int(r[2])) for r in db.conn.execute(
        "SELECT source, max(published_at), count(*) FROM items WHERE created_at < ? GROUP BY source",
        [until]).fetchall()}


def newest_published(db: sqlite_utils.Database, until: str) -> dict[str, str]:
    """Each source's newest publish time among its items stored before *until* (ISO UTC): how
    current the site is, whatever period is asked about."""
    return {r[0]: r[1] for r in db.conn.execute(
        "SELECT source, max(published_at) FROM items WHERE created_at < ? AND published_at IS NOT NULL "
        "GROUP BY source", [until]).fetchall()}
