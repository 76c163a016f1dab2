"""The publisher's tables. Steps are append-only: never edit a released step, add one.

- ``published``: the stream itself, one row per publish/correct/retract; ``seq`` is the portal's
  cursor (AUTOINCREMENT: never reused, even after a row is deleted by hand).
- ``published_change_columns``: which columns each stream row concerns (its columns, plus the
  columns a correction moved the item out of), so a column's change feed is one index range.
- ``published_items``: the current state of each item (live/retracted, its latest row).
- ``published_columns``: live membership of items in columns, ordered by first publication,
  with the item's original publish time (step 2) for the freshness watch.
- ``published_stream``: one row, the stream's epoch (step 3; see publisher/epoch.py).
- ``published_fts``: FTS5 over jieba-segmented title and text of live items (rowid = item id).
"""

from __future__ import annotations

import sqlite_utils

import store

__all__ = ["init"]


def _step1(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE published (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            item_id INTEGER NOT NULL,
            version INTEGER NOT NULL,
            action TEXT NOT NULL CHECK (action IN ('publish', 'correct', 'retract')),
            column_ids TEXT NOT NULL,
            title TEXT,
            html TEXT,
            text TEXT,
            url TEXT,
            source_id TEXT,
            source_name TEXT,
            published_at TEXT,
            published_utc TEXT,
            also_reported_by TEXT NOT NULL DEFAULT '[]',
            approved_by TEXT,
            approved_at TEXT,
            reason TEXT,
            created_at TEXT NOT NULL
        )"""
    )
    # "Never published twice for the same version", enforced by the database itself.
    db.execute(
        "CREATE UNIQUE INDEX published_item_version ON published (item_id, version) "
        "WHERE action <> 'retract'"
    )
    db.execute("CREATE INDEX published_item_seq ON published (item_id, seq)")
    db.execute(
        """CREATE TABLE published_change_columns (
            column_id TEXT NOT NULL,
            seq INTEGER NOT NULL REFERENCES published (seq),
            PRIMARY KEY (column_id, seq)
        ) WITHOUT ROWID"""
    )
    db.execute(
        """CREATE TABLE published_items (
            item_id INTEGER PRIMARY KEY,
            state TEXT NOT NULL CHECK (state IN ('live', 'retracted')),
            version INTEGER NOT NULL,
            first_seq INTEGER NOT NULL,
            last_seq INTEGER NOT NULL,
            published_utc TEXT,
            updated_at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX published_items_live ON published_items (state, first_seq)")
    db.execute(
        """CREATE TABLE published_columns (
            column_id TEXT NOT NULL,
            item_id INTEGER NOT NULL,
            first_seq INTEGER NOT NULL,
            PRIMARY KEY (column_id, item_id)
        )"""
    )
    db.execute("CREATE INDEX published_columns_order ON published_columns (column_id, first_seq)")
    db.execute(
        "CREATE VIRTUAL TABLE published_fts USING fts5 (title, body, tokenize = 'unicode61 remove_diacritics 2')"
    )


def _step2(db: sqlite_utils.Database) -> None:
    """Freshness as one index lookup per column: the original publish time beside the membership."""
    db.execute("ALTER TABLE published_columns ADD COLUMN published_utc TEXT")
    db.execute(
        "UPDATE published_columns SET published_utc = "
        "(SELECT i.published_utc FROM published_items i WHERE i.item_id = published_columns.item_id)"
    )
    db.execute("CREATE INDEX published_columns_fresh ON published_columns (column_id, published_utc)")


def _step3(db: sqlite_utils.Database) -> None:
    """The stream's identity (see publisher/epoch.py) and a by-time index of retractions (tombstones)."""
    import secrets
    from datetime import UTC, datetime

    db.execute(
        """CREATE TABLE published_stream (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            epoch TEXT NOT NULL,
            since TEXT NOT NULL,
            reason TEXT
        )"""
    )
    now = datetime.now(UTC)
    db.execute(
        "INSERT INTO published_stream (id, epoch, since, reason) VALUES (1, ?, ?, 'new stream')",
        [now.strftime("%Y%m%d") + "-" + secrets.token_hex(6), now.isoformat(timespec="seconds")],
    )
    db.execute("CREATE INDEX published_action_time ON published (action, created_at)")


STEPS = [_step1, _step2, _step3]


def init(db: sqlite_utils.Database) -> None:
    """Create or migrate the publisher's tables (idempotent; run at every start)."""
    store.migrate(db, "publisher", STEPS)
