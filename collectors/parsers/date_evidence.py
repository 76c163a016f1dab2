"""A detail page's publish date by evidence: what readers see first, what the CMS says second.

A false publish date is a veto item in the national inspection, and the date that counts is the
one shown to readers. So the order is: a configured selector; a labelled date (发布时间：…); a date
written beside the title (the info line under it); then the metas real CMSs write (ArticleTitle/
PubDate, firstpublishedtime, article:published_time, Dublin Core …). Every candidate is kept with
its origin, and a meta that disagrees with the shown date by more than a day is reported (the
reviewer sees it as the ``date-disagreement`` flag).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from collectors.parsers.common import DATE_RE, _clean
from pages.markup import DATE_META_NAMES

META_DATE_NAMES = DATE_META_NAMES  # the table lives with the other meta names (pages.markup)
_META_LOOKUP = {n.lower(): n for n in META_DATE_NAMES}
_FULL_DATE_RE = re.compile(r"(\d{4})\s*(?:-|/|\.|年)\s*(\d{1,2})\s*(?:-|/|\.|月)\s*(\d{1,2})")
BESIDE_TITLE_CHARS = 160  # the info line sits right under the title
_PROSE_RE = re.compile(r"[。，；！？]")
_BLANK_LINES_RE = re.compile(r"[ \t\u3000\xa0]*\n\s*")
DISAGREE_DAYS = 1


@dataclass(frozen=True)
class DateCandidate:
    value: str  # as written
    origin: str  # selector | label:发布时间 | beside-title | meta:PubDate | …

    def as_dict(self) -> dict[str, str]:
        return {"value": self.value, "origin": self.origin}


def day_of(value: str | None) -> date | None:
    """The calendar day a full date names (year, month and day written), else None."""
    m = _FULL_DATE_RE.search(value or "")
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def meta_dates(root: Any) -> list[DateCandidate]:
    """Every publish-time meta on the page, most trusted name first."""
    found: dict[str, DateCandidate] = {}
    for m in root.iter("meta"):
        name = (m.get("name") or m.get("property") or m.get("itemprop") or "").strip()
        key = _META_LOOKUP.get(name.lower())
        content = (m.get("content") or "").strip()
        if key and content and key not in found and day_of(content):
            found[key] = DateCandidate(_clean(content), f"meta:{key}")
    for t in root.iter("time"):
        value = (t.get("datetime") or "").strip()
        if value and day_of(value) and (t.get("itemprop") == "datePublished" or t.get("pubdate") is not None):
            found.setdefault("time", DateCandidate(value, "meta:time"))
    order = {n: i for i, n in enumerate(META_DATE_NAMES)}
    return sorted(found.values(), key=lambda c: order.get(c.origin[5:], len(order)))


def beside_title(fields: str, title: str | None) -> DateCandidate | None:
    """A full date written just after the title in the page's text (the unlabelled info line:
    "标题 2019-09-07 13:43:45 来源：…")."""
    if not title or len(title) < 4:
        return None
    fields = _BLANK_LINES_RE.sub("\n", fields)  # an element's layout whitespace is no distance
    key = title if title in fields else re.sub(r"\s+", "", title)[: max(4, len(title) // 2)]
    start = 0
    for _ in range(5):  # the title may stand in a breadcrumb or a hidden share box first
        at = fields.find(key, start)
        if at < 0:
            return None
        after = fields[at + len(key): at + len(key) + BESIDE_TITLE_CHARS]
        for line in after.split("\n"):
            line = line.strip()
            if len(line) > 40 and _PROSE_RE.search(line):
                break  # the story has begun: a date in its first sentence is the event's, not the page's
            m = DATE_RE.search(line) if len(line) <= 80 else None
            if m and day_of(m.group(0)):
                return DateCandidate(re.sub(r"\s+", " ", m.group(0)).strip(), "beside-title")
        start = at + len(key)
    return None


def choose(candidates: list[DateCandidate]) -> tuple[str | None, list[str]]:
    """The date to use (the first candidate: callers list them by evidence) and the warnings."""
    if not candidates:
        return None, []
    chosen = candidates[0]
    shown = day_of(chosen.value)
    warnings: list[str] = []
    if shown and not chosen.origin.startswith("meta:"):
        for c in candidates[1:]:
            other = day_of(c.value)
            if c.origin.startswith("meta:") and other and abs((other - shown).days) > DISAGREE_DAYS:
                gap = abs((other - shown).days)
                span = f"{gap // 365} years" if gap >= 730 else f"{gap} days"
                warnings.append(f"date-disagreement: the page shows {shown.isoformat()} ({chosen.origin}), its"
                                f" {c.origin[5:]} meta says {other.isoformat()} ({span} apart)")
                break
    return chosen.value, warnings
