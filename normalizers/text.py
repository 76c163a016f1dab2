"""HTML as found → clean plain text and allow-listed HTML, with the punctuation as published.

Display text is never NFKC-normalised or "fixed" by ftfy: full-width ，：（） and curly quotes are
what the source published and what the portal shows. Only invisible damage is repaired: zero-width
and control characters, &nbsp; and \\u3000 runs, BOMs, line/paragraph separators, and GBK bytes that
were decoded as Latin-1 (mojibake). Boilerplate that leaked into a body (share buttons,
【打印】【关闭】, 扫一扫, 您当前的位置 breadcrumbs) and byline lines are taken out of the text.
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import lxml.html
import nh3
from lxml import etree

from normalizers.bylines import Byline, parse_byline_line
from normalizers.urls import resolve_url
from pages.bylines import date_line
from pages.chars import INVISIBLE as _INVISIBLE
from pages.chars import clean_line
from pages.markup import BLOCK_TAGS, NOT_CONTENT_TAGS
from pages.mojibake import repair_mojibake
from pages.story import (
    ANY_TAG as _ANY_TAG,
)
from pages.story import (
    HIDDEN as _HIDDEN,
)
from pages.story import (
    INVISIBLE_BLOCKS as _INVISIBLE_BLOCKS,
)
from pages.story import (
    SURROGATE as _SURROGATE,
)
from pages.story import (
    URL_EDGE as _URL_EDGE,
)
from pages.story import (
    URL_NOISE as _URL_NOISE,
)
from pages.story import (
    XML_DECL as _XML_DECL,
)
from pages.story import (
    is_full_page,
    strip_inline_noise,
)

__all__ = [
    "ALLOWED_TAGS",
    "IFRAME_HOSTS",
    "MAX_HTML_CHARS",
    "MAX_TEXT_CHARS",
    "Body",
    "clean_body",
    "clean_line",
    "html_to_text",
    "is_boilerplate",
    "is_full_page",
    "repair_mojibake",
    "sanitize_html",
]

# Display text longer than this is cut at a paragraph boundary and the document flagged
# ``huge-body``; the longest real government stories are ~30k characters.
MAX_TEXT_CHARS = 100_000
# Raw HTML beyond this is cut before parsing (a runaway page, not an article).
MAX_HTML_CHARS = 4_000_000

ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "strong",
        "em",
        "b",
        "i",
        "u",
        "s",
        "sub",
        "sup",
        "ul",
        "ol",
        "li",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "th",
        "td",
        "caption",
        "colgroup",
        "col",
        "img",
        "a",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "span",
        "div",
        "hr",
        "figure",
        "figcaption",
        "pre",
        "iframe",
    }
)
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align"},
    "col": {"span"},
    "colgroup": {"span"},
    "iframe": {"src", "width", "height", "allowfullscreen"},
}
# Video players embedded by government sites that may stay in the stored copy (sandboxed); every
# other iframe is removed. The stored copy is a record of the source, not what readers get: the
# portal and the reviewer preview (which shows what the portal will show) pass the HTML through
# publisher.clean_html, the one allow-list for published HTML, and that drops every frame.
IFRAME_HOSTS = frozenset({"player.bilibili.com", "v.qq.com", "player.youku.com", "player.cntv.cn"})

_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags={
        "script",
        "style",
        "noscript",
        "textarea",
        "select",
        "option",
        "title",
        "template",
        "svg",
        "math",
        "object",
        "embed",
        "applet",
        "head",
        "button",
    },
    attributes={k: set(v) for k, v in _ALLOWED_ATTRIBUTES.items()},
    url_schemes={"http", "https"},
    link_rel="noopener noreferrer",
    strip_comments=True,
    set_tag_attribute_values={"iframe": {"sandbox": "allow-scripts allow-same-origin allow-popups"}},
)

# Elements dropped with their content before text extraction and sanitizing.
_DROP = NOT_CONTENT_TAGS  # pages.markup
# Void elements: removed alone. lxml sometimes nests the following content inside them
# (<embed><p>…</p></embed>), so their children are kept.
_DROP_TAG_ONLY = frozenset(
    {"meta", "link", "input", "embed", "source", "area", "base", "param", "track", "keygen"}
)
_BLOCK = BLOCK_TAGS  # pages.markup
_CELL = frozenset({"td", "th"})

# --- characters --------------------------------------------------------------------------

_CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
_CJK_BREAK = re.compile(rf"(?<=[{_CJK}])[ \t]*\n\s*(?=[{_CJK}])")


def _clean_chars(s: str) -> str:
    return s.translate(_INVISIBLE)


# --- mojibake: one implementation, kept with the decoding it repairs (collectors.decoding) ---

# --- boilerplate -------------------------------------------------------------------------

_BOILER_TOKENS = sorted(
    [
        "打印本页",
        "打印此页",
        "打印文章",
        "打印",
        "关闭本页",
        "关闭窗口",
        "关闭",
        "返回顶部",
        "返回",
        "顶部",
        "收藏本页",
        "加入收藏",
        "收藏",
        "分享到",
        "分享至",
        "分享",
        "转发",
        "微信",
        "朋友圈",
        "新浪微博",
        "腾讯微博",
        "微博",
        "QQ空间",
        "QQ好友",
        "QQ",
        "人人网",
        "豆瓣",
        "字号",
        "字体",
        "大",
        "中",
        "小",
        "默认",
        "放大",
        "缩小",
        "纠错",
        "我要纠错",
        "扫一扫",
        "在手机打开当前页",
        "在手机上打开当前页",
        "打开微信扫一扫",
        "手机扫一扫",
        "用手机扫一扫",
        "手机阅读",
        "保存",
        "复制链接",
        "链接",
        "【",
        "】",
    ],
    key=len,
    reverse=True,
)
_BOILER_ONLY = re.compile("^(?:" + "|".join(map(re.escape, _BOILER_TOKENS)) + ")+$")
_BOILER_SEPARATORS = re.compile(r"[\s\[\]【】（）()|｜丨:：/、,，.·•>＞]+")
_BOILER_START = re.compile(
    r"^(?:[【\[]?\s*)(?:扫一扫|微信扫一扫|用微信扫描|手机扫描|分享到|分享至|"
    r"(?:您|你)?(?:当前|现在)?(?:的)?(?:所在)?位置\s*[:：]|当前位置\s*[:：]|上一篇\s*[:：]|下一篇\s*[:：]|"
    r"相关附件\s*[:：]?$|【?相关阅读】?$)"
)
_BREADCRUMB = re.compile(r"^(?:首页|网站首页|主页)\s*(?:[>＞»›/]|&gt;)")
MAX_BOILERPLATE_LINE = 100


def is_boilerplate(line: str) -> bool:
    """Whether a whole line is page furniture that leaked into the body, not story text."""
    s = line.strip()
    if not s or len(s) > MAX_BOILERPLATE_LINE:
        return False
    compact = _BOILER_SEPARATORS.sub("", s)
    if compact and _BOILER_ONLY.match(compact) and len(compact) >= 2:
        return True
    if _BOILER_START.match(s):
        return True
    return bool(_BREADCRUMB.match(s))


# --- parsing -----------------------------------------------------------------------------

_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>|&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")
_REAL_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")
# Markup of a story escaped as text: &lt;p&gt;, &lt;/div&gt;, &lt;br /&gt; …
_ESCAPED_TAG = re.compile(
    r"&(?:amp;)?lt;\s*/?\s*(?:p|div|br|span|a|img|b|strong|em|i|u|font|table|tbody|tr|td|th|ul|ol|li|"
    r"h[1-6]|section|article|blockquote|center|pre|hr)\b[^<>]{0,200}?&(?:amp;)?gt;",
    re.IGNORECASE,
)




_BLOCK_TAG = re.compile(
    r"<\s*/?\s*(?:p|div|br|li|tr|td|th|h[1-6]|table|section|article|blockquote|dd|dt|pre|hr|ul|ol)\b[^>]*>",
    re.IGNORECASE,
)


def _regex_lines(raw: str) -> list[str]:
    """Visible text of *raw* without a parser: for markup libxml2 cannot hold (too deep)."""
    s = _INVISIBLE_BLOCKS.sub(" ", raw)
    s = _BLOCK_TAG.sub("\n", s)
    s = html_lib.unescape(_ANY_TAG.sub("", s))
    return [x for x in (clean_line(line) for line in s.split("\n")) if x]


def _regex_lines_text(raw: str) -> str:
    s = _INVISIBLE_BLOCKS.sub(" ", raw)
    return html_lib.unescape(_ANY_TAG.sub("", s))


def _nonspace(s: str) -> int:
    return len("".join(s.split()))


def _lines_root(lines: list[str]) -> lxml.html.HtmlElement:
    root = lxml.html.Element("div")
    for line in lines:
        if line:
            p = etree.SubElement(root, "p")
            p.text = line
    return root


def _parse_fragment(html: str) -> lxml.html.HtmlElement:
    html = _XML_DECL.sub("", html)
    try:
        return lxml.html.fragment_fromstring(html, create_parent="div")
    except Exception:  # lxml raises ParserError, ValueError or AssertionError on broken input
        root = lxml.html.Element("div")
        root.text = html
        return root


def _parse_page(html: str) -> lxml.html.HtmlElement | None:
    html = _XML_DECL.sub("", html)
    try:
        return lxml.html.document_fromstring(html)
    except Exception:  # lxml raises ParserError, ValueError or AssertionError on broken input
        return None


# --- the cleaning pass -------------------------------------------------------------------


@dataclass
class Body:
    """The result of cleaning one body: text, sanitized HTML, and what was taken out of it."""

    text: str
    html: str
    bylines: list[Byline] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # boilerplate lines taken out
    script_chars: int = 0  # characters of script/style in the input
    input_chars: int = 0
    truncated: bool = False
    title_repeated: bool = False  # the body's first line was the title (removed)
    markup_recovered: bool = False  # markup too broken/deep to parse: text kept, formatting lost


_IN_TABLE = etree.XPath("boolean(ancestor-or-self::table or .//td or .//th)")


def _cmp(s: str) -> str:
    return re.sub(r"\s+", "", s.translate(_INVISIBLE))


def _title_then_byline(body: Body, line: str, title_cmp: str) -> bool:
    """Whether *line*, which starts with the title, is the title run into its 时间/来源 line; if so,
    its byline is *body*'s.

    Pages that print the headline and ``时间:2023-11-20 来源:新华社`` in one block give one
    line; the headline is the title (not story text) and the rest is the byline.
    """
    seen = 0
    for i, ch in enumerate(line):  # where the title ends in *line* (its spaces do not count)
        if _cmp(ch):
            seen += 1
            if seen == len(title_cmp):
                b = parse_byline_line(line[i + 1 :])
                if b is None:
                    return False
                body.bylines.append(b)
                body.removed.append(line)
                return True
    return False


def _prune(root: lxml.html.HtmlElement, base_url: str) -> int:
    """Drop non-content elements in place; resolve links; return script/style characters seen."""
    script_chars = 0
    doomed = []
    unwrap = []
    for el in root.iter():
        tag = el.tag
        if not isinstance(tag, str):
            doomed.append(el)  # comments, processing instructions
            continue
        tag = tag.lower()
        if tag in ("script", "style"):
            script_chars += len(el.text or "")
        if tag in _DROP:
            doomed.append(el)
            continue
        if tag in _DROP_TAG_ONLY:
            unwrap.append(el)
            continue
        if tag == "iframe":
            host = (urlsplit(resolve_url(el.get("src", ""), base_url)).hostname or "").lower()
            if host not in IFRAME_HOSTS:
                doomed.append(el)
            continue
        style = el.get("style")
        if style and _HIDDEN.search(style):
            doomed.append(el)
            continue
        if tag == "img":
            src = (el.get("src") or "").strip()
            lazy = el.get("data-src") or el.get("data-original") or el.get("data-lazy-src")
            if lazy and (not src or src.startswith("data:") or "blank" in src or "loading" in src):
                el.set("src", lazy)
    for el in unwrap:
        if el is not root and el.getparent() is not None:
            el.drop_tag()
    for el in doomed:
        if el is not root:
            _remove_keep_tail(el)  # the element and its content go, the text after it stays
    for el in root.iter("a", "img", "iframe"):
        attr = "href" if el.tag == "a" else "src"
        value = el.get(attr)
        if value is None:
            continue
        url = _url_value(value)
        if url is None:
            del el.attrib[attr]
        else:
            el.set(attr, resolve_url(url, base_url) if base_url else url)
    return script_chars




def _url_value(value: str) -> str | None:
    """A link as a browser reads it (tabs/newlines removed, C0 and spaces trimmed), or ``None``
    when its scheme is anything but http(s) — javascript:, data:, vbscript:, file: …"""
    v = _URL_NOISE.sub("", value).strip(_URL_EDGE)
    m = re.match(r"([a-zA-Z][a-zA-Z0-9+.\-]*):", v)
    if m and m.group(1).lower() not in ("http", "https"):
        return None
    return v


def _block_leaves(root: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """Block elements with no block descendants: the paragraphs of the page, in order."""
    leaves = []
    for el in root.iter(*_BLOCK):
        if el is root:
            continue
        if not any(isinstance(d.tag, str) and d.tag in _BLOCK for d in el.iterdescendants()):
            leaves.append(el)
    return leaves


def _remove_keep_tail(el: lxml.html.HtmlElement) -> None:
    """Remove *el* with its content, keeping the text that follows it (its tail) in place."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    prev = el.getprevious()
    if tail:
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


