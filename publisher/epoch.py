"""The stream's identity (epoch): it changes whenever history is rewritten, so a portal can tell.

A portal keeps a cursor (``seq``) into the stream. Restoring a backup (``sqlite3 .backup``,
``run.py backup``) or rebuilding the database re-issues sequence numbers that the portal has
already seen with other content; its cursor would then silently skip every new item. Every
response therefore carries the stream's ``epoch``, a random token kept in the database: a
client that sees a different epoch than the one its cursor came from must resync from 0.

A restored file carries the epoch it had when it was backed up, so the database alone cannot
tell it was rewound. A small *watermark* file beside the database (``<db>.stream``) records the
epoch, the highest seq ever served and what that row was; when the database's epoch matches it
but its highest seq is lower, or the row at that seq is another one (the restored file grew past
it before anyone looked), or its epoch is another one, history went back: a new epoch is drawn. A backup
made with :func:`mark_copy` (``run.py backup``) carries a fresh epoch already, so restoring it is
detectable even when the watermark file was lost with the disk.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

import store

__all__ = ["StreamIdentity", "identity", "current", "rotate", "mark_copy", "watermark_path"]

log = logging.getLogger("huiju.publisher")


@dataclass(frozen=True)
class StreamIdentity:
    """What a portal's cursor is valid against: the epoch and the highest seq in it."""

    epoch: str
    latest_seq: int


def _new_epoch() -> str:
    return datetime.now(UTC).strftime("%Y%m%d") + "-" + secrets.token_hex(6)


def _db_file(db: sqlite_utils.Database) -> str:
    for row in db.conn.execute("PRAGMA database_list"):
        if row[1] == "main":
            return row[2] or ""
    return ""


def watermark_path(db: sqlite_utils.Database) -> Path | None:
    """``<database file>.stream``, or None for a database without a file (``:memory:``)."""
    name = _db_file(db)
    return Path(name + ".stream") if name else None


# Why the stream got a new epoch: code -> its English, stored with the epoch (pipeline.wording words each in
# Chinese for the log line: EPOCH_REASONS)
REASONS = {
    "no-identity": "no stream identity recorded",
    "other-epoch": "database epoch %(epoch)s is not the last served %(seen)s (restored or replaced)",
    "seq-below": "highest seq %(seq)s is below the %(seen)s already served (restored from a backup)",
    "other-row": "seq %(seen)s holds another row than the one served (restored from a backup)",
    "backup-copy": "restored from a backup copy",
}


def _stored(db: sqlite_utils.Database) -> str:
    row = db.conn.execute("SELECT epoch FROM published_stream WHERE id = 1").fetchone()
    if row is None:  # created by the schema step; an empty table means it was emptied by hand
        return rotate(db, "no-identity")
    return str(row[0])


def current(db: sqlite_utils.Database) -> str:
    """The stored epoch, without checking the watermark (renderers: the caller checked)."""
    return _stored(db)


def rotate(db: sqlite_utils.Database, code: str, **facts: object) -> str:
    """Draw a new epoch (history was rewritten: every client must resync) for the reason *code*
    (REASONS, with its *facts*; any other text is kept as the reason itself); returns it."""
    reason = REASONS[code] % facts if code in REASONS else code
    epoch = _new_epoch()
    now = datetime.now(UTC).isoformat(timespec="seconds")
    with store.transaction(db) as conn:
        conn.execute(
            "INSERT INTO published_stream (id, epoch, since, reason) VALUES (1, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET epoch = excluded.epoch, since = excluded.since, "
            "reason = excluded.reason",
            [epoch, now, reason],
        )
    log.warning("发布：新的数据流纪元 %(epoch)s（%(reason)s）：门户须从 since=0 重新同步", {"epoch": epoch, "reason": reason},
                extra={"words": {"reason": ("epoch", code, facts)}})
    return epoch


def _fingerprint(db: sqlite_utils.Database, seq: int) -> str:
    """What the row at *seq* is (item, version, action, time): another history gives another text."""
    row = db.conn.execute(
        "SELECT item_id, version, action, created_at FROM published WHERE seq = ?", [seq]
    ).fetchone()
    return ":".join(map(str, row)) if row else ""


def _read_watermark(path: Path) -> tuple[str, int, str] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return str(data["epoch"]), int(data["latest_seq"]), str(data.get("row", ""))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        log.warning("发布：%(path)s 无法读取；重新开始水位标记", {"path": path})
        return None


def _write_watermark(path: Path, epoch: str, seq: int, row: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        tmp.write_text(json.dumps({"epoch": epoch, "latest_seq": seq, "row": row}), encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:  # a read-only deployment still serves; it just cannot detect a restore
        log.warning("发布：无法写入 %(path)s：%(error)s", {"path": path, "error": exc.strerror or exc})
        tmp.unlink(missing_ok=True)


def identity(db: sqlite_utils.Database) -> StreamIdentity:
    """The stream's epoch and highest seq, after checking the watermark for a rewound history.

    Called before anything is served from the stream (the web server, exports), so the
    watermark never lags behind a seq a client has seen.
    """
    epoch = _stored(db)
    seq = int(db.conn.execute("SELECT coalesce(max(seq), 0) FROM published").fetchone()[0])
    path = watermark_path(db)
    if path is None:
        return StreamIdentity(epoch, seq)
    mark = _read_watermark(path)
    if mark is not None:
        seen_epoch, seen_seq, seen_row = mark
        if seen_epoch != epoch:
            epoch = rotate(db, "other-epoch", epoch=epoch, seen=seen_epoch)
        elif seq < seen_seq:
            epoch = rotate(db, "seq-below", seq=seq, seen=seen_seq)
        elif seen_seq and seen_row and _fingerprint(db, seen_seq) != seen_row:
            # The restored file grew past the served seq before anyone looked: its row there differs.
            epoch = rotate(db, "other-row", seen=seen_seq)
    row = _fingerprint(db, seq)
    if mark is None or mark != (epoch, seq, row):
        _write_watermark(path, epoch, seq, row)
    return StreamIdentity(epoch, seq)


def mark_copy(copy: sqlite_utils.Database) -> str:
    """Give a backup copy its own epoch, so that restoring it is seen even without the watermark."""
    return rotate(copy, "backup-copy")
