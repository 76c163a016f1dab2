"""What every parser shares: the Entry and Detail records, the HTML root (links made absolute,
script links read), text cleaning and the mojibake note."""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import lxml.etree
import lxml.html
from cssselect import SelectorError
from lxml.cssselect import CSSSelector

from collectors.decoding import decode_bytes
from collectors.errors import CollectError, ParseError
from pages.mojibake import MOJIBAKE_NOTE, repair_mojibake

DATE_RE = re.compile(  # one separator style per date: "2025年1-2月" is no date
    r"(\d{4}\s*(?:-\s*\d{1,2}\s*-|/\s*\d{1,2}\s*/|\.\s*\d{1,2}\s*\.|年\s*\d{1,2}\s*月)\s*\d{1,2}\s*日?"
    r"(?:[\sT\-]*\d{1,2}[:时]\d{1,2}(?::\d{1,2})?)?"
    r"|\[\s*\d{1,2}-\d{1,2}\s*\]|(?<!\d)\d{1,2}-\d{1,2}(?!\d))"
)
_WS_RE = re.compile(r"\s+")


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
    bylines: list[dict[str, Any]] = field(default_factory=list)  # read around the story (pages.story)
    story: str = ""  # the story element of html when html is a whole page (pages.story), else ""
    title_from: str | None = None  # "page-title": only the page's <title> tag named it (a last resort)
    dates: list[dict[str, str]] = field(default_factory=list)  # the detail page's date candidates


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
    bylines: list[dict[str, Any]] = field(default_factory=list)  # read around the story (pages.story)
    story: str = ""  # the story element of html when html is a whole page (pages.story), else ""
    # every publish date the page states, with where it stands ({"value", "origin"}), best first
    dates: list[dict[str, str]] = field(default_factory=list)


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
        raise ParseError(code="empty-page")
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
            if value and _CONTROL_RE.search(value):  # lxml refuses to write them back; browsers drop them
                value = _CONTROL_RE.sub("", value)
                el.set(attr, value)
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


def _is_item_href(href: str) -> bool:
    """An absolute web address (one that does not parse — a bad port, an unbalanced bracket — is
    still an item's link: collectors.entry_checks names it instead of losing it unseen)."""
    low = href.lower()
    return bool(href) and not low.startswith(("javascript:", "mailto:", "tel:", "#")) and \
        low.startswith(("http://", "https://"))


def _strip_fragment(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:  # unreadable (entry_checks names it): leave it as written
        return url
    return urlunsplit(parts._replace(fragment="")) if parts.fragment else url


_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def join_url(base_url: str, href: str) -> str:
    """*href* made absolute against *base_url*; as written when it cannot be parsed (a bad port,
    an unbalanced bracket), for collectors.entry_checks to name."""
    try:
        return urljoin(base_url, href)
    except ValueError:
        return href


def _short(el: Any, limit: int, *, strip: bool = False) -> bool:
    """True when *el*'s text (its chunks stripped, with *strip*) is at most *limit* characters,
    reading no further: a huge block must not cost its whole text."""
    seen = 0
    for chunk in el.itertext():
        seen += len(chunk.strip() if strip else chunk)
        if seen > limit:
            return False
    return True
