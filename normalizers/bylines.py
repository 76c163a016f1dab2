"""Titles and byline lines: what sites wrap around a story that is not the story.

Re-posting sites prefix titles with column tags (【龙江动态】【转载】…) and suffix them with their
own name (``_黑龙江省人民政府``, `` - 新华网``); bodies carry 来源/作者/记者/责任编辑 lines. The
tags and suffixes go; the byline values move into fields so the text compares and reads clean.
"""

from __future__ import annotations

import html
import re

import nh3

from pages.bylines import Byline, inline_byline, parse_byline_line
from pages.chars import strip_invisible

__all__ = ["Byline", "clean_title", "parse_byline_line", "inline_byline"]

_WS = re.compile(r"[\s\u00a0\u3000\u2000-\u200b\u202f\u205f\ufeff]+")
_LEADING_TAGS = re.compile(r"^(?:\s*(?:【[^【】]{0,30}】|\[[^\[\]]{1,12}\]|〖[^〖〗]{0,30}〗))+\s*")
# A title never starts with these (left over when a re-poster's empty place prefix was "：").
_LEADING_PUNCT = "：:，,、。；;|｜-—_ "
# Separators sites put between a title and their name: _ - — | ｜ · –  (with or without spaces)
_SUFFIX_SEP = re.compile(r"\s*(?:_|\||｜|--?|—+|–|·|：：)\s*(?=[^_|｜\-—–·]+$)")
# The tail of a site or outlet name.
_SITE_NAME = re.compile(
    r"(?:网|网站|门户网站|门户|政府网|人民政府|政府|新闻网|在线|频道|客户端|日报|晚报|报社|"
    r"电视台|广播电视台|融媒体中心|官网|官方网站|政务网|信息网|新闻中心|Xinhua|xinhuanet|"
    # the same names in traditional characters (Hong Kong, Macao and Taiwan re-posts)
    r"網|網站|門戶網站|門戶|政府網|人民政府|新聞網|頻道|客戶端|日報|晚報|報社|電視台|電視臺|廣播電視台|"
    r"融媒體中心|官網|官方網站|政務網|信息網|資訊網|新聞中心|"
    r"People's Daily|CCTV|China Daily|\.com|\.cn|\.net|\.org)$",
    re.IGNORECASE,
)
# A name is short and carries no sentence punctuation.
_NOT_A_NAME = re.compile(r"[，。！？；：、“”《》（）,!?;]")


def _squash(s: str) -> str:
    return _WS.sub(" ", strip_invisible(s)).strip()


# A tag or an entity: a title that carries markup (an Atom type="html" title, a feed that escaped
# its titles twice, a hostile one) is shown as its text, exactly as the portal will publish it.
_MARKUP = re.compile(r"<[A-Za-z/!?]|&(?:#\d+|#x[0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]*);")
_ANY_TAG = re.compile(r"<[^<>]*>")
_STRAY_TAG_OPEN = re.compile(r"<(?=[A-Za-z/!?])")
_TEXT_ONLY = nh3.Cleaner(tags=set(), attributes={}, clean_content_tags={
    "script", "style", "title", "textarea", "noscript", "template", "svg", "math", "iframe", "object", "select"})


def title_text(title: str) -> str:
    """*title* without markup: tags dropped (scripts with their content), entities decoded; twice
    at most, for titles escaped twice upstream (``&amp;lt;b&amp;gt;``)."""
    title = strip_invisible(title)  # lone surrogates cannot reach the HTML parser
    for _ in range(2):
        if not _MARKUP.search(title):
            break
        text = html.unescape(_TEXT_ONLY.clean(title))
        if not text.strip():  # markup left open (<style>, <!--) swallowed every word: keep the words
            text = html.unescape(_STRAY_TAG_OPEN.sub("", _ANY_TAG.sub("", title)))
        title = text
    return title


def clean_title(title: str, site_names: tuple[str, ...] | list[str] = ()) -> str:
    """The display title: every leading 【…】 tag and any trailing site name removed.

    *site_names* are names known to be the site's own (the source name, meta SiteName); any
    trailing segment equal to one of them goes even when it does not look like a site name.
    Punctuation inside the title is kept exactly as published.
    """
    t = _squash(title_text(title or ""))
    prev = None
    while t and t != prev:
        prev = t
        stripped = _LEADING_TAGS.sub("", t.lstrip(_LEADING_PUNCT))
        if stripped:  # a title that is only a tag keeps it rather than becoming empty
            t = stripped
        t = _strip_suffix(t, site_names)
    return t


def _strip_suffix(t: str, site_names: tuple[str, ...] | list[str]) -> str:
    names = {n.strip() for n in site_names if n and n.strip()}
    for name in sorted(names, key=len, reverse=True):
        for sep in (" - ", " -", "-", "_", " | ", "|", "｜", " — ", "—", " – ", "–", " "):
            if t.endswith(sep + name) and len(t) > len(sep + name):
                return t[: -len(sep + name)].rstrip()
    m = _SUFFIX_SEP.search(t)
    if not m:
        return t
    head, tail = t[: m.start()].rstrip(), t[m.end() :].strip()
    if not head or not tail or len(tail) > 30 or _NOT_A_NAME.search(tail):
        return t
    if _SITE_NAME.search(tail):
        return head
    return t
