"""The review workflow as data: states, roles, and the transitions between states.

Every state change in this package is checked against :data:`TRANSITIONS`; nothing else decides
what may happen to an item. Roles are ordered (reviewer < editor < admin); a transition needing
``reviewer`` may be done by an editor or an admin too. ``system`` transitions are done only by
the pipeline itself (submission, publishing, duplicates), never by a person.
"""

from __future__ import annotations

from dataclasses import dataclass

from review_queue.errors import InvalidTransition, PermissionDenied, UnknownRole
from settings.model import ROLES

ROLE_RANK = {role: rank for rank, role in enumerate(ROLES, start=1)}
SYSTEM = "system"
COLUMN_SIGNOFF = "column-signoff"  # the role is the next one in the column's signoff tuple

PENDING = "pending"
AWAITING_SIGNOFF = "awaiting-signoff"
APPROVED = "approved"
PUBLISHED = "published"
CORRECTED = "corrected"
REJECTED = "rejected"
RETRACTED = "retracted"
DUPLICATE = "duplicate"

STATES: tuple[str, ...] = (
    PENDING, AWAITING_SIGNOFF, APPROVED, PUBLISHED, CORRECTED, REJECTED, RETRACTED, DUPLICATE,
)
REVIEWABLE: tuple[str, ...] = (PENDING, CORRECTED, AWAITING_SIGNOFF)  # shown in the queue
ON_PORTAL: tuple[str, ...] = (PUBLISHED, CORRECTED)  # the portal shows a version of it
WITHDRAWN_FLAG = "withdrawn-upstream"  # the source took the page down; a person decides
EDITABLE: tuple[str, ...] = REVIEWABLE  # edits happen before approval only


@dataclass(frozen=True)
class Transition:
    """One allowed move: *action* takes an item from *source* (None = not yet in review) to *target*."""

    action: str
    source: str | None
    target: str
    role: str  # reviewer | editor | admin | system | column-signoff
    why: str


TRANSITIONS: tuple[Transition, ...] = (
    # entering review (submit)
    Transition("submit", None, PENDING, SYSTEM, "a new item waits for review"),
    Transition("auto-approve", None, APPROVED, SYSTEM, "the source is trusted (review = \"auto\")"),
    Transition("duplicate", None, DUPLICATE, SYSTEM, "its story is already published by a better source"),
    # first-level review (初审)
    Transition("approve", PENDING, APPROVED, "reviewer", "approved for publishing"),
    Transition("approve", PENDING, AWAITING_SIGNOFF, "reviewer", "the column needs a final sign-off"),
    Transition("approve", CORRECTED, APPROVED, "reviewer", "the correction will be re-published"),
    Transition("approve", CORRECTED, AWAITING_SIGNOFF, "reviewer", "the correction needs a final sign-off"),
    # final sign-off (终审), one level per role in Column.signoff
    Transition("signoff", AWAITING_SIGNOFF, APPROVED, COLUMN_SIGNOFF, "final sign-off given"),
    Transition("signoff", AWAITING_SIGNOFF, AWAITING_SIGNOFF, COLUMN_SIGNOFF, "one more sign-off level remains"),
    # rejection (leaves a tombstone, except for a declined correction)
    Transition("reject", PENDING, REJECTED, "reviewer", "not to be published"),
    Transition("reject", AWAITING_SIGNOFF, REJECTED, "reviewer", "refused at sign-off"),
    Transition("reject", CORRECTED, PUBLISHED, "reviewer", "correction declined; the published version stays"),
    # undo (editors lift a rejection; an approval is undone before it is published)
    Transition("unreject", REJECTED, PENDING, "editor", "rejection undone: back in the queue"),
    Transition("undo-approve", APPROVED, PENDING, "reviewer", "approval undone before publishing"),
    Transition("undo-approve", APPROVED, CORRECTED, "reviewer", "approval of the correction undone before publishing"),
    Transition("undo-duplicate", DUPLICATE, PENDING, SYSTEM, "the approval that made it a duplicate was undone"),
    # a correction of a published story started at the desk (it goes through the column's sign-off)
    Transition("desk-correct", PUBLISHED, CORRECTED, "reviewer", "correction started at the desk"),
    # edits before approval
    Transition("edit", PENDING, PENDING, "reviewer", "reviewer edit"),
    Transition("edit", CORRECTED, CORRECTED, "reviewer", "reviewer edit"),
    Transition("edit", AWAITING_SIGNOFF, AWAITING_SIGNOFF, "reviewer", "reviewer edit"),
    # clusters
    Transition("duplicate", PENDING, DUPLICATE, SYSTEM, "another member of its cluster was approved"),
    Transition("duplicate", AWAITING_SIGNOFF, DUPLICATE, SYSTEM, "another member of its cluster was approved"),
    # a person splits an item out of its story or merges two stories (editors; see stories.py)
    *(Transition("split", s, s, "editor", "split out of its story into its own")
      for s in STATES if s != DUPLICATE),
    Transition("split", DUPLICATE, PENDING, "editor", "split out of the story it duplicated: its own story now"),
    *(Transition("merge", s, s, "editor", "its story was merged with another") for s in STATES),
    # new upstream versions
    Transition("new-version", PENDING, PENDING, SYSTEM, "new upstream version while waiting"),
    Transition("new-version", CORRECTED, CORRECTED, SYSTEM, "new upstream version of a correction"),
    Transition("new-version", DUPLICATE, DUPLICATE, SYSTEM, "new upstream version of a duplicate"),
    Transition("new-version", APPROVED, APPROVED, SYSTEM, "trusted source changed before publishing"),
    Transition("requeue", APPROVED, PENDING, SYSTEM, "changed upstream before it was published"),
    Transition("requeue", AWAITING_SIGNOFF, PENDING, SYSTEM, "changed upstream before sign-off"),
    Transition("requeue", APPROVED, CORRECTED, SYSTEM, "correction changed again before publishing"),
    Transition("requeue", AWAITING_SIGNOFF, CORRECTED, SYSTEM, "correction changed again before sign-off"),
    Transition("correct", PUBLISHED, CORRECTED, SYSTEM, "changed upstream after publishing: review the correction"),
    Transition("auto-correct", PUBLISHED, APPROVED, SYSTEM, "trusted source changed upstream: re-publish"),
    # publishing and retraction
    Transition("publish", APPROVED, PUBLISHED, SYSTEM, "in the published stream"),
    Transition("retract", PUBLISHED, RETRACTED, "editor", "withdrawn from the portal"),
    Transition("retract", CORRECTED, RETRACTED, "editor", "withdrawn from the portal"),
    # the source took the page down (seen gone twice in a row) or put it back
    *(Transition("upstream-withdrawn", s, s, SYSTEM, "the source took the page down: flagged for a person")
      for s in (PENDING, AWAITING_SIGNOFF, CORRECTED, PUBLISHED, DUPLICATE, REJECTED, RETRACTED)),
    Transition("upstream-withdrawn", APPROVED, PENDING, SYSTEM, "the source took the page down before publishing"),
    Transition("upstream-withdrawn", APPROVED, CORRECTED, SYSTEM,
               "the source took the page down before the correction was published"),
    *(Transition("upstream-restored", s, s, SYSTEM, "the page is back at the source") for s in STATES),
    # checks before publishing: a block finding is let through by an editor, with a reason
    *(Transition("override-checks", s, s, "editor", "block findings let through with a reason")
      for s in REVIEWABLE),
    Transition("keep", PUBLISHED, PUBLISHED, "editor", "stays on the portal although the source took the page down"),
    Transition("keep", CORRECTED, CORRECTED, "editor", "stays on the portal although the source took the page down"),
)


