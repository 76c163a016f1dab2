"""Which rule identifies a source's items: guid → canonical link → hash of (link, date, title).

A rule is rejected for a source when its keys are empty or repeated in more than 5% of the items
of one fetch; the source then falls back to the next rule and stays there (identities must not
flip back and forth, or every item would be collected twice).
"""

from __future__ import annotations

import hashlib

from collectors.notes import Note
from collectors.parsers import Entry
from pages.urls import SESSION_PATH_PARAM, TRACKING_PARAMS, TRACKING_PREFIXES, canonical_link, is_tracking

__all__ = ["RULES", "rule_note", "canonical_link", "identity_of", "choose_rule", "is_tracking", "BROKEN_SHARE",
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


def rule_note(rule: str, nxt: str, items: int, empty: int = 0, repeated: int = 0) -> Note:
    """Why a source's items moved from *rule* to *nxt*: *empty* and *repeated* keys among *items*;
    the command line words it in the operator's language (pipeline.wording IDENTITY_NOTES)."""
    what = [f"{k} in {n}" for k, n in (("empty", empty), ("repeated", repeated)) if n]
    code = "empty-and-repeated" if empty and repeated else "empty" if empty else "repeated"
    return Note(code, f"{rule}s {' and '.join(what)} of {items} items: identity by {nxt}", rule=rule, next=nxt,
                items=items, empty=empty, repeated=repeated)


def choose_rule(entries: list[Entry], current: str | None, *, has_guids: bool) -> tuple[str, Note | None]:
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
            note = rule_note(rule, RULES[RULES.index(rule) + 1], len(entries), empty, repeated)
            continue
        return rule, note
    return "hash", note
