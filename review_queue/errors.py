"""What can go wrong in review: each condition its own class, each refusal a stable code with
named facts.

An error carries ``code`` (what was refused, e.g. ``"locked-by-other"``) and ``params`` (the
facts: item id, user, state, time …). ``str(exc)`` is the one-line English that operators, logs,
scripts and tests read, built from :data:`ENGLISH`; the desk and the Chinese command line show
the catalog message of the code instead (:func:`review_queue.messages.error_message`), so no
reader has to parse the English. A new refusal is a new code here and in the desk's table
(tests check both, and that it has a message in every language).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from review_queue.clock import SHANGHAI

__all__ = [
    "ENGLISH",
    "ReviewError",
    "UnknownItem",
    "InvalidTransition",
    "PermissionDenied",
    "LockedByOther",
    "UnknownUser",
    "BadCredentials",
    "UnknownRole",
    "UserExists",
    "WeakPassword",
    "MissingReason",
    "Unpublishable",
    "UnknownColumn",
    "ChecksBlocked",
    "lock_time",
]


def lock_time(value: str) -> str:
    """A stored (UTC ISO) time as a person reads it in an error: Beijing time, to the minute."""
    try:
        return datetime.fromisoformat(value).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    except (TypeError, ValueError):
        return str(value)


def _who(p: Mapping[str, Any]) -> str:
    return f"{p['user']} ({p['role']})" if p.get("user") else str(p["role"])


# code -> the English line, a str.format template over the params (times and lists are made
# readable first, see _readable), or a function of them where the line depends on a fact.
ENGLISH: dict[str, str | Callable[[Mapping[str, Any]], str]] = {
    # items and the workflow table
    "item-not-in-review": "item {id} is not in review",
    "not-an-item-id": "{value!r} is not an item id",
    "wrong-state": "item {id} is {state}; cannot {action}",
    "action-not-in-review": "item {id} is not in review; cannot {action}",
    "no-such-step": "item {id} is {state}; cannot {action} to {target}",
    "not-a-step": lambda p: f"{p['source'] or 'new'} → {p['target']} is not a {p['action']} step",
    "needs-role": lambda p: f"item {p['id']}: {p['action']} needs the {p['need']} role; {_who(p)} may not",
    "unknown-role": "unknown role {role!r} (roles: {roles})",
    # approving, sign-off, columns
    "signer-already-approved": "item {id}: {user} already approved it; sign-off needs another person",
    "move-out-needs-editor": "item {id}: moving it out of {column} (sign-off: {chain}) needs an editor",
    "move-out-needs-reason": "item {id}: moving it out of {column}, whose sign-off is stricter, needs a reason",
    "unknown-column": "unknown column {column!r} (catalog: {columns})",
    "no-title": "item {id} has no title: edit one in before approving",
    "no-http-address": "item {id} has no http(s) address at its source ({url!r}): it cannot be published",
    "checks-blocked": "item {id}: checks found {what} (block): fix the text, or an editor approves "
                      "with a reason (--override-checks REASON)",
    # edits, undo, corrections, retraction, keeping
    "empty-title": "item {id}: the title cannot be empty",
    "retract-needs-reason": "item {id}: a retraction needs a reason",
    "unreject-needs-reason": "item {id}: undoing a rejection needs a reason",
    "correction-needs-reason": "item {id}: a correction needs a reason",
    "undo-approval-not-yours": "item {id}: only {user} or an editor may undo this approval",
    "nothing-to-keep": "item {id}: its source has not taken the page down; nothing to keep",
    # locks
    "locked-by-other": "item {id} is being edited by {user} (locked until {until} Beijing time)",
    "lock-not-yours": "item {id} is being edited by {user} (locked until {until} Beijing time); "
                      "only the holder or an admin may release it",
    "take-over-needs-editor": "item {id}: taking over a lock needs the editor role; {user} ({role}) may not",
    # stories (clusters)
    "split-needs-editor": "item {id}: splitting a story needs the {need} role; {user} ({role}) may not",
    "merge-needs-editor": "item {id}: merging stories needs the {need} role; {user} ({role}) may not",
    "split-needs-reason": "item {id}: splitting a story needs a reason",
    "merge-needs-reason": "item {id}: merging stories needs a reason",
    "in-no-story": "item {id} is in no story",
    "alone-in-story": "item {id} is alone in its story; there is nothing to split",
    "same-story": "item {id} and item {other}: a story cannot be merged with itself",
    "story-edit-refused": "item {id}: {reason}",
    # users, passwords, logging in
    "invalid-user-name": "invalid user name {user!r}: 1-64 letters, digits, '.', '_', '-' or '@'",
    "reserved-user-name": "user name {user!r} is reserved for the pipeline",
    "user-exists": "user {user!r} already exists",
    "no-such-user": "no user {user!r}",
    "user-disabled": "user {user!r} is disabled",
    "bad-credentials": "wrong user name or password",
    "password-too-short": "password too short: at least {n} characters",
    "password-too-common": "password too common: it is on the list of passwords tried first; choose another",
    "password-contains-name": "password contains the user name; choose another",
    "password-repeated": "password is one or two characters repeated; choose another",
    "own-role": "user {user!r}: an admin cannot change their own role",
    "disable-self": "user {user!r}: an admin cannot disable their own account",
}

TIMES = ("until",)  # params holding a stored UTC time: shown in Beijing time


def _readable(params: Mapping[str, Any]) -> dict[str, Any]:
    """The params as the English line shows them: times in Beijing time, lists joined."""
    out: dict[str, Any] = {}
    for key, value in params.items():
        if key in TIMES:
            value = lock_time(value)
        elif isinstance(value, (list, tuple)):
            value = ", ".join(map(str, value))
        out[key] = value
    return out


class ReviewError(Exception):
    """Base class: a refusal with a stable ``code`` and its ``params``; ``str(exc)`` is one line
    of English naming the cause, fit for an operator (built from :data:`ENGLISH`)."""

    def __init__(self, code: str, /, **params: Any) -> None:
        self.code = code
        self.params = params
        super().__init__(self.english())

    def english(self) -> str:
        """The one-line English of this error (an undeclared code still names its facts)."""
        template = ENGLISH.get(self.code)
        if template is None:
            facts = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
            return f"{self.code} ({facts})" if facts else self.code
        if callable(template):
            return template(_readable(self.params))
        return template.format(**_readable(self.params))

    def __reduce__(self) -> tuple[Any, ...]:  # picklable with its code and params
        return (_rebuild, (type(self), self.code, self.params))


def _rebuild(cls: type[ReviewError], code: str, params: dict[str, Any]) -> ReviewError:
    return cls(code, **params)


class UnknownItem(ReviewError):
    """The item id is not in the review workflow (never submitted, or not an item at all)."""


class InvalidTransition(ReviewError):
    """The workflow table has no such transition from the item's current state."""


class PermissionDenied(ReviewError):
    """The user's role does not allow the action (or the account is disabled)."""


class LockedByOther(ReviewError):
    """Another reviewer holds an unexpired lock on the item."""


class UnknownUser(ReviewError):
    """No user of that name."""


class BadCredentials(ReviewError):
    """Wrong user name or password, or a disabled account, at login."""


class UnknownRole(ReviewError):
    """A role that is not reviewer, editor or admin."""


class UserExists(ReviewError):
    """A user of that name already exists."""


class WeakPassword(ReviewError):
    """The password fails the policy (too short, too common, the user's name, one character repeated)."""


class MissingReason(ReviewError):
    """An action that must say why (a retraction, an undo, a split…): the audit trail shows it."""


class Unpublishable(ReviewError):
    """The item lacks what the portal needs (a title, an http(s) address): approving it would only
    make it fail at every publishing pass."""


class UnknownColumn(ReviewError):
    """A column id that is not in the catalog."""


class ChecksBlocked(ReviewError):
    """A ``block`` finding of the checks (personal data, a banned word…) stops the approval;
    an editor may approve with a reason (override)."""
