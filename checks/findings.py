"""The findings table: what the checks found in each item, opened and closed as the item changes.

A finding is identified within its item by (code, text): a re-check after an edit or a new
upstream version keeps the findings it finds again (with their new place and version), closes
the ones it no longer finds ("fixed") and opens the new ones. A re-check only touches the
families it ran (all of them after an edit; the link family after a link pass).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import sqlite_utils

import store

__all__ = ["Finding", "init", "open_findings", "replace_findings"]

CODES: dict[str, tuple[str, str, str]] = {
    # code: (family, default severity, what it means, Chinese first)
    "PII-ID": ("personal", "block", "居民身份证号码 resident ID number"),
    "PII-CARD": ("personal", "block", "银行卡号 bank card number"),
    "PII-MOBILE": ("personal", "warn", "手机号码 mobile number"),
    "PII-PASSPORT": ("personal", "warn", "护照/通行证号码 passport-like number"),
    "TERM-BANNED": ("terms", "block", "禁用词 banned word"),
    "TERM-VARIANT": ("terms", "warn", "不规范表述 non-standard wording"),
    "TERM-NAME": ("terms", "warn", "机构名称不规范 outdated or wrong name of a body"),
    "TERM-TITLE": ("terms", "warn", "姓名缺少规定职务 name without its required title"),
    "LINK-DEAD": ("links", "warn", "死链 link answers 404/410"),
    "LINK-SCHEME": ("links", "warn", "非http链接 link with a non-http scheme"),
    "DATE-FUTURE": ("dates", "warn", "发布时间晚于采集时间 publish time in the future"),
    "DATE-FAR": ("dates", "warn", "发布时间远早于采集时间 publish time far before collection"),
    "SOURCE-MISSING": ("source", "warn", "缺少来源 no source line, which the column requires"),
}
FAMILIES = tuple(dict.fromkeys(f for f, _, _ in CODES.values()))


@dataclass(frozen=True)
class Finding:
    """One thing a person should look at before publishing.

    *paragraph* is 0 for the title and 1… for the body's paragraphs (lines of the text); *offset*
    counts characters within it. Both are None for what has no place in the text (a date).
    """

    code: str
    severity: str  # block | warn
    text: str
    paragraph: int | None
    offset: int | None
    message: str
    id: int | None = None
    version: int | None = None
    opened_at: str | None = None
    overridden_by: str | None = None
    override_reason: str | None = None

    @property
    def family(self) -> str:
        return CODES[self.code][0]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _step1(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE check_findings (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            item_id INTEGER NOT NULL,
            version INTEGER,
            code TEXT NOT NULL,
            family TEXT NOT NULL,
            severity TEXT NOT NULL,
            text TEXT NOT NULL,
            paragraph INTEGER,
            offset INTEGER,
            message TEXT NOT NULL,
            opened_at TEXT NOT NULL,
            closed_at TEXT,
            closed_note TEXT,
            overridden_by TEXT,
            override_reason TEXT,
            overridden_at TEXT
        )"""
    )
    db.execute("CREATE INDEX check_findings_open ON check_findings (item_id) WHERE closed_at IS NULL")
    # every link of an item's current version, and what each address answered when last checked
    db.execute("CREATE TABLE check_item_links (item_id INTEGER NOT NULL, url TEXT NOT NULL, "
               "PRIMARY KEY (item_id, url))")
    db.execute("CREATE INDEX check_item_links_url ON check_item_links (url)")
    db.execute(
        """CREATE TABLE check_links (
            url TEXT PRIMARY KEY,
            status INTEGER,
            error TEXT,
            checked_at TEXT NOT NULL
        )"""
    )


STEPS = [_step1]


def init(db: sqlite_utils.Database) -> None:
    """Create or migrate the checks tables (idempotent; run at every start)."""
    store.migrate(db, "checks", STEPS)


def iso_now(now: datetime | None) -> str:
    return (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")


_COLS = ("id", "item_id", "version", "code", "severity", "text", "paragraph", "offset", "message", "opened_at",
         "overridden_by", "override_reason")


def _finding(row: Sequence[Any]) -> tuple[int, Finding]:
    d = dict(zip(_COLS, row, strict=True))
    item_id = d.pop("item_id")
    return item_id, Finding(**d)


def replace_findings(db: sqlite_utils.Database, item_id: int, version: int | None, found: Iterable[Finding],
                     *, families: Iterable[str] = FAMILIES, now: datetime | None = None,
                     note: str = "fixed") -> tuple[int, int]:
    """Make *found* the open findings of *item_id* within *families*; returns (opened, closed).

    A finding found again keeps its row (its opening time, and an editor's override: the
    decision was about that text, which is still there); a new finding needs its own decision.
    """
    at = iso_now(now)
    fams = tuple(families)
    marks = ", ".join("?" for _ in fams)
    rows = db.execute(
        f"SELECT {', '.join(_COLS)} FROM check_findings WHERE item_id = ? AND closed_at IS NULL "
        f"AND family IN ({marks}) ORDER BY id", [item_id, *fams]).fetchall()
    old: dict[tuple[str, str], list[int]] = defaultdict(list)
    for row in rows:
        _, f = _finding(row)
        old[(f.code, f.text)].append(int(f.id or 0))
    opened = closed = 0
    with store.transaction(db):
        for f in found:
            ids = old.get((f.code, f.text))
            if ids:
                db.execute("UPDATE check_findings SET version = ?, severity = ?, paragraph = ?, offset = ?, "
                           "message = ? WHERE id = ?",
                           [version, f.severity, f.paragraph, f.offset, f.message, ids.pop(0)])
                continue
            db.execute(
                "INSERT INTO check_findings (item_id, version, code, family, severity, text, paragraph, offset, "
                "message, opened_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [item_id, version, f.code, f.family, f.severity, f.text, f.paragraph, f.offset, f.message, at])
            opened += 1
        for ids in old.values():
            for fid in ids:
                db.execute("UPDATE check_findings SET closed_at = ?, closed_note = ? WHERE id = ?", [at, note, fid])
                closed += 1
    return opened, closed


def open_findings(db: sqlite_utils.Database, item_ids: Iterable[int] | None = None) -> dict[int, list[Finding]]:
    """The open findings of the given items (all items when None), by item id, in text order."""
    out: dict[int, list[Finding]] = {}
    order = " ORDER BY item_id, paragraph IS NULL, paragraph, offset, id"
    sql = f"SELECT {', '.join(_COLS)} FROM check_findings WHERE closed_at IS NULL"
    if item_ids is None:
        chunks: list[list[int]] = [[]]
    else:
        ids = list(dict.fromkeys(int(i) for i in item_ids))
        chunks = [ids[s:s + 500] for s in range(0, len(ids), 500)]
    for chunk in chunks:
        if item_ids is not None and not chunk:
            continue
        where = f" AND item_id IN ({', '.join('?' for _ in chunk)})" if item_ids is not None else ""
        for row in db.execute(sql + where + order, chunk):
            item_id, f = _finding(row)
            out.setdefault(item_id, []).append(f)
    return out


def override(db: sqlite_utils.Database, item_id: int, findings: Iterable[Finding], *, user: str, reason: str,
             now: datetime | None = None) -> None:
    """Record that *user* let these findings through with *reason* (the history says so too)."""
    at = iso_now(now)
    for f in findings:
        db.execute("UPDATE check_findings SET overridden_by = ?, override_reason = ?, overridden_at = ? "
                   "WHERE id = ? AND item_id = ?", [user, reason, at, f.id, item_id])
