"""Which rule identifies a source's items: guid → canonical link → hash of (link, date, title).

A rule is rejected for a source when its keys are empty or repeated in more than 5% of the items
of one fetch; the source then falls back to the next rule and stays there (identities must not
flip back and forth, or every item would be collected twice).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from collectors.parsers import Entry
from pages.urls import SESSION_PATH_PARAM, TRACKING_PARAMS, TRACKING_PREFIXES, canonical_link, is_tracking

__all__ = ["RULES", "RuleNote", "canonical_link", "identity_of", "choose_rule", "is_tracking", "BROKEN_SHARE",
           "SESSION_PATH_PARAM", "TRACKING_PARAMS", "TRACKING_PREFIXES"]

RULES = ("guid", "link", "hash")
BROKEN_SHARE = 0.05


def identity_of(entry: Entry, rule: str) -> str | None:
    if rule == "guid":
        return entry.guid or None
    if rule == "link":
        return canonical_link(entry.url) or None
    h = hashlib.sha256("\x00".join([canonical_link(entry.url), entry.published or entry.list_date or "",
                                    entry.title]).encode("utf-8")).hexdigest()
    return "h:" + h[:40]


@dataclass(frozen=True)
class RuleNote:
    """Why a source's items moved to a fallback rule, as facts: the command line words them in the
    operator's language (its code and params); ``str()`` is the English kept in source_state."""

    rule: str  # the rule given up
    next: str  # the rule taken instead
    items: int  # the items of the fetch that showed it
    empty: int = 0
    repeated: int = 0

    @property
    def code(self) -> str:
        return "empty-and-repeated" if self.empty and self.repeated else "empty" if self.empty else "repeated"

    @property
    def params(self) -> dict[str, int | str]:
        return {"rule": self.rule, "next": self.next, "items": self.items, "empty": self.empty,
                "repeated": self.repeated}

    def __str__(self) -> str:
        what = [f"{k} in {n}" for k, n in (("empty", self.empty), ("repeated", self.repeated)) if n]
        return f"{self.rule}s {' and '.join(what)} of {self.items} items: identity by {self.next}"


def choose_rule(entries: list[Entry], current: str | None, *, has_guids: bool) -> tuple[str, RuleNote | None]:
    """The rule to use for this fetch and, when it is a fallback, the facts saying why."""
    start = RULES.index(current) if current in RULES else (0 if has_guids else 1)
    note = None
    for rule in RULES[start:]:
        if rule == "hash" or not entries:
            return rule, note
        keys = [identity_of(e, rule) for e in entries]
        empty = sum(1 for k in keys if not k)
        present = [k for k in keys if k]
        repeated = len(present) - len(set(present))
        if empty + repeated > BROKEN_SHARE * len(entries):
            note = RuleNote(rule, RULES[RULES.index(rule) + 1], len(entries), empty, repeated)
            continue
        return rule, note
    return "hash", note