_EMPTY_REMOVABLE = _BLOCK | _CELL | {"span", "strong", "em", "b", "i", "u", "font", "a"}
_WS_RUN = re.compile(r"[ \t\r\n\f\v]+")


def _squeeze(s: str) -> str:
    """A text node as a browser shows it: a source line break between two Chinese characters
    is no space at all (CSS segment-break rules); other whitespace runs are one space."""
    return _WS_RUN.sub(" ", _CJK_BREAK.sub("", s.translate(_INVISIBLE)))


def _tidy_tree(root: lxml.html.HtmlElement) -> None:
    """Invisible characters out of every text node, whitespace runs collapsed, images without
    a usable source and containers left empty by the pruning removed (innermost first)."""
    for el in reversed(list(root.iter())):
        tag = el.tag
        if tag == "pre":
            continue
        if el.text:
            el.text = _squeeze(el.text)
            if tag in _BLOCK:
                el.text = el.text.lstrip()
        if el.tail:
            el.tail = _squeeze(el.tail)
        if el is root:
            continue
        if tag == "img":
            src = (el.get("src") or "").strip()
            try:
                scheme = urlsplit(src).scheme.lower()
            except ValueError:
                scheme = "bad"
            if not src or scheme not in ("", "http", "https"):
                _remove_keep_tail(el)
            continue
        if tag in _EMPTY_REMOVABLE and len(el) == 0 and not (el.text or "").strip():
            _remove_keep_tail(el)


