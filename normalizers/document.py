"""The cleaned document every later stage works from, and ``clean_item`` that builds it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from normalizers.bylines import clean_title, inline_byline, title_text
from normalizers.dates import choose_date, is_future, to_iso
from normalizers.quality import TINY_BODY_CHARS, mixed_script, script_heavy
from normalizers.text import clean_body, clean_line
from normalizers.urls import canonical_url, resolve_url
from pages.bylines import Byline
from pages.item import CollectedItem
from pages.mojibake import repair_mojibake
from pages.story import body_attachments, read_story
from settings.model import Source

__all__ = ["Document", "clean_item"]


@dataclass
class Document:
    """One collected item after cleaning: display text as published, plus identity fields."""

    title: str  # display title, tags/suffixes stripped, punctuation as published
    text: str  # clean plain text, paragraphs separated by "\n"
    html: str  # sanitized HTML for display and publishing
    url: str  # absolute URL as collected
    canonical_url: str  # for identity and matching
    published_at: str | None  # ISO 8601 with +08:00; None = unknown, never invented
    date_origin: str | None  # which candidate gave it: "meta", "detail", "feed", "list"
    source_line: str | None = None  # 来源
    author: str | None = None
    reporter: str | None = None
    editor: str | None = None  # 责任编辑
    attachments: list[dict[str, str]] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)


# Meta tag names that carry the publish time, most specific first (compared case-insensitively).
_META_DATE_NAMES = (
    "pubdate",
    "publishdate",
    "article:published_time",
    "firstpublishedtime",
    "og:release_date",
)
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_KEYWORD_SPLIT = re.compile(r"[,，;；、|｜\s]+")
TITLE_FROM_TEXT_CHARS = 60
_TRUNCATED = ("...", "…", "..")


def _meta_get(meta: dict[str, str], *names: str) -> str | None:
    lower = {k.lower(): v for k, v in meta.items() if isinstance(v, str)}
    for n in names:
        v = lower.get(n.lower())
        if v and v.strip():
            return v.strip()
    return None


def _fetch_time(item: CollectedItem) -> datetime | None:
    if not item.fetched_at:
        return None
    try:
        dt = datetime.fromisoformat(item.fetched_at.replace("Z", "+00:00"))
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def clean_item(item: CollectedItem, source: Source, *, now: datetime | None = None) -> Document:
    """Turn one collected item into a clean :class:`Document`; never raises on odd content.

    *now* anchors year inference for month-day dates; by default the item's ``fetched_at`` (the
    list page was read then), else the current time. Odd input is kept and flagged (see
    ``normalizers.quality.FLAGS``).
    """
    flags: list[str] = []
    meta = dict(item.meta or {})
    anchor = now or _fetch_time(item)

    raw_title = _SURROGATE.sub("", item.title or "")
    raw_html = item.html or ""
    linked = list(item.attachments or [])
    title_fixed = html_fixed = False
    if item.page_read:  # the collector read the page once: its story, bylines, attachments, repairs
        raw_html = item.story or raw_html
        around = [Byline(**b) for b in item.bylines or []]
    else:  # an item nobody has read (built by hand, stored by an older Huiju): read it now, once
        raw_title, title_fixed = repair_mojibake(raw_title)
        raw_html, html_fixed = repair_mojibake(raw_html)
        story = read_story(raw_html)
        raw_html, around = story.html, [Byline(**b) for b in story.bylines]
        for k, v in story.meta.items():
            meta.setdefault(k, v)
        linked += body_attachments(raw_html, item.url)
    # The collector repairs text as it parses; its note says so (pages.mojibake.MOJIBAKE_NOTE).
    if title_fixed or html_fixed or any(w.startswith("mojibake:") for w in item.warnings or []):
        flags.append("mojibake-repaired")
    if any(w.startswith("date-disagreement:") for w in item.warnings or []):
        flags.append("date-disagreement")  # the date shown to readers and a meta differ (collectors.parsers.date_evidence)

    body = clean_body(raw_html, item.url, title=clean_title(raw_title) if raw_title else "", around=around)

    # The site's own names (a portal list source is "黑龙江省人民政府·龙江动态").
    names = (source.name, source.name.split("·")[0], _meta_get(meta, "SiteName"))
    site_names = tuple(dict.fromkeys(n for n in names if n))
    title = clean_title(raw_title, site_names)
    article_title = _meta_get(meta, "ArticleTitle")
    if article_title and (not title or title.endswith(_TRUNCATED)):  # list pages cut long titles
        title = clean_title(article_title, site_names)
    if not title:
        fallback = _meta_get(meta, "title")
        title = clean_title(fallback, site_names) if fallback else ""

    # Byline fields: meta tags first (the CMS knows), then lines found in the body.
    source_line = _meta_get(meta, "ContentSource")
    author = reporter = editor = None
    editor_chief = False
    detail_date = None
    for b in body.bylines:
        source_line = source_line or b.source_line
        author = author or b.author
        reporter = reporter or b.reporter
        if b.editor and (editor is None or (b.editor_is_chief and not editor_chief)):
            editor, editor_chief = b.editor, b.editor_is_chief
        detail_date = detail_date or b.date
    text = body.text
    if text:
        lines = text.split("\n")
        inline_reporter, inline_editor, last = inline_byline(lines[0], lines[-1])
        reporter = reporter or inline_reporter
        if inline_editor:
            editor = editor or inline_editor
            lines[-1] = last
            text = "\n".join(x for x in lines if x)

    # Dates: meta PubDate > detail page > feed/JSON > list page; the first readable one wins, but
    # when the page shows readers a date a day or more away from its meta (the collector weighed
    # the evidence: collectors.parsers.date_evidence), the shown date counts.
    detail_raw = item.published if source.type == "html" else None
    feed_raw = item.published if source.type != "html" else None
    meta_date = ("meta", _meta_get(meta, *_META_DATE_NAMES))
    shown_wins = "date-disagreement" in flags
    choice = choose_date(
        [
            *([("detail", detail_raw)] if shown_wins else []),
            meta_date,
            ("detail", detail_raw),
            ("detail", detail_date),
            ("feed", feed_raw),
            ("list", item.list_date),
        ],
        now=anchor,
    )
    if choice.value is None:
        flags.append("date-unknown")
    elif is_future(choice.value, now=anchor):
        flags.append("date-future")

    # Body outcomes, each a flag rather than a drop.
    if not text:
        flags.append("title-only" if body.title_repeated else "empty-body")
    elif len(text) < TINY_BODY_CHARS:
        flags.append("tiny-body")
    if body.truncated:
        flags.append("huge-body")
    if body.markup_recovered:
        flags.append("markup-recovered")
    if script_heavy(body.script_chars, body.input_chars, len(text)):
        flags.append("script-heavy")
    if mixed_script(title + "\n" + text):
        flags.append("mixed-script")
    if not title:
        flags.append("title-missing")
        first = text.split("\n", 1)[0] if text else ""
        title = first[:TITLE_FROM_TEXT_CHARS]
    if not (item.url or "").strip().lower().startswith(("http://", "https://")):
        flags.append("no-web-address")  # javascript:, ftp:, or none at all

    attachments: list[dict[str, str]] = []
    seen: set[str] = set()
    for a in linked:
        url = resolve_url(str(a.get("url", "")), item.url)
        if not url:
            continue
        key = canonical_url(url)
        if key in seen:
            continue
        seen.add(key)
        attachments.append({**{k: str(v) for k, v in a.items()}, "url": url})

    keywords_raw = _meta_get(meta, "Keywords") or ""
    keywords = list(dict.fromkeys(k for k in _KEYWORD_SPLIT.split(keywords_raw) if k))

    return Document(
        title=title,
        text=text,
        html=body.html,
        url=item.url,
        canonical_url=canonical_url(item.url),
        published_at=to_iso(choice.value),
        date_origin=choice.origin,
        source_line=clean_line(title_text(source_line)) or None if source_line else None,  # 来源 is text too
        author=author,
        reporter=reporter,
        editor=editor,
        attachments=attachments,
        keywords=keywords,
        flags=flags,
    )
