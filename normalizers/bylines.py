"""Titles and byline lines: what sites wrap around a story that is not the story.

Re-posting sites prefix titles with column tags (【龙江动态】【转载】…) and suffix them with their
own name (``_黑龙江省人民政府``, `` - 新华网``); bodies carry 来源/作者/记者/责任编辑 lines. The
tags and suffixes go; the byline values move into fields so the text compares and reads clean.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

import nh3

from pages.chars import strip_invisible
from pages.labels import DATE_FIELDS, LABELS, SPACED, alternation, labels

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


# --- byline lines ---------------------------------------------------------------------------

# The byline fields a label fills (pages.labels): a date, a count or a checker goes to "other".
_BYLINE_FIELD = {"source": "source_line", "chief_editor": "editor", "editor": "editor", "reporter": "reporter",
                 "author": "author"}
_KEY_FIELD = {x.text: _BYLINE_FIELD.get(x.field, "other") for x in LABELS if "byline" in x.roles}
_DATE_KEYS = frozenset(x.text for x in LABELS if "byline" in x.roles and x.field in DATE_FIELDS)
_CHIEF_KEYS = frozenset(labels("byline", "chief_editor"))  # 责任编辑/责编, not plain 编辑
_KEY_ALT = alternation(list(_KEY_FIELD))
# A key is followed by a colon (full or half width) or, for 记者/编辑/作者, by whitespace.
_KEY_RE = re.compile(
    r"(?:(?<=^)|(?<=[\s|｜丨/【\[（(]))(?P<key>"
    + _KEY_ALT
    + r")\s*(?:[:：]|" + "|".join(f"(?<={w})\\s" for w in SPACED) + r")\s*"
)
_OPEN = "【[（(〔"
_CLOSE = "】]）)〕"
_EDGE = " |｜丨/\\-—·,，;；" + _OPEN + _CLOSE
# Keys that also begin ordinary lines of notices (时间：… 地点：…): alone they are not a byline.
_WEAK_KEYS = frozenset(labels("weak"))
MAX_BYLINE_LINE = 120
_DATEISH = re.compile(r"[\d\s\-/.:：年月日时分秒T+]{6,30}")
MAX_VALUE = 40


@dataclass
class Byline:
    """What one byline line said. ``date`` is the raw 发布时间 value, for the detail date candidate."""

    source_line: str | None = None
    author: str | None = None
    reporter: str | None = None
    editor: str | None = None
    editor_is_chief: bool = False  # the value came from 责任编辑/责编, not plain 编辑
    date: str | None = None
    others: dict[str, str] = field(default_factory=dict)


def _value(v: str) -> str:
    v = v.strip(_EDGE)
    return _squash(v)


def parse_byline_line(line: str) -> Byline | None:
    """Read a line made only of ``key：value`` byline segments; ``None`` if it is story text.

    Accepts lines such as ``来源：黑龙江日报　作者：张三　责任编辑：李四``,
    ``【来源：新华社】``, ``发布时间：2024-05-01 09:30 浏览次数：12``, ``（记者 王五）``.
    """
    s = _squash(line)
    if not s or len(s) > MAX_BYLINE_LINE:
        return None
    core = s
    while core and core[0] in _OPEN and core[-1] in _CLOSE:
        core = core[1:-1].strip()
    matches = list(_KEY_RE.finditer(core))
    if not matches:
        return None
    lead = core[: matches[0].start()].strip(_EDGE)
    if lead and not _DATEISH.fullmatch(lead):
        return None
    if all(m.group("key") in _WEAK_KEYS for m in matches):
        return None
    b = Byline(date=lead or None)
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(core)
        key = m.group("key")
        val = _value(core[m.end() : end])
        parts = re.split(r"\s*[|｜丨]\s*", val)
        if len(parts) > 1:  # 来源：新华网 | 2024-05-01
            val = _value(parts[0])
            for extra in parts[1:]:
                if _DATEISH.fullmatch(extra.strip()) and b.date is None:
                    b.date = extra.strip()
        kind = _KEY_FIELD[key]
        if len(val) > MAX_VALUE or _sentence_like(val):
            return None
        if kind == "other":
            if key in _DATE_KEYS and val:
                b.date = b.date or val
            b.others[key] = val
            continue
        if not val:
            continue
        if kind == "editor":
            chief = key in _CHIEF_KEYS
            if b.editor is None or (chief and not b.editor_is_chief):
                b.editor, b.editor_is_chief = val, chief
        elif getattr(b, kind) is None:
            setattr(b, kind, val)
    return b


def _sentence_like(v: str) -> bool:
    return bool(re.search(r"[。！？；]", v))


# 本报讯（记者 张三 李四）… at the start of a paragraph; （责任编辑：王五） at the end of one.
_INLINE_REPORTER = re.compile(
    r"^[^（(]{0,16}?[（(]\s*(?:" + alternation(labels("byline", "reporter"))  # 本报记者, 记者
    + r")\s*[:：]?\s*(?P<v>[^（）()]{1,40}?)\s*[）)]"
)
_TRAILING_EDITOR = re.compile(
    r"\s*[（(\[【]\s*(?P<key>" + alternation(labels("byline", "chief_editor", "editor"))  # 责任编辑, 责编, 编辑
    + r")\s*[:：]?\s*(?P<v>[^（）()\[\]【】]{1,30}?)\s*[）)\]】]\s*$"
)


def inline_byline(first: str, last: str) -> tuple[str | None, str | None, str]:
    """Reporter named at the start of the first paragraph, editor at the end of the last.

    Returns ``(reporter, editor, last_without_editor)``: the reporter stays in the text (it is
    part of the published lead), the trailing editor note is removed from it.
    """
    reporter = None
    m = _INLINE_REPORTER.match(first)
    if m:
        reporter = _value(m.group("v"))
    editor = None
    m = _TRAILING_EDITOR.search(last)
    if m:
        editor = _value(m.group("v"))
        last = last[: m.start()].rstrip()
    return reporter, editor, last
