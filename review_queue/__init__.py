"""Review: the workflow as data, reviewers and roles, locks, edits, history, and the reviewer UI.

Items enter with :func:`submit`, move by :func:`approve` / :func:`reject` / :func:`retract`
(:func:`split_story` / :func:`merge_stories` change which story an item is in; :func:`keep` for a published item whose source took the page down, see :func:`withdrawn_upstream`),
leave for the portal through :func:`due_for_publishing` and :func:`mark_published`. Every change
is authorized against :data:`TRANSITIONS` and recorded in :func:`history`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from review_queue import sessions
from review_queue.actions import (
    approve,
    due_for_publishing,
    edit,
    held,
    keep,
    mark_published,
    mark_retraction_emitted,
    publish_view,
    publish_views,
    published_item,
    published_items,
    reject,
    retract,
    retract_reason,
    retracted_due,
    review_outcomes,
    start_correction,
    state,
    states,
    submit,
    text_to_html,
    undo_approve,
    undoable,
    unreject,
    withdrawn_upstream,
)
from review_queue.errors import (
    BadCredentials,
    ChecksBlocked,
    InvalidTransition,
    LockedByOther,
    MissingReason,
    PermissionDenied,
    ReviewError,
    UnknownColumn,
    UnknownItem,
    UnknownRole,
    UnknownUser,
    Unpublishable,
    UserExists,
    WeakPassword,
)
from review_queue.history import history
from review_queue.locks import LOCK_SECONDS, Lock, current_lock, lock, take_over, unlock
from review_queue.queueview import QueueEntry, queue
from review_queue.schema import init
from review_queue.stories import merge_stories, split_story
from review_queue.throttle import client_address
from review_queue.users import (
    User,
    add_user,
    authenticate,
    disable_user,
    get_user,
    list_users,
    set_password,
    set_role,
)
from review_queue.workflow import REVIEWABLE, ROLES, STATES, TRANSITIONS, WITHDRAWN_FLAG, Transition

if TYPE_CHECKING:
    import flask


def create_blueprint(name: str = "review") -> flask.Blueprint:
    """The reviewer web UI as a Flask blueprint (mount it at /review; CSRF is checked inside)."""
    from review_queue.web import create_blueprint as _create

    return _create(name)


def init_app(app: flask.Flask) -> None:
    """Session cookie hardening (HttpOnly, SameSite=Lax) and the tables, for the app mounting the UI."""
    from review_queue.web import init_app as _init_app

    _init_app(app)


__all__ = [
    "LOCK_SECONDS",
    "REVIEWABLE",
    "ROLES",
    "STATES",
    "TRANSITIONS",
    "BadCredentials",
    "ChecksBlocked",
    "InvalidTransition",
    "Lock",
    "LockedByOther",
    "MissingReason",
    "PermissionDenied",
    "QueueEntry",
    "ReviewError",
    "Transition",
    "UnknownColumn",
    "UnknownItem",
    "UnknownRole",
    "UnknownUser",
    "Unpublishable",
    "User",
    "UserExists",
    "WITHDRAWN_FLAG",
    "WeakPassword",
    "add_user",
    "approve",
    "authenticate",
    "client_address",
    "create_blueprint",
    "current_lock",
    "disable_user",
    "due_for_publishing",
    "held",
    "edit",
    "get_user",
    "history",
    "init",
    "init_app",
    "keep",
    "list_users",
    "lock",
    "mark_published",
    "mark_retraction_emitted",
    "merge_stories",
    "publish_view",
    "published_item",
    "published_items",
    "publish_views",
    "queue",
    "reject",
    "retract",
    "retract_reason",
    "review_outcomes",
    "retracted_due",
    "split_story",
    "start_correction",
    "undo_approve",
    "undoable",
    "unreject",
    "set_password",
    "sessions",
    "set_role",
    "state",
    "states",
    "submit",
    "take_over",
    "text_to_html",
    "unlock",
    "withdrawn_upstream",
]
