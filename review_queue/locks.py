"""Edit locks: who is editing an item right now, for how long.

Only editing takes a lock (opening the edit form); looking at an item takes none and writes no
history. A decision (approval, sign-off, rejection, retraction) or a saved edit releases it. An
editor may take a lock over from its holder and an admin may release any; both are recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlite_utils

import store
from review_queue.clock import iso, parse, utc
from review_queue.errors import LockedByOther, PermissionDenied, UnknownItem
from review_queue.history import record
from review_queue.notes import note
from review_queue.users import active_role
from review_queue.workflow import role_satisfies

LOCK_SECONDS = 600


@dataclass(frozen=True)
class Lock:
    item_id: int
    holder: str
    taken_at: str
    expires_at: str


def current_lock(db: sqlite_utils.Database, item_id: int, *, now: datetime | None = None) -> Lock | None:
    """The unexpired lock on *item_id*, if any."""
    row = db.execute(
        "SELECT item_id, holder, taken_at, expires_at FROM locks WHERE item_id = ?", [item_id]
    ).fetchone()
    if row is None or parse(row[3]) <= utc(now):
        return None
    return Lock(*row)


def current_locks(db: sqlite_utils.Database, *, now: datetime | None = None) -> dict[int, Lock]:
    """Every unexpired lock, by item id (for the queue page)."""
    at = iso(utc(now))
    rows = db.execute(
        "SELECT item_id, holder, taken_at, expires_at FROM locks WHERE expires_at > ?", [at]
    ).fetchall()
    return {r[0]: Lock(*r) for r in rows}


def ensure_not_locked_by_other(db: sqlite_utils.Database, item_id: int, user: str,
                               now: datetime | None) -> None:
    """LockedByOther unless *item_id* is free or locked by *user*."""
    lock = current_lock(db, item_id, now=now)
    if lock is not None and lock.holder != user:
        raise LockedByOther("locked-by-other", id=item_id, user=lock.holder, until=lock.expires_at)


def _require_item(db: sqlite_utils.Database, item_id: int) -> str:
    row = db.execute("SELECT state FROM reviews WHERE item_id = ?", [item_id]).fetchone()
    if row is None:
        raise UnknownItem("item-not-in-review", id=item_id)
    return row[0]


def lock(db: sqlite_utils.Database, item_id: int, *, user: str, now: datetime | None = None,
         seconds: int = LOCK_SECONDS) -> Lock:
    """Take (or extend) *user*'s lock on *item_id*; LockedByOther while someone else holds it."""
    now_ = utc(now)
    with store.transaction(db):
        active_role(db, user)  # an enabled account of any role may lock
        state = _require_item(db, item_id)
        held = current_lock(db, item_id, now=now_)
        if held is not None and held.holder != user:
            raise LockedByOther("locked-by-other", id=item_id, user=held.holder, until=held.expires_at)
        taken = held.taken_at if held else iso(now_)
        expires = iso(now_ + timedelta(seconds=seconds))
        db.execute(
            "INSERT INTO locks (item_id, holder, taken_at, expires_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(item_id) DO UPDATE SET holder = excluded.holder, taken_at = excluded.taken_at, "
            "expires_at = excluded.expires_at",
            [item_id, user, taken, expires],
        )
        if held is None:
            record(db, item_id, at=iso(now_), actor=user, action="lock", from_state=state, to_state=state,
                   note=note("locked-until", until=expires))
    return Lock(item_id, user, taken, expires)


def unlock(db: sqlite_utils.Database, item_id: int, *, user: str, now: datetime | None = None) -> bool:
    """Release the lock on *item_id*. Only its holder may, or an admin (breaking it).

    Returns True when a lock was released.
    """
    now_ = utc(now)
    with store.transaction(db):
        role = active_role(db, user)
        state = _require_item(db, item_id)
        held = current_lock(db, item_id, now=now_)
        if held is None:
            db.execute("DELETE FROM locks WHERE item_id = ?", [item_id])
            return False
        if held.holder != user and role != "admin":
            raise LockedByOther("lock-not-yours", id=item_id, user=held.holder, until=held.expires_at)
        db.execute("DELETE FROM locks WHERE item_id = ?", [item_id])
        action = "unlock" if held.holder == user else "break-lock"
        record(db, item_id, at=iso(now_), actor=user, action=action, from_state=state, to_state=state,
               note=None if held.holder == user else note("lock-broken", user=held.holder))
    return True


def take_over(db: sqlite_utils.Database, item_id: int, *, user: str, now: datetime | None = None,
              seconds: int = LOCK_SECONDS) -> Lock:
    """An editor (or admin) takes the lock on *item_id* from whoever holds it; recorded in history."""
    now_ = utc(now)
    with store.transaction(db):
        role = active_role(db, user)
        if not role_satisfies(role, "editor"):
            raise PermissionDenied("take-over-needs-editor", id=item_id, user=user, role=role)
        state = _require_item(db, item_id)
        held = current_lock(db, item_id, now=now_)
        if held is None or held.holder == user:
            return lock(db, item_id, user=user, now=now_, seconds=seconds)
        taken, expires = iso(now_), iso(now_ + timedelta(seconds=seconds))
        db.execute("UPDATE locks SET holder = ?, taken_at = ?, expires_at = ? WHERE item_id = ?",
                   [user, taken, expires, item_id])
        record(db, item_id, at=taken, actor=user, action="take-over-lock", from_state=state, to_state=state,
               note=note("lock-taken-over", user=held.holder))
    return Lock(item_id, user, taken, expires)


def release_own(db: sqlite_utils.Database, item_id: int, user: str) -> None:
    """Drop *user*'s own lock once their edit is saved (another holder's lock stays)."""
    db.execute("DELETE FROM locks WHERE item_id = ? AND holder = ?", [item_id, user])


def release_quietly(db: sqlite_utils.Database, item_id: int) -> None:
    """Drop the lock once the item is decided (approve/reject/retract): nothing left to guard."""
    db.execute("DELETE FROM locks WHERE item_id = ?", [item_id])
