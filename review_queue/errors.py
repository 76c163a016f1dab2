"""What can go wrong in review, each condition its own class with a one-line message."""

from __future__ import annotations

__all__ = [
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
    "UnknownColumn",
]


class ReviewError(Exception):
    """Base class: str(exc) is one line naming the cause, fit for a reviewer or an operator."""


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
    """The password is too short to be accepted."""


class MissingReason(ReviewError):
    """A retraction must say why: the portal and the audit trail show it."""


class Unpublishable(ReviewError):
    """The item lacks what the portal needs (a title, an http(s) address): approving it would only
    make it fail at every publishing pass."""


class UnknownColumn(ReviewError):
    """A column id that is not in the catalog."""


class ChecksBlocked(ReviewError):
    """A ``block`` finding of the checks (personal data, a banned word…) stops the approval;
    an editor may approve with a reason (override)."""
