"""Splitting an item out of its story and merging two stories, at the desk (editors and admins).

The clusters are the normalizers' (:func:`normalizers.split_item`, :func:`normalizers.merge_clusters`,
which later ingests obey); this module decides who may, records the decision in each moved item's
history (who, why, and the story it left or joined), and puts the review states in step: a
member that was a duplicate of a story it no longer belongs to waits for review again, and the
waiting members of a merged story that is already out become its duplicates.
"""

from __future__ import annotations

from datetime import datetime

import sqlite_utils

import normalizers
import store
from review_queue import workflow as wf
from review_queue.actions import (
    SYSTEM_ACTOR,
    _mark_cluster_duplicates,
    _move,
    _story_out,
    get_rows,
    member_id,
    require_row,
)
from review_queue.clock import iso, utc
from review_queue.errors import InvalidTransition, MissingReason, PermissionDenied, UnknownItem
from review_queue.notes import Note, note
from review_queue.users import active_role

__all__ = ["merge_stories", "split_story"]

EDITS_STORIES = "editor"  # the role that may split and merge stories


def _allowed(db: sqlite_utils.Database, user: str, item_id: int, what: str, reason: str) -> str:
    """The user's role, if they may *what* ("split" or "merge") with this *reason*."""
    role = active_role(db, user)
    if not wf.role_satisfies(role, EDITS_STORIES):
        if what == "split":
            raise PermissionDenied("split-needs-editor", id=item_id, need=EDITS_STORIES, user=user, role=role)
        raise PermissionDenied("merge-needs-editor", id=item_id, need=EDITS_STORIES, user=user, role=role)
    if not (reason or "").strip():
        raise MissingReason("split-needs-reason" if what == "split" else "merge-needs-reason", id=item_id)
    return role


def _cluster(db: sqlite_utils.Database, item_id: int) -> int:
    item = normalizers.get_item(db, item_id)
    if item is None:
        raise UnknownItem("item-not-in-review", id=item_id)
    if item.get("cluster") is None:
        raise InvalidTransition("in-no-story", id=item_id)
    return int(item["cluster"])


def _requeue_orphans(db: sqlite_utils.Database, cluster_id: int, at: str, why: Note) -> None:
    """Duplicates of a story that is no longer out (its published member left) wait again."""
    ids = [member_id(m) for m in normalizers.cluster_members(db, cluster_id)]
    for row in get_rows(db, ids).values():
        if row["state"] == wf.DUPLICATE and _story_out(db, row["item_id"], cluster_id) is None:
            _move(db, row, "undo-duplicate", wf.PENDING, actor=SYSTEM_ACTOR, role=wf.SYSTEM, at=at, note=why)


def split_story(db: sqlite_utils.Database, item_id: int, *, user: str, reason: str,
          now: datetime | None = None) -> int:
    """Move *item_id* out of its story into one of its own (for good); return its new cluster.

    A duplicate split off waits for review as its own story; duplicates left in a story whose
    only published member was the one split off wait again too.
    """
    at = iso(utc(now))
    with store.transaction(db):
        role = _allowed(db, user, int(item_id), "split", reason)
        row = require_row(db, int(item_id))
        old = _cluster(db, row["item_id"])
        if len(normalizers.cluster_members(db, old)) < 2:
            raise InvalidTransition("alone-in-story", id=row["item_id"])
        try:
            done = normalizers.split_item(db, row["item_id"], actor=user, reason=reason.strip(), now=now)
        except normalizers.ClusterEditRefused as exc:  # changed under us since the checks above
            raise InvalidTransition("story-edit-refused", id=row["item_id"], reason=str(exc)) from None
        target = wf.PENDING if row["state"] == wf.DUPLICATE else row["state"]
        said = note("split-out-of-story", story=old, others=list(done.others), reason=reason.strip())
        _move(db, row, "split", target, actor=user, role=role, at=at, note=said, cluster_id=done.cluster_id)
        _requeue_orphans(db, old, at, note("item-split-out", id=row["item_id"]))
    return done.cluster_id


def merge_stories(db: sqlite_utils.Database, item_id: int, other_id: int, *, user: str, reason: str,
          now: datetime | None = None) -> int:
    """Merge the story of *other_id* into the story of *item_id* (for good); return the cluster.

    Every moved item's history says which story it joined and why. If the merged story is out
    (a member approved or published), its members still waiting become duplicates of it.
    """
    at = iso(utc(now))
    with store.transaction(db):
        role = _allowed(db, user, int(item_id), "merge", reason)
        row = require_row(db, int(item_id))
        require_row(db, int(other_id))
        keep, gone = _cluster(db, row["item_id"]), _cluster(db, int(other_id))
        if keep == gone:
            raise InvalidTransition("same-story", id=row["item_id"], other=int(other_id))
        try:
            done = normalizers.merge_clusters(db, keep, gone, actor=user, reason=reason.strip(), now=now)
        except normalizers.ClusterEditRefused as exc:  # changed under us since the checks above
            raise InvalidTransition("story-edit-refused", id=row["item_id"], reason=str(exc)) from None
        moved = get_rows(db, done.moved)
        said = note("story-merged-away", gone=gone, keep=keep, id=row["item_id"], reason=reason.strip())
        for mid in done.moved:
            if mid in moved:
                other = moved[mid]
                _move(db, other, "merge", other["state"], actor=user, role=role, at=at, note=said, cluster_id=keep)
        _move(db, row, "merge", row["state"], actor=user, role=role, at=at,
              note=note("story-merged-here", gone=gone, moved=list(done.moved), reason=reason.strip()))
        out = _story_out(db, -1, keep)
        if out is not None:
            _mark_cluster_duplicates(db, out, keep, at)
    return keep

