"""Byline lines: 来源：…　作者：…　责任编辑：… lines around or inside a story, read into fields.

The one reader of such lines (the vocabulary is pages.labels): the collectors read the lines
around a detail page's story with it, the normalizers the lines inside a body they clean.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pages.chars import strip_invisible
from pages.labels import DATE_FIELDS, LABELS, SPACED, alternation, labels

__all__ = ["Byline", "MAX_BYLINE_LINE", "date_line", "inline_byline", "parse_byline_line"]

_WS = re.compile(r"[\s\u00a0\u3000\u2000-\u200b\u202f\u205f\ufeff]+")


def _squash(s: str) -> str:
    return _WS.sub(" ", strip_invisible(s)).strip()


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
_DATE_LINE = re.compile(
    r"(?P<date>(?:19|20)\d\d\s*(?:年|[-/.])\s*\d{1,2}\s*(?:月|[-/.])\s*\d{1,2}\s*日?"
    r"(?:\s*\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?)(?:\s*(?:星期|周|礼拜)[一二三四五六日天])?"
)


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


def date_line(line: str) -> str | None:
    """The date of a line that is a date and nothing else (a blog's or an e-paper's
    ``2023年6月18日 星期日`` over its story), or None. Only its reader knows whether the line is
    the page's date (over the story) or data (a table's 备案日期 cell)."""
    m = _DATE_LINE.fullmatch(_squash(line))
    return m.group("date") if m else None


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
