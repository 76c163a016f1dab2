"""Parse decoded pages into entries, one module per input kind: RSS/Atom feeds (``feeds``), HTML
list pages (``lists``), detail pages (``details``), JSON lists (``jsonapi``).

Selectors and field paths are data (``Source.list``, ``Source.detail``, ``Source.json``). Dates are
passed through exactly as written; nothing is invented.
"""

from __future__ import annotations

from collectors.parsers.common import DATE_RE, Detail, Entry
from collectors.parsers.details import parse_detail
from collectors.parsers.feeds import looks_like_feed, parse_feed
from collectors.parsers.jsonapi import guess_json_spec, load_json, looks_like_json, parse_json
from collectors.parsers.lists import next_page_url, parse_list
from pages.markup import ATTACHMENT_EXTS

__all__ = ["Entry", "Detail", "parse_feed", "parse_list", "parse_detail", "parse_json", "next_page_url",
           "looks_like_feed", "looks_like_json", "load_json", "guess_json_spec", "DATE_RE", "ATTACHMENT_EXTS"]
