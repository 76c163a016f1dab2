"""Reviewer accounts: names, roles, argon2 password hashes, disabling."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

import sqlite_utils
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

import store
from review_queue.clock import iso, utc
from review_queue.errors import (
    BadCredentials,
    PermissionDenied,
    UnknownRole,
    UnknownUser,
    UserExists,
    WeakPassword,
)
from review_queue.sessions import end_all
from review_queue.workflow import ROLES

NAME_RE = re.compile(r"[\w.@-]{1,64}")
MIN_PASSWORD = 8
RESERVED_NAMES = ("auto", "system", "publisher", "pipeline")
HASHER = PasswordHasher()
# Verified when the user is unknown, so that a wrong name costs as long as a wrong password.
_DUMMY_HASH: str | None = None


@dataclass(frozen=True)
class User:
    name: str
    role: str
    disabled: bool
    created_at: str


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = HASHER.hash("not a real password, only spends the time")
    return _DUMMY_HASH


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not NAME_RE.fullmatch(name):
        raise UnknownUser("invalid-user-name", user=name)
    if name.lower() in RESERVED_NAMES:
        raise UserExists("reserved-user-name", user=name)
    return name


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise UnknownRole("unknown-role", role=role, roles=list(ROLES))
    return role


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of passwords too common to allow (review_queue/common_passwords.txt)."""
    path = Path(__file__).with_name("common_passwords.txt")
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def check_password(password: str, name: str | None = None) -> str:
    """The password policy: at least MIN_PASSWORD characters, not a common password (or one
    repeated), not the user's own name, not one character over and over. WeakPassword says why."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise WeakPassword("password-too-short", n=MIN_PASSWORD)
    folded = "".join(password.lower().split())
    common = common_passwords()
    repeated = any(len(folded) % len(c) == 0 and folded == c * (len(folded) // len(c)) for c in common
                   if len(c) <= len(folded))
    if folded in common or repeated:
        raise WeakPassword("password-too-common")
    if name and name.strip().lower() in folded:
        raise WeakPassword("password-contains-name")
    if len(set(folded)) <= 2:
        raise WeakPassword("password-repeated")
    return password


def _user(row: tuple) -> User:
    return User(name=row[0], role=row[1], disabled=bool(row[2]), created_at=row[3])


def add_user(db: sqlite_utils.Database, name: str, role: str, password: str,
             *, now: datetime | None = None) -> User:
    """Create a user; the password is stored only as an argon2 hash."""
    name = _check_name(name)
    _check_role(role)
    check_password(password, name)
    hashed = HASHER.hash(password)
    at = iso(utc(now))
    with store.transaction(db):
        if db.execute("SELECT 1 FROM users WHERE name = ?", [name]).fetchone():
            raise UserExists("user-exists", user=name)
        db.execute(
            "INSERT INTO users (name, role, password_hash, disabled, created_at, updated_at) "
            "VALUES (?, ?, ?, 0, ?, ?)",
            [name, role, hashed, at, at],
        )
    return User(name=name, role=role, disabled=False, created_at=at)


def get_user(db: sqlite_utils.Database, name: str) -> User:
    """The user called *name*, or UnknownUser."""
    row = db.execute(
        "SELECT name, role, disabled, created_at FROM users WHERE name = ?", [name]
    ).fetchone()
    if row is None:
        raise UnknownUser("no-such-user", user=name)
    return _user(row)


def active_role(db: sqlite_utils.Database, name: str) -> str:
    """The role of an enabled user: what every action is authorized against."""
    user = get_user(db, name)
    if user.disabled:
        raise PermissionDenied("user-disabled", user=name)
    return user.role


def authenticate(db: sqlite_utils.Database, name: str, password: str) -> User:
    """The user if *password* is right; BadCredentials otherwise (same cost for unknown names)."""
    row = db.execute(
        "SELECT name, role, disabled, created_at, password_hash FROM users WHERE name = ?",
        [(name or "").strip()],
    ).fetchone()
    stored = row[4] if row else _dummy_hash()
    try:
        HASHER.verify(stored, password or "")
        ok = row is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    if not ok or row is None:
        raise BadCredentials("bad-credentials")
    user = _user(row[:4])
    if user.disabled:
        raise BadCredentials("user-disabled", user=user.name)
    if HASHER.check_needs_rehash(stored):
        with store.transaction(db):
            db.execute("UPDATE users SET password_hash = ? WHERE name = ?", [HASHER.hash(password), user.name])
    return user


def set_password(db: sqlite_utils.Database, name: str, password: str, *, now: datetime | None = None) -> None:
    """Replace *name*'s password; every session of *name* ends (a stolen cookie stops working)."""
    check_password(password, name)
    hashed = HASHER.hash(password)
    with store.transaction(db):
        get_user(db, name)
        db.execute("UPDATE users SET password_hash = ?, updated_at = ? WHERE name = ?",
                   [hashed, iso(utc(now)), name])
        end_all(db, name)


def set_role(db: sqlite_utils.Database, name: str, role: str, *, now: datetime | None = None) -> None:
    """Change *name*'s role."""
    _check_role(role)
    with store.transaction(db):
        get_user(db, name)
        db.execute("UPDATE users SET role = ?, updated_at = ? WHERE name = ?", [role, iso(utc(now)), name])


def disable_user(db: sqlite_utils.Database, name: str, *, disabled: bool = True,
                 now: datetime | None = None) -> None:
    """Disable (or, with disabled=False, re-enable) an account; its history stays. Disabling ends
    every session of the account at once."""
    with store.transaction(db):
        get_user(db, name)
        db.execute("UPDATE users SET disabled = ?, updated_at = ? WHERE name = ?",
                   [1 if disabled else 0, iso(utc(now)), name])
        if disabled:
            end_all(db, name)


def list_users(db: sqlite_utils.Database) -> list[User]:
    """All users, by name."""
    rows = db.execute("SELECT name, role, disabled, created_at FROM users ORDER BY name").fetchall()
    return [_user(r) for r in rows]
