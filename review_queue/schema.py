"""The tables review_queue owns: reviews, users, history, locks, sessions, login_failures
(append-only migration steps)."""

from __future__ import annotations

import sqlite_utils

import checks
import store
from review_queue import note_migration


def _step1(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE reviews (
            item_id INTEGER PRIMARY KEY,
            state TEXT NOT NULL,
            source TEXT,
            cluster_id INTEGER,
            routed_column TEXT,
            routed_topics TEXT NOT NULL DEFAULT '[]',
            flags TEXT NOT NULL DEFAULT '[]',
            version INTEGER,
            correction INTEGER NOT NULL DEFAULT 0,
            note TEXT,
            seen_title TEXT,
            seen_text TEXT,
            submitted_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            signoffs TEXT NOT NULL DEFAULT '[]',
            signoff_roles TEXT NOT NULL DEFAULT '[]',
            approved_by TEXT,
            approved_at TEXT,
            edit_title TEXT,
            edit_text TEXT,
            edit_html TEXT,
            edit_column TEXT,
            edit_topics TEXT,
            published_seq INTEGER,
            published_at TEXT,
            retract_reason TEXT,
            retracted_at TEXT,
            retraction_seq INTEGER
        )"""
    )
    db.execute("CREATE INDEX reviews_state ON reviews (state, submitted_at)")
    db.execute("CREATE INDEX reviews_cluster ON reviews (cluster_id)")
    db.execute(
        """CREATE TABLE users (
            name TEXT PRIMARY KEY,
            role TEXT NOT NULL,
            password_hash TEXT NOT NULL,
            disabled INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )"""
    )
    db.execute(
        """CREATE TABLE history (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            item_id INTEGER NOT NULL,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            from_state TEXT,
            to_state TEXT,
            note TEXT,
            changes TEXT NOT NULL DEFAULT '[]'
        )"""
    )
    db.execute("CREATE INDEX history_item ON history (item_id, id)")
    db.execute(
        """CREATE TABLE locks (
            item_id INTEGER PRIMARY KEY,
            holder TEXT NOT NULL,
            taken_at TEXT NOT NULL,
            expires_at TEXT NOT NULL
        )"""
    )


def _step2(db: sqlite_utils.Database) -> None:
    # The source took the item's page down: why and when, until an editor decides (keep or retract).
    db.execute("ALTER TABLE reviews ADD COLUMN withdrawn_upstream TEXT")
    db.execute("ALTER TABLE reviews ADD COLUMN withdrawn_upstream_at TEXT")


def _step3(db: sqlite_utils.Database) -> None:
    # The column whose sign-off chain binds the item (NULL = the routed column): an editor who moves
    # an item out of a stricter column, with a reason, sets it to the new column.
    db.execute("ALTER TABLE reviews ADD COLUMN chain_column TEXT")


def _step4(db: sqlite_utils.Database) -> None:
    # Server-side sessions (only a hash of the cookie's id) and failed-login counters for the
    # throttle (keys name an account, a client address, or both).
    db.execute(
        """CREATE TABLE sessions (
            token_hash TEXT PRIMARY KEY,
            user TEXT NOT NULL,
            created_at TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            client TEXT
        )"""
    )
    db.execute("CREATE INDEX sessions_user ON sessions (user)")
    db.execute(
        """CREATE TABLE login_failures (
            key TEXT PRIMARY KEY,
            failures INTEGER NOT NULL,
            last_failure REAL NOT NULL
        )"""
    )


def _step5(db: sqlite_utils.Database) -> None:
    # The reviewer edits in effect when the item was last published: a declined correction
    # restores them, so the desk shows what the portal shows.
    db.execute("ALTER TABLE reviews ADD COLUMN published_edits TEXT")


def _step6(db: sqlite_utils.Database) -> None:
    # History notes (and a review row's note) as a code and its facts, no longer English text that
    # the desk had to parse back; the old notes converted once (review_queue.note_migration).
    note_migration.migrate(db)


STEPS = [_step1, _step2, _step3, _step4, _step5, _step6]


def init(db: sqlite_utils.Database) -> None:
    """Create or migrate review_queue's tables (idempotent; run at every start)."""
    checks.init(db)  # approval reads the checks' findings
    store.migrate(db, "review_queue", STEPS)
