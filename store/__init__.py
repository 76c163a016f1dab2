"""The one SQLite database Huiju keeps everything in.

Each package owns its tables and creates them through :func:`migrate`; this module only opens
the file (WAL mode, a busy timeout, foreign keys) and records which schema steps have run, so
that a daemon, the CLI and the web server can share one file safely.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

import sqlite_utils

__all__ = ["StoreError", "describe_error", "open_db", "migrate", "transaction"]

# How long a writer waits for another process's transaction before giving up.
BUSY_TIMEOUT_MS = int(os.environ.get("HUIJU_BUSY_TIMEOUT_MS", "10000"))


class StoreError(Exception):
    """The database cannot be used: not a database, locked, unwritable."""


def open_db(path: str | Path, *, readonly: bool = False) -> sqlite_utils.Database:
    """Open (creating if needed) the database at *path* in WAL mode.

    ``:memory:`` gives a private in-memory database (tests).
    Raises :class:`StoreError` with a one-line reason when the file is not usable.
    """
    if str(path) == ":memory:":
        conn = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
    else:
        p = Path(path)
        if readonly and not p.exists():
            raise StoreError(f"{p}: no database here (check --db; `collect`, `daemon` or `users add` create it)")
        try:
            p.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"{p}: cannot create its folder: {exc.strerror}") from None
        try:
            conn = sqlite3.connect(
                str(p), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False, isolation_level=None
            )
        except sqlite3.Error as exc:
            raise StoreError(f"{p}: cannot open database: {exc}") from None
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        conn.close()
        msg = str(exc)
        if "not a database" in msg or "file is encrypted" in msg:
            raise StoreError(f"{path}: file is not a SQLite database") from None
        if "locked" in msg or "busy" in msg:
            raise StoreError(f"{path}: database is locked by another process") from None
        raise StoreError(f"{path}: cannot use database: {msg}") from None
    if str(path) != ":memory:" and mode.lower() != "wal":
        conn.close()
        raise StoreError(f"{path}: cannot switch the database to WAL mode (got {mode})")
    return sqlite_utils.Database(conn)


def describe_error(exc: sqlite3.Error, path: str | Path) -> str:
    """One line for an operator, naming the cause of a database error met while working."""
    msg = str(exc)
    if "locked" in msg or "busy" in msg:
        return f"{path}: database is locked by another process (waited {BUSY_TIMEOUT_MS / 1000:g} s)"
    if "not a database" in msg or "malformed" in msg:
        return f"{path}: file is not a SQLite database or is damaged ({msg})"
    if "readonly" in msg:
        return f"{path}: database is read-only for this user"
    return f"{path}: database error: {msg}"


Step = Callable[[sqlite_utils.Database], None]


def migrate(db: sqlite_utils.Database, owner: str, steps: Sequence[Step]) -> int:
    """Run the schema steps of *owner* that have not run yet, each in its own transaction.

    Steps are append-only: step N is never edited once released, a change is a new step.
    Returns the owner's schema version after migrating.
    """
    db.execute(
        "CREATE TABLE IF NOT EXISTS schema_versions (owner TEXT PRIMARY KEY, version INTEGER NOT NULL)"
    )
    row = db.execute("SELECT version FROM schema_versions WHERE owner = ?", [owner]).fetchone()
    done = row[0] if row else 0
    for number, step in enumerate(steps, start=1):
        if number <= done:
            continue
        with transaction(db):
            step(db)
            db.execute(
                "INSERT INTO schema_versions (owner, version) VALUES (?, ?) "
                "ON CONFLICT(owner) DO UPDATE SET version = excluded.version",
                [owner, number],
            )
        done = number
    return done


class transaction:  # noqa: N801 - used as a context manager, reads like a statement
    """``with transaction(db): ...`` — one atomic unit; nests as savepoints."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.conn = db.conn
        self.name: str | None = None

    def __enter__(self) -> sqlite_utils.Database:
        if self.conn.in_transaction:
            self.name = f"sp{id(self)}"
            self.conn.execute(f"SAVEPOINT {self.name}")
        else:
            self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type, exc, tb) -> None:
        if self.name:
            if exc_type is None:
                self.conn.execute(f"RELEASE {self.name}")
            else:
                self.conn.execute(f"ROLLBACK TO {self.name}")
                self.conn.execute(f"RELEASE {self.name}")
        elif exc_type is None:
            self.conn.execute("COMMIT")
        else:
            self.conn.execute("ROLLBACK")
