"""HTML list pages: configured selectors, or the largest group of dated sibling links; the next page.

Without selectors (``probe`` on a new site) the list is found by looking for the largest group of
sibling links that carry dates. Dates are passed through exactly as written; nothing is invented.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from collectors.errors import NotAList
from collectors.parsers.common import (
    DATE_RE,
    Entry,
    _clean,
    _html_root,
    _is_item_href,
    _parse_lost_text,
    _select,
    _short,
    _strip_fragment,
    _text,
)
from collectors.parsers.list_confidence import (
    LIKE_LIST_MIN,
    ListFinding,
    in_navigation,
    judge,
    portal_home,
    slug_article,
)
from collectors.parsers.page_data import data_lists

_OTHER_SCHEME_RE = re.compile(r"(?!mailto:|tel:)[a-z][a-z0-9+.-]*:", re.I)  # javascript:, ftp: … (not a page)
_ARTICLE_PATH_RE = re.compile(r"\d{4,}")  # article URLs carry a date or a numeric id
_ID_PARAM_RE = re.compile(r"(?:^|&)\w*id=(?:\d+|[0-9a-f-]{8,}|[A-Za-z]*\d{6,}\w*)(?:&|$)", re.I)  # or ?id=100, ?articleId=…, ?id=SPO202007040056


def _looks_like_article(href: str) -> bool:
    parts = urlsplit(href)
    return bool(_ARTICLE_PATH_RE.search(parts.path) or _ID_PARAM_RE.search(parts.query) or slug_article(parts.path))


# createPageHTML(pages, current, "index", "shtml"): the count, then the file name and suffix
_TRS_PAGES_RE = re.compile(r"createPageHTML\(\s*(\d+)\s*,(?:\s*\d+\s*,\s*[\"']([\w-]+)[\"']\s*,\s*[\"'](\w+)[\"'])?")


_MONTH_DAY_RE = re.compile(r"\d{1,2}-\d{1,2}")
_DATE_EDGE = " \t[]()（）【】|·/"  # what stands around a month-day standing alone (03-05, [03-05])


def _date_in(text: str) -> str | None:
    """The first date in a row's text; a bare month-day must stand alone ("… 03-05"), not in words
    ("效率提升2-3倍", "1-3批次": a range, no date)."""
    for m in DATE_RE.finditer(text):
        value = m.group(0).strip()
        if _MONTH_DAY_RE.fullmatch(value) and not (
                (m.start() == 0 or text[m.start() - 1] in _DATE_EDGE)
                and (m.end() == len(text) or text[m.end()] in _DATE_EDGE)):
            continue
        return value
    return None


def parse_list(text: str, base_url: str, spec: dict[str, Any] | None = None) -> tuple[list[Entry], Any]:
    """Entries of an HTML list page. Returns (entries, lxml root) — the root finds the next page.

    Without selectors a list the finder is not confident of is not returned: NotAList says what
    the best candidate was ("no confident list: the best candidate is a menu of 6 undated links").
    """
    found, root = _find(text, base_url, spec)
    if not found.confident:
        raise NotAList(code="no-confident-list", params={"candidate": [list(p) for p in found.parts],
                                                         "page_title": _title(root), "hint": _why_no_list(root, text)})
    return found.entries, root


def find_list(text: str, base_url: str, spec: dict[str, Any] | None = None) -> ListFinding:
    """The best list on the page with its confidence and a one-line description (never raises
    for an unsure answer: probe and the onboarding benchmark show it)."""
    return _find(text, base_url, spec)[0]


def _find(text: str, base_url: str, spec: dict[str, Any] | None) -> tuple[ListFinding, Any]:
    root = _html_root(text, base_url)
    spec = spec or {}
    if spec.get("script_link"):
        _links_from_script_args(root, spec["script_link"], base_url)
    entries: list[Entry] = []
    if spec.get("items"):
        link_css = spec.get("link") or "a"
        for node in _select(root, spec["items"]):
            links = [a for a in _select(node, link_css) if a.get("href")] if link_css else []
            if not links and node.tag == "a" and node.get("href"):
                links = [node]
            if not links:
                continue
            a = links[0]
            href = a.get("href", "").strip()
            # a row the selectors call an item whose link opens from script with no address in it
            # is an item all the same: collectors.entry_checks skips it and says so
            if not _is_item_href(href) and not _OTHER_SCHEME_RE.match(href):
                continue
            title = ""
            if spec.get("title"):
                t = _select(node, spec["title"])
                if t:
                    title = t[0].get("title") or _text(t[0])
            if not title:
                title = a.get("title") or _text(a)
            date = None
            if spec.get("date"):
                d = _select(node, spec["date"])
                if d:
                    date = _text(d[0]) or None
            else:
                date = _date_in(_text(node).replace(_text(a), " ", 1))
            entries.append(Entry(url=_strip_fragment(href), title=_clean(title), list_date=date))
        if not entries and not _empty_list_container(root, spec["items"]):
            raise NotAList(code="no-selector-match", params={"selector": spec["items"], "page_title": _title(root)})
        return ListFinding(_dedupe(entries), 1.0, [("rows-matching", {"n": len(entries), "selector": spec["items"]})],
                           "selectors"), root
    html_entries, container, others, cards = _guess(root)
    candidates = [judge(_dedupe(html_entries), container, page_url=base_url, cards=cards)] if html_entries else []
    dated = any(e.list_date for e in html_entries)
    rival = max((len(v) for v in others), default=0)
    if candidates and dated and (home := portal_home(len(html_entries), [len(v) for v in others])):
        candidates[0].confidence = round(candidates[0].confidence * 0.45, 3)
        candidates[0].parts.append(home)
    elif candidates and not dated and rival >= LIKE_LIST_MIN and 2 * rival >= len(html_entries):
        # two long runs of undated links (a home page's 要闻 and 最新, or two tabs): no date tells
        # which is the page's own list, as the dates of a list page's rows would
        candidates[0].confidence = round(candidates[0].confidence * 0.6, 3)
        candidates[0].parts.append(("beside-undated-list", {"rival": rival}))
    elif candidates and container is not None:
        rivals = _alike_lists(root, container)
        if rivals >= 2:  # a ranking page: nine tables of ten, none the page's own list
            candidates[0].confidence = round(candidates[0].confidence * 0.6, 3)
            candidates[0].parts.append(("alike-lists", {"k": rivals + 1}))
    data = data_lists(root, text, base_url, _guess_list, spec)
    for d in data:
        d.entries = _dedupe(d.entries)
    best = candidates[0] if candidates else None
    for d in data:  # the page's own data wins over a menu, or over a shorter list
        if d.entries and d.confident and (best is None or not best.confident or len(d.entries) > len(best.entries)):
            best = d
    if best is None:
        # say what there was: a script list without addresses, an unsure data list, or the menu
        unsure = next((d for d in data if not d.entries), None) or max(
            data, key=lambda d: d.confidence, default=None) or _menu(root)
        if unsure is not None:
            return unsure, root
        title = _title(root)
        raise NotAList(code="no-list-found-titled" if title else "no-list-found",
                       params={"page": title, "hint": _why_no_list(root, text)})
    if not best.confident:
        better = max((d for d in data if d.entries), key=lambda d: d.confidence, default=None)
        if better is not None and better.confidence > best.confidence:
            best = better
    for e in best.entries:
        e.warnings.extend(best.notes)
    return best, root


_REFRESH_RE = re.compile(r"url\s*=\s*['\"]?([^'\";\s]+)", re.I)
_SCRIPT_ARGS_RE = re.compile(r"\(([^()]*)\)")


def _script_only(a: Any) -> bool:
    """A link that opens its page from script with no address in it (``openArticle('6')``)."""
    href = (a.get("href") or "").strip()
    return not _is_item_href(href) and (href.lower().startswith("javascript:") or bool(a.get("onclick")))


def _links_from_script_args(root: Any, template: str, base_url: str) -> None:
    """``list.script_link = "/content.jsp?id={0}"``: the address a site's script builds from the
    arguments of its call (``javascript:openArticle('6', 'news')`` → {0} = 6, {1} = news)."""
    for a in root.iter("a"):
        if not _script_only(a):
            continue
        m = _SCRIPT_ARGS_RE.search(f"{a.get('href') or ''} {a.get('onclick') or ''}")
        if not m:
            continue
        args = [x.strip().strip("'\"") for x in m.group(1).split(",")]
        try:
            a.set("href", urljoin(base_url, template.format(*args)))
        except (IndexError, KeyError, ValueError):
            continue


def _why_no_list(root: Any, page: str) -> list[Any] | None:
    """What an operator needs to know about a page with no list: where it really is, if it says
    (a part of collectors.errors.FINDING, as a JSON-able [code, params])."""
    for meta in root.iter("meta"):
        if (meta.get("http-equiv") or "").lower() == "refresh" and (m := _REFRESH_RE.search(meta.get("content") or "")):
            return ["meta-refresh", {"url": urljoin(_base_of(root), m.group(1))}]
    frames = [f.get("src") for f in root.iter("frame", "iframe") if f.get("src")]
    links = sum(1 for _ in root.iter("a"))
    if frames and links < 10:
        return ["frames", {"url": frames[0]}]
    if _parse_lost_text(root, page):
        return ["too-deep", {}]
    by_script = sum(1 for a in root.iter("a") if _script_only(a))
    if by_script >= 5:
        return ["script-links", {"n": by_script}]
    scripts = " ".join(s.text or "" for s in root.iter("script"))
    if links < 5 and ("document.cookie" in scripts or "__jsl_clearance" in scripts):
        return ["script-challenge", {}]
    if links < 5 and len(scripts) > 2000:
        return ["script-built", {}]
    return None


def _base_of(root: Any) -> str:
    return root.base_url or ""


def _title(root: Any) -> str | None:
    """The page's title (to 80 characters): an error or login page answered with 200 names itself."""
    t = root.find(".//title")
    return (_clean(t.text_content())[:80] or None) if t is not None else None


