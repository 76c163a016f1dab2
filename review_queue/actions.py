"""Placing items in the workflow and moving them through it.

Every state change goes through :func:`review_queue.workflow.check` and writes one history
entry in the same transaction. The normalizers' item rows are read, never written: reviewer
edits live in ``reviews`` and reach the portal through :func:`publish_view`.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta
from html import escape
from typing import Any

import sqlite_utils

import checks
import normalizers
import store
from publisher import clean_html
from review_queue import signoff
from review_queue import workflow as wf
from review_queue.clock import iso, parse, utc
from review_queue.errors import (
    ChecksBlocked,
    InvalidTransition,
    MissingReason,
    PermissionDenied,
    UnknownColumn,
    UnknownItem,
    Unpublishable,
)
from review_queue.history import change, compact_source, history, html_lines, read_note, record, store_note
from review_queue.locks import ensure_not_locked_by_other, release_own, release_quietly
from review_queue.notes import Note, note
from review_queue.overlay import as_published, column_in_effect
from review_queue.users import active_role

AUTO = "auto"  # the actor recorded for review = "auto" sources
SYSTEM_ACTOR = "system"

_COLS = (
    "item_id", "state", "source", "cluster_id", "routed_column", "routed_topics", "flags", "version",
    "correction", "note", "seen_title", "seen_text", "submitted_at", "updated_at", "signoffs", "signoff_roles", "approved_by", "approved_at",
    "edit_title", "edit_text", "edit_html", "edit_column", "edit_topics", "published_seq",
    "published_at", "retract_reason", "retracted_at", "retraction_seq", "withdrawn_upstream",
    "withdrawn_upstream_at", "chain_column", "published_edits", "note_code", "note_params",
)
_SELECT = "SELECT " + ", ".join(_COLS) + " FROM reviews"


def member_id(member: dict[str, Any]) -> int:
    """A cluster member's item id (normalizers name it ``id``; accept ``item_id`` too)."""
    return int(member["id"] if "id" in member else member["item_id"])


def _decode(row: tuple) -> dict[str, Any]:
    d = dict(zip(_COLS, row, strict=True))
    for key in ("routed_topics", "flags", "signoffs", "signoff_roles"):
        d[key] = json.loads(d[key] or "[]")
    d["edit_topics"] = json.loads(d["edit_topics"]) if d["edit_topics"] is not None else None
    read_note(d)  # the note the item entered review with, as a code and its English
    return d


def get_row(db: sqlite_utils.Database, item_id: int) -> dict[str, Any] | None:
    row = db.execute(_SELECT + " WHERE item_id = ?", [item_id]).fetchone()
    return _decode(row) if row is not None else None


