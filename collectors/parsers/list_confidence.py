"""How sure the list finder is: a candidate list scored by what a list of stories looks like.

A list of stories has dates beside its links, titles of a sentence rather than a word, addresses
of article pages (a date or a number in them) rather than of columns, and sits in the page's main
area, not in its navigation. A menu of six short undated links to columns scores low on all of
these; below ``CONFIDENT`` the finder says what the best candidate was instead of returning it.
A few undated links all to another site are a box of the page (a newsletter), not its list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from statistics import median
from typing import Any
from urllib.parse import urlsplit

from collectors.errors import Part, finding_text
from collectors.parsers.common import Entry

CONFIDENT = 0.5  # below this a candidate is reported, not returned (bench.onboarding measures it)

# Classes, ids and tags of page furniture: menus, headers, footers, side bars, link boxes.
_NAV_RE = re.compile(
    r"(?:^|[\s_-])(?:nav\w*|menu\w*|daohang|dh|header|topbar|footer|foot|bottom|crumbs?|breadcrumbs?|"
    r"position|location|sidebar|aside|leftnav|subnav|sub_nav|friend\w*|yqlj|lanmu|toolbar|quick\w*)(?:$|[\s_-])",
    re.I)
_NAV_TAGS = frozenset({"nav", "header", "footer", "aside"})
_ARTICLE_PATH_RE = re.compile(r"\d{4,}|\d[^/]*$", re.I)  # a date or an id in the path, or a number in the file name
_ID_QUERY_RE = re.compile(r"(?:^|&)\w*id=(?:\d+|[0-9a-f-]{8,}|[A-Za-z]*\d{6,}\w*)(?:&|$)", re.I)
# a headline written into the address (/ai/the-new-ai-calculus-googles-80-cost-edge/): four words
# or more; a column's name is one to three (/information-technology/, /daily-ai-news/)
_SLUG_RE = re.compile(r"(?:[^\W_]+[-_]){3,}[^\W_]+(?:\.\w+)?")


def slug_article(path: str) -> bool:
    """True when the address's last part is a headline made a slug (no id, no date needed)."""
    last = path.rstrip("/").rsplit("/", 1)[-1]
    return len(last) >= 20 and bool(_SLUG_RE.fullmatch(last))


def looks_like_article_url(url: str) -> bool:
    """An article page's address carries a date, a number or its headline as a slug; a column's
    ends in / or index.html."""
    parts = urlsplit(url)
    path = parts.path
    if slug_article(path):
        return True
    if re.search(r"/(?:index|default|list|more)(?:_\d+)?\.\w+$", path, re.I) or path.endswith("/") or not path:
        return bool(_ID_QUERY_RE.search(parts.query))
    return bool(_ARTICLE_PATH_RE.search(path) or _ID_QUERY_RE.search(parts.query))


def in_navigation(el: Any, levels: int = 5) -> bool:
    """True when *el* or one of its nearest ancestors is marked as page furniture."""
    node = el
    for _ in range(levels):
        if node is None or not isinstance(node.tag, str):
            return False
        if node.tag in _NAV_TAGS:
            return True
        marks = f"{node.get('class') or ''} {node.get('id') or ''}"
        if marks.strip() and _NAV_RE.search(marks):
            return True
        if node.tag == "body":
            return False
        node = node.getparent()
    return False


@dataclass
class ListFinding:
    """What the finder found on a list page and how sure it is of it."""

    entries: list[Entry]
    confidence: float
    parts: list[Part]  # what the candidate is, as codes and facts (collectors.errors.FINDING)
    origin: str = "html"  # html | selectors | comment | template | script | datastore
    notes: list[str] = field(default_factory=list)

    @property
    def confident(self) -> bool:
        return self.confidence >= CONFIDENT

    @property
    def reason(self) -> str:
        """One line of English: what the candidate is (probe and sources word the parts in the
        operator's language)."""
        return finding_text(self.parts)


