"""Detail pages: meta tags first, then configured selectors, then labels and headings; trafilatura
for the body."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import lxml.etree
import lxml.html
import trafilatura

from collectors.parsers.bodies import better_body, main_block
from collectors.parsers.body_edges import mend_edges
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
from collectors.parsers.date_evidence import DateCandidate, beside_title, choose, day_of, meta_dates
from collectors.parsers.titles import SEPARATOR_RE, name_like, page_names
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
    found = _date_label(text)
    return found[1] if found else None


def _date_label(text: str) -> tuple[str, str] | None:
    """(label, date) as _labelled_date chooses them: the label says where the date stood."""
    best: tuple[int, str, str] | None = None
    for m in _DATE_LABEL_RE.finditer(text):
        if not _FULL_DATE_RE.search(m.group("date")):
            continue
        rank = _DATE_LABEL_RANK[m.group("label")]
        if best is None or rank < best[0]:
            best = (rank, m.group("label"), _WS_RE.sub(" ", m.group("date")).strip())  # "2025-03-01&nbsp;&nbsp;09:30"
            if rank == 0:
                break
    return (best[1], best[2]) if best else None


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
_TITLE_SEP_RE = SEPARATOR_RE  # 标题_栏目_站点, 标题 | 站点, 标题 - 站点, 标题--栏目--站点
_TITLE_DASH_TAIL_RE = re.compile(r"^(?P<head>.{4,}?)\s*[-–—]{1,2}\s*(?P<tail>[^-–—]{2,30})$")
# the page's info line or tools, not a title
_NOT_TITLE_RE = re.compile(rf"(?:{alternation(labels('title'))})\s*[:：]|当前位置|您的位置|打印本页|关闭窗口"
                           r"|^(?:首页|主页|网站首页)\s*[-—>»/|｜]"  # …or a breadcrumb ("首页 - 新闻动态")
                           r"|^[（(]?原标题")  # …or the original title a re-post quotes
_BOX_HEADING_RE = re.compile(r"^(?:友情链接|相关(?:新闻|阅读|文章|链接|推荐)|热点|热门|推荐|排行|精彩|最新|专题|网站导航|快速导航)")
_WORDS_RE = re.compile(r"[\u3400-\u9fff]{2}|[A-Za-z]{3}")  # a title has words, not only a number


def _overlap(a: str, b: str) -> float:
    """How much of *a*'s characters *b* also has (a heading and the <title> tag telling one story)."""
    sa = set(a)
    return len(sa & set(b)) / len(sa) if sa else 0.0