def _empty_list_container(root: Any, items_css: str) -> bool:
    """True when the list's container is on the page but holds no entries (a site with nothing yet)."""
    parts = items_css.strip().rsplit(" ", 1)
    if len(parts) < 2 or not parts[0].strip(" >"):
        return False
    return bool(_select(root, parts[0].strip(" >")))


def _dedupe(entries: list[Entry]) -> list[Entry]:
    seen: set[str] = set()
    out = []
    for e in entries:
        key = e.url if not e.url.lower().startswith("javascript:") else f"{e.url}\x00{e.title}"
        if key in seen:
            continue
        seen.add(key)
        out.append(e)
    return out


# "top" alone is not enough: headers and navigation bars are called that too
_PINNED_RE = re.compile(r"置顶|(?:^|[\s_-])(?:zhiding|zd|sticky|pinned?|(?:is|set)[-_]?top)(?:$|[\s_-])", re.I)


def _pinned(el: Any, text: str | None = None) -> bool:
    """A row or block marked as pinned (置顶): a class, or the word in its text."""
    return bool(_PINNED_RE.search(el.get("class") or "") or "置顶" in (text if text is not None else _text(el))[:300])


def _date_inside(a: Any) -> str | None:
    """A date in its own element inside the link (``<a>标题<span>2025-03-01</span></a>``); a date
    that is part of the title's words is not the item's date."""
    for el in a.iterdescendants():
        if not isinstance(el.tag, str):
            continue  # a comment inside the link (React's <!-- react-text -->): no text of its own
        text = _text(el)
        if text and len(text) <= 25 and (m := DATE_RE.fullmatch(text.strip("[]()（） "))):
            return m.group(0)
    return None


