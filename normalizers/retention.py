"""Pruning the normalizers' tables (``[retention] versions_days``).

A superseded version of an item (``item_versions`` below the item's current version) older than
the policy loses its stored text and HTML; its row stays (number, title, URL, hash, time), so the
history of an item still says when it changed and to what title. The current version, the item
itself and everything the de-duplication needs are kept.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlite_utils

import store
from normalizers.schema import init
from settings.model import RetentionSettings

__all__ = ["prune"]


def prune(db: sqlite_utils.Database, policy: RetentionSettings, *, now: datetime,
          dry_run: bool = False) -> dict[str, int]:
    """Apply *policy*; returns rows affected (what would be, with *dry_run*)."""
    init(db)
    cut = (now - timedelta(days=policy.versions_days)).astimezone(UTC).isoformat(timespec="seconds")
    where = ("created_at < ? AND (text != '' OR html != '') AND version < "
             "(SELECT items.version FROM items WHERE items.id = item_versions.item_id)")
    if dry_run:
        return {"item_version_bodies": int(db.execute(f"SELECT count(*) FROM item_versions WHERE {where}",
                                                      [cut]).fetchone()[0])}
    with store.transaction(db):
        n = db.execute(f"UPDATE item_versions SET text = '', html = '' WHERE {where}", [cut]).rowcount
    return {"item_version_bodies": n}
