"""The one SQLite database Huiju keeps everything in.

Each package owns its tables and creates them through :func:`migrate`; this module only opens
the file (WAL mode, a busy timeout, foreign keys) and records which schema steps have run, so
that a daemon, the CLI and the web server can share one file safely. A database written by a
newer release (schema steps this one does not know) is refused with one line rather than used.
It also takes consistent online backups (:func:`backup`) and proves the file takes a write
(:func:`probe_write`, for readiness).
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import sqlite_utils

__all__ = ["ENGLISH", "BackupResult", "StoreError", "as_store_error", "backup", "describe_error", "is_readonly", "open_db", "migrate",
           "probe_write", "transaction"]

# How long a writer waits for another process's transaction before giving up.
BUSY_TIMEOUT_MS = int(os.environ.get("HUIJU_BUSY_TIMEOUT_MS", "10000"))


# code -> the one-line English of a StoreError (str.format over its params); the desk and the
# Chinese command line show the catalog message of the code instead (review_queue.messages)
ENGLISH: dict[str, str] = {
    "no-database": "{path}: no database here (check --db; `collect`, `daemon` or `users add` create it)",
    "cannot-create-folder": "{path}: cannot create its folder: {why}",
    "cannot-open": "{path}: cannot open database: {why}",
    "cannot-open-readonly": "{path}: cannot open the database for reading: {why}",
    "not-a-database": "{path}: file is not a SQLite database",
    "locked": "{path}: database is locked by another process",
    "cannot-use": "{path}: cannot use database: {why}",
    "no-wal": "{path}: cannot switch the database to WAL mode (got {mode})",
    "no-tables": "{path}: the database has no Huiju tables yet (run `run.py collect` or the daemon once to create "
                 "them)",
    "newer-release": "{path}: the database is from a newer Huiju release ({owner} schema {done}, this release knows "
                     "{known}): run that release, or restore a backup made by this one",
    "needs-upgrade": "{path}: the database needs an upgrade ({owner} schema {done} of {known}); run `run.py collect` "
                     "or the daemon once with write access",
    "backup-is-folder": "{path}: is a folder; give the backup file's name",
    "backup-failed-check": "{path}: the backup failed its integrity check: {why}",
    "backup-not-written": "{path}: cannot write the backup: {why}",
    # a database error met while working (describe_error)
    "locked-waited": "{path}: database is locked by another process (waited {seconds:g} s)",
    "damaged": "{path}: file is not a SQLite database or is damaged ({why})",
    "read-only": "{path}: database is read-only for this user",
    "disk-full": "{path}: the disk is full (free space next to the database, or lower [retention])",
    "disk-io": "{path}: disk I/O error (a full or failing disk)",
    "database-error": "{path}: database error: {why}",
}


class StoreError(Exception):
    """The database cannot be used: not a database, locked, unwritable.

    Carries ``code`` (a key of :data:`ENGLISH`) and ``params`` (path, why …); ``str(exc)`` is the
    one-line English for logs, scripts and tests. A message without a declared code (older
    callers) is kept whole, as code ``"other"``.
    """

    def __init__(self, code: str, /, **params: object) -> None:
        if code not in ENGLISH:
            code, params = "other", {"message": code, **params}
        self.code = code
        self.params = {k: str(v) if isinstance(v, Path) else v for k, v in params.items()}
        super().__init__(self.english())

    def english(self) -> str:
        """The one-line English of this error."""
        if self.code == "other":
            return str(self.params.get("message", ""))
        return ENGLISH[self.code].format(**self.params)

    def __reduce__(self) -> tuple[object, ...]:  # picklable with its code and params
        return (_rebuild, (self.code, self.params))


def _rebuild(code: str, params: dict[str, object]) -> StoreError:
    return StoreError(params["message"]) if code == "other" else StoreError(code, **params)


def open_db(path: str | Path, *, readonly: bool = False) -> sqlite_utils.Database:
    """Open (creating if needed) the database at *path* in WAL mode.

    ``:memory:`` gives a private in-memory database (tests). *readonly* opens an existing file
    for reading only (``mode=ro``, ``query_only``): it works on a file the user cannot write, and
    :func:`migrate` then only checks that the schema is the one this release knows.
    Raises :class:`StoreError` with a one-line reason when the file is not usable.
    """
    if readonly and str(path) != ":memory:":
        return _open_readonly(Path(path))
    if str(path) == ":memory:":
        conn = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
    else:
        p = Path(path)
        if readonly and not p.exists():
            raise StoreError("no-database", path=p)
        try:
            p.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError("cannot-create-folder", path=p, why=exc.strerror) from None
        try:
            conn = sqlite3.connect(
                str(p), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False, isolation_level=None
            )
        except sqlite3.Error as exc:
            raise StoreError("cannot-open", path=p, why=str(exc)) from None
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
            raise StoreError("not-a-database", path=path) from None
        if "locked" in msg or "busy" in msg:
            raise StoreError("locked", path=path) from None
        raise StoreError("cannot-use", path=path, why=msg) from None
    if str(path) != ":memory:" and mode.lower() != "wal":
        conn.close()
        raise StoreError("no-wal", path=path, mode=mode)
    return sqlite_utils.Database(conn)


def _open_readonly(p: Path) -> sqlite_utils.Database:
    if not p.exists():
        raise StoreError("no-database", path=p)
    try:
        conn = sqlite3.connect(f"file:{quote(str(p.resolve()))}?mode=ro", uri=True,
                               timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA query_only = 1")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        msg = str(exc)
        if "not a database" in msg or "file is encrypted" in msg:
            raise StoreError("not-a-database", path=p) from None
        raise StoreError("cannot-open-readonly", path=p, why=msg) from None
    return sqlite_utils.Database(conn)


def is_readonly(db: sqlite_utils.Database) -> bool:
    """True for a connection opened with ``readonly=True``."""
    return bool(db.execute("PRAGMA query_only").fetchone()[0])


def as_store_error(exc: sqlite3.Error, path: str | Path) -> StoreError:
    """A database error met while working, as a :class:`StoreError` whose code names the cause."""
    msg, where = str(exc), str(path)
    if "locked" in msg or "busy" in msg:
        return StoreError("locked-waited", path=where, seconds=BUSY_TIMEOUT_MS / 1000)
    if "not a database" in msg or "malformed" in msg:
        return StoreError("damaged", path=where, why=msg)
    if "readonly" in msg:
        return StoreError("read-only", path=where)
    if "full" in msg:
        return StoreError("disk-full", path=where)
    if "disk I/O" in msg:
        return StoreError("disk-io", path=where)
    return StoreError("database-error", path=where, why=msg)


def describe_error(exc: sqlite3.Error, path: str | Path) -> str:
    """One line for an operator, naming the cause of a database error met while working."""
    return str(as_store_error(exc, path))


Step = Callable[[sqlite_utils.Database], None]


def migrate(db: sqlite_utils.Database, owner: str, steps: Sequence[Step]) -> int:
    """Run the schema steps of *owner* that have not run yet, each in its own transaction.

    Steps are append-only: step N is never edited once released, a change is a new step.
    Returns the owner's schema version after migrating. A database whose *owner* version is past
    the steps this release has (written by a newer Huiju) raises :class:`StoreError`; on a
    read-only connection nothing is written and a schema needing steps raises too.
    """
    readonly = is_readonly(db)
    if not readonly:
        db.execute(
            "CREATE TABLE IF NOT EXISTS schema_versions (owner TEXT PRIMARY KEY, version INTEGER NOT NULL)"
        )
    elif not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'schema_versions'").fetchone():
        raise StoreError("no-tables", path=_file_of(db))
    row = db.execute("SELECT version FROM schema_versions WHERE owner = ?", [owner]).fetchone()
    done = row[0] if row else 0
    if done > len(steps):
        raise StoreError("newer-release", path=_file_of(db), owner=owner, done=done, known=len(steps))
    if readonly and done < len(steps):
        raise StoreError("needs-upgrade", path=_file_of(db), owner=owner, done=done, known=len(steps))
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


def _file_of(db: sqlite_utils.Database) -> str:
    try:
        return db.execute("PRAGMA database_list").fetchone()[2] or ":memory:"
    except sqlite3.Error:
        return "database"


def probe_write(db: sqlite_utils.Database) -> None:
    """Commit one small write (readiness: a full disk or a read-only file fails here, not at the
    next item). Raises :class:`sqlite3.Error` or :class:`StoreError`."""
    with transaction(db):
        db.execute("CREATE TABLE IF NOT EXISTS store_probe (id INTEGER PRIMARY KEY CHECK (id = 1), at TEXT NOT NULL)")
        db.execute("INSERT INTO store_probe (id, at) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET at = excluded.at",
                   [datetime.now(UTC).isoformat(timespec="microseconds")])


@dataclass
class BackupResult:
    """A verified backup: where, how big, how long it took, and the integrity check's answer."""

    path: str
    bytes: int
    seconds: float
    integrity: str