MAX_ROW_LINKS = 16  # a forum thread: title, author, last reply, and its own pages 2…54


def _menu(root: Any) -> ListFinding | None:
    """The largest group of sibling one-link rows of any kind (a menu, most likely): not a list to
    return, but what to name when nothing better is on the page."""
    best: list[Entry] = []
    container = None
    for parent in root.iter("ul", "ol", "div", "dl", "tbody", "nav", "p"):
        found = []
        for row in parent:
            if not isinstance(row.tag, str):
                continue
            links = []
            for a in row.iter("a"):  # one link makes a menu row; a second ends the look
                if _is_item_href((a.get("href") or "").strip()):
                    links.append(a)
                    if len(links) > 1:
                        break
            if len(links) == 1 and _text(links[0]):
                found.append(Entry(url=_strip_fragment(links[0].get("href").strip()), title=_clean(_text(links[0]))))
        if len(found) > len(best):
            best, container = found, parent
    return judge(best, container) if len(best) >= 3 else None


def _alike_lists(root: Any, container: Any) -> int:
    """Other blocks shaped like the chosen list's (same tag and class, as many link rows or
    nearly): side by side they are a page of alike lists, none of them plainly the page's."""
    shape = _shape(container)
    rows = sum(1 for c in container if isinstance(c.tag, str) and c.find(".//a") is not None)
    found = 0
    for el in root.iter(container.tag):
        if el is container or _shape(el) != shape:
            continue
        k = sum(1 for c in el if isinstance(c.tag, str) and c.find(".//a") is not None)
        if rows and k >= 0.8 * rows and k >= 3:
            found += 1
            if found > 20:
                break
    return found


