"""The label vocabulary of a government page: 发布时间：, 来源：, 作者：, 责任编辑：… once, as data.

Each row is one label, the field its value fills, and who reads it:

- ``page``: the collectors read its value on a detail page (a 来源 value is the source, a 发布时间
  value the publish date, ranked ``published`` < ``issued`` < ``written``);
- ``end``: a source value that runs straight into this label ("市应急局作者：张三") ends there;
- ``byline``: a line of the body made of such labels is a byline (pages.bylines): its
  values become fields and the line leaves the display text;
- ``weak``: alone on a line it is no byline (时间：… 地点：… begin ordinary notices);
- ``key``: comparison keys drop a line (or a bracketed note) that starts with it, since
  re-posters add and remove such lines (normalizers.keys);
- ``title``: a heading holding it with a colon is the page's info line, not the story's title.

A new CMS label is one line in ``TABLE``; tests/pages checks every row against every reader.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["DATE_FIELDS", "DATE_RANK", "LABELS", "ROLES", "SPACED", "Label", "alternation", "labels"]

ROLES = frozenset({"page", "end", "byline", "weak", "key", "title"})
FIELDS = ("source", "chief_editor", "editor", "reporter", "author", "published", "issued", "written", "date",
          "other")
# Which labelled date stands for the publish date: 发布 is when it was published; 发文 (issued)
# stands in for it, 成文 (written) only when nothing else is there.
DATE_RANK = {"published": 0, "issued": 1, "written": 2}
DATE_FIELDS = frozenset({"published", "issued", "written", "date"})
# Labels that may be followed by a space instead of a colon ("记者 王五", "编辑 李四"); any
# label ending in one of them may (本报记者, 责任编辑).
SPACED = ("记者", "编辑", "作者")

# label       field          read by
TABLE = """
来源          source         page byline key title
信息来源      source         page byline key
文章来源      source         page byline key
稿件来源      source         page byline key
发布来源      source         page byline key
新闻来源      source         page byline
本文来源      source         page
内容来源      source         page byline
转载来源      source         byline
出处          source         byline
资料来源      source         key
稿源          source         page byline key
责任编辑      chief_editor   byline key end
责编          chief_editor   byline key
编辑          editor         byline key end
主编          editor         key
本报记者      reporter       byline
记者          reporter       byline key end
作者          author         byline key end title
撰稿          author         byline key end
撰文          author         byline
文            author         byline
发布时间      published      page end byline key title
发布日期      published      page end byline key title
发文日期      issued         page end
成文日期      written        page end byline title
发稿时间      date           byline
更新时间      date           byline
时间          date           byline weak end
日期          date           byline weak end
浏览次数      other          byline key end title
浏览量        other          byline end
浏览          other          end
点击数        other          byline key end
点击量        other          byline end
点击          other          end
阅读次数      other          byline
阅读量        other          byline key end
阅读数        other          end
阅读          other          end
访问量        other          byline end
访问次数      other          end
字号          other          byline end title
字体          other          byline end
分享到        other          end
分享          other          byline end
打印          other          end
索引号        other          end
文号          other          end
发布机构      other          byline key end
发布单位      other          byline
审核          other          byline key end
审校          other          byline key
审签          other          key
校对          other          byline key
签发          other          byline
初审          other          byline key
复审          other          byline key
终审          other          byline key
监制          other          byline key
统筹          other          byline
摄影          other          byline key end
摄像          other          key
制作          other          key
设计          other          key
海报制作      other          key
海报设计      other          key
策划          other          key
通讯员        other          byline key end
供稿          other          byline key end
核稿          other          byline
视频          other          byline weak
图片          other          byline weak key
"""


@dataclass(frozen=True)
class Label:
    """One label: its text, the field its value fills, and the readers that know it (ROLES)."""

    text: str
    field: str
    roles: frozenset[str]


def _table(text: str) -> tuple[Label, ...]:
    """The rows of *text*; a misspelt field or role fails at import, naming the line."""
    rows: list[Label] = []
    seen: set[str] = set()
    for n, line in enumerate(text.splitlines(), 1):
        parts = line.split("#", 1)[0].split()
        if not parts:
            continue
        if len(parts) < 3:
            raise ValueError(f"pages.labels line {n}: label, field and at least one reader needed: {line!r}")
        label, field, roles = parts[0], parts[1], frozenset(parts[2:])
        if field not in FIELDS or not roles <= ROLES or label in seen:
            raise ValueError(f"pages.labels line {n}: unknown field or reader, or a repeated label: {line!r}")
        seen.add(label)
        rows.append(Label(label, field, roles))
    return tuple(rows)


LABELS = _table(TABLE)


def labels(role: str, *fields: str) -> tuple[str, ...]:
    """The labels read by *role* (of *fields*, when given), in table order."""
    if role not in ROLES:
        raise ValueError(f"unknown reader {role!r}")
    return tuple(x.text for x in LABELS if role in x.roles and (not fields or x.field in fields))


def alternation(names: tuple[str, ...] | list[str]) -> str:
    """A regex alternation of *names*, longest first (责任编辑 before 编辑)."""
    return "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
