"""The story of a whole page: which element holds it, the byline lines printed around it, the
documents it links to.

Read once, by whoever gets the page first: in a run the collectors (a detail page's body comes
out of trafilatura as a whole document; a feed or JSON body may be one), and they mark the item
``page_read``; the normalizers read only an item nobody has (built by hand, or stored by an
older Huiju), with this same reader. The story is the page's known CMS container
(pages.markup) or its densest block, handed on as that element alone; the 发布时间/来源/责任编辑
lines the template prints around it become bylines (pages.bylines).
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.etree
import lxml.html

from pages.bylines import Byline, parse_byline_line
from pages.chars import clean_line
from pages.markup import ATTACHMENT_EXTS, BLOCK_TAGS, BODY_XPATHS, NOT_CONTENT_TAGS

__all__ = ["ANY_TAG", "HIDDEN", "INLINE_NOISE", "INVISIBLE_BLOCKS", "SURROGATE", "URL_EDGE", "URL_NOISE", "XML_DECL", "Story",
           "body_attachments", "extract_main", "is_full_page", "page_meta", "read_story", "strip_inline_noise"]

# A line around the story longer than this is text, not an info line.
MAX_AROUND_LINE = 100
_FULL_PAGE = re.compile(r"<\s*(?:html|body|head)[\s>]", re.IGNORECASE)
XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
# Lone surrogates and C0 controls: never valid in a page, and lxml refuses strings holding them.
SURROGATE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# Inline tags old CMSs and Word exports leave unclosed by the hundred (they change nothing once
# sanitized, but their nesting can exceed libxml2's depth limit, which drops text).
INLINE_NOISE = re.compile(r"</?(?:font|o:p|st1:[a-z]+)\b[^>]*>", re.IGNORECASE)
# Discuz! forums scatter random anti-copy strings through a post in <font class="jammer"> (or a
# span), hidden by the forum's own stylesheet: what a reader sees is the post without them.
_JAMMER = re.compile(r"<(font|span)\b[^>]*\bclass\s*=\s*[\"']?jammer\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
INVISIBLE_BLOCKS = re.compile(
    r"<(script|style|noscript|template|textarea|title|head|select)\b[^>]*>.*?</\1\s*>|<!--.*?-->",
    re.IGNORECASE | re.DOTALL,
)
ANY_TAG = re.compile(r"<[^>]*>")


def strip_inline_noise(html: str) -> str:
    """*html* without Word's and old editors' inline tags (their text kept) and forum jammer strings."""
    return INLINE_NOISE.sub("", _JAMMER.sub("", html) if "jammer" in html else html)


def is_full_page(html: str) -> bool:
    """Whether *html* is a whole page (its story still to be found) rather than a body."""
    return bool(_FULL_PAGE.search(html[:5000]))


# Where government and news CMSs put the story (pages.markup), most specific first.
_MAIN_XPATHS = BODY_XPATHS
# What each of them but the last needs at all (a class, an id attribute anywhere): one cheap look
# that spares the 14-class XPath on a page with no class (trafilatura's output, mostly).
_MAIN_XPATH_NEEDS = (lxml.etree.XPath("boolean(//*[@class])"), lxml.etree.XPath("boolean(//*[@id])"))
MIN_MAIN_CHARS = 50


def _text_len(el: lxml.html.HtmlElement) -> int:
    return len(re.sub(r"\s+", "", el.text_content()))


def extract_main(page: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """The element holding a whole page's story: a known CMS container, else the densest one.

    Density: every paragraph's text counts for its parent (and half for the grandparent), link
    text does not; the highest-scoring container wins. Navigation, ads and footers lose because
    their text is short or made of links.
    """
    # a known CMS body container is the story even when short (none where no class/id is at all)
    for needs, xp in zip(_MAIN_XPATH_NEEDS, _MAIN_XPATHS[:-1], strict=True):
        if not needs(page):
            continue
        for el in xp(page):
            if _text_len(el) or el.find(".//img") is not None:
                return el
    for el in _MAIN_XPATHS[-1](page):
        if _text_len(el) >= MIN_MAIN_CHARS:
            return el
    scores: dict[lxml.html.HtmlElement, float] = {}
    for p in page.iter("p", "br"):
        container = p.getparent()
        if container is None:
            continue
        if p.tag == "br":
            n = len((p.tail or "").strip())
        else:
            total = len(re.sub(r"\s+", "", p.text_content()))
            links = sum(len(a.text_content().strip()) for a in p.iter("a"))
            n = total - 2 * links
        if n <= 0:
            continue
        scores[container] = scores.get(container, 0.0) + n
        grand = container.getparent()
        if grand is not None:
            scores[grand] = scores.get(grand, 0.0) + n / 2
    if scores:
        best = max(scores, key=scores.__getitem__)
        if scores[best] >= MIN_MAIN_CHARS:
            return best
    body = page.find("body")
    return body if body is not None else page


def _nearby_bylines(main: lxml.html.HtmlElement) -> list[Byline]:
    """Byline lines just outside the story container (its parent and grandparent): where CMS
    templates print 发布时间/来源/责任编辑 around the body."""
    scope = main.getparent()
    if scope is not None and scope.tag not in ("body", "html") and scope.getparent() is not None:
        if scope.getparent().tag not in ("body", "html"):
            scope = scope.getparent()
    if scope is None or scope.tag in ("body", "html"):
        return []
    inside = set(main.iter())
    found = []
    for el in scope.iter(*BLOCK_TAGS, "span", "td"):
        if el in inside or any(isinstance(d.tag, str) and d.tag in BLOCK_TAGS for d in el.iterdescendants()):
            continue
        line = clean_line(el.text_content())
        if line and len(line) <= MAX_AROUND_LINE:
            b = parse_byline_line(line)
            if b is not None:
                found.append(b)
    return found


def page_meta(page: lxml.html.HtmlElement) -> dict[str, str]:
    """``<meta name=… content=…>`` of a whole page (ArticleTitle, PubDate, ContentSource …)."""
    out: dict[str, str] = {}
    for m in page.iter("meta"):
        name = m.get("name") or m.get("property")
        content = m.get("content")
        if name and content and name not in out:
            out[name] = content.strip()
    t = page.find(".//title")
    if t is not None and t.text and "title" not in out:
        out["title"] = t.text.strip()
    return out


@dataclass
class Story:
    """What :func:`read_story` found: the story's HTML, the bylines around it, the page's meta."""

    html: str
    bylines: list[dict[str, Any]] = field(default_factory=list)  # pages.bylines.Byline as dicts
    meta: dict[str, str] = field(default_factory=dict)


def _nonspace(s: str) -> int:
    return len("".join(s.split()))


def _inner_html(el: Any) -> str:
    return html_lib.escape(el.text or "", quote=False) + "".join(
        lxml.html.tostring(c, encoding="unicode") for c in el)


def read_story(html: str) -> Story:
    """The story of *html* when it is a whole page; else *html* unchanged. A page the parser
    cannot hold (nesting deeper than libxml2 keeps) is handed on whole: the normalizers recover
    its words and flag it."""
    if not html or not is_full_page(html):
        return Story(html, [], {})
    raw = strip_inline_noise(SURROGATE.sub("", html))
    try:
        page = lxml.html.document_fromstring(XML_DECL.sub("", raw))
    except Exception:  # lxml raises ParserError, ValueError or AssertionError on broken input
        return Story(html, [], {})
    visible = html_lib.unescape(ANY_TAG.sub("", INVISIBLE_BLOCKS.sub(" ", raw)))
    if _nonspace(page.text_content()) * 2 < _nonspace(visible):
        return Story(html, [], {})
    meta = page_meta(page)
    main = extract_main(page)
    bylines = [asdict(b) for b in _nearby_bylines(main)]
    if main.tag in ("body", "html"):
        return Story(_inner_html(main), bylines, meta)
    return Story(lxml.html.tostring(main, encoding="unicode", with_tail=False), bylines, meta)


# A link to a document (not a page) by its file type, as a body names it.
_ATTACHMENT_HREF = re.compile(
    r"(?:" + "|".join(re.escape(ext) for ext in ATTACHMENT_EXTS) + r")(?:$|[?#])", re.IGNORECASE)
_ANY_ATTACHMENT = re.compile("|".join(re.escape(ext) for ext in ATTACHMENT_EXTS), re.IGNORECASE)
HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
URL_NOISE = re.compile(r"[\t\n\r]")
URL_EDGE = "".join(chr(c) for c in range(0x21)) + "\u3000\u00a0"


def body_attachments(html: str, base_url: str) -> list[dict[str, str]]:
    """Documents a body links to (``<a href="…/通知.pdf">``), by file type: addresses resolved
    against *base_url*, named by the link's text (else the file name); links a reader cannot see
    (in scripts, forms, hidden blocks) are not the story's."""
    if not html or not _ANY_ATTACHMENT.search(html):
        return []
    try:
        root = lxml.html.fragment_fromstring(XML_DECL.sub("", SURROGATE.sub("", html)), create_parent="div")
    except Exception:  # lxml raises ParserError, ValueError or AssertionError on broken input
        return []
    out: list[dict[str, str]] = []
    for a in root.iter("a"):
        href = URL_NOISE.sub("", a.get("href") or "").strip(URL_EDGE)
        if not href or not _ATTACHMENT_HREF.search(href) or _unseen(a):
            continue
        try:
            url = urljoin(base_url, href) if base_url else href
            scheme = urlsplit(url).scheme.lower()
        except ValueError:
            continue
        if scheme not in ("", "http", "https"):  # javascript:, data:, ftp: … are no documents
            continue
        out.append({"url": url, "name": clean_line(a.text_content()) or url.rsplit("/", 1)[-1]})
    return out


def _unseen(el: Any) -> bool:
    for up in el.iterancestors():
        if isinstance(up.tag, str) and (up.tag in NOT_CONTENT_TAGS or HIDDEN.search(up.get("style") or "")):
            return True
    return bool(HIDDEN.search(el.get("style") or ""))
