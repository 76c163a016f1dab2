"""What a government page is, below both stages: no HTTP, no database, no stage logic.

The collectors read pages with it, the normalizers clean what the collectors read with it, and
neither imports the other: ``CollectedItem`` (the hand-over record), the URL rules (identity and
matching spellings side by side, the tracking and per-visit parameters), the label vocabulary
(发布时间/来源/作者/责任编辑…, ``pages.labels``), meta names, body containers and attachment
types (``pages.markup``), mojibake repair, invisible characters, the traditional→simplified
fold, the story of a page with the byline lines around it (``pages.story``), and Beijing time.
"""

from __future__ import annotations

from pages.bylines import Byline, parse_byline_line
from pages.chars import INVISIBLE, clean_line, strip_invisible
from pages.fold import to_simplified
from pages.item import CollectedItem
from pages.labels import LABELS, Label, alternation, labels
from pages.markup import ATTACHMENT_EXTS, BODY_XPATHS, META_NAMES
from pages.mojibake import MOJIBAKE_NOTE, repair_mojibake
from pages.story import Story, body_attachments, read_story
from pages.times import SHANGHAI
from pages.urls import TRACKING_PARAMS, canonical_link, canonical_url, is_tracking, resolve_url

__all__ = [
    "ATTACHMENT_EXTS",
    "BODY_XPATHS",
    "INVISIBLE",
    "LABELS",
    "META_NAMES",
    "MOJIBAKE_NOTE",
    "SHANGHAI",
    "TRACKING_PARAMS",
    "Byline",
    "CollectedItem",
    "Label",
    "Story",
    "alternation",
    "body_attachments",
    "canonical_link",
    "canonical_url",
    "clean_line",
    "is_tracking",
    "labels",
    "parse_byline_line",
    "read_story",
    "repair_mojibake",
    "resolve_url",
    "strip_invisible",
    "to_simplified",
]
