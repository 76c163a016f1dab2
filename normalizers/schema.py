"""The normalizers' tables and their schema steps (run by ``store.migrate``).

items (one row per source and identity, the latest version), item_versions (the texts before),
clusters (one story, with its representative), dedup_docs and dedup_lsh (the matching index:
comparison keys, digests, MinHash bands), tombstones (rejected or retracted for good),
ingest_log (which collected row became which item), ingest_failures (rows set aside) and
cluster_edits (pairs of items a person split apart or merged together).
"""

from __future__ import annotations

import sqlite_utils

import store

__all__ = ["init"]


def _step1(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE items (
            id INTEGER PRIMARY KEY,
            source TEXT NOT NULL,
            identity TEXT NOT NULL,
            version INTEGER NOT NULL DEFAULT 1,
            title TEXT NOT NULL DEFAULT '',
            text TEXT NOT NULL DEFAULT '',
            html TEXT NOT NULL DEFAULT '',
            url TEXT NOT NULL DEFAULT '',
            canonical_url TEXT NOT NULL DEFAULT '',
            published_at TEXT,
            date_origin TEXT,
            source_line TEXT,
            author TEXT,
            reporter TEXT,
            editor TEXT,
            attachments TEXT NOT NULL DEFAULT '[]',
            keywords TEXT NOT NULL DEFAULT '[]',
            "column" TEXT,
            topics TEXT NOT NULL DEFAULT '[]',
            cluster INTEGER,
            flags TEXT NOT NULL DEFAULT '[]',
            content_hash TEXT NOT NULL DEFAULT '',
            collected_id INTEGER,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (source, identity)
        )"""
    )
    db.execute("CREATE INDEX items_cluster ON items (cluster)")
    db.execute("CREATE INDEX items_canonical_url ON items (canonical_url)")
    db.execute(
        """CREATE TABLE item_versions (
            item_id INTEGER NOT NULL,
            version INTEGER NOT NULL,
            title TEXT NOT NULL,
            text TEXT NOT NULL,
            html TEXT NOT NULL,
            url TEXT NOT NULL,
            canonical_url TEXT NOT NULL,
            published_at TEXT,
            content_hash TEXT NOT NULL,
            collected_id INTEGER,
            created_at TEXT NOT NULL,
            PRIMARY KEY (item_id, version)
        )"""
    )
    db.execute(
        """CREATE TABLE clusters (
            id INTEGER PRIMARY KEY,
            representative_id INTEGER,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )"""
    )
    # Matching data per item: comparison keys (never shown), digests for exact lookups, source rank.
    db.execute(
        """CREATE TABLE dedup_docs (
            item_id INTEGER PRIMARY KEY,
            source TEXT NOT NULL,
            rank INTEGER NOT NULL,
            title_key TEXT NOT NULL,
            body_key TEXT NOT NULL,
            title_digest TEXT,
            body_digest TEXT
        )"""
    )
    db.execute("CREATE INDEX dedup_docs_title ON dedup_docs (source, title_digest)")
    # MinHash-LSH: one row per (band, value); key = band << 32 | value. Read newest first, bounded.
    db.execute(
        "CREATE TABLE dedup_lsh (key INTEGER NOT NULL, item_id INTEGER NOT NULL, "
        "PRIMARY KEY (key, item_id)) WITHOUT ROWID"
    )
    db.execute(
        """CREATE TABLE tombstones (
            item_id INTEGER PRIMARY KEY,
            source TEXT NOT NULL,
            identity TEXT NOT NULL,
            reason TEXT NOT NULL,
            created_at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX tombstones_identity ON tombstones (source, identity)")
    db.execute(
        """CREATE TABLE ingest_log (
            collected_id INTEGER PRIMARY KEY,
            item_id INTEGER NOT NULL,
            kind TEXT NOT NULL,
            version INTEGER NOT NULL,
            created_at TEXT NOT NULL
        )"""
    )


def _step2(db: sqlite_utils.Database) -> None:
    """Collected rows whose ingest keeps failing: counted, then quarantined, never lost."""
    db.execute(
        """CREATE TABLE ingest_failures (
            collected_id INTEGER PRIMARY KEY,
            source TEXT NOT NULL,
            attempts INTEGER NOT NULL,
            last_error TEXT NOT NULL,
            first_failed_at TEXT NOT NULL,
            last_failed_at TEXT NOT NULL,
            quarantined INTEGER NOT NULL DEFAULT 0
        )"""
    )


def _step3(db: sqlite_utils.Database) -> None:
    """Why and when the source took the page down (NULL while it is up): see ``ingest``."""
    db.execute("ALTER TABLE items ADD COLUMN withdrawn TEXT")
    db.execute("ALTER TABLE items ADD COLUMN withdrawn_at TEXT")


def _step4(db: sqlite_utils.Database) -> None:
    """A person's decisions about clusters, which later ingests obey (see ``cluster_edits``)."""
    db.execute(
        """CREATE TABLE cluster_edits (
            item_a INTEGER NOT NULL,
            item_b INTEGER NOT NULL,
            kind TEXT NOT NULL,
            actor TEXT NOT NULL,
            reason TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (item_a, item_b)
        ) WITHOUT ROWID"""
    )
    db.execute("CREATE INDEX cluster_edits_b ON cluster_edits (item_b)")


def init(db: sqlite_utils.Database) -> None:
    """Create or upgrade the normalizers' tables."""
    store.migrate(db, "normalizers", [_step1, _step2, _step3, _step4])