def _guess_list(root: Any) -> tuple[list[Entry], Any]:
    """The largest group of same-shaped sibling rows each holding a link and a date (see _guess)."""
    entries, container, _, _ = _guess(root)
    return entries, container


MAX_ROW_TEXT = 300  # characters of a row outside its excerpt: more is a block of content, not a row
MAX_CARD = 20_000  # …of a story card with its excerpt (a search result's excerpt can be a whole document)
EXCERPT_MIN = 50  # a paragraph this long beside the title is the story's excerpt, not its date line
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_ISO_RE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")
# what may stand beside a date in a day heading (2025-04-22 星期二, 4月22日·周二): no other words
_HEADING_REST_RE = re.compile(r"[\s·•,，.:：\-—|()（）\[\]星期周礼拜一二三四五六日天A-Za-z]*")


def _excerpt(row: Any, title: Any, title_len: int) -> Any | None:
    """The row's excerpt: its longest paragraph that neither is nor holds nor sits in the title
    link, 50 characters or more and longer than the title (a story card, a search result)."""
    least = max(EXCERPT_MIN, title_len + 1)
    up = set(title.iterancestors())
    best, most = None, 0
    for p in row.iter("p"):
        if p is row or p is title or p in up:
            continue
        n = len(_text(p))
        if n > most and not any(x is title for x in p.iterancestors()):
            best, most = p, n
    return best if most >= least else None


def _text_outside(row: Any, skip: Any) -> str:
    """The row's text as _text reads it, without the *skip* element's (its excerpt)."""
    parts: list[str] = []

    def walk(el: Any) -> None:
        if isinstance(el.tag, str) and el.text:
            parts.append(el.text)
        for c in el:
            if c is not skip:
                walk(c)
            if c.tail:
                parts.append(c.tail)

    walk(row)
    return _text("".join(parts))


def _time_attr(row: Any, skip: Any) -> str | None:
    """The machine form of a date the row shows in a <time> element (``datetime="2025-04-25T13:26:46-07:00"``
    under "April 25, 2025 1:26 PM"), outside its excerpt."""
    for t in row.iter("time"):
        value = (t.get("datetime") or "").strip()
        if value and _ISO_RE.match(value) and _text(t) and (skip is None or not any(x is skip for x in t.iterancestors())):
            return value
    return None


def _in_heading(row: Any, a: Any) -> bool:
    """The link is the headline of its row: inside an <h1>…<h6> of the row."""
    for x in a.iterancestors():
        if x is row:
            return row.tag in _HEADINGS
        if x.tag in _HEADINGS:
            return True
    return False


def _day_heading(el: Any) -> str | None:
    """The date of a day heading (``<h3>2025-04-22 星期二</h3>``): no link, a date and at most a
    weekday beside it; None for anything else."""
    if not isinstance(el.tag, str) or any(a.get("href") for a in el.iter("a")) or not _short(el, 40, strip=True):
        return None
    text = _text(el)
    m = DATE_RE.search(text)
    return m.group(0).strip() if m and _HEADING_REST_RE.fullmatch(text[:m.start()] + text[m.end():]) else None


def _heading_dates(parent: Any, rows: list[Any], days: dict[Any, int]) -> dict[int, str]:
    """Rows grouped under day headings: each row gets the date of the heading above it, among its
    siblings (``<div>2025-04-22 星期二</div>`` then that day's rows, then the next day's heading),
    or just before its block (``<h3>2025-04-22</h3><ul>…</ul><h3>2025-04-21</h3><ul>…</ul>``). Only
    where a heading stands over two rows or more: a date in its own element beside every row is
    that row's date, not a heading. (*days*: day headings counted per container, each counted once.)"""
    mine = {id(r) for r in rows}
    out: dict[int, str] = {}
    current, heads = None, 0
    for child in parent:
        if id(child) in mine:
            if current:
                out[id(child)] = current
        elif (day := _day_heading(child)) is not None:
            current, heads = day, heads + 1
    if heads:
        return out if 2 * heads <= len(out) else {}
    before = parent.getprevious()
    while before is not None and _is_separator(before):
        before = before.getprevious()
    day = _day_heading(before) if before is not None and len(rows) >= 2 else None
    # …and the blocks' container holds more than one day heading: a date bar above a list that is
    # not grouped by day (今天是 … 星期五 in the page's header) dates none of its rows
    if not day:
        return {}
    up = parent.getparent()
    if up is None:
        return {}
    if up not in days:
        days[up] = sum(1 for c in up if _day_heading(c) is not None)
    if days[up] < 2:
        return {}
    return {id(r): day for r in rows}


