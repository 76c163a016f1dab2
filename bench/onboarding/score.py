"""How right one answer is against the hand-written truth: the rules the benchmark and the
data-driven tests share (docs/benchmarks.md says them in words)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit, urlunsplit

RECALL_MIN = PRECISION_MIN = 0.9
EDGE_CHARS = 300  # the first/last sentence must be found this near the body's start/end

_DATE_PARTS_RE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_SPACE_RE = re.compile(r"\s+")


def day(value: str | None) -> str | None:
    """YYYY-MM-DD of a date as written ("2020/7/2", "2020年07月02日 09:30", ISO 8601), or None."""
    if not value:
        return None
    m = _DATE_PARTS_RE.search(value)
    return f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}" if m else None


def same_url(url: str) -> str:
    """A link as compared: no fragment, no trailing slash, scheme and host in lower case."""
    p = urlsplit(url.strip())
    return urlunsplit((p.scheme.lower(), p.netloc.lower(), unquote(p.path).rstrip("/"), p.query, ""))


def squeeze(text: str | None) -> str:
    return _SPACE_RE.sub("", text or "")


@dataclass
class ListScore:
    name: str
    recall: float
    precision: float
    dates_right: bool
    confidence: float
    found: int
    expected: int | None  # None: no one list is the page's; the right answer is "not confident"
    reason: str = ""
    confident: bool = True

    @property
    def right(self) -> bool:
        if self.expected is None:
            return not self.confident
        return self.confident and self.recall >= RECALL_MIN and self.precision >= PRECISION_MIN and self.dates_right

    @property
    def silent_wrong(self) -> bool:
        """Wrong, and said with confidence: the outcome the finder must never produce."""
        return not self.right and self.confident and (self.expected is None or self.found > 0)


def score_list(name: str, truth: list[dict] | None, found: list[tuple[str, str, str | None]],
               confidence: float, confident: bool, reason: str = "") -> ListScore:
    """*found*: (url, title, date as written) of each entry the finder returned."""
    if truth is None:
        return ListScore(name, 0.0, 0.0, True, confidence, len(found), None, reason, confident)
    want = {same_url(t["url"]): t for t in truth}
    got = {same_url(u): d for u, _, d in found}
    hit = [u for u in got if u in want]
    recall = len(hit) / len(want) if want else 1.0
    precision = len(hit) / len(got) if got else 0.0
    dates_right = all(day(got[u]) == day(want[u]["date"]) for u in hit if want[u].get("date"))
    return ListScore(name, recall, precision, dates_right, confidence, len(found), len(want), reason, confident)


@dataclass
class DetailScore:
    name: str
    title_right: bool
    date_right: bool
    first_right: bool
    last_right: bool
    got: dict[str, str | None] = field(default_factory=dict)
    table_right: bool = True  # the truth's table row is in the body as a row of its cells

    @property
    def right(self) -> bool:
        return self.title_right and self.date_right and self.first_right and self.last_right and self.table_right


def has_row(html: str, cells: list[str]) -> bool:
    """Whether a table in *html* has a row of exactly these cells, in this order (spaces aside):
    a merged cell (rowspan) read as one cell per row, or a cell's paragraphs moved out of it, is
    not that row."""
    import lxml.html

    if "<table" not in (html or ""):
        return False
    want = [squeeze(c) for c in cells]
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    return any([squeeze(c.text_content()) for c in tr if c.tag in ("td", "th")] == want for tr in root.iter("tr"))


def score_detail(name: str, truth: dict, title: str | None, date: str | None, text: str,
                 html: str = "") -> DetailScore:
    """Title exact (spaces aside); the date's day; the first and last sentences near the ends of
    the body's text; for a body that is a table, one of its rows (``row``: its cells) in the
    body's *html* as the page has it. A truth field written as null is not checked (the page
    does not say)."""
    body = squeeze(text)
    first = squeeze(truth.get("first"))
    last = squeeze(truth.get("last"))
    return DetailScore(
        name,
        title_right=squeeze(title) == squeeze(truth["title"]),
        date_right=day(date) == truth.get("date"),
        first_right=not first or first in body[:EDGE_CHARS + len(first)],
        last_right=not last or last in body[-(EDGE_CHARS + len(last)):],
        got={"title": title, "date": date, "start": (text or "")[:60], "end": (text or "")[-60:]},
        table_right=not truth.get("row") or has_row(html, truth["row"]),
    )
