"""Parse decoded pages into entries: RSS/Atom feeds, HTML list pages, detail pages, JSON lists.

Selectors and field paths are data (``Source.list``, ``Source.detail``, ``Source.json``). Without
them (``probe`` on a new site) the list is found by looking for the largest group of sibling
links that carry dates. Dates are passed through exactly as written; nothing is invented.
"""

from __future__ import annotations

import html as html_lib
import json as jsonlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import feedparser
import lxml.etree
import lxml.html
import trafilatura
from cssselect import SelectorError
from lxml.cssselect import CSSSelector

from collectors.decoding import decode_bytes, repair_mojibake
from collectors.errors import CollectError, NotAFeed, NotAList, ParseError

__all__ = ["Entry", "Detail", "parse_feed", "parse_list", "parse_detail", "parse_json", "next_page_url",
           "looks_like_feed", "looks_like_json", "DATE_RE", "ATTACHMENT_EXTS"]

META_NAMES = ("ArticleTitle", "PubDate", "ColumnName", "ContentSource", "SiteName", "Keywords",
              "Description", "Author", "ColumnKeywords", "ColumnDescription", "ColumnType", "Url")
# Files a government page attaches to a story (WPS/OFD/CEB are the Chinese office formats).
ATTACHMENT_EXTS = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".wps", ".et", ".dps", ".ppt", ".pptx", ".zip",
                   ".rar", ".7z", ".ofd", ".ceb", ".tif", ".txt", ".csv")
DATE_RE = re.compile(  # one separator style per date: "2025年1-2月" is no date
    r"(\d{4}\s*(?:-\s*\d{1,2}\s*-|/\s*\d{1,2}\s*/|\.\s*\d{1,2}\s*\.|年\s*\d{1,2}\s*月)\s*\d{1,2}\s*日?"
    r"(?:[\sT\-]*\d{1,2}[:时]\d{1,2}(?::\d{1,2})?)?"
    r"|\[\s*\d{1,2}-\d{1,2}\s*\]|(?<!\d)\d{1,2}-\d{1,2}(?!\d))"
)
_FULL_DATE_RE = re.compile(r"\d{4}\s*(?:-\s*\d{1,2}\s*-|/\s*\d{1,2}\s*/|\.\s*\d{1,2}\s*\.|年\s*\d{1,2}\s*月)\s*\d{1,2}")
_WS_RE = re.compile(r"\s+")
_ARTICLE_PATH_RE = re.compile(r"\d{4,}")  # article URLs carry a date or a numeric id
_ID_PARAM_RE = re.compile(r"(?:^|&)\w*id=(?:\d+|[0-9a-f-]{8,})(?:&|$)", re.I)  # or ?id=100, ?articleId=…


def _looks_like_article(href: str) -> bool:
    parts = urlsplit(href)
    return bool(_ARTICLE_PATH_RE.search(parts.path) or _ID_PARAM_RE.search(parts.query))
# A labelled date on a detail page; the label says which date it is (see _DATE_LABEL_RANK).
_DATE_LABEL_RE = re.compile(r"(?P<label>发布时间|发布日期|发文日期|成文日期)\s*[:：]\s*(?P<date>" + DATE_RE.pattern + ")")
# 发布 is when it was published; 发文 (issued) stands in for it, 成文 (written) only when nothing else is there
_DATE_LABEL_RANK = {"发布时间": 0, "发布日期": 0, "发文日期": 1, "成文日期": 2}
# "来源：市政府办公室": the label stands alone (not 资金来源/数据来源 in a sentence); the value is one run
# of text up to a space, an element boundary or punctuation, or straight into the next label's colon
_SOURCE_VALUE_CHARS = r"[^\s|｜:：,，。;；、!！?？()（）【】\[\]<>《》\"'“”‘’]"
_SOURCE_LABEL_RE = re.compile(r"(?<![\u3400-\u9fff])(?:信息|文章|稿件|新闻|本文|内容)?来源\s*[:：]\s*"
                              rf"(?P<value>{_SOURCE_VALUE_CHARS}{{1,60}})(?:(?P<colon>[:：])|(?!{_SOURCE_VALUE_CHARS}))")
# the next field's label a source ran into ("市应急局作者：张三")
_FIELD_LABEL_END_RE = re.compile(
    r"(?:发布时间|发布日期|发文日期|成文日期|日期|时间|作者|责任编辑|编辑|浏览次数|浏览量|浏览|点击数|点击量|点击|"
    r"阅读量|阅读数|阅读|访问量|访问次数|字号|字体|分享到|分享|打印|索引号|文号|发布机构|撰稿|审核|摄影|供稿|记者|通讯员)$")
# createPageHTML(pages, current, "index", "shtml"): the count, then the file name and suffix
_TRS_PAGES_RE = re.compile(r"createPageHTML\(\s*(\d+)\s*,(?:\s*\d+\s*,\s*[\"']([\w-]+)[\"']\s*,\s*[\"'](\w+)[\"'])?")


