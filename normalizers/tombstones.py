"""Lifting a tombstone: an editor took back a rejection, so the item (and its later versions) may
come back. Setting tombstones is :func:`normalizers.tombstone`; this is its inverse."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlite_utils

import store


def lift_tombstone(db: sqlite_utils.Database, item_id: int, *, now: datetime | None = None) -> bool:
    """Remove the tombstone of *item_id* and its ``tombstoned`` flag; True if there was one.

    Same-source re-posts tombstoned as duplicates of it keep theirs: each was its own item.
    """
    at = (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")
    with store.transaction(db):
        cur = db.conn.execute("DELETE FROM tombstones WHERE item_id = ?", [item_id])
        row = db.conn.execute("SELECT flags FROM items WHERE id = ?", [item_id]).fetchone()
        if row is not None:
            flags = [f for f in json.loads(row[0] or "[]") if f != "tombstoned"]
            db.conn.execute("UPDATE items SET flags = ?, updated_at = ? WHERE id = ?",
                            [json.dumps(flags, ensure_ascii=False), at, item_id])
    return bool(cur.rowcount)
