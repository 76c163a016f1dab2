"""The review queue as reviewers see it: one unit per cluster, oldest first."""

from __future__ import annotations

from dataclasses import dataclass, field
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
    note: str | None = None
    locked_by: str | None = None
    lock_expires: str | None = None
    also_reported_by: tuple[str, ...] = ()  # other member sources, representative excluded
    members: tuple[int, ...] = ()  # all reviewable item ids of the unit, the entry's own first
    other_members: tuple[dict[str, Any], ...] = field(default_factory=tuple)  # {id, source, url, state}


def queue(db: sqlite_utils.Database, *, now: datetime | None = None) -> list[QueueEntry]:
    """Reviewable items (pending, corrected, awaiting-signoff), clusters collapsed, oldest first."""
    rows = db.execute(
        "SELECT item_id, cluster_id, submitted_at FROM reviews WHERE state IN (?, ?, ?) "
        "ORDER BY submitted_at, item_id",
        list(wf.REVIEWABLE),
    ).fetchall()
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
    locks = current_locks(db, now=now)
    cluster_lists = {key: list(normalizers.cluster_members(db, key[1])) if key[0] == "cluster" else []
                     for key in groups}
    # every review row the units show (their own and their members' states), read in a few queries
    review_rows = get_rows(db, [*ids, *(member_id(m) for ms in cluster_lists.values() for m in ms)])
    entries: list[QueueEntry] = []
    for key, waiting in groups.items():
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
        lock = locks.get(unit_id)
        entries.append(QueueEntry(
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
            locked_by=lock.holder if lock else None,
            lock_expires=lock.expires_at if lock else None,
            also_reported_by=tuple(also),
            members=tuple([unit_id] + [i for i in order if i in waiting_set and i != unit_id]),
            other_members=tuple(others),
        ))
    entries.sort(key=lambda e: (e.submitted_at, e.item_id))
    return entries