@dataclass
class Entry:
    """One item as seen on a list page, in a feed or in a JSON list."""

    url: str
    title: str
    guid: str | None = None
    published: str | None = None
    list_date: str | None = None
    html: str = ""
    has_body: bool = False  # the body came with the entry (feed, JSON): no detail page needed
    meta: dict[str, str] = field(default_factory=dict)
    attachments: list[dict[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    title_from: str | None = None  # "page-title": only the page's <title> tag named it (a last resort)


@dataclass
class Detail:
    """What a detail page yielded."""

    title: str | None
    published: str | None
    html: str
    source: str | None
    canonical: str | None
    meta: dict[str, str]
    attachments: list[dict[str, str]]
    warnings: list[str] = field(default_factory=list)  # e.g. the mojibake repair note
    # where the title came from: "meta" (ArticleTitle), "selector", "heading" (an <h1>… that looks
    # like the story's title) or "page-title" (the <title> tag, site/column suffix cut): a list's
    # own title is better than the last one
    title_from: str | None = None


def _text(el: Any) -> str:
    return _WS_RE.sub(" ", el.text_content() if hasattr(el, "text_content") else str(el)).strip()


def _clean(s: str | None) -> str:
    if not s:
        return ""
    fixed, _ = repair_mojibake(_WS_RE.sub(" ", s).strip())
    return fixed


def _select(root: Any, css: str) -> list[Any]:
    try:
        return CSSSelector(css)(root)
    except (SelectorError, lxml.etree.XPathError) as exc:
        raise ParseError(f"invalid CSS selector {css!r}: {exc}") from None


def _html_root(text: str, base_url: str) -> Any:
    text = text.lstrip("\ufeff")
    if text.startswith("<?xml"):
        text = re.sub(r"^<\?xml[^>]*\?>", "", text)
    if not text.strip():
        raise ParseError("empty page")
    try:
        root = lxml.html.document_fromstring(text)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise ParseError(f"not parseable as HTML: {exc}") from None
    base = root.find(".//base")
    href = base.get("href") if base is not None else None
    base_url = urljoin(base_url, href) if href else base_url
    _script_links(root, base_url)
    for el in root.iter("a", "area", "link", "img", "iframe", "frame"):
        for attr in ("href", "src"):  # "\art\2025\…": browsers read back-slashes as slashes
            value = el.get(attr)
            if value and "\\" in value and not value.lstrip().lower().startswith(("javascript:", "data:")):
                el.set(attr, value.replace("\\", "/"))
    root.make_links_absolute(base_url, resolve_base_href=False, handle_failures="ignore")
    return root


# a quoted address in a link's script: absolute, site-relative, ./ or ../, or a page file name
_SCRIPT_URL_RE = re.compile(
    r"""["']((?:https?://|/|\.\.?/)[^"'\s<>]+|[\w.-]+\.(?:s?html?|jsp|aspx?|php)(?:\?[^"'\s<>]*)?)["']""",
    re.IGNORECASE)


def _script_links(root: Any, base_url: str) -> None:
    """Links that open their page from script (``href="javascript:openWin('/art/…html')"``, or
    ``href="#" onclick="window.open('…')"``, common on government CMSs) get that address as href."""
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if href and not href.lower().startswith("javascript:") and not href.startswith("#"):
            continue
        script = (href if href.lower().startswith("javascript:") else "") + " " + (a.get("onclick") or "")
        m = _SCRIPT_URL_RE.search(script)
        if m:
            a.set("href", urljoin(base_url, m.group(1)))


# ---------------------------------------------------------------- feeds
def looks_like_feed(content: bytes, content_type: str) -> bool:
    head = content[:1024].lstrip().lower()
    if any(t in content_type for t in ("rss", "atom", "/xml", "+xml")):
        return True
    return head.startswith(b"<?xml") or b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head


_FEED_CHARSET_RE = re.compile(r"""charset\s*=\s*["']?([^;"'\s]+)""", re.I)
_XML_DECL_ENCODING_RE = re.compile(rb"""(<\?xml\s[^>]*?\bencoding\s*=\s*)(["'])[^"']*\2""", re.I)
_FEED_ROOT_RE = re.compile(rb"<((?:[\w.-]+:)?(?:rss|feed|RDF))[\s>]")
_FEED_ENTRY_RE = re.compile(rb"<(?:[\w.-]+:)?(item|entry)(?:\s[^<>]*)?>")


def _feed_as_utf8(content: bytes, headers: dict[str, str],
                  base_url: str) -> tuple[bytes, dict[str, str], list[str]]:
    """The feed re-encoded as UTF-8, with headers and XML declaration saying so, and the charset
    warnings. The charset is decided by decode_bytes (HTTP header → BOM → XML declaration →
    detection; GBK and lying declarations handled): left to guess, feedparser reads a whole UTF-8
    feed as ISO-8859-2 for one invalid byte. Bytes that fit no charset are passed on unchanged."""
    hdrs = dict(headers) if headers else {"content-location": base_url}
    ctype = next((v for k, v in hdrs.items() if k.lower() == "content-type"), "")
    m = _FEED_CHARSET_RE.search(ctype)
    try:
        decoded = decode_bytes(content, http_charset=m.group(1) if m else None)
    except CollectError:
        return content, hdrs, []
    data = decoded.text.encode("utf-8", errors="replace")
    data = _XML_DECL_ENCODING_RE.sub(rb"\1\2utf-8\2", data[:2048], count=1) + data[2048:]
    hdrs = {k: v for k, v in hdrs.items() if k.lower() != "content-type"}
    hdrs["content-type"] = "application/xml; charset=utf-8"
    return data, hdrs, decoded.warnings


def _feed_cut_off(data: bytes, entries: int) -> tuple[bool, bool]:
    """(the document ends before its root element is closed, its last entry is unfinished).

    The last entry counts as unfinished only when every entry start tag became an entry and the
    last one has no end tag (a start tag cut in half made no entry: the one before is whole)."""
    root = _FEED_ROOT_RE.search(data)
    if not root or re.search(rb"</" + re.escape(root.group(1)) + rb"\s*>", data[root.end():]):
        return False, False
    starts = list(_FEED_ENTRY_RE.finditer(data, root.end()))
    if not starts or len(starts) != entries or starts[-1].group(0).endswith(b"/>"):
        return True, False
    last = starts[-1]
    end = re.compile(rb"</(?:[\w.-]+:)?" + last.group(1) + rb"\s*>")
    return True, end.search(data, last.end()) is None


def parse_feed(content: bytes, headers: dict[str, str], base_url: str) -> tuple[list[Entry], list[str]]:
    """RSS/Atom via feedparser, given bytes; the charset is decided here (see _feed_as_utf8)."""
    data, feed_headers, warnings = _feed_as_utf8(content, headers, base_url)
    parsed = feedparser.parse(data, response_headers=feed_headers)
    found = list(parsed.entries)
    version = parsed.get("version") or ""
    if not version and not found:
        page = _html_page_title(content)
        if page is not None:  # an error, login or firewall page answered with 200
            raise NotAFeed(f"not an RSS/Atom feed: the server sent an HTML page ({page or 'untitled'})")
    if parsed.bozo:
        exc = parsed.get("bozo_exception")
        reason = " ".join(str(exc).split())[:120] if exc else "malformed"
        # A download cut short: its last entry is a fragment (no link, no date) that would be
        # stored apart from the whole story the next fetch brings.
        cut, unfinished = _feed_cut_off(data, len(found)) if found else (False, False)
        if unfinished:
            found.pop()
        if not version and not found:
            raise NotAFeed(f"not an RSS/Atom feed: {reason}")
        if not found:
            raise NotAFeed(f"broken feed XML, no entries recovered: {reason}")
        warnings.append(f"feed: malformed XML, {len(found)} entries recovered ({reason})")
        if cut:
            warnings.append("feed: the document is cut off (its root element is never closed)"
                            + ("; the unfinished last entry was dropped" if unfinished else ""))
    elif not version and not found:
        raise NotAFeed("not an RSS/Atom feed (no channel or feed element)")
    entries: list[Entry] = []
    skipped = 0
    for e in found:
        link = e.get("link") or ""
        if e.get("guidislink") and "/" not in link:
            link = ""  # a guid standing in for the link that is no address (an id, a urn:)
        if not link:
            for ln in e.get("links", []):
                if ln.get("href") and ln.get("rel", "alternate") == "alternate":
                    link = ln["href"]
                    break
        link = urljoin(base_url, link) if link else ""
        if urlsplit(link).scheme.lower() not in ("http", "https"):
            link = ""  # only web addresses are links; identity falls back to the guid or a hash
        body = ""
        if e.get("content"):
            body = e["content"][0].get("value", "")
        if not body:
            body = e.get("summary", "") or ""
        published = e.get("published") or e.get("updated") or e.get("dc_date") or None
        # an enclosure is named like a linked attachment: its title, else its file name
        attachments = [{"url": urljoin(base_url, enc["href"]),
                        "name": _clean(enc.get("title")) or urlsplit(enc["href"]).path.rsplit("/", 1)[-1]}
                       for enc in e.get("enclosures", []) if enc.get("href")]
        meta: dict[str, str] = {}
        if e.get("author"):
            meta["Author"] = e["author"]
        if e.get("source", {}).get("title"):
            meta["ContentSource"] = e["source"]["title"]
        tags = [t.get("term") for t in e.get("tags", []) if t.get("term")]
        if tags:
            meta["Keywords"] = ",".join(tags)
        title = _clean(e.get("title", ""))
        if not link and not title:
            skipped += 1
            continue
        entries.append(Entry(url=link, title=title, guid=(e.get("id") or "").strip() or None,
                             published=published, html=_clean_body(body), has_body=True, meta=meta,
                             attachments=attachments, warnings=_repair_note(e.get("title", ""), body)))
    if skipped:  # nothing to identify, show or link them by: said, not silently dropped
        warnings.append(f"feed: {skipped} of {len(found)} entries have neither title nor link, skipped")
    return entries, warnings


MOJIBAKE_NOTE = "mojibake: GBK/UTF-8 text read as Latin-1 upstream was repaired"


def _repair_note(*texts: str) -> list[str]:
    """The note that tells the reviewer a text was repaired (the repaired text alone cannot)."""
    return [MOJIBAKE_NOTE] if any(t and repair_mojibake(t)[1] for t in texts) else []


_HTML_PAGE_RE = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>])", re.I | re.S)
_TITLE_RE = re.compile(r"<title[^>]*>(.*?)</title", re.I | re.S)


