"""The review queue as reviewers see it: one unit per cluster, oldest first."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import sqlite_utils

import normalizers
from review_queue import workflow as wf
from review_queue.actions import effective_column, get_rows, member_id
from review_queue.locks import current_locks
from review_queue.overlay import topics_in_effect


@dataclass(frozen=True)
class QueueEntry:
    """One review unit: the cluster's representative (first reviewable member) and its company."""

    item_id: int
    state: str
    title: str
    source: str
    url: str
    published_at: str | None  # the source's publish time; None = unknown (never invented)
    column: str | None
    topics: tuple[str, ...]
    flags: tuple[str, ...]
    cluster_id: int | None
    submitted_at: str
    correction: bool = False
    edited: bool = False
    note: str | None = None  # English (a person's text as written); the desk shows note_code's message
    note_code: str | None = None
    note_params: dict[str, Any] = field(default_factory=dict)
    locked_by: str | None = None
    lock_expires: str | None = None
    also_reported_by: tuple[str, ...] = ()  # other member sources, representative excluded
    members: tuple[int, ...] = ()  # all reviewable item ids of the unit, the entry's own first
    other_members: tuple[dict[str, Any], ...] = field(default_factory=tuple)  # {id, source, url, state}


def queue(db: sqlite_utils.Database, *, now: datetime | None = None, cached: bool = False) -> list[QueueEntry]:
    """Reviewable items (pending, corrected, awaiting-signoff), clusters collapsed, oldest first.

    *cached* (the web page) keeps the units between calls in this process and rebuilds only those
    whose items have a history entry since: every change a reviewer or an ingest makes to an item
    writes one, so a queue of 1,000 items is not rebuilt for each approval.
    """
    if cached:
        units = _cached_units(db)
    else:
        units, _ = _build(db)
    locks = current_locks(db, now=now)
    entries = [replace(e, locked_by=locks[e.item_id].holder, lock_expires=locks[e.item_id].expires_at)
               if e.item_id in locks else e for e in units.values()]
    entries.sort(key=lambda e: (e.submitted_at, e.item_id))
    return entries


UnitKey = tuple[str, int]


@dataclass
class _Snapshot:
    mark: int  # the last history id the units reflect
    units: dict[UnitKey, QueueEntry]
    ids_of: dict[UnitKey, set[int]]  # every item a unit was built from (members too)
    key_of: dict[int, UnitKey]


_snapshots: dict[str, _Snapshot] = {}
_snapshots_lock = threading.Lock()
FULL_REBUILD_AFTER = 300  # more changed items than this since the last call: rebuild everything


def _cached_units(db: sqlite_utils.Database) -> dict[UnitKey, QueueEntry]:
    path = db.execute("PRAGMA database_list").fetchone()[2] or ""
    mark = db.execute("SELECT coalesce(max(id), 0) FROM history").fetchone()[0]
    with _snapshots_lock:
        snap = _snapshots.get(path)
    if snap is None or not path or mark < snap.mark:
        snap = _full(db, mark)
    elif mark > snap.mark:
        changed = [r[0] for r in db.execute("SELECT DISTINCT item_id FROM history WHERE id > ?", [snap.mark])]
        snap = _full(db, mark) if len(changed) > FULL_REBUILD_AFTER else _patch(db, snap, mark, changed)
    if path:
        with _snapshots_lock:
            _snapshots[path] = snap
    return snap.units


def _full(db: sqlite_utils.Database, mark: int) -> _Snapshot:
    units, ids_of = _build(db)
    return _Snapshot(mark, units, ids_of, {i: key for key, ids in ids_of.items() for i in ids})


def _patch(db: sqlite_utils.Database, snap: _Snapshot, mark: int, changed: list[int]) -> _Snapshot:
    """Rebuild the units of *changed* items: their old units and the clusters they are in now."""
    todo: set[int] = set(changed)
    for item in normalizers.list_items(db, ids=changed, bodies=False) if changed else []:
        if item.get("cluster") is not None:
            todo |= {member_id(m) for m in normalizers.cluster_members(db, item["cluster"])}
    old_keys: set[UnitKey] = set()
    while True:  # the old units of every item to rebuild, and every item of those units
        keys = {snap.key_of[i] for i in todo if i in snap.key_of} - old_keys
        if not keys:
            break
        old_keys |= keys
        for key in keys:
            todo |= snap.ids_of.get(key, set())
    units = dict(snap.units)
    ids_of = dict(snap.ids_of)
    key_of = dict(snap.key_of)
    for key in old_keys:
        units.pop(key, None)
        for i in ids_of.pop(key, set()):
            key_of.pop(i, None)
    new_units, new_ids = _build(db, sorted(todo))
    for key, entry in new_units.items():
        units[key] = entry
        ids_of[key] = new_ids[key]
        for i in new_ids[key]:
            key_of[i] = key
    return _Snapshot(mark, units, ids_of, key_of)