def _tag_title(root: Any, meta: dict[str, str], known: set[str] | None = None) -> tuple[str | None, set[str]]:
    """The <title> tag's title without the site/column name around it ("…通知_通知公告_某某市人民政府"),
    and the names cut off (a heading that reads like one of them is not the story's title). A part
    is the site's when it compares with a name the site goes by (``titles``: the page's own names,
    *known* ones from the caller: the source's name, other pages' shared parts), or, failing any,
    when it reads like one (…人民政府, …门户网站)."""
    t = root.find(".//title")
    full = _clean(t.text_content()) if t is not None else ""
    if not full:
        return None, set()
    names = {n for n in (meta.get("SiteName"), meta.get("ColumnName")) if n}
    compared = {re.sub(r"\s+", "", n) for n in names} | set(known or ())

    def site_like(s: str) -> bool:
        return s in names or name_like(s, compared) or bool(_SITE_NAME_RE.search(s))

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
    groups: list[list[Any]] = [list(scope.iter("h1")), list(scope.iter("h2")), [], list(scope.iter("h3", "h4", "h5"))]
    for el in scope.iter():
        if isinstance(el.tag, str) and el.tag not in ("h1", "h2", "a", "body", "ul", "ol", "table") \
                and "title" in f"{el.get('class') or ''} {el.get('id') or ''}".lower():
            groups[2].append(el)
    fallback: str | None = None
    above_body: tuple[int, str] | None = None  # the last heading standing above the main text
    block = main_block(root)
    first_para = next((p for p in block.iter("p") if len(_text(p)) >= 20), None) if block is not None else None
    order = {el: i for i, el in enumerate(scope.iter())} if first_para is not None else {}
    for n, group in enumerate(groups):
        for el in group:
            if not _short(el, 300):
                continue
            text = _clean(_text(el))
            matched = bool(page_title) and (text in page_title or len(page_title) >= 4 and page_title in text)
            if not 4 <= len(text) <= 150 or text in names or (text in links and not matched) \
                    or _SITE_NAME_RE.search(text) or _NOT_TITLE_RE.search(text) or not _WORDS_RE.search(text):
                continue
            if any(_strip_fragment((a.get("href") or "").strip()) != url for a in el.iter("a")):
                continue  # a logo or a menu: <h1><a href="/">…</a></h1>
            if not matched and _BOX_HEADING_RE.search(text):
                continue  # a side box's heading: 友情链接, 相关阅读, 热点推荐
            if n and len(text) < 8:
                continue  # a short <h2>/"title" block is a box's heading (热点新闻, 通知公告) as often as not
            if matched:
                return text
            if n < 3 and fallback is None:
                fallback = text
            at = order.get(el, -1)
            if first_para is not None and 0 <= at < order.get(first_para, -1) and (above_body is None or at > above_body[0]):
                above_body = (at, text)
    # A <title> tag that names a story (not the site: "某某市人民政府门户网站") outvotes a heading
    # that shares nothing with it ("您可能感兴趣的文章", a box's heading).
    told = len(page_title) >= 8 and not _SITE_NAME_RE.search(page_title) and page_title not in names
    unlike = bool(fallback) and told and _overlap(fallback or "", page_title) < 0.3
    if above_body is not None and (fallback is None or unlike):
        return above_body[1]  # the heading right above the story, when no other one tells the page's title
    return None if unlike else fallback


def parse_detail(text: str, url: str, spec: dict[str, Any] | None = None, site_names: Iterable[str] = ()) -> Detail:
    """Meta tags first, then configured selectors, then trafilatura for the body.

    *site_names*: names the site goes by that the caller knows (its source's name, the parts its
    other pages' titles share: ``titles.common_parts``), to cut them from a <title> tag's title.
    """
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
        known = page_names(root, url) | {re.sub(r"\s+", "", n) for n in site_names if n}
        tag_title, names = _tag_title(root, meta, known)
        title = _heading_title(root, url, tag_title or "", names)
        title_from = "heading" if title else None
        if not title and tag_title:
            title, title_from = tag_title, "page-title"
    body_el = root.find("body")
    fields = _field_text(body_el if body_el is not None else root)
    # Dates by evidence (date_evidence): a selector, a label, the info line beside the title, metas.
    candidates: list[DateCandidate] = []
    if spec.get("date"):
        d = _select(root, spec["date"])
        if d:
            raw = _text(d[0])
            m = DATE_RE.search(raw) if _FULL_DATE_RE.search(raw) else None
            if m or raw:
                candidates.append(DateCandidate(m.group(0).strip() if m else raw, "selector"))
    # "发布时间：2025-03-01 09:30" is how most detail pages state it: a label, not a guess.
    labelled = _date_label(fields)
    if labelled:
        candidates.append(DateCandidate(labelled[1], f"label:{labelled[0]}"))
    shown = beside_title(fields, title)
    if shown and not any(day_of(c.value) == day_of(shown.value) for c in candidates):
        candidates.append(shown)
    candidates += meta_dates(root)
    published, date_warnings = choose(candidates)
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
        block = main_block(root)
        body_html, body_notes = better_body(root, extracted or "", _attachments(block if block is not None else root))
        body_html, edge_notes = mend_edges(root, body_html)
        date_warnings += body_notes + edge_notes
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
                  warnings=_repair_note(body_html) + date_warnings, title_from=title_from if title else None,
                  dates=[c.as_dict() for c in candidates],
                  canonical=canonical if canonical and _is_item_href(canonical) else None, meta=meta,
                  attachments=_attachments(scope) or (_attachments(root) if scope is not root else []))