def _html_page_title(content: bytes) -> str | None:
    """The title of *content* when it is an HTML page ('' without one), else None."""
    head = content[:8192].lstrip(b"\xef\xbb\xbf")
    if not _HTML_PAGE_RE.match(head):
        return None
    try:
        m = _TITLE_RE.search(decode_bytes(head).text)
        title = lxml.html.fromstring(m.group(1)).text_content() if m and m.group(1).strip() else ""
    except (CollectError, lxml.etree.ParserError, ValueError):
        title = ""
    return _clean(title)[:80]


_INVISIBLE_RE = re.compile(
    r"<(script|style|noscript|template|textarea|title|head|select)\b[^>]*>.*?</\1\s*>|<!--.*?-->", re.I | re.S)
_ANY_TAG_RE = re.compile(r"<[^>]*>")


def _parse_lost_text(root: Any, page: str) -> bool:
    """Whether the parsed page holds less than half the words its markup shows."""
    parsed = len("".join(root.text_content().split()))
    visible = len("".join(html_lib.unescape(_ANY_TAG_RE.sub(" ", _INVISIBLE_RE.sub(" ", page))).split()))
    return parsed * 2 < visible


def _clean_body(body: str) -> str:
    fixed, _ = repair_mojibake(body)
    return fixed


# ---------------------------------------------------------------- html lists
def _date_in(text: str) -> str | None:
    m = DATE_RE.search(text)
    return m.group(0).strip() if m else None