def _guess(root: Any) -> tuple[list[Entry], Any, list[list[Entry]], int]:
    """The largest group of same-shaped sibling rows (li/tr/dd/p/div/article) each holding a link and a date.

    Undated rows of that group are kept when they are pinned (置顶) or few; a pinned block just
    before the list is put in front of it; dates are never taken from the titles themselves, nor
    from a story card's excerpt. Rows without dates make a list when their links are articles' or
    the rows are story cards (a headline in a heading, with an excerpt or a <time>). Returns the
    entries, their container, the page's other lists, and how many entries are story cards.
    """
    rows: dict[tuple[Any, str], list[tuple[Entry, bool, bool]]] = defaultdict(list)  # (entry, dated, pinned)
    undated: dict[tuple[Any, str], list[Entry]] = defaultdict(list)
    seen: dict[tuple[Any, str], list[tuple[Any, list[Any], str, int, bool, Any]]] = defaultdict(list)
    cards: set[int] = set()
    day_counts: dict[Any, int] = {}
    for row in root.iter("li", "tr", "tbody", "dd", "dt", "p", "div", "h3", "h4", "article"):  # a tbody per row: Discuz
        # A row has at most three links, or up to MAX_ROW_LINKS when one of them is the title (a
        # picture, a tag, the author, a comment count, a thread's own pages beside it), and 300
        # characters outside its excerpt: stop reading a block as soon as it cannot be one, or a
        # page of deeply nested blocks costs depth × size.
        links = []
        for a in row.iter("a"):
            if _is_item_href(a.get("href", "").strip()):
                links.append(a)
                if len(links) > MAX_ROW_LINKS:
                    break
        if not links or len(links) > MAX_ROW_LINKS:
            continue
        short = _short(row, 1200, strip=True)
        row_text = _text(row) if short else ""
        # a paragraph may be the excerpt only in a row with text enough for one beside its title
        has_p = (not short or len(row_text) >= EXCERPT_MIN + 4) and row.find(".//p") is not None
        if not has_p and (not short or len(row_text) > MAX_ROW_TEXT):
            continue
        if not short and not _short(row, MAX_CARD, strip=True):
            continue
        sizes = sorted(((len(_text(x)), i) for i, x in enumerate(links)), reverse=True)
        excerpt = _excerpt(row, links[sizes[0][1]], sizes[0][0]) if has_p and (
            not short or len(row_text) >= EXCERPT_MIN + sizes[0][0]) else None
        if excerpt is not None:
            row_text = _text_outside(row, excerpt)
        elif not short:
            continue
        if len(row_text) > MAX_ROW_TEXT:
            continue
        top = links[sizes[0][1]].get("href")
        dominant = len(sizes) == 1 or sizes[0][0] >= 8 and (  # the title: far the longest, or its picture beside it
            sizes[0][0] >= 1.6 * sizes[1][0] or sum(1 for x in links if x.get("href") == top) > 1)
        seen[(row.getparent(), row.tag)].append((row, links, row_text, sizes[0][1], dominant, excerpt))
    for key, found in seen.items():
        # the title's place in the group's rows, where the plain rows agree on one: the rows whose
        # title is not plainly the longest link take theirs from there
        slot = _title_slot(found) if len(found) >= 3 else None
        heads: dict[int, str] | None = None
        for row, links, row_text, longest, dominant, excerpt in found:
            a = _in_slot(row, links, slot) if slot else None
            if a is None and len(links) > 3 and not dominant:
                continue
            slotted, a = a is not None, a if a is not None else links[longest]
            title = a.get("title") or _text(a)
            if len(title) < 4 and not slotted:  # (a short title at the title's place is a title: "🎁🎁")
                continue
            dominant = dominant or slotted
            date = _date_in(row_text.replace(_text(a), " ", 1))
            if not date and excerpt is not None:
                date = _date_inside(excerpt)  # a date in its own element of the excerpt
            if not date and (date := _date_inside(a)) and not a.get("title"):
                title = title.replace(date, " ")
            if not date:
                date = _time_attr(row, excerpt)
            if not date and len(found) >= 2:
                if heads is None:
                    heads = _heading_dates(key[0], [f[0] for f in found], day_counts)
                date = heads.get(id(row))
            href = a.get("href").strip()
            entry = Entry(url=_strip_fragment(href), title=_clean(title), list_date=date)
            rows[key].append((entry, bool(date), _pinned(row, row_text)))
            card = _in_heading(row, a) and (excerpt is not None or next(row.iter("time"), None) is not None)
            if card:
                cards.add(id(entry))
            if not date and dominant and (card or _looks_like_article(href)):  # (titles of 4+; see _undated_lists)
                undated[key].append(entry)
    # an undated group is a list when at least three of its titles are a sentence (6+ characters);
    # its shorter titles ("文化中国行") then belong to it too
    undated = defaultdict(list, {k: v for k, v in undated.items() if sum(1 for e in v if len(e.title) >= 6) >= 3
                                 or all(len(e.title) >= 6 for e in v)})
    groups: dict[tuple[Any, str], list[Entry]] = {}
    for key, found in rows.items():
        dated = sum(1 for _, d, _ in found if d)
        if not dated:
            continue
        few = (len(found) - dated) * 3 <= dated
        # every row dated or an article link: one list whose rows show a date or not (a forum's
        # threads, a feed's stories with "3 小时前" beside most of them)
        mixed = len(found) >= 5 and dated + len(undated[key]) >= 0.8 * len(found)
        articles = {id(e) for e in undated[key]} if few or mixed else set()
        groups[key] = [e for e, d, pin in found if d or pin or id(e) in articles]

    def n_cards(entries: list[Entry]) -> int:
        return sum(1 for e in entries if id(e) in cards)

    joined = _split_lists(groups)
    best: list[Entry] = max([*groups.values(), *joined], key=len) if groups else []
    plain, plain_in = _largest(undated)
    if plain and len(plain) >= max(5, 2 * len(best)) and \
            sum(1 for e in best if e.list_date) * 2 < len(best):
        # an undated list twice the size of a mostly undated "dated" one
        return plain, plain_in, _other_boxes(undated, plain), n_cards(plain)
    if len(best) >= 2:
        key = next((k for k, v in groups.items() if v is best), None)
        mine = {id(e) for e in best}
        others = [v for v in groups.values() if len(v) >= 3 and not any(id(e) in mine for e in v)]
        if key is not None:
            found = _pinned_block_before(best, groups, rows) + best
            return found, key[0], others, n_cards(found)
        first = next(k for k, v in groups.items() if v and v[0] is best[0])
        return best, first[0].getparent(), others, n_cards(best)
    # Lists without dates (some TRS sites): sibling rows whose single link looks like an article.
    if len(plain) < 3:
        return [], None, [], 0
    return plain, plain_in, _other_boxes(undated, plain), n_cards(plain)