def role_satisfies(role: str, needed: str) -> bool:
    """Whether *role* may do what *needed* requires (system steps are never done by people)."""
    if needed == SYSTEM:
        return role == SYSTEM
    if role == SYSTEM:
        return True
    if role not in ROLE_RANK:
        raise UnknownRole("unknown-role", role=role, roles=list(ROLES))
    if needed not in ROLE_RANK:
        raise UnknownRole("unknown-role", role=needed, roles=list(ROLES))
    return ROLE_RANK[role] >= ROLE_RANK[needed]


def find(action: str, source: str | None, target: str) -> Transition:
    """The table row for (*action*, *source* → *target*), or InvalidTransition with a one-line reason."""
    for t in TRANSITIONS:
        if t.action == action and t.source == source and t.target == target:
            return t
    raise InvalidTransition("not-a-step", source=source, target=target, action=action)


def check(item_id: int, action: str, source: str | None, target: str, role: str,
          *, user: str | None = None, needed: str | None = None) -> Transition:
    """Verify that *role* may move item *item_id* from *source* to *target* by *action*.

    *needed* replaces the table's role for column sign-off rows. Raises InvalidTransition
    ("item 12 is rejected; cannot approve") or PermissionDenied.
    """
    if not any(t.action == action and t.source == source for t in TRANSITIONS):
        verb = "approve" if action == "signoff" else action
        if source is None:
            raise InvalidTransition("action-not-in-review", id=item_id, action=verb)
        raise InvalidTransition("wrong-state", id=item_id, state=source, action=verb)
    for t in TRANSITIONS:
        if t.action == action and t.source == source and t.target == target:
            need = needed if t.role == COLUMN_SIGNOFF and needed else t.role
            if need == COLUMN_SIGNOFF:
                need = "editor"
            if not role_satisfies(role, need):
                raise PermissionDenied("needs-role", id=item_id, action=action, need=need, user=user, role=role)
            return t
    raise InvalidTransition("no-such-step", id=item_id, state=source, action=action, target=target)