def parse_list(text: str, base_url: str, spec: dict[str, Any] | None = None) -> tuple[list[Entry], Any]:
    """Entries of an HTML list page. Returns (entries, lxml root) — the root finds the next page."""
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
            if not _is_item_href(href):
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
            raise NotAList(f"no entries match the list selector {spec['items']!r}{_titled(root)}")
    else:
        entries = _guess_list(root)
        if not entries:
            raise NotAList(f"no list of dated item links found{_titled(root) or ' on the page'}"
                           f"{_why_no_list(root, text)}")
    return _dedupe(entries), root


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


def _why_no_list(root: Any, page: str) -> str:
    """What an operator needs to know about a page with no list: where it really is, if it says."""
    for meta in root.iter("meta"):
        if (meta.get("http-equiv") or "").lower() == "refresh" and (m := _REFRESH_RE.search(meta.get("content") or "")):
            return f" (the page redirects by meta refresh to {urljoin(_base_of(root), m.group(1))}: use that address)"
    frames = [f.get("src") for f in root.iter("frame", "iframe") if f.get("src")]
    links = sum(1 for _ in root.iter("a"))
    if frames and links < 10:
        return f" (the page shows other pages in frames: try {frames[0]})"
    if _parse_lost_text(root, page):
        return " (the page nests its list deeper than the HTML parser reads, 256 levels)"
    by_script = sum(1 for a in root.iter("a") if _script_only(a))
    if by_script >= 5:
        return (f" ({by_script} links open their page from script with no address in them: set list.script_link,"
                " e.g. \"/content.jsp?id={0}\" for openArticle('6'))")
    scripts = " ".join(s.text or "" for s in root.iter("script"))
    if links < 5 and ("document.cookie" in scripts or "__jsl_clearance" in scripts):
        return " (a script challenge that only a browser passes: ask the site for access or a feed)"
    if links < 5 and len(scripts) > 2000:
        return " (the page is built by script: a script-rendered list or an anti-bot challenge)"
    return ""


def _base_of(root: Any) -> str:
    return root.base_url or ""


def _titled(root: Any) -> str:
    """" on the page titled …": an error or login page answered with 200 names itself."""
    t = root.find(".//title")
    title = _clean(t.text_content())[:80] if t is not None else ""
    return f" on the page titled {title}" if title else ""


def _empty_list_container(root: Any, items_css: str) -> bool:
    """True when the list's container is on the page but holds no entries (a site with nothing yet)."""
    parts = items_css.strip().rsplit(" ", 1)
    if len(parts) < 2 or not parts[0].strip(" >"):
        return False
    return bool(_select(root, parts[0].strip(" >")))


def _is_item_href(href: str) -> bool:
    low = href.lower()
    return bool(href) and not low.startswith(("javascript:", "mailto:", "tel:", "#")) and \
        urlsplit(href).scheme in ("http", "https")


def _strip_fragment(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(fragment="")) if parts.fragment else url


def _dedupe(entries: list[Entry]) -> list[Entry]:
    seen: set[str] = set()
    out = []
    for e in entries:
        if e.url in seen:
            continue
        seen.add(e.url)
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
        text = _text(el)
        if text and len(text) <= 25 and (m := DATE_RE.fullmatch(text.strip("[]()（） "))):
            return m.group(0)
    return None


