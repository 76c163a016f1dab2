"""Server-side login sessions: the cookie carries only a random id, the database says if it holds.

A copied cookie is worth nothing once its session ends: logging out ends one session; a
password change, an admin's reset and disabling an account end every session of that user at
once (in the same transaction). Only a hash of the id is stored, so a database copy cannot be
used to log in either.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlite_utils

import store
from review_queue.clock import iso, parse, utc

SESSION_HOURS = 12.0
TOUCH_SECONDS = 60  # last_seen is written at most once a minute per session


@dataclass(frozen=True)
class Session:
    user: str
    created_at: str
    last_seen: str
    expires_at: str
    client: str | None


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(db: sqlite_utils.Database, user: str, *, client: str | None = None, hours: float = SESSION_HOURS,
          now: datetime | None = None) -> str:
    """A new session for *user*; returns the token to put in the (signed) cookie."""
    token = secrets.token_urlsafe(32)
    at = utc(now)
    with store.transaction(db):
        db.execute("DELETE FROM sessions WHERE expires_at <= ?", [iso(at)])  # keep the table small
        db.execute(
            "INSERT INTO sessions (token_hash, user, created_at, last_seen, expires_at, client) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [_hash(token), user, iso(at), iso(at), iso(at + timedelta(hours=hours)), client],
        )
    return token


def check(db: sqlite_utils.Database, token: str | None, *, now: datetime | None = None) -> Session | None:
    """The live session of *token*, or None (unknown, ended or expired)."""
    if not token or not isinstance(token, str):
        return None
    at = utc(now)
    row = db.execute(
        "SELECT user, created_at, last_seen, expires_at, client FROM sessions WHERE token_hash = ?",
        [_hash(token)],
    ).fetchone()
    if row is None or parse(row[3]) <= at:
        return None
    if (at - parse(row[2])).total_seconds() >= TOUCH_SECONDS:
        with store.transaction(db):
            db.execute("UPDATE sessions SET last_seen = ? WHERE token_hash = ?", [iso(at), _hash(token)])
    return Session(*row)


def end(db: sqlite_utils.Database, token: str | None) -> None:
    """End one session (logout)."""
    if token:
        with store.transaction(db):
            db.execute("DELETE FROM sessions WHERE token_hash = ?", [_hash(token)])


def end_all(db: sqlite_utils.Database, user: str) -> int:
    """End every session of *user* (inside or outside a transaction); returns how many ended."""
    cur = db.execute("DELETE FROM sessions WHERE user = ?", [user])
    return cur.rowcount or 0


def count(db: sqlite_utils.Database, user: str, *, now: datetime | None = None) -> int:
    """Live sessions of *user* (for the users page)."""
    return db.execute("SELECT count(*) FROM sessions WHERE user = ? AND expires_at > ?",
                      [user, iso(utc(now))]).fetchone()[0]
