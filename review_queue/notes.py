"""The pipeline's own history notes as a stable code and its facts, not as English sentences.

A history entry's note is either a person's reason (their own words, kept as text) or a
:class:`Note` the pipeline wrote: ``code`` (what happened, e.g. ``"lock-broken"``) and ``params``
(the facts: item ids, user, sequence number, a reason typed with it …). The history table keeps
the two apart (``note`` text; ``note_code`` and ``note_params`` JSON), so the desk and the command
line show the catalog message of the code (:func:`review_queue.messages.history_note`) and no
wording change can break a translation. :func:`Note.english` is the one-line English that
scripts, logs and ``--json`` read (the same words the pipeline wrote before notes had codes).
A new note is a new code here and in the desk's table (tests check both languages).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ENGLISH", "Note", "note"]


def _reason(p: Mapping[str, Any]) -> str:
    return f": {p['reason']}" if p.get("reason") else ""


def _article(role: str) -> str:
    return "an" if role[:1] in "aeiou" else "a"


# code -> the English line (a str.format template over the params, or a function of them)
ENGLISH: dict[str, str | Callable[[Mapping[str, Any]], str]] = {
    # review and sign-off
    "waiting-for-signoff": lambda p: f"waiting for sign-off by {_article(p['role'])} {p['role']}",
    "approval-undone": lambda p: "approval undone" + _reason(p),
    "checks-overridden": "checks overridden ({what}): {reason}",
    "moved-out-of-column": lambda p: f"moved out of {p['column']} (sign-off: {', '.join(p['chain'])}): {p['reason']}",
    # stories (clusters)
    "story-approved": "story approved as item {id}",
    "approval-of-item-undone": "approval of item {id} undone",
    "story-already-out": "story already out as item {id}",
    "new-representative": "update: new representative of the story already out as item {id}",
    "split-out-of-story": lambda p: (f"split out of story {p['story']} (with {', '.join(f'#{i}' for i in p['others'])})"
                                     f": {p['reason']}"),
    "item-split-out": "item {id} was split out of the story",
    "story-merged-away": "story {gone} merged into story {keep} (of #{id}): {reason}",
    "story-merged-here": lambda p: (f"story {p['gone']} (#{', #'.join(map(str, p['moved']))}) merged into this "
                                    f"story: {p['reason']}"),
    # the source
    "new-version": lambda p: f"new upstream version {p['version']}"
                             + ("; reviewer edits of title/text dropped" if p.get("edits_dropped") else ""),
    "page-withdrawn": lambda p: str(p.get("why") or "the source took the page down"),
    "page-restored": "the page is back at the source, unchanged",
    "page-restored-changed": "the page is back at the source, with new text",
    "kept-although-withdrawn": lambda p: f"kept although the source took the page down ({p['why']})" + _reason(p),
    # publishing, locks
    "published": lambda p: f"seq {p['seq']}" + (" (correction)" if p.get("correction") else ""),
    "locked-until": "locked until {until}",
    "lock-taken-over": "lock of {user} taken over",
    "lock-broken": "lock of {user} broken",
}


@dataclass(frozen=True)
class Note:
    """A note the pipeline wrote: a code and its facts (see the module's docstring)."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def english(self) -> str:
        """The one-line English of this note (a code this release does not know still names its facts)."""
        template = ENGLISH.get(self.code)
        try:
            if callable(template):
                return template(self.params)
            if template is not None:
                return template.format(**self.params)
        except (KeyError, IndexError, TypeError):
            pass
        facts = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"{self.code} ({facts})" if facts else self.code

    def __str__(self) -> str:
        return self.english()


def note(code: str, /, **params: Any) -> Note:
    """A history note of *code* with its facts; a code that is not declared is a programming error
    (caught here, when it is written, not when a reviewer reads it). ``None`` facts are left out."""
    if code not in ENGLISH:
        raise ValueError(f"undeclared history note code {code!r}")
    return Note(code, {k: v for k, v in params.items() if v is not None})