def _guess_list(root: Any) -> list[Entry]:
    """The largest group of same-shaped sibling rows (li/tr/dd/p/div) each holding a link and a date.

    Undated rows of that group are kept when they are pinned (置顶) or few; a pinned block just
    before the list is put in front of it; dates are never taken from the titles themselves.
    """
    rows: dict[tuple[Any, str], list[tuple[Entry, bool, bool]]] = defaultdict(list)  # (entry, dated, pinned)
    undated: dict[tuple[Any, str], list[Entry]] = defaultdict(list)
    for row in root.iter("li", "tr", "dd", "dt", "p", "div", "h3", "h4"):
        # A row has at most three links and 300 characters: stop reading a block as soon as it
        # cannot be one, or a page of deeply nested blocks costs depth × size.
        links = []
        for a in row.iter("a"):
            if _is_item_href(a.get("href", "").strip()):
                links.append(a)
                if len(links) > 3:
                    break
        if not links or len(links) > 3 or not _short(row, 1200):
            continue
        row_text = _text(row)
        if len(row_text) > 300:
            continue
        a = max(links, key=lambda x: len(_text(x)))
        title = a.get("title") or _text(a)
        if len(title) < 4:
            continue
        date = _date_in(row_text.replace(_text(a), " ", 1))
        if not date and (date := _date_inside(a)) and not a.get("title"):
            title = title.replace(date, " ")
        href = a.get("href").strip()
        entry = Entry(url=_strip_fragment(href), title=_clean(title), list_date=date)
        key = (row.getparent(), row.tag)
        rows[key].append((entry, bool(date), _pinned(row, row_text)))
        if not date and len(links) == 1 and len(title) >= 6 and _looks_like_article(href):
            undated[key].append(entry)
    groups: dict[tuple[Any, str], list[Entry]] = {}
    for key, found in rows.items():
        dated = sum(1 for _, d, _ in found if d)
        if not dated:
            continue
        few = (len(found) - dated) * 3 <= dated
        articles = {id(e) for e in undated[key]} if few else set()
        groups[key] = [e for e, d, pin in found if d or pin or id(e) in articles]
    joined = _split_lists(groups)
    best: list[Entry] = max([*groups.values(), *joined], key=len) if groups else []
    if len(best) >= 2:
        if not any(best is j for j in joined):
            best = _pinned_block_before(best, groups, rows) + best
        return best
    # Lists without dates (some TRS sites): sibling rows whose single link looks like an article.
    best = max(undated.values(), key=len) if undated else []
    return best if len(best) >= 3 else []


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


def _short(el: Any, limit: int, *, strip: bool = False) -> bool:
    """True when *el*'s text (its chunks stripped, with *strip*) is at most *limit* characters,
    reading no further: a huge block must not cost its whole text."""
    seen = 0
    for chunk in el.itertext():
        seen += len(chunk.strip() if strip else chunk)
        if seen > limit:
            return False
    return True


def _shape(el: Any) -> tuple[str, str]:
    return el.tag, " ".join((el.get("class") or "").split())


def _is_separator(el: Any) -> bool:
    """A rule, spacer or empty block between parts of one list: no link, (almost) no text."""
    if not isinstance(el.tag, str) or el.tag in ("script", "style", "br", "hr"):
        return True  # a comment, or nothing a reader sees as content
    return next(el.iter("a"), None) is None and _short(el, 3, strip=True)


def _split_lists(groups: dict[tuple[Any, str], list[Entry]]) -> list[list[Entry]]:
    """One list cut into same-shaped blocks (five rows per <ul>, a rule between: common on news
    and government sites) is joined again; the blocks must be consecutive siblings, or sit alone
    in consecutive same-shaped wrappers, with nothing but separators between them, so that two
    different lists under their own headings are never joined. Linear in the page: each element
    is judged once (a hostile page of 20,000 one-row lists costs no more than its parse)."""
    separator: dict[Any, bool] = {}
    content_children: dict[Any, int] = {}

    def is_sep(el: Any) -> bool:
        if el not in separator:
            separator[el] = _is_separator(el)
        return separator[el]

    def alone_in(up: Any) -> bool:  # up holds one child that is not a separator
        if up not in content_children:
            content_children[up] = sum(1 for c in up if not is_sep(c))
        return content_children[up] == 1

    out: list[list[Entry]] = []
    for levels in (0, 1, 2):
        blocks: dict[Any, tuple[tuple[Any, ...], list[Entry]]] = {}
        for (parent, tag), entries in groups.items():
            node, chain = parent, [_shape(parent), tag]
            for _ in range(levels):
                up = node.getparent()
                if up is None or not alone_in(up):
                    node = None
                    break
                node = up
                chain.append(_shape(node))
            if node is not None and node.getparent() is not None:
                blocks[node] = (tuple(chain), entries)
        for container in {b.getparent() for b in blocks}:
            run: list[list[Entry]] = []
            shape: tuple[Any, ...] | None = None
            for child in container:
                block = blocks.get(child)
                if block is not None and block[0] == shape:
                    run.append(block[1])
                    continue
                if block is None and is_sep(child):
                    continue
                if len(run) > 1:
                    out.append([e for part in run for e in part])
                run, shape = ([block[1]], block[0]) if block is not None else ([], None)
            if len(run) > 1:
                out.append([e for part in run for e in part])
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


# ---------------------------------------------------------------- detail pages
def _metas(root: Any) -> dict[str, str]:
    found: dict[str, str] = {}
    wanted = {n.lower(): n for n in META_NAMES}
    for m in root.iter("meta"):
        name = (m.get("name") or m.get("property") or "").strip()
        key = wanted.get(name.lower())
        content = (m.get("content") or "").strip()
        if key and content and key not in found:
            found[key] = _clean(content)
    return found


def _attachments(scope: Any) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    seen: set[str] = set()
    for a in scope.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href in seen:
            continue
        path = urlsplit(href).path.lower()
        if path.endswith(ATTACHMENT_EXTS) and _is_item_href(href):
            seen.add(href)
            out.append({"url": href, "name": _clean(a.get("title") or _text(a)) or path.rsplit("/", 1)[-1]})
    return out


# Tags that do not end a phrase ("来源：<b>新华社</b>"); every other tag's start and end does.
_PHRASE_TAGS = frozenset({"b", "strong", "em", "i", "u", "font", "sup", "sub", "small", "big", "s", "strike",
                          "ins", "del", "mark", "abbr", "q", "tt"})
