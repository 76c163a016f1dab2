"""Schema step 6 of review_queue, run once: the English history notes written before notes had
codes become codes and facts (:mod:`review_queue.notes`).

The patterns are the sentences releases before it wrote, each read only in history entries of
the actions that wrote it, so a person's reason that happens to look like one stays their text.
A note no pattern reads stays text (shown as it was written: nothing is lost). This is the only
place that parses notes; nothing reads English notes at run time.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import sqlite_utils

_Params = Callable[[dict[str, str]], dict[str, object]]


def _ints(*names: str) -> _Params:
    return lambda m: {k: (int(v) if k in names else v) for k, v in m.items() if v is not None}


def _ids(text: str) -> list[int]:
    return [int(part.strip().lstrip("#")) for part in text.split(",") if part.strip()]


# (pattern, the actions whose entries it may read (None: a review row's note), code, params)
LEGACY: tuple[tuple[re.Pattern[str], frozenset[str | None], str, _Params], ...] = (
    (re.compile(r"waiting for sign-off by (?:an? )?(?P<role>[\w-]+)$"), frozenset({"approve", "signoff"}),
     "waiting-for-signoff", _ints()),
    (re.compile(r"story approved as item (?P<id>\d+)$"), frozenset({"duplicate"}), "story-approved", _ints("id")),
    (re.compile(r"approval of item (?P<id>\d+) undone$"), frozenset({"undo-duplicate"}), "approval-of-item-undone",
     _ints("id")),
    (re.compile(r"approval undone(?:: (?P<reason>.+))?$", re.S), frozenset({"undo-approve"}), "approval-undone",
     _ints()),
    (re.compile(r"seq (?P<seq>\d+)(?P<correction> \(correction\))?$"), frozenset({"publish"}), "published",
     lambda m: {"seq": int(m["seq"]), "correction": bool(m.get("correction"))}),
    (re.compile(r"locked until (?P<until>\S+)$"), frozenset({"lock"}), "locked-until", _ints()),
    (re.compile(r"lock of (?P<user>\S+) taken over$"), frozenset({"take-over-lock"}), "lock-taken-over", _ints()),
    (re.compile(r"lock of (?P<user>\S+) broken$"), frozenset({"break-lock"}), "lock-broken", _ints()),
    (re.compile(r"checks overridden \((?P<what>[^)]*)\): (?P<reason>.+)$", re.S), frozenset({"override-checks"}),
     "checks-overridden", _ints()),
    (re.compile(r"kept although the source took the page down \((?P<why>.*?)\)(?:: (?P<reason>.+))?$", re.S),
     frozenset({"keep"}), "kept-although-withdrawn", _ints()),
    (re.compile(r"story already out as item (?P<id>\d+)$"), frozenset({"duplicate", None}), "story-already-out",
     _ints("id")),
    (re.compile(r"update: new representative of the story already out as item (?P<id>\d+)$"),
     frozenset({"submit", "auto-approve", None}), "new-representative", _ints("id")),
    (re.compile(r"new upstream version (?P<version>\d+)(?P<dropped>; reviewer edits of title/text dropped)?$"),
     frozenset({"auto-correct", "correct", "new-version", "requeue"}), "new-version",
     lambda m: {"version": int(m["version"]), "edits_dropped": bool(m.get("dropped"))}),
    (re.compile(r"moved out of (?P<column>\S+) \(sign-off: (?P<chain>[^)]*)\): (?P<reason>.+)$", re.S),
     frozenset({"column", "edit"}), "moved-out-of-column",
     lambda m: {"column": m["column"], "chain": [r.strip() for r in m["chain"].split(",")], "reason": m["reason"]}),
    (re.compile(r"split out of story (?P<story>\d+) \(with (?P<others>[^)]*)\): (?P<reason>.+)$", re.S),
     frozenset({"split"}), "split-out-of-story",
     lambda m: {"story": int(m["story"]), "others": _ids(m["others"]), "reason": m["reason"]}),
    (re.compile(r"story (?P<gone>\d+) merged into story (?P<keep>\d+) \(of #(?P<id>\d+)\): (?P<reason>.+)$", re.S),
     frozenset({"merge"}), "story-merged-away", _ints("gone", "keep", "id")),
    (re.compile(r"story (?P<gone>\d+) \((?P<moved>[^)]*)\) merged into this story: (?P<reason>.+)$", re.S),
     frozenset({"merge"}), "story-merged-here",
     lambda m: {"gone": int(m["gone"]), "moved": _ids(m["moved"]), "reason": m["reason"]}),
    (re.compile(r"item (?P<id>\d+) was split out of the story$"), frozenset({"undo-duplicate"}), "item-split-out",
     _ints("id")),
    (re.compile(r"the page is back at the source, unchanged$"), frozenset({"upstream-restored"}), "page-restored",
     _ints()),
    (re.compile(r"the page is back at the source, with new text$"), frozenset({"upstream-restored"}),
     "page-restored-changed", _ints()),
    (re.compile(r"the source took the page down$"), frozenset({"upstream-withdrawn"}), "page-withdrawn", _ints()),
    # the collectors' reason (HTTP 404 at …) was the whole note of the entry
    (re.compile(r"(?P<why>.+)$", re.S), frozenset({"upstream-withdrawn"}), "page-withdrawn", _ints()),
)


def legacy_code(action: str | None, text: str) -> tuple[str, dict[str, object]] | None:
    """The code and facts of an old English note of an entry of *action*, or None (a person's text)."""
    for pattern, actions, code, params in LEGACY:
        if action in actions:
            m = pattern.match(text)
            if m:
                return code, params(m.groupdict())
    return None


def migrate(db: sqlite_utils.Database) -> None:
    """Add note_code/note_params to history and reviews, and turn their old notes into codes."""
    for table in ("history", "reviews"):
        db.execute(f"ALTER TABLE {table} ADD COLUMN note_code TEXT")
        db.execute(f"ALTER TABLE {table} ADD COLUMN note_params TEXT")
    for table, key, action in (("history", "id", "action"), ("reviews", "item_id", "NULL")):
        rows = db.execute(f"SELECT {key}, {action}, note FROM {table} WHERE note IS NOT NULL").fetchall()
        for key_value, act, text in rows:
            found = legacy_code(act, text)
            if found is not None:
                db.execute(f"UPDATE {table} SET note = NULL, note_code = ?, note_params = ? WHERE {key} = ?",
                           [found[0], json.dumps(found[1], ensure_ascii=False), key_value])