def backup(db: sqlite_utils.Database, dest: str | Path, *, pages: int = -1,
           prepare: Callable[[sqlite_utils.Database], None] | None = None) -> BackupResult:
    """Copy the open database to *dest* online and consistently (SQLite's backup API in one step:
    one read snapshot, which in WAL mode never blocks the daemon's writers; copying a few pages
    at a time would restart at every write and never end under a busy daemon), then verify the
    copy by reopening it and running
    ``PRAGMA integrity_check``. The copy is written next to *dest* and renamed into place, so a
    failed or interrupted backup never leaves a half file under the final name. *prepare* may
    change the copy before it is checked (the publisher gives it its own stream epoch)."""
    dest = Path(dest)
    if dest.is_dir():
        raise StoreError("backup-is-folder", path=dest)
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError("cannot-create-folder", path=dest, why=exc.strerror) from None
    tmp = dest.with_name(f".{dest.name}.part")
    start = time.monotonic()
    try:
        tmp.unlink(missing_ok=True)
        target = sqlite3.connect(str(tmp))
        try:
            db.conn.backup(target, pages=pages)
            target.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        finally:
            target.close()
        if prepare is not None:
            copy = sqlite3.connect(str(tmp), isolation_level=None)
            try:
                prepare(sqlite_utils.Database(copy))
            finally:
                copy.close()
        check = sqlite3.connect(f"file:{quote(str(tmp.resolve()))}?mode=ro", uri=True)
        try:
            rows = [r[0] for r in check.execute("PRAGMA integrity_check").fetchall()]
        finally:
            check.close()
        if rows != ["ok"]:
            raise StoreError("backup-failed-check", path=dest, why=rows[0])
        os.replace(tmp, dest)
    except sqlite3.Error as exc:
        tmp.unlink(missing_ok=True)
        raise as_store_error(exc, dest) from None
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise StoreError("backup-not-written", path=dest, why=exc.strerror or str(exc)) from None
    return BackupResult(str(dest), dest.stat().st_size, round(time.monotonic() - start, 3), "ok")


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