_UNSEEN_TAGS = frozenset({"script", "style", "noscript", "template", "textarea", "select", "title", "head"})


def _field_text(el: Any) -> str:
    """The text of *el* with a line break where an element (a <span>, <td>, <div>, <p>…) starts or
    ends, scripts and styles left out: text_content() runs "来源：市政府办公室" straight into the
    next block's "为深入贯彻…", this keeps a label's value within its element."""
    parts: list[str] = []
    hidden = 0
    for event, node in lxml.etree.iterwalk(el, events=("start", "end", "comment", "pi")):
        if event in ("comment", "pi"):
            if not hidden and node.tail:
                parts.append(node.tail)
            continue
        tag = node.tag if isinstance(node.tag, str) else ""
        if event == "start":
            if hidden or tag in _UNSEEN_TAGS:
                hidden += 1
                continue
            if tag not in _PHRASE_TAGS:
                parts.append("\n")
            if node.text:
                parts.append(node.text)
            continue
        if hidden:
            hidden -= 1
            if hidden:
                continue
        elif tag not in _PHRASE_TAGS:
            parts.append("\n")
        if node.tail and node is not el:
            parts.append(node.tail)
    return "".join(parts)


def _labelled_date(text: str) -> str | None:
    """The date after a 发布时间/发布日期 label; a 发文日期, then a 成文日期 only when no better label is there."""
    best: tuple[int, str] | None = None
    for m in _DATE_LABEL_RE.finditer(text):
        if not _FULL_DATE_RE.search(m.group("date")):
            continue
        rank = _DATE_LABEL_RANK[m.group("label")]
        if best is None or rank < best[0]:
            best = (rank, _WS_RE.sub(" ", m.group("date")).strip())  # "2025-03-01&nbsp;&nbsp;09:30"
            if rank == 0:
                break
    return best[1] if best else None


def _labelled_source(text: str) -> str | None:
    """The first plausible "来源：…" value in *text* (a _field_text): a short name, cut where the
    next field's label or date begins."""
    for m in _SOURCE_LABEL_RE.finditer(text):
        value = m.group("value")
        date = _FULL_DATE_RE.search(value)
        if date:
            value = value[:date.start()]
        elif m.group("colon"):  # ran into the next field: "市应急局作者：张三"
            label = _FIELD_LABEL_END_RE.search(value)
            if label is None:
                continue
            value = value[:label.start()]
        value = _clean(value)
        if 2 <= len(value) <= 30:
            return value
    return None


# A site's own name, not a story's title ("某某市人民政府", "…门户网站")
_SITE_NAME_RE = re.compile(r"(?:人民政府|政府网|门户网站|网站|门户|官网|政务网|首页)$")
_TITLE_SEP_RE = re.compile(r"\s*(?:[_|｜]+|\s[-–—]+\s)\s*")  # 标题_栏目_站点, 标题 | 站点, 标题 - 站点
_TITLE_DASH_TAIL_RE = re.compile(r"^(?P<head>.{4,}?)\s*[-–—]{1,2}\s*(?P<tail>[^-–—]{2,30})$")
# the page's info line or tools, not a title
_NOT_TITLE_RE = re.compile(r"(?:发布时间|发布日期|成文日期|来源|作者|浏览次数|字号)\s*[:：]|当前位置|您的位置|打印本页|关闭窗口")


def _tag_title(root: Any, meta: dict[str, str]) -> tuple[str | None, set[str]]:
    """The <title> tag's title without the site/column name around it ("…通知_通知公告_某某市人民政府"),
    and the names cut off (a heading that reads like one of them is not the story's title)."""
    t = root.find(".//title")
    full = _clean(t.text_content()) if t is not None else ""
    if not full:
        return None, set()
    names = {n for n in (meta.get("SiteName"), meta.get("ColumnName")) if n}

    def site_like(s: str) -> bool:
        return s in names or bool(_SITE_NAME_RE.search(s))

    parts = [p for p in _TITLE_SEP_RE.split(full) if p]
    keep = [p for p in parts if not site_like(p)]
    # 标题_栏目_站点 is the rule; 站点_栏目_标题 puts the title last
    title = (keep[-1] if site_like(parts[0]) else keep[0]) if keep and len(parts) > 1 else full
    m = _TITLE_DASH_TAIL_RE.match(title)
    if m and site_like(m.group("tail").strip()):  # 标题-某某市人民政府 (a dash inside a title stays)
        title = m.group("head")
    return (title if len(title) >= 2 else full), {p for p in parts if p != title} | names