def _largest(undated: dict[tuple[Any, str], list[Entry]]) -> tuple[list[Entry], Any]:
    """The largest undated list and its container: one group of rows, or the nested blocks of one
    list joined again (a day's block inside the day's before, see _nested_runs)."""
    key = max(undated, key=lambda k: len(undated[k])) if undated else None
    best, container = (undated[key], key[0]) if key is not None else ([], None)
    for run in _nested_runs(undated, _is_separator):  # (not siblings: tabs of undated lists are alike)
        if len(run) > len(best):
            first = next(k for k, v in undated.items() if v and v[0] is run[0])
            best, container = run, first[0].getparent()
    return best, container


def _other_boxes(undated: dict[tuple[Any, str], list[Entry]], chosen: list[Entry]) -> list[list[Entry]]:
    """The page's other boxes of undated article links, outside its navigation and holding none of
    the chosen list's links (a block around the same rows is the same list)."""
    mine = {e.url for e in chosen}
    return [v for k, v in undated.items() if len(v) >= 3 and not in_navigation(k[0])
            and not any(e.url in mine for e in v)]


def _link_place(row: Any, a: Any) -> tuple[str, ...]:
    """Where a link stands in its row: the tags down to it and its own class."""
    path = [f"a.{' '.join((a.get('class') or '').split())}"]
    node = a.getparent()
    while node is not None and node is not row and len(path) < 10:
        path.append(str(node.tag))
        node = node.getparent()
    return tuple(path)