PORTAL_LISTS = 4  # other lists of three or more on the page that make it a portal's home page
LIKE_LIST_MIN = 10  # an undated rival list this long (a list page's first page) or longer


def portal_home(n: int, others: list[int], kind: str = "dated", where: str = "on-page") -> Part | None:
    """The reason to doubt a list that is one box of many: a portal's home page shows a dozen boxes
    (要闻, 通知公告, 排行 …), the largest holding fewer links than the others do together."""
    elsewhere = sum(others)
    if len(others) >= PORTAL_LISTS and elsewhere > n:
        return ("portal-home", {"lists": len(others) + 1, "kind": kind, "where": where, "n": n, "total": n + elsewhere})
    return None


READ_MIN = 0.9  # a list that reads fewer of its rows may miss a tenth of its items (bench: recall ≥ 0.9)


def _link_rows(container: Any) -> int:
    """How many of the container's children hold a link: the rows the list has on the page."""
    return sum(1 for c in container if isinstance(c.tag, str) and next(c.iter("a"), None) is not None)


def _all_elsewhere(entries: list[Entry], page_url: str | None) -> bool:
    """True when every entry leads to a host other than the page's own."""
    host = urlsplit(page_url or "").netloc.lower()
    return bool(host) and all(urlsplit(e.url).netloc.lower() not in ("", host) for e in entries)


def judge(entries: list[Entry], container: Any = None, origin: str = "html", page_url: str | None = None,
          cards: int = 0) -> ListFinding:
    """Score one candidate list (0…1) and describe it in a phrase (*page_url*: the page's address,
    to tell its own links from other sites'; *cards*: how many entries were read from story cards —
    a headline in a heading with an excerpt or a <time> beside it — evidence nearly as strong as a
    date, since menus and link boxes have neither)."""
    n = len(entries)
    if not n:
        return ListFinding([], 0.0, [("no-candidate", {})], origin)
    dated = sum(1 for e in entries if e.list_date or e.published) / n
    sizes = sorted(len(e.title) for e in entries)
    # a list's titles: sentences, though a few rows may bear a word (国际联播快讯 three times, 江山多娇);
    # a menu's are all words: the median and the upper quartile together tell them apart
    titles = (median(sizes) + sizes[(3 * n) // 4]) / 2 if n >= 4 else median(sizes)
    articles = sum(1 for e in entries if e.url and looks_like_article_url(e.url)) / n
    nav = container is not None and in_navigation(container)
    rows = _link_rows(container) if container is not None else 0
    unread = rows - n >= 3 and n < READ_MIN * rows  # rows on the page that gave no entry: misread
    s_title = min(max((titles - 4) / 8, 0.0), 1.0)
    score = 0.35 * max(dated, 0.8 * min(cards, n) / n) + 0.25 * articles + 0.25 * s_title + 0.15 * min(n, 8) / 8
    if nav:
        score *= 0.5
    if n < 3:
        score *= 0.6
    if unread:  # never confident, however list-like the rows it did read
        score *= 0.4
    # three or four undated links, all to another site: a box on the page (a newsletter, a promotion)
    few_undated = n < 5 and dated < 0.5 and _all_elsewhere(entries, page_url)
    if few_undated:
        score *= 0.75
    what = "menu" if nav or (dated < 0.5 and titles < 8) else "list"
    dates = "dated" if dated >= 0.8 else "undated" if dated <= 0.2 else "partly"
    parts: list[Part] = [(what, {"n": n, "dates": dates, "percent": round(dated * 100), "where": origin})]
    if cards and dated < 0.8:
        parts.append(("story-cards", {"n": min(cards, n)}))
    if titles < 8:
        parts.append(("short-titles", {"chars": titles}))  # (median and upper quartile)
    if articles < 0.5:
        parts.append(("column-addresses", {}))
    if nav:
        parts.append(("in-navigation", {}))
    if unread:
        parts.append(("rows-unread", {"n": n, "rows": rows}))
    if few_undated:
        parts.append(("few-undated-elsewhere", {"n": n}))
    return ListFinding(entries, round(score, 3), parts, origin)