def _heading_title(root: Any, url: str, page_title: str, names: set[str]) -> str | None:
    """An <h1>, <h2> or class/id "…title…" element that reads like the story's title: not the
    site's or column's name, not a menu link, not the info line, and (but for an <h1>) at least 8
    characters. One the <title> tag also holds is taken first, else the first (<h1>s first)."""
    body = root.find("body")
    scope = body if body is not None else root
    links = {_text(a) for a in scope.iter("a") if _strip_fragment((a.get("href") or "").strip()) != url}
    groups: list[list[Any]] = [list(scope.iter("h1")), list(scope.iter("h2")), []]
    for el in scope.iter():
        if isinstance(el.tag, str) and el.tag not in ("h1", "h2", "a", "body", "ul", "ol", "table") \
                and "title" in f"{el.get('class') or ''} {el.get('id') or ''}".lower():
            groups[2].append(el)
    fallback: str | None = None
    for n, group in enumerate(groups):
        for el in group:
            if not _short(el, 300):
                continue
            text = _clean(_text(el))
            if not 4 <= len(text) <= 150 or text in names or text in links or _SITE_NAME_RE.search(text) \
                    or _NOT_TITLE_RE.search(text):
                continue
            if any(_strip_fragment((a.get("href") or "").strip()) != url for a in el.iter("a")):
                continue  # a logo or a menu: <h1><a href="/">…</a></h1>
            if n and len(text) < 8:
                continue  # a short <h2>/"title" block is a box's heading (热点新闻, 通知公告) as often as not
            if page_title and (text in page_title or len(page_title) >= 4 and page_title in text):
                return text
            if fallback is None:
                fallback = text
    return fallback


def parse_detail(text: str, url: str, spec: dict[str, Any] | None = None) -> Detail:
    """Meta tags first, then configured selectors, then trafilatura for the body."""
    spec = spec or {}
    root = _html_root(text, url)
    meta = _metas(root)
    title = meta.get("ArticleTitle")
    title_from = "meta" if title else None
    if not title and spec.get("title"):
        t = _select(root, spec["title"])
        title = _clean(_text(t[0])) if t else None
        title_from = "selector" if title else None
    if not title:
        tag_title, names = _tag_title(root, meta)
        title = _heading_title(root, url, tag_title or "", names)
        title_from = "heading" if title else None
        if not title and tag_title:
            title, title_from = tag_title, "page-title"
    body_el = root.find("body")
    fields = _field_text(body_el if body_el is not None else root)
    published = meta.get("PubDate")
    if not published and spec.get("date"):
        d = _select(root, spec["date"])
        if d:
            raw = _text(d[0])
            m = DATE_RE.search(raw) if _FULL_DATE_RE.search(raw) else None
            published = m.group(0).strip() if m else (raw or None)
    if not published:
        # "发布时间：2025-03-01 09:30" is how most detail pages state it: a label, not a guess.
        published = _labelled_date(fields)
    source = meta.get("ContentSource")
    if not source and spec.get("source"):
        s = _select(root, spec["source"])
        if s:
            source = _clean(re.sub(r"^\s*(?:信息|文章|稿件|新闻|本文|内容)?来源\s*[:：]\s*", "", _text(s[0]))) or None
    if not source:
        source = _labelled_source(fields)
    body_html = ""
    scope = root
    if spec.get("body"):
        b = _select(root, spec["body"])
        if b:
            scope = b[0]
            body_html = lxml.html.tostring(b[0], encoding="unicode", method="html")
    if not body_html:
        extracted = trafilatura.extract(text, url=url, output_format="html", include_links=True,
                                        include_tables=True, favor_precision=True)
        body_html = extracted or ""
    if _parse_lost_text(root, text):
        # Nesting deeper than libxml2 keeps (a thousand nested tables) drops the story's words
        # from the parse: hand on the whole page; the normalizers recover its text and flag it.
        body_html = text
    canonical = None
    for ln in root.iter("link"):
        if (ln.get("rel") or "").lower() == "canonical" and ln.get("href"):
            canonical = _strip_fragment(ln.get("href").strip())
            break
    if source:
        meta.setdefault("ContentSource", source)
    return Detail(title=title or None, published=published, html=_clean_body(body_html), source=source,
                  warnings=_repair_note(body_html), title_from=title_from if title else None,
                  canonical=canonical if canonical and _is_item_href(canonical) else None, meta=meta,
                  attachments=_attachments(scope) or (_attachments(root) if scope is not root else []))


# ---------------------------------------------------------------- json lists
def looks_like_json(content: bytes, content_type: str) -> bool:
    head = content[:256].lstrip(b"\xef\xbb\xbf \t\r\n")
    return "json" in content_type or head.startswith((b"{", b"[")) or bool(
        _JSONP_RE.match(head.decode("ascii", "ignore")))


def _path(obj: Any, path: str | None) -> Any:
    if not path:
        return obj
    cur = obj
    for part in str(path).split("."):
        if isinstance(cur, dict):
            cur = cur.get(part)
        elif isinstance(cur, list) and part.lstrip("-").isdigit():
            idx = int(part)
            cur = cur[idx] if -len(cur) <= idx < len(cur) else None
        else:
            return None
        if cur is None:
            return None
    return cur


# JSONP as list endpoints write it: cb({...}), /**/ cb({...});, typeof cb === 'function' && cb({...}),
# try{cb({...})}catch(e){}: a call of a script name on one object or array
_JSONP_RE = re.compile(r"^\s*(?:/\*.*?\*/\s*)?(?:try\s*\{\s*)?(?:typeof\s+[\w$.]+\s*={2,3}\s*['\"]function['\"]\s*&&\s*)?"
                       r"[\w$.]+\s*\(\s*[\[{]", re.S)