def _slots(row: Any, links: list[Any]) -> list[tuple[tuple[str, ...], int]]:
    """Each link's place in its row, with how many links stood there before it (the second
    plain <a> of a row is not its first)."""
    count: dict[tuple[str, ...], int] = defaultdict(int)
    out = []
    for a in links:
        place = _link_place(row, a)
        out.append((place, count[place]))
        count[place] += 1
    return out


def _title_slot(found: list[tuple[Any, list[Any], str, int, bool, Any]]) -> tuple[tuple[str, ...], int] | None:
    """The place the title link holds in the rows of one group, voted by the rows whose title is
    plain (far the longest link): a forum thread titled "龙吟大砍？" beside its author's longer name,
    or its "昨天 17:50" last-reply link, still gets its title from that place."""
    votes: dict[tuple[tuple[str, ...], int], int] = defaultdict(int)
    plain = 0
    for row, links, _, longest, dominant, _ in found:
        if dominant and len(links) > 1:
            votes[_slots(row, links)[longest]] += 1
            plain += 1
    if not votes:
        return None
    slot, n = max(votes.items(), key=lambda kv: kv[1])
    return slot if n >= 3 and n >= 0.6 * plain else None


def _in_slot(row: Any, links: list[Any], slot: tuple[tuple[str, ...], int]) -> Any:
    """The row's link at the title's place, if it has one with words."""
    if len(links) == 1:
        return None
    for a, place in zip(links, _slots(row, links), strict=True):
        if place == slot:
            return a if (a.get("title") or _text(a)).strip() else None
    return None


def _pinned_block_before(best: list[Entry], groups: dict[tuple[Any, str], list[Entry]],
                         rows: dict[tuple[Any, str], list[tuple[Entry, bool, bool]]]) -> list[Entry]:
    """The entries of a pinned (置顶) block standing just before the chosen list, if any."""
    key = next(k for k, v in groups.items() if v is best)
    prev = key[0].getprevious()
    while prev is not None and _is_separator(prev):
        prev = prev.getprevious()
    if prev is None or not _short(prev, 2000):
        return []
    found = rows.get((prev, key[1]), [])
    if found and all(pin for _, _, pin in found):
        return [e for e, _, _ in found]
    if not _pinned(prev):
        return []
    # a marked block: its rows, at any depth (<div class="top"><h3>置顶</h3><ul>…</ul></div>)
    return [e for el in prev.iter() for e, _, _ in rows.get((el, key[1]), [])]


def _shape(el: Any) -> tuple[str, str]:
    return el.tag, " ".join((el.get("class") or "").split())


_EMBEDS = ("iframe", "video", "embed", "object", "ins")


def _is_separator(el: Any) -> bool:
    """A rule, spacer or empty block between parts of one list: no link, (almost) no text; or an
    ad or video slot standing between them (a player frame under a caption of a few words)."""
    if not isinstance(el.tag, str) or el.tag in ("script", "style", "br", "hr"):
        return True  # a comment, or nothing a reader sees as content
    if any(a.get("href") for a in el.iter("a")):
        return False
    if _short(el, 3, strip=True):
        return True
    return next(el.iter(*_EMBEDS), None) is not None and _visible_short(el, 20)


def _visible_short(el: Any, limit: int) -> bool:
    """True when the text a reader sees in *el* (its style and script aside) is at most *limit*."""
    seen = 0
    for x in el.iter():
        if isinstance(x.tag, str) and x.tag not in ("script", "style") and x.text:
            seen += len(x.text.strip())
        if x is not el and x.tail:
            seen += len(x.tail.strip())
        if seen > limit:
            return False
    return True


