"""Detail pages: meta tags first, then configured selectors, then labels and headings; trafilatura
for the body."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import lxml.etree
import lxml.html
import trafilatura

from collectors.parsers.common import (
    _WS_RE,
    DATE_RE,
    Detail,
    _clean,
    _clean_body,
    _html_root,
    _is_item_href,
    _parse_lost_text,
    _repair_note,
    _select,
    _short,
    _strip_fragment,
    _text,
)
from pages.labels import DATE_RANK, LABELS, alternation, labels
from pages.markup import ATTACHMENT_EXTS, META_NAMES
from pages.story import read_story

_FULL_DATE_RE = re.compile(r"\d{4}\s*(?:-\s*\d{1,2}\s*-|/\s*\d{1,2}\s*/|\.\s*\d{1,2}\s*\.|年\s*\d{1,2}\s*月)\s*\d{1,2}")
# A labelled date on a detail page; the label says which date it is (see _DATE_LABEL_RANK).
_DATE_LABEL_RANK = {x.text: DATE_RANK[x.field] for x in LABELS if "page" in x.roles and x.field in DATE_RANK}
_DATE_LABEL_RE = re.compile(rf"(?P<label>{alternation(list(_DATE_LABEL_RANK))})\s*[:：]\s*(?P<date>" + DATE_RE.pattern + ")")
# "来源：市政府办公室": the label stands alone (not 资金来源/数据来源 in a sentence); the value is one run
# of text up to a space, an element boundary or punctuation, or straight into the next label's colon
_SOURCE_VALUE_CHARS = r"[^\s|｜:：,，。;；、!！?？()（）【】\[\]<>《》\"'“”‘’]"
_SOURCE_LABELS = alternation(labels("page", "source"))  # 来源, 信息来源, 文章来源…
_SOURCE_LABEL_RE = re.compile(rf"(?<![\u3400-\u9fff])(?:{_SOURCE_LABELS})\s*[:：]\s*"
                              rf"(?P<value>{_SOURCE_VALUE_CHARS}{{1,60}})(?:(?P<colon>[:：])|(?!{_SOURCE_VALUE_CHARS}))")
# the next field's label a source ran into ("市应急局作者：张三")
_FIELD_LABEL_END_RE = re.compile(f"(?:{alternation(labels('end'))})$")


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
_NOT_TITLE_RE = re.compile(rf"(?:{alternation(labels('title'))})\s*[:：]|当前位置|您的位置|打印本页|关闭窗口")


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
            source = _clean(re.sub(rf"^\s*(?:{_SOURCE_LABELS})\s*[:：]\s*", "", _text(s[0]))) or None
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
    html = _clean_body(body_html)
    story = read_story(html)  # trafilatura hands on a document: its story, chosen once
    for k, v in story.meta.items():
        meta.setdefault(k, v)
    return Detail(title=title or None, published=published, html=html, source=source, bylines=story.bylines,
                  story=story.html if story.html != html else "",
                  warnings=_repair_note(body_html), title_from=title_from if title else None,
                  canonical=canonical if canonical and _is_item_href(canonical) else None, meta=meta,
                  attachments=_attachments(scope) or (_attachments(root) if scope is not root else []))