def _unwrapped(text: str) -> Any:
    """The object or array inside a JSONP call, or before a trailing comment or script."""
    call = _JSONP_RE.match(text)
    start = call.end() - 1 if call else min((i for i in (text.find("{"), text.find("[")) if i >= 0), default=-1)
    end = max(text.rfind("}"), text.rfind("]"))
    if start < 0 or end <= start:
        raise ValueError("no object or array")
    try:
        return jsonlib.loads(text[start:end + 1])
    except ValueError:
        # cb({...});  /* or trailing text with brackets */: the value ends at the call's ")"
        return jsonlib.JSONDecoder().raw_decode(text, start)[0]


def load_json(text: str) -> Any:
    text = text.lstrip("\ufeff")
    try:
        data = jsonlib.loads(text)
    except ValueError as exc:
        try:
            if _JSONP_RE.match(text) or text.lstrip()[:1] in ("{", "["):  # not an HTML page's script
                return _unwrapped(text)
        except ValueError:
            pass
        page = _html_page_title(text[:8192].encode("utf-8", "replace"))
        if page is not None:  # a maintenance, error or login page answered with 200
            raise ParseError(f"not valid JSON: the server sent an HTML page ({page or 'untitled'})") from None
        raise ParseError(f"not valid JSON: {exc}") from None
    if isinstance(data, str) and data.lstrip()[:1] in ("{", "["):
        try:  # a JSON document sent as one JSON string (encoded twice)
            return jsonlib.loads(data)
        except ValueError:
            pass
    return data


_GUESS = {"title": ("title", "name", "subject", "headline", "docTitle", "articleTitle"),
          "url": ("url", "link", "linkUrl", "href", "docUrl", "articleUrl", "pageUrl"),
          "date": ("date", "pubDate", "publishTime", "publishedTimeStr", "publishTimeStr", "pubTimeStr", "pubTime", "publishDate", "time", "createTime",
                   "releaseTime", "docPubTime"),
          "id": ("id", "guid", "docId", "articleId", "uuid"),
          "body": ("content", "body", "html", "text", "docContent")}


def _object_lists(obj: Any, prefix: str = "", depth: int = 0) -> list[tuple[str, list[dict[str, Any]]]]:
    """Every non-empty list of objects in *obj* (five levels deep at most), with its path."""
    if isinstance(obj, list):
        return [(prefix, obj)] if obj and all(isinstance(x, dict) for x in obj) else []
    if isinstance(obj, dict) and depth < 5:
        return [found for k, v in obj.items()
                for found in _object_lists(v, f"{prefix}.{k}" if prefix else k, depth + 1)]
    return []


def _largest_list(obj: Any) -> tuple[str, int]:
    """The list of objects most like a news list: its objects have a title and a link or id, then
    a date (a navigation menu has no dates), then the most of them."""
    def score(found: tuple[str, list[dict[str, Any]]]) -> tuple[bool, bool, int]:
        keys = {k.lower() for k in found[1][0]}
        has = {f: any(n.lower() in keys for n in names) for f, names in _GUESS.items()}
        return has["title"] and (has["url"] or has["id"]), has["date"], len(found[1])

    lists = _object_lists(obj)
    if not lists:
        return "", -1
    path, items = max(lists, key=score)
    return path, len(items)


def guess_json_spec(data: Any) -> dict[str, Any]:
    """Field paths for an unknown JSON list (probe): the list most like news (see _largest_list)
    and the usual field names."""
    path, n = _largest_list(data)
    if n <= 0:
        raise NotAList("no list of objects found in the JSON body")
    first = _path(data, path)[0]
    spec: dict[str, Any] = {"items": path}
    lower = {k.lower(): k for k in first}
    for field_name, names in _GUESS.items():
        for name in names:
            if name.lower() in lower:
                spec[field_name] = lower[name.lower()]
                break
    if "title" not in spec or "url" not in spec and "id" not in spec:
        raise NotAList(f"JSON list at {path or 'the root'!r} has no title/url fields")
    return spec


def parse_json(data: Any, base_url: str, spec: dict[str, Any]) -> list[Entry]:
    """Entries from a JSON list endpoint following the configured field paths."""
    items = _path(data, spec.get("items"))
    if not isinstance(items, list):
        raise NotAList(f"no list at JSON path {spec.get('items') or '(root)'!r}")
    entries: list[Entry] = []
    for it in items:
        if not isinstance(it, dict):
            continue
        notes: list[str] = []

        def field(name: str, it: dict[str, Any] = it, notes: list[str] = notes) -> Any:
            value = _path(it, spec.get(name)) if spec.get(name) else None
            if isinstance(value, (dict, list)):
                # e.g. WordPress's {"title": {"rendered": "…"}}: the configured path stops too early
                notes.append(f"json: field {spec[name]!r} is an object, not text; configure a deeper path")
                return None
            return value

        title, url, guid = field("title"), field("url"), field("id")
        date, body, src = field("date"), field("body"), field("source")
        if not title and not url:
            continue
        meta = {"ContentSource": _clean(str(src))} if src else {}
        url = str(url).strip() if url not in (None, "") else ""
        entries.append(Entry(url=urljoin(base_url, url) if url else "", title=_clean(str(title or "")),
                             guid=str(guid).strip() if guid not in (None, "") else None,
                             published=str(date) if date not in (None, "") else None,
                             html=_clean_body(str(body)) if body else "", has_body=body is not None,
                             meta=meta, warnings=notes + _repair_note(str(title or ""), str(body or ""))))
    if items and not entries:
        raise NotAList("JSON list items have none of the configured title/url fields")
    return entries