def get_rows(db: sqlite_utils.Database, item_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """The review rows of many items in a few queries (ids not in review are left out)."""
    ids = list(dict.fromkeys(int(i) for i in item_ids))
    out: dict[int, dict[str, Any]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ", ".join("?" for _ in chunk)
        for row in db.execute(f"{_SELECT} WHERE item_id IN ({marks})", chunk):
            d = _decode(row)
            out[d["item_id"]] = d
    return out


def require_row(db: sqlite_utils.Database, item_id: int) -> dict[str, Any]:
    row = get_row(db, item_id)
    if row is None:
        raise UnknownItem("item-not-in-review", id=item_id)
    return row


MAX_ID = 2**63 - 1  # SQLite's largest integer: no item can have a larger id


def _ids(item_ids: int | Iterable[int]) -> list[int]:
    out: list[int] = []
    for i in [item_ids] if isinstance(item_ids, int) else item_ids:
        try:
            n = int(i)
        except (TypeError, ValueError):
            raise UnknownItem("not-an-item-id", value=i) from None
        if not 0 < n <= MAX_ID:  # the database could not even look it up
            raise UnknownItem("item-not-in-review", id=n)
        if n not in out:
            out.append(n)
    return out


def _set(db: sqlite_utils.Database, item_id: int, **fields: Any) -> None:
    for key in ("routed_topics", "flags", "signoffs", "signoff_roles", "edit_topics"):
        if key in fields and fields[key] is not None and not isinstance(fields[key], str):
            fields[key] = json.dumps(list(fields[key]), ensure_ascii=False)
    cols = ", ".join(f"{k} = ?" for k in fields)
    db.execute(f"UPDATE reviews SET {cols} WHERE item_id = ?", [*fields.values(), item_id])


def _move(db: sqlite_utils.Database, row: dict[str, Any], action: str, target: str, *, actor: str,
          role: str, at: str, note: Note | str | None = None, changes: list[dict[str, Any]] | None = None,
          needed: str | None = None, **fields: Any) -> None:
    """Check the transition, update the row, and write the history entry."""
    wf.check(row["item_id"], action, row["state"], target, role, user=actor, needed=needed)
    _set(db, row["item_id"], state=target, updated_at=at, **fields)
    record(db, row["item_id"], at=at, actor=actor, action=action, from_state=row["state"], to_state=target,
           note=note, changes=changes)
    row["state"] = target


# --- entering the workflow -------------------------------------------------------------------

def submit(db: sqlite_utils.Database, result: Any, source: Any, *, now: datetime | None = None) -> str:
    """Place an ingested item in the workflow and return its state.

    *result* is a ``normalizers.IngestResult`` (it carries the stored title, text, address and
    withdrawal, so nothing is read back). New items wait for review (``pending``), or are
    ``approved`` with actor "auto" when the source is trusted, or are ``duplicate`` when their
    story is already out and they are not its new representative. A new version of a published
    item comes back as ``corrected``. Tombstoned and unchanged results change nothing.
    """
    item_id = int(result.item_id)
    at = iso(utc(now))
    kind = result.kind
    with store.transaction(db):
        row = get_row(db, item_id)
        if kind in ("tombstoned", "unchanged"):
            return row["state"] if row else kind
        if kind == "new" and row is not None:
            return row["state"]  # a replayed hand-over: the item is already in the workflow
        if kind in ("withdrawn", "restored"):
            if row is None:
                return kind  # never entered review: nothing to flag
            if kind == "withdrawn":
                return _submit_withdrawn(db, row, result.withdrawn, at)
            return _clear_withdrawn(db, row, "upstream-restored", SYSTEM_ACTOR, wf.SYSTEM, at,
                                    note("page-restored"))
        info = {  # the item as ingest stored it, carried by the result
            "seen_title": result.title,
            "seen_text": result.text,
            "source": getattr(source, "id", None) or getattr(result, "source", None),
            "cluster_id": result.cluster_id,
            "routed_column": result.column,
            "routed_topics": list(result.topics or []),
            "flags": list(result.flags or []),
            "version": result.version,
        }
        # an untitled or address-less item needs a person, even from a trusted source
        auto = getattr(source, "review", "required") == "auto" and not _unpublishable(
            item_id, result.title, result.url) and not checks.blocking(db, item_id)
        if row is None:
            state = _submit_new(db, item_id, result, info, auto, at)
            if result.withdrawn:  # first met already gone upstream
                state = _submit_withdrawn(db, require_row(db, item_id), result.withdrawn, at)
            return state
        if row["withdrawn_upstream"]:
            _clear_withdrawn(db, row, "upstream-restored", SYSTEM_ACTOR, wf.SYSTEM, at,
                             note("page-restored-changed"))
        _set(db, item_id, **info)
        return _submit_version(db, row, info, auto, at)


def _submit_withdrawn(db: sqlite_utils.Database, row: dict[str, Any], why: str | None, at: str) -> str:
    """The source took the page down: flag the item where a person will see it.

    Nothing is retracted by itself (a site may be moving its pages): an approved item that is
    not out yet goes back to the queue, a published one is listed for the editors, who retract
    it or keep it (:func:`keep`).
    """
    if row["withdrawn_upstream"]:
        return row["state"]
    state = row["state"]
    target = state
    if state == wf.APPROVED:
        target = wf.CORRECTED if row["correction"] else wf.PENDING
    flags = [*(f for f in row["flags"] if f != wf.WITHDRAWN_FLAG), wf.WITHDRAWN_FLAG]
    extra: dict[str, Any] = {}
    if target != state:
        extra = dict(signoffs="[]", signoff_roles="[]", approved_by=None, approved_at=None)
    _move(db, row, "upstream-withdrawn", target, actor=SYSTEM_ACTOR, role=wf.SYSTEM, at=at,
          note=note("page-withdrawn", why=why), withdrawn_upstream=why or "the source took the page down",
          withdrawn_upstream_at=at, flags=flags, **extra)
    return row["state"]


def _clear_withdrawn(db: sqlite_utils.Database, row: dict[str, Any], action: str, actor: str, role: str,
                     at: str, why: Note) -> str:
    flags = [f for f in row["flags"] if f != wf.WITHDRAWN_FLAG]
    _move(db, row, action, row["state"], actor=actor, role=role, at=at, note=why,
          withdrawn_upstream=None, withdrawn_upstream_at=None, flags=flags)
    row.update(withdrawn_upstream=None, withdrawn_upstream_at=None, flags=flags)
    return row["state"]


def keep(db: sqlite_utils.Database, item_id: int, *, user: str, reason: str = "",
         now: datetime | None = None) -> None:
    """An editor keeps a published item on the portal although its source took the page down."""
    at = iso(utc(now))
    with store.transaction(db):
        role = active_role(db, user)
        row = require_row(db, int(item_id))
        if not row["withdrawn_upstream"]:
            raise InvalidTransition("nothing-to-keep", id=item_id)
        _clear_withdrawn(db, row, "keep", user, role, at,
                         note("kept-although-withdrawn", why=row["withdrawn_upstream"], reason=reason.strip() or None))


def withdrawn_upstream(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Items on the portal whose source took the page down and no editor has decided on yet,
    oldest first: each {item_id, state, title, source, url, why, at, published_at}."""
    rows = db.execute(
        f"{_SELECT} WHERE withdrawn_upstream IS NOT NULL AND state IN ({', '.join('?' for _ in wf.ON_PORTAL)}) "
        "ORDER BY withdrawn_upstream_at, item_id", list(wf.ON_PORTAL)).fetchall()
    out = []
    for r in map(_decode, rows):
        item = normalizers.get_item(db, r["item_id"]) or {}
        out.append({"item_id": r["item_id"], "state": r["state"], "title": r["edit_title"] or item.get("title") or "",
                    "source": r["source"] or item.get("source"), "url": item.get("url") or "",
                    "why": r["withdrawn_upstream"], "at": r["withdrawn_upstream_at"],
                    "published_at": r["published_at"]})
    return out


def _story_out(db: sqlite_utils.Database, item_id: int, cluster_id: int | None) -> int | None:
    """Another member of the cluster that is approved or published (the story is out), if any."""
    if cluster_id is None:
        return None
    others = [mid for mid in map(member_id, normalizers.cluster_members(db, cluster_id)) if mid != item_id]
    member_states = states(db, others)
    return next((mid for mid in others if member_states.get(mid) in (wf.APPROVED, wf.PUBLISHED, wf.CORRECTED)),
                None)


def _submit_new(db: sqlite_utils.Database, item_id: int, result: Any, info: dict[str, Any],
                auto: bool, at: str) -> str:
    out = _story_out(db, item_id, result.cluster_id)
    said = None
    if out is not None and not result.is_representative:
        target, action, actor = wf.DUPLICATE, "duplicate", SYSTEM_ACTOR
        said = note("story-already-out", id=out)
    elif auto:
        target, action, actor = wf.APPROVED, "auto-approve", AUTO
    else:
        target, action, actor = wf.PENDING, "submit", SYSTEM_ACTOR
    if out is not None and target != wf.DUPLICATE:
        said = note("new-representative", id=out)
    wf.check(item_id, action, None, target, wf.SYSTEM)
    fields = dict(info)
    if target == wf.APPROVED:
        fields.update(approved_by=AUTO, approved_at=at,
                      signoffs=json.dumps([{"user": AUTO, "role": "auto", "at": at}]))
    fields["routed_topics"] = json.dumps(fields["routed_topics"], ensure_ascii=False)
    fields["flags"] = json.dumps(fields["flags"], ensure_ascii=False)
    cols = ["item_id", "state", "note_code", "note_params", "submitted_at", "updated_at", *fields]
    db.execute(
        f"INSERT INTO reviews ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
        [item_id, target, *store_note(said), at, at, *fields.values()],
    )
    record(db, item_id, at=at, actor=actor, action=action, from_state=None, to_state=target, note=said)
    if target == wf.APPROVED:
        _mark_cluster_duplicates(db, item_id, result.cluster_id, at)
    return target


def _submit_version(db: sqlite_utils.Database, row: dict[str, Any], info: dict[str, Any], auto: bool,
                    at: str) -> str:
    state = row["state"]
    dropped = False
    changes = [  # what changed upstream since the version submitted before
        change(field, row[f"seen_{field}"], info[f"seen_{field}"])
        for field in ("title", "text")
        if row[f"seen_{field}"] is not None and info[f"seen_{field}"] is not None
        and row[f"seen_{field}"] != info[f"seen_{field}"]
    ]
    cleared = {}
    if row["edit_title"] is not None or row["edit_text"] is not None:
        # the upstream correction must be seen, not hidden by an edit of the old text
        cleared = {"edit_title": None, "edit_text": None, "edit_html": None}
        dropped = True
    said = note("new-version", version=info["version"], edits_dropped=dropped)
    reset = dict(signoffs="[]", signoff_roles="[]", approved_by=None, approved_at=None, **cleared)
    if state == wf.PUBLISHED:
        if auto:
            _move(db, row, "auto-correct", wf.APPROVED, actor=AUTO, role=wf.SYSTEM, at=at, note=said,
                  changes=changes, correction=1, approved_by=AUTO, approved_at=at,
                  signoffs=json.dumps([{"user": AUTO, "role": "auto", "at": at}]), **cleared)
        else:
            _move(db, row, "correct", wf.CORRECTED, actor=SYSTEM_ACTOR, role=wf.SYSTEM, at=at, note=said,
                  changes=changes, correction=1, **reset)
    elif state == wf.APPROVED and auto:
        _move(db, row, "new-version", state, actor=AUTO, role=wf.SYSTEM, at=at, note=said, changes=changes)
    elif state in (wf.APPROVED, wf.AWAITING_SIGNOFF):
        target = wf.CORRECTED if row["correction"] else wf.PENDING
        _move(db, row, "requeue", target, actor=SYSTEM_ACTOR, role=wf.SYSTEM, at=at, note=said,
              changes=changes, **reset)
    elif state in (wf.PENDING, wf.CORRECTED, wf.DUPLICATE):
        _move(db, row, "new-version", state, actor=SYSTEM_ACTOR, role=wf.SYSTEM, at=at, note=said,
              changes=changes, **cleared)
    # rejected / retracted items are tombstoned upstream: a late version changes nothing here
    return row["state"]


def _current_cluster(db: sqlite_utils.Database, row: dict[str, Any]) -> int | None:
    """The item's cluster now (clusters can merge after submission), else the one recorded."""
    item = normalizers.get_item(db, row["item_id"])
    if item is not None and item.get("cluster") is not None:
        return item["cluster"]
    return row["cluster_id"]


def _mark_cluster_duplicates(db: sqlite_utils.Database, item_id: int, cluster_id: int | None, at: str) -> None:
    """The story of *item_id* is out: its cluster's other waiting members become duplicates."""
    if cluster_id is None:
        return
    others = [mid for mid in map(member_id, normalizers.cluster_members(db, cluster_id)) if mid != item_id]
    rows = get_rows(db, others)
    for mid in others:
        other = rows.get(mid)
        if other is None or other["state"] not in (wf.PENDING, wf.AWAITING_SIGNOFF):
            continue
        _move(db, other, "duplicate", wf.DUPLICATE, actor=SYSTEM_ACTOR, role=wf.SYSTEM, at=at,
              note=note("story-approved", id=item_id))
        release_quietly(db, mid)


# --- reviewer actions --------------------------------------------------------------------------

def _column_ids(config: Any) -> dict[str, Any] | None:
    return dict(config.columns) if config is not None else None


def _check_column(column: str, config: Any) -> None:
    cols = _column_ids(config)
    if cols is not None and column not in cols:
        raise UnknownColumn("unknown-column", column=column, columns=list(cols))


effective_column = column_in_effect  # the column in effect (review_queue.overlay)


def approve(db: sqlite_utils.Database, item_ids: int | Iterable[int], *, user: str,
            column: str | None = None, reason: str = "", now: datetime | None = None,
            config: Any = None, override_checks: str | None = None) -> list[str]:
    """Approve items (all or none); returns each item's new state.

    With *config* (settings.Config) the sign-off chain in force applies (see
    :mod:`review_queue.signoff`): a first approval goes to ``awaiting-signoff`` and each listed
    role must then approve in turn, each by a different person. *column* moves the items to
    another catalog column as they are approved (out of a stricter column: editors only, with a
    *reason*). An item with an open ``block`` finding of the checks is refused (ChecksBlocked)
    unless an editor gives *override_checks*, the reason, which the history keeps.
    """
    at = iso(utc(now))
    with store.transaction(db):
        role = active_role(db, user)
        return [approve_one(db, require_row(db, item_id), user=user, role=role, column=column,
                            reason=reason, at=at, now=now, config=config, override_checks=override_checks)
                for item_id in _ids(item_ids)]


def approve_one(db: sqlite_utils.Database, row: dict[str, Any], *, user: str, role: str,
                column: str | None, reason: str, at: str, now: datetime | None, config: Any,
                override_checks: str | None = None) -> str:
    """One approval step of one item, inside the caller's transaction: the single place where an
    approval or sign-off is decided (web, command line and batch all come here). Raises a
    ReviewError to refuse it; returns the new state."""
    item_id = row["item_id"]
    ensure_not_locked_by_other(db, item_id, user, now)
    if row["state"] not in (wf.PENDING, wf.CORRECTED, wf.AWAITING_SIGNOFF):
        wf.check(item_id, "approve", row["state"], wf.APPROVED, role, user=user)
    _require_publishable(db, row)
    if column is not None and column != effective_column(row):
        move_column(db, row, column, user=user, role=role, reason=reason, at=at, config=config)
    _recheck(db, row, config, now)  # as approved now: column, edits, today's term lists
    _require_checks(db, row, user=user, role=role, reason=override_checks, at=at, now=now)
    signoffs = list(row["signoffs"])
    needed_roles = signoff.chain_in_force(row, config)
    if row["state"] == wf.AWAITING_SIGNOFF:
        # the roles fixed at the first approval stand (a caller without config cannot skip them);
        # a move into a stricter column since then adds to them
        level = len(signoffs) - 1  # signoffs[0] is the first-level approval
        need = needed_roles[level] if level < len(needed_roles) else "reviewer"
        if any(s.get("user") == user for s in signoffs):
            raise PermissionDenied("signer-already-approved", id=item_id, user=user)
        target = wf.APPROVED if level + 1 >= len(needed_roles) else wf.AWAITING_SIGNOFF
        action = "signoff"
    else:
        need = None
        target = wf.AWAITING_SIGNOFF if needed_roles else wf.APPROVED
        action = "approve"
        signoffs = []
    signoffs.append({"user": user, "role": role, "at": at})
    fields: dict[str, Any] = {"signoffs": json.dumps(signoffs, ensure_ascii=False),
                              "signoff_roles": json.dumps(list(needed_roles))}
    if target == wf.APPROVED:
        fields.update(approved_by=user, approved_at=at)
    waiting = None
    if target == wf.AWAITING_SIGNOFF:
        waiting = note("waiting-for-signoff", role=needed_roles[len(signoffs) - 1])
    _move(db, row, action, target, actor=user, role=role, at=at, needed=need, note=waiting, **fields)
    release_quietly(db, item_id)  # decided at this level: the next signer must not find it locked
    if target == wf.APPROVED:
        _mark_cluster_duplicates(db, item_id, _current_cluster(db, row), at)
    return target


def move_column(db: sqlite_utils.Database, row: dict[str, Any], column: str, *, user: str, role: str,
                reason: str = "", at: str, config: Any) -> dict[str, Any]:
    """Put the item in *column* (inside the caller's transaction); returns the history change."""
    wf.check(row["item_id"], "edit", row["state"], row["state"], role, user=user)
    old = effective_column(row)
    fields, said = _column_move(row, column, role=role, reason=reason, config=config)
    _set(db, row["item_id"], updated_at=at, **fields)
    row.update(fields)
    ch = change("column", old, column)
    record(db, row["item_id"], at=at, actor=user, action="column", from_state=row["state"],
           to_state=row["state"], note=said, changes=[ch])
    return ch


def _column_move(row: dict[str, Any], column: str, *, role: str, reason: str, config: Any,
                 item: dict[str, Any] | None = None) -> tuple[dict[str, Any], Note | None]:
    """The fields (and history note) of moving *row* to *column*, or a refusal.

    Moving into a column with a stricter sign-off chain makes that chain bind; moving out of a
    stricter one is for editors only, with a reason, which the history keeps.
    """
    _check_column(column, config)
    old = effective_column(row, item)
    floor = signoff.chain_in_force(row, config, old)
    if not signoff.is_weaker(signoff.column_chain(column, config), floor):
        return {"edit_column": column}, None
    if not wf.role_satisfies(role, "editor"):
        raise PermissionDenied("move-out-needs-editor", id=row["item_id"], column=old, chain=list(floor))
    if not (reason or "").strip():
        raise MissingReason("move-out-needs-reason", id=row["item_id"], column=old, chain=list(floor))
    return ({"edit_column": column, "chain_column": column},
            note("moved-out-of-column", column=old, chain=list(floor), reason=reason.strip()))


def _unpublishable(item_id: int, title: str | None, url: str | None) -> Unpublishable | None:
    """Why the portal could not show this item (no title, no http(s) address), or None."""
    if not (title or "").strip():
        return Unpublishable("no-title", id=item_id)
    if not (url or "").strip().lower().startswith(("http://", "https://")):
        return Unpublishable("no-http-address", id=item_id, url=url or "none")
    return None


def _require_publishable(db: sqlite_utils.Database, row: dict[str, Any]) -> None:
    """Refuse approval now rather than let the approved item fail at every publishing pass."""
    item = normalizers.get_item(db, row["item_id"]) or {}
    title = row["edit_title"] if row["edit_title"] is not None else item.get("title")
    problem = _unpublishable(row["item_id"], title, item.get("url"))
    if problem:
        raise problem


def _recheck(db: sqlite_utils.Database, row: dict[str, Any], config: Any, now: datetime | None) -> None:
    """Check the item again as a reviewer would now approve it (edits and column applied)."""
    item = normalizers.get_item(db, row["item_id"])
    if item is None:
        return
    checks.check_item(db, item, config=config, title=row["edit_title"], text=row["edit_text"],
                      html=row["edit_html"], column=effective_column(row, item), now=now, note="fixed by an edit")


def _require_checks(db: sqlite_utils.Database, row: dict[str, Any], *, user: str, role: str,
                    reason: str | None, at: str, now: datetime | None) -> None:
    """A block finding stops the approval; an editor's reason lets it through, in the history."""
    blocks = checks.blocking(db, row["item_id"])
    if not blocks:
        return
    what = ", ".join(f"{code} ×{n}" if n > 1 else code
                     for code, n in Counter(f.code for f in blocks).items())
    if not (reason or "").strip():
        raise ChecksBlocked("checks-blocked", id=row["item_id"], what=what)
    _move(db, row, "override-checks", row["state"], actor=user, role=role, at=at,
          note=note("checks-overridden", what=what, reason=reason.strip()))
    checks.override(db, row["item_id"], blocks, user=user, reason=reason.strip(), now=now)


def reject(db: sqlite_utils.Database, item_ids: int | Iterable[int], *, user: str, reason: str = "",
           now: datetime | None = None) -> list[str]:
    """Reject items (all or none); each leaves a tombstone so it never returns.

    Rejecting a correction declines it: the item stays published as it was.
    """
    at = iso(utc(now))
    out: list[str] = []
    with store.transaction(db):
        role = active_role(db, user)
        for item_id in _ids(item_ids):
            row = require_row(db, item_id)
            ensure_not_locked_by_other(db, item_id, user, now)
            why = reason.strip() or None
            if row["state"] == wf.CORRECTED:
                # the desk shows what the portal shows again: the edits in effect when it was published
                restored = json.loads(row["published_edits"]) if row["published_edits"] else {}
                _move(db, row, "reject", wf.PUBLISHED, actor=user, role=role, at=at, note=why,
                      correction=0, signoffs="[]", signoff_roles="[]", **{k: restored.get(k) for k in EDIT_FIELDS})
            else:
                _move(db, row, "reject", wf.REJECTED, actor=user, role=role, at=at, note=why)
                normalizers.tombstone(db, item_id, reason.strip() or f"rejected by {user}")
            release_quietly(db, item_id)
            out.append(row["state"])
    return out


def retract(db: sqlite_utils.Database, item_id: int, *, user: str, reason: str,
            now: datetime | None = None) -> None:
    """Withdraw a published item from the portal (editor); leaves a tombstone."""
    if not (reason or "").strip():
        raise MissingReason("retract-needs-reason", id=item_id)
    at = iso(utc(now))
    with store.transaction(db):
        role = active_role(db, user)
        row = require_row(db, int(item_id))
        ensure_not_locked_by_other(db, row["item_id"], user, now)
        _move(db, row, "retract", wf.RETRACTED, actor=user, role=role, at=at, note=reason.strip(),
              retract_reason=reason.strip(), retracted_at=at, withdrawn_upstream=None, withdrawn_upstream_at=None)
        normalizers.tombstone(db, row["item_id"], reason.strip())
        release_quietly(db, row["item_id"])


def text_to_html(text: str) -> str:
    """Reviewer plain text → safe HTML: one <p> per non-empty line, everything escaped."""
    paras = [p.strip() for p in text.replace("\r\n", "\n").split("\n")]
    return "".join(f"<p>{escape(p, quote=True)}</p>" for p in paras if p)


def edit(db: sqlite_utils.Database, item_id: int, *, user: str, title: str | None = None,
         text: str | None = None, html: str | None = None, column: str | None = None,
         topics: Iterable[str] | None = None, reason: str = "", now: datetime | None = None,
         config: Any = None) -> list[dict[str, Any]]:
    """Change title, body, column or topics before approval; returns the recorded changes.

    *html* (the rich-text editor's body) keeps the body's structure — tables, images, attachment
    links — and passes the portal's own sanitizer (publisher.clean_html) before it is kept; its
    plain text is derived from it. *text* (plain, one paragraph per line) replaces the body with
    paragraphs. A move out of a column with a stricter sign-off needs an editor and a *reason*.

    The normalizers' item is untouched: overrides are kept here and returned by publish_view.
    """
    at = iso(utc(now))
    with store.transaction(db):
        role = active_role(db, user)
        row = require_row(db, int(item_id))
        ensure_not_locked_by_other(db, row["item_id"], user, now)
        wf.check(row["item_id"], "edit", row["state"], row["state"], role, user=user)
        item = normalizers.get_item(db, row["item_id"]) or {}
        fields: dict[str, Any] = {}
        changes: list[dict[str, Any]] = []
        if title is not None:
            title = " ".join(title.split())
            if not title:
                raise MissingReason("empty-title", id=item_id)
            old = row["edit_title"] if row["edit_title"] is not None else item.get("title", "")
            if title != old:
                fields["edit_title"] = title
                changes.append(change("title", old, title))
        if html is not None:
            base = item.get("url") if str(item.get("url") or "").startswith(("http://", "https://")) else None
            new_html = clean_html(compact_source(html), base=base)
            old_html = clean_html(row["edit_html"] or item.get("html") or "", base=base)
            if html_lines(new_html) != html_lines(old_html):  # a source saved unchanged is no edit
                old_text = row["edit_text"] if row["edit_text"] is not None else item.get("text", "")
                new_text = normalizers.html_to_text(new_html, base or "")
                fields.update(edit_html=new_html, edit_text=new_text)
                changes.append(change("html", old_html, new_html))
                if new_text != old_text:
                    changes.append(change("text", old_text, new_text))
            text = None  # the rich body wins over a plain one sent with it
        if text is not None:
            text = "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").strip().split("\n"))
            old = row["edit_text"] if row["edit_text"] is not None else item.get("text", "")
            if text != old:
                fields["edit_text"] = text
                fields["edit_html"] = text_to_html(text)
                changes.append(change("text", old, text))
        said = None
        if column is not None:
            old = effective_column(row, item)
            if column != old:
                moved, said = _column_move(row, column, role=role, reason=reason, config=config, item=item)
                fields.update(moved)
                changes.append(change("column", old, column))
        if topics is not None:
            new_topics = [t.strip() for t in topics if t and t.strip()]
            for t in new_topics:
                _check_column(t, config)
            old_topics = row["edit_topics"] if row["edit_topics"] is not None else (
                row["routed_topics"] or item.get("topics") or [])
            if new_topics != list(old_topics):
                fields["edit_topics"] = json.dumps(new_topics, ensure_ascii=False)
                changes.append(change("topics", list(old_topics), new_topics))
        if changes:
            _set(db, row["item_id"], updated_at=at, **fields)
            record(db, row["item_id"], at=at, actor=user, action="edit", from_state=row["state"],
                   to_state=row["state"], note=said, changes=changes)
            _recheck(db, {**row, **fields}, config, now)
        release_own(db, row["item_id"], user)  # the edit is saved: the lock has nothing left to guard
    return changes


# --- reading and publishing --------------------------------------------------------------------

def state(db: sqlite_utils.Database, item_id: int) -> str:
    """The workflow state of *item_id*, or UnknownItem."""
    return require_row(db, int(item_id))["state"]


def states(db: sqlite_utils.Database, item_ids: Iterable[int]) -> dict[int, str]:
    """States of the given items that are in review (unknown ids are left out)."""
    ids = _ids(item_ids)
    out: dict[int, str] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ", ".join("?" for _ in chunk)
        for item_id, st in db.execute(f"SELECT item_id, state FROM reviews WHERE item_id IN ({marks})", chunk):
            out[item_id] = st
    return out


def review_outcomes(db: sqlite_utils.Database, item_ids: Iterable[int]) -> dict[int, tuple[str, str | None, str | None]]:
    """(state, approved_at, published_at) of the given items in review, unknown ids left out: what
    the site evaluation counts as taken (采用) and how late it reached the portal."""
    ids = list(dict.fromkeys(int(i) for i in item_ids))  # thousands at once: no quadratic de-duplication
    out: dict[int, tuple[str, str | None, str | None]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ", ".join("?" for _ in chunk)
        for item_id, st, approved, published in db.conn.execute(
                f"SELECT item_id, state, approved_at, published_at FROM reviews WHERE item_id IN ({marks})", chunk):
            out[item_id] = (st, approved, published)
    return out


def due_for_publishing(db: sqlite_utils.Database, *, now: datetime | None = None, hold: float = 0,
                       item_id: int | None = None) -> list[int]:
    """Approved items (corrections included) not yet in the published stream, oldest approval first.

    A person's approval is not due until *hold* seconds after it (``[web] approval_hold``): until
    then it can still be undone (:func:`undo_approve`). The approvals of trusted sources
    (``review = "auto"``) are nobody's to undo and are due at once. With *item_id*, only that item
    (empty when it is not due): the publisher asks again inside its transaction, so an approval
    undone, or undone and given again, meanwhile is not published early.
    """
    latest = iso(utc(now) - timedelta(seconds=hold))
    only = "" if item_id is None else " AND item_id = ?"
    rows = db.execute(
        "SELECT item_id FROM reviews WHERE state = ? "
        "AND (approved_at IS NULL OR approved_by = ? OR approved_at <= ?)" + only +
        " ORDER BY approved_at, item_id", [wf.APPROVED, AUTO, latest, *([int(item_id)] if item_id is not None else [])]
    ).fetchall()
    return [r[0] for r in rows]


def held(db: sqlite_utils.Database, *, now: datetime | None = None, hold: float = 0) -> list[dict[str, Any]]:
    """Approvals still in their hold: each {item_id, approved_by, approved_at, publishes_at} (UTC,
    ISO), soonest first: what the desk and the command line say will be published, and when."""
    if hold <= 0:
        return []
    latest = iso(utc(now) - timedelta(seconds=hold))
    rows = db.execute(
        "SELECT item_id, approved_by, approved_at FROM reviews WHERE state = ? AND approved_at > ? "
        "AND approved_by IS NOT NULL AND approved_by != ? ORDER BY approved_at, item_id",
        [wf.APPROVED, latest, AUTO]).fetchall()
    return [{"item_id": i, "approved_by": by, "approved_at": at, "publishes_at": publishes_at(at, hold)}
            for i, by, at in rows]


def publishes_at(approved_at: str, hold: float) -> str:
    """When an approval given at *approved_at* leaves its hold (ISO, UTC)."""
    return iso(parse(approved_at) + timedelta(seconds=hold))


EDIT_FIELDS = ("edit_title", "edit_text", "edit_html", "edit_column", "edit_topics")


def unreject(db: sqlite_utils.Database, item_id: int, *, user: str, reason: str,
             now: datetime | None = None) -> str:
    """An editor takes back a rejection: the tombstone is lifted and the item waits for review again."""
    if not (reason or "").strip():
        raise MissingReason("unreject-needs-reason", id=item_id)
    at = iso(utc(now))
    with store.transaction(db):
        role = active_role(db, user)
        row = require_row(db, int(item_id))
        _move(db, row, "unreject", wf.PENDING, actor=user, role=role, at=at, note=reason.strip(),
              signoffs="[]", signoff_roles="[]", approved_by=None, approved_at=None)
        normalizers.lift_tombstone(db, row["item_id"], now=now)
    return row["state"]


def undo_approve(db: sqlite_utils.Database, item_id: int, *, user: str, reason: str = "",
                 now: datetime | None = None) -> str:
    """Take back an approval that is not published yet (its approver, or an editor): the item waits
    for review again, and the cluster members its approval made duplicates wait with it."""
    at = iso(utc(now))
    with store.transaction(db):
        role = active_role(db, user)
        row = require_row(db, int(item_id))
        if row["state"] == wf.APPROVED and row["approved_by"] != user and not wf.role_satisfies(role, "editor"):
            raise PermissionDenied("undo-approval-not-yours", id=item_id, user=row["approved_by"])
        target = wf.CORRECTED if row["correction"] else wf.PENDING
        _move(db, row, "undo-approve", target, actor=user, role=role, at=at,
              note=note("approval-undone", reason=(reason or "").strip() or None),
              signoffs="[]", signoff_roles="[]", approved_by=None, approved_at=None)
        cluster = _current_cluster(db, row)
        if cluster is not None:
            others = [mid for mid in map(member_id, normalizers.cluster_members(db, cluster)) if mid != row["item_id"]]
            for other in get_rows(db, others).values():
                last = history(db, other["item_id"])[-1]
                made = (last["note_code"], last["note_params"].get("id")) == ("story-approved", row["item_id"])
                if other["state"] == wf.DUPLICATE and made:
                    _move(db, other, "undo-duplicate", wf.PENDING, actor=SYSTEM_ACTOR, role=wf.SYSTEM, at=at,
                          note=note("approval-of-item-undone", id=row["item_id"]))
    return target


def undoable(db: sqlite_utils.Database, user: str) -> list[dict[str, Any]]:
    """Approvals of *user* not published yet (newest first): what the desk offers to undo."""
    rows = db.execute(f"{_SELECT} WHERE state = ? AND approved_by = ? ORDER BY approved_at DESC, item_id DESC",
                      [wf.APPROVED, user]).fetchall()
    return [_decode(r) for r in rows]


def start_correction(db: sqlite_utils.Database, item_id: int, *, user: str, reason: str,
                     now: datetime | None = None) -> None:
    """Open a published story for correction at the desk: it is edited, then approved through its
    column's sign-off, and reaches the portal's change stream as an update."""
    if not (reason or "").strip():
        raise MissingReason("correction-needs-reason", id=item_id)
    at = iso(utc(now))
    with store.transaction(db):
        role = active_role(db, user)
        row = require_row(db, int(item_id))
        ensure_not_locked_by_other(db, row["item_id"], user, now)
        _move(db, row, "desk-correct", wf.CORRECTED, actor=user, role=role, at=at, note=reason.strip(),
              correction=1, signoffs="[]", signoff_roles="[]", approved_by=None, approved_at=None)


def mark_published(db: sqlite_utils.Database, item_id: int, seq: int, *, now: datetime | None = None) -> None:
    """The publisher gave *item_id* sequence number *seq*: it is published."""
    at = iso(utc(now))
    with store.transaction(db):
        row = require_row(db, int(item_id))
        if row["state"] == wf.PUBLISHED and row["published_seq"] == seq:
            return  # replayed after a crash: already recorded
        snapshot = json.dumps({k: row[k] for k in EDIT_FIELDS}, ensure_ascii=False)
        _move(db, row, "publish", wf.PUBLISHED, actor="publisher", role=wf.SYSTEM, at=at,
              note=note("published", seq=seq, correction=bool(row["correction"])),
              published_seq=seq, published_at=at, correction=0, published_edits=snapshot)


def retracted_due(db: sqlite_utils.Database) -> list[int]:
    """Retracted items that were published and whose retraction the publisher has not emitted."""
    rows = db.execute(
        "SELECT item_id FROM reviews WHERE state = ? AND published_seq IS NOT NULL "
        "AND retraction_seq IS NULL ORDER BY retracted_at, item_id",
        [wf.RETRACTED],
    ).fetchall()
    return [r[0] for r in rows]


def retract_reason(db: sqlite_utils.Database, item_id: int) -> str | None:
    """The editor's reason for retracting *item_id* (the portal's change stream carries it), or None."""
    row = db.execute("SELECT retract_reason FROM reviews WHERE item_id = ?", [int(item_id)]).fetchone()
    return row[0] if row else None


def mark_retraction_emitted(db: sqlite_utils.Database, item_id: int, seq: int) -> None:
    """The publisher emitted the retraction of *item_id* as sequence number *seq*."""
    with store.transaction(db):
        row = require_row(db, int(item_id))
        if row["state"] != wf.RETRACTED:
            raise InvalidTransition("wrong-state", id=item_id, state=row["state"], action="emit a retraction")
        _set(db, row["item_id"], retraction_seq=seq)


def publish_view(db: sqlite_utils.Database, item_id: int) -> dict[str, Any]:
    """The reviewer's part of what gets published.

    Keys: title, text, text_html, column, topics — the reviewer's overrides, None where the
    normalized item's own value stands — plus approved_by, approved_at, signoffs, state,
    correction.
    """
    return _view(require_row(db, int(item_id)))


def published_item(db: sqlite_utils.Database, item_id: int) -> dict[str, Any] | None:
    """The item as the portal shows it (normalized item + reviewer edits, see
    :func:`review_queue.overlay.as_published`), or None for an unknown item."""
    item = normalizers.get_item(db, int(item_id))
    return as_published(item, get_row(db, int(item_id))) if item is not None else None


def published_items(db: sqlite_utils.Database, items: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """:func:`published_item` of many already-read normalizer items (listings), in their order."""
    items = list(items)
    rows = get_rows(db, [member_id(i) for i in items])
    return [as_published(i, rows.get(member_id(i))) for i in items]


def publish_views(db: sqlite_utils.Database, item_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """:func:`publish_view` of many items at once (ids not in review are left out): listings of
    thousands of items read the reviews table in a few queries, not one per item."""
    return {item_id: _view(row) for item_id, row in get_rows(db, item_ids).items()}


def _view(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "item_id": row["item_id"],
        "state": row["state"],
        "title": row["edit_title"],
        "text": row["edit_text"],
        "text_html": row["edit_html"],
        "column": row["edit_column"],
        "topics": row["edit_topics"],
        "approved_by": row["approved_by"],
        "approved_at": row["approved_at"],
        "signoffs": row["signoffs"],
        "correction": bool(row["correction"]),
    }