def _split_lists(groups: dict[tuple[Any, str], list[Entry]]) -> list[list[Entry]]:
    """One list cut into same-shaped blocks (five rows per <ul>, a rule between: common on news
    and government sites) is joined again; the blocks must be consecutive siblings, or sit alone
    in consecutive same-shaped wrappers (a side box beside it in some, if two hold theirs alone),
    with nothing but
    separators between them, so that two
    different lists under their own headings are never joined. Linear in the page: each element
    is judged once (a hostile page of 20,000 one-row lists costs no more than its parse)."""
    separator: dict[Any, bool] = {}
    content_children: dict[Any, int] = {}

    def is_sep(el: Any) -> bool:  # (a day heading between a day's block and the next's, too)
        if el not in separator:
            separator[el] = _is_separator(el) or _day_heading(el) is not None
        return separator[el]

    def alone_in(up: Any) -> bool:  # up holds one child that is not a separator
        if up not in content_children:
            content_children[up] = sum(1 for c in up if not is_sep(c))
        return content_children[up] == 1

    out: list[list[Entry]] = []
    for levels in (0, 1, 2):
        # a wrapper holding a side box beside its block (the first page's "Most Read") still
        # belongs to a run of wrappers that hold their block alone: two of those make the run
        blocks: dict[Any, tuple[tuple[Any, ...], list[Entry], bool]] = {}
        for (parent, tag), entries in groups.items():
            node, chain, alone = parent, [_shape(parent), tag], True
            for _ in range(levels):
                up = node.getparent()
                if up is None:
                    node = None
                    break
                alone = alone and alone_in(up)
                node = up
                chain.append(_shape(node))
            if node is not None and node.getparent() is not None:
                blocks[node] = (tuple(chain), entries, alone)
        for container in {b.getparent() for b in blocks}:
            run: list[tuple[list[Entry], bool]] = []
            shape: tuple[Any, ...] | None = None
            for child in container:
                block = blocks.get(child)
                if block is not None and block[0] == shape:
                    run.append((block[1], block[2]))
                    continue
                if block is None and is_sep(child):
                    continue
                if len(run) > 1 and sum(alone for _, alone in run) >= 2:
                    out.append([e for part, _ in run for e in part])
                run, shape = ([(block[1], block[2])], block[0]) if block is not None else ([], None)
            if len(run) > 1 and sum(alone for _, alone in run) >= 2:
                out.append([e for part, _ in run for e in part])
    out.extend(_nested_runs(groups, is_sep))
    return out


def _nested_runs(groups: dict[tuple[Any, str], list[Entry]], is_sep: Callable[[Any], bool]) -> list[list[Entry]]:
    """One list whose blocks nest each in the one before (a day's block left open, the next day's
    inside it as its last child: 94 days deep on ai-bot.cn), joined again from the outermost block."""
    out: list[list[Entry]] = []
    for (parent, tag), entries in groups.items():
        up = parent.getparent()
        if up is not None and (up, tag) in groups and _shape(up) == _shape(parent):
            continue  # not the outermost block of a chain
        chain, node = [entries], parent
        while True:
            last = next((c for c in reversed(node) if not is_sep(c)), None)
            if last is None or _shape(last) != _shape(node) or (last, tag) not in groups:
                break
            chain.append(groups[(last, tag)])
            node = last
        if len(chain) > 1:
            out.append([e for part in chain for e in part])
    return out


def next_page_url(root: Any, current: str, page: int, how: str | None, first_url: str) -> str | None:
    """The URL of list page *page* (2, 3, …) for the pagination scheme *how*."""
    if not how:
        return None
    parts = urlsplit(first_url)
    path = parts.path
    if how == "trs":  # TRS WCM createPageHTML: index.html, index_1.html, index_2.html …
        name, suffix = "index", "html"
        for script in root.iter("script"):
            m = _TRS_PAGES_RE.search(script.text or "")
            if m and page > int(m.group(1)):
                return None  # the page count is declared: no request past the last page
            if m and m.group(2):
                name, suffix = m.group(2), m.group(3)
        base, dot, ext = path.rpartition(".")
        if not dot or "/" in ext:  # a directory address: the script names the files
            base, ext = path.rstrip("/") + "/" + name, suffix
        return urlunsplit(parts._replace(path=f"{base}_{page - 1}.{ext}"))
    if how == "ucap":  # 开普云 / hlj cluster: common_list.shtml, common_list_2.shtml …
        base, dot, ext = path.rpartition(".")
        if not dot or "/" in ext:
            base, ext = path.rstrip("/") + "/index", "shtml"
        return urlunsplit(parts._replace(path=f"{base}_{page}.{ext}"))
    if how == "hanweb":  # 大汉 jpage: ?uid=…&pageNum=2
        q = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "pageNum"]
        q.append(("pageNum", str(page)))
        return urlunsplit(parts._replace(query=urlencode(q)))
    links = [a for a in _select(root, how) if a.get("href")]
    if not links:
        return None
    nxt = _strip_fragment(links[0].get("href").strip())
    return nxt if _is_item_href(nxt) and nxt != current else None