def _build(db: sqlite_utils.Database, only: list[int] | None = None) -> tuple[
        dict[UnitKey, QueueEntry], dict[UnitKey, set[int]]]:
    """The units of every reviewable item (or of the reviewable ones among *only*), by unit key,
    and the items each unit was built from."""
    sql = f"SELECT item_id, cluster_id, submitted_at FROM reviews WHERE state IN ({', '.join('?' * len(wf.REVIEWABLE))})"
    params: list[Any] = list(wf.REVIEWABLE)
    rows = []
    if only is None:
        rows = db.execute(sql + " ORDER BY submitted_at, item_id", params).fetchall()
    else:
        for start in range(0, len(only), 500):
            chunk = only[start:start + 500]
            rows += db.execute(sql + f" AND item_id IN ({', '.join('?' * len(chunk))})", params + chunk).fetchall()
        rows.sort(key=lambda r: (r[2], r[0]))
    # the normalizers' current cluster wins over the one recorded at submission (clusters can merge)
    items: dict[int, dict[str, Any]] = {}
    ids = [r[0] for r in rows]
    for start in range(0, len(ids), 500):
        for item in normalizers.list_items(db, ids=ids[start:start + 500], bodies=False):
            items[member_id(item)] = item
    groups: dict[Any, list[int]] = {}
    first_seen: dict[Any, str] = {}
    for item_id, cluster_id, submitted_at in rows:
        current = items.get(item_id, {}).get("cluster")
        if current is not None:
            cluster_id = current
        key = ("cluster", cluster_id) if cluster_id is not None else ("item", item_id)
        groups.setdefault(key, []).append(item_id)
        first_seen.setdefault(key, submitted_at)
    cluster_lists = {key: list(normalizers.cluster_members(db, key[1])) if key[0] == "cluster" else []
                     for key in groups}
    # every review row the units show (their own and their members' states), read in a few queries
    review_rows = get_rows(db, [*ids, *(member_id(m) for ms in cluster_lists.values() for m in ms)])
    entries: dict[UnitKey, QueueEntry] = {}
    built_from: dict[UnitKey, set[int]] = {}
    for key, waiting in groups.items():
        built_from[key] = set(waiting) | {member_id(m) for m in cluster_lists[key]}
        members = cluster_lists[key]
        by_id = {member_id(m): m for m in members}
        for item_id in waiting:  # a reviewable row the normalizers did not list still shows
            if item_id not in by_id and item_id in items:
                members.append(items[item_id])
                by_id[item_id] = items[item_id]
        order = [member_id(m) for m in members]
        waiting_set = set(waiting)
        unit_id = next((i for i in order if i in waiting_set), None)
        if unit_id is None:
            continue  # the items vanished upstream; nothing a reviewer could look at
        # cluster members are summaries (id, source, title, url, time): read the full item
        rep = items.get(unit_id) or by_id[unit_id]
        row = review_rows[unit_id]
        others = []
        also: list[str] = []
        member_states = {
            i: (review_rows.get(i) or {}).get("state") for i in order if i != unit_id
        }
        for i in order:
            if i == unit_id:
                continue
            m = by_id[i]
            others.append({"id": i, "source": m.get("source"), "url": m.get("url"), "title": m.get("title"),
                           "state": member_states.get(i)})
            src = m.get("source")
            if src and src != rep.get("source") and src not in also:
                also.append(src)
        entries[key] = QueueEntry(
            item_id=unit_id,
            state=row["state"],
            title=row["edit_title"] or rep.get("title") or "",
            source=rep.get("source") or row["source"] or "",
            url=rep.get("url") or "",
            published_at=rep.get("published_at"),
            column=effective_column(row, rep),
            topics=tuple(topics_in_effect(row, rep)),
            flags=tuple(dict.fromkeys([*(rep.get("flags") or []), *(row["flags"] or [])])),
            cluster_id=row["cluster_id"],
            submitted_at=first_seen[key],
            correction=bool(row["correction"]),
            edited=any(row[k] is not None for k in ("edit_title", "edit_text", "edit_column", "edit_topics")),
            note=row["note"],
            note_code=row["note_code"],
            note_params=row["note_params"],
            also_reported_by=tuple(also),
            members=tuple([unit_id] + [i for i in order if i in waiting_set and i != unit_id]),
            other_members=tuple(others),
        )
    return entries, built_from
