"""The cleaned document every later stage works from, and ``clean_item`` that builds it."""

from __future__ import annotations

from dataclasses import dataclass, field


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