def _walk_text(root: lxml.html.HtmlElement) -> list[str]:
    parts: list[str] = []
    for ev, el in etree.iterwalk(root, events=("start", "end")):
        tag = el.tag if isinstance(el.tag, str) else None
        if ev == "start":
            if tag is None:
                continue
            if tag in _BLOCK or tag == "br":
                parts.append("\n")
            elif tag in _CELL:
                parts.append(" ")
            if el.text:
                parts.append(el.text if tag == "pre" else _CJK_BREAK.sub("", el.text))
        else:
            if tag in _BLOCK:
                parts.append("\n")
            if el.tail and el is not root:
                parts.append(_CJK_BREAK.sub("", el.tail))
    return "".join(parts).split("\n")


def _serialize(root: lxml.html.HtmlElement) -> str:
    inner = [html_lib.escape(root.text or "", quote=False)]
    inner.extend(lxml.html.tostring(c, encoding="unicode") for c in root)
    return "".join(inner)


def _sanitize_serialized(raw: str) -> str:
    out = _CLEANER.clean(raw)
    return _clean_chars(out).strip()


def clean_body(html: str, base_url: str = "", *, title: str = "", around: list[Byline] | None = None) -> Body:
    """Clean one body, as the collector chose it (a page's story, a feed's or a JSON list's body).

    One parse serves both outputs: the pruned tree gives the text and, through the nh3
    allow-list, the display HTML. Byline and boilerplate paragraphs are removed from both; a
    first paragraph that repeats *title* is removed too. *around* are the byline lines the
    collector read around a page's story; they rank after the body's own.
    """
    raw = html or ""
    body = Body(text="", html="", input_chars=len(raw))
    nearby: list[Byline] = list(around or [])
    if len(raw) > MAX_HTML_CHARS:
        raw = raw[:MAX_HTML_CHARS]
        body.truncated = True
    if not raw.strip():
        return body
    if _SURROGATE.search(raw):
        raw = _SURROGATE.sub("", raw)
    for _ in range(2):
        escaped = len(_ESCAPED_TAG.findall(raw))
        if not escaped or escaped < len(_REAL_TAG.findall(raw)):
            break  # a story that merely mentions a tag ("加入&lt;a&gt;标签") keeps its words
        # HTML escaped twice upstream (or a CDATA section cut short): its markup arrived as text
        # and would show as "<p>" in the story. Decoded, it is markup again (and sanitized).
        raw = html_lib.unescape(raw)

    if not _TAG.search(raw):  # plain text: lines are paragraphs
        root = _lines_root([clean_line(x) for x in _clean_chars(raw).split("\n")])
    else:
        raw = strip_inline_noise(raw)
        if "\u2028" in raw or "\u2029" in raw:  # line/paragraph separators are line breaks
            raw = raw.replace("\u2028", "<br>").replace("\u2029", "<br>")
        full = is_full_page(raw)
        parsed = _parse_page(raw) if full else _parse_fragment(raw)
        if parsed is None or _nonspace(parsed.text_content()) * 2 < _nonspace(_regex_lines_text(raw)):
            # the parser lost most of the text (nesting beyond its depth limit): keep the words
            body.markup_recovered = True
            root = _lines_root(_regex_lines(raw))
        elif full:  # a whole document: its <body> (the collectors chose the story, if any)
            main = parsed.find("body")
            main = main if main is not None else parsed
            root = lxml.html.Element("div")
            root.append(main)
            main.tail = None
        else:
            root = parsed
    body.script_chars += _prune(root, base_url)

    # Paragraph-level removal: bylines, boilerplate, a repeated title.
    title_cmp = _cmp(title) if title else ""
    first_text = True
    started = False  # a line of the story kept
    for leaf in _block_leaves(root):
        line = clean_line(leaf.text_content())
        if not line:
            if leaf.tag not in ("hr",) and leaf.find(".//img") is None and leaf.find(".//iframe") is None:
                _remove_keep_tail(leaf)
            continue
        if first_text and title_cmp and (key := _cmp(line)).startswith(title_cmp):
            # the title repeated, or run into its 时间/来源 line
            if key == title_cmp or _title_then_byline(body, line, title_cmp):
                body.title_repeated = True
                _remove_keep_tail(leaf)
                first_text = False
                continue
        first_text = False
        if is_boilerplate(line):
            body.removed.append(line)
            _remove_keep_tail(leaf)
            continue
        b = parse_byline_line(line)
        if b is None and not started:
            day = date_line(line)  # the page's date over the story (a table's date cell is data)
            b = Byline(date=day) if day and not _IN_TABLE(leaf) else None
        if b is not None:
            body.bylines.append(b)
            body.removed.append(line)
            _remove_keep_tail(leaf)
            continue
        started = True
    _tidy_tree(root)

    if nearby:  # a page's lines around the story (发布时间/来源/责任编辑) come after its own
        body.bylines.extend(nearby)

    # Line-level pass over the text for what was not in its own paragraph (<br>-separated).
    lines: list[str] = []
    for part in _walk_text(root):
        line = clean_line(part)
        if not line:
            continue
        if not lines and title_cmp and (key := _cmp(line)).startswith(title_cmp):
            if key == title_cmp or _title_then_byline(body, line, title_cmp):
                body.title_repeated = True
                continue
        if is_boilerplate(line):
            body.removed.append(line)
            continue
        b = parse_byline_line(line)
        if b is not None:
            body.bylines.append(b)
            body.removed.append(line)
            continue
        lines.append(line)

    text = "\n".join(lines)
    if len(text) > MAX_TEXT_CHARS:
        cut = text.rfind("\n", 0, MAX_TEXT_CHARS)
        text = text[: cut if cut > 0 else MAX_TEXT_CHARS]
        body.truncated = True
        body.text = text
        body.html = "".join(f"<p>{html_lib.escape(x, quote=False)}</p>" for x in text.split("\n"))
        return body
    body.text = text
    body.html = _sanitize_serialized(_serialize(root)) if text or root.find(".//img") is not None else ""
    return body


def html_to_text(html: str, base_url: str = "") -> str:
    """Clean plain text of *html*: paragraphs separated by ``\\n``, punctuation as published,
    boilerplate and byline lines removed."""
    return clean_body(html, base_url).text


def sanitize_html(html: str, base_url: str = "") -> str:
    """*html* through the allow-list: no scripts, event handlers, ``javascript:``/``data:`` URLs,
    forms, styles or unknown iframes; links and images resolved against *base_url*; links get
    ``rel="noopener noreferrer"``. Text content is kept as is (no byline/boilerplate removal)."""
    raw = html or ""
    if not raw.strip():
        return ""
    if len(raw) > MAX_HTML_CHARS:
        raw = raw[:MAX_HTML_CHARS]
    raw = strip_inline_noise(_SURROGATE.sub("", raw))
    root = _parse_fragment(raw)
    _prune(root, base_url)
    _tidy_tree(root)
    return _sanitize_serialized(_serialize(root))
