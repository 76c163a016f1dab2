"""The publisher: the published stream (sequence numbers), feeds, API, static export, search.

Approved items enter the stream with :func:`publish` (idempotent per item version), leave it with
:func:`retract`; the portal follows :func:`changes` by seq, or reads the feeds and the JSON API
served by :func:`create_blueprint`. See publisher/README.md for the HTTP contract.
"""

from publisher.catalog import catalog
from publisher.epoch import StreamIdentity
from publisher.epoch import identity as stream_identity
from publisher.epoch import mark_copy as mark_backup
from publisher.errors import BadQuery, InvalidEntry, PublisherError, StaleVersion, UnknownColumn, UnknownItem
from publisher.feeds import render_atom, render_json_feed, render_rss
from publisher.freshness_watch import LEVELS as FRESHNESS_LEVELS
from publisher.freshness_watch import ColumnFreshness, FreshnessWatch, add_months, freshness
from publisher.freshness_watch import attention as freshness_attention
from publisher.fulltext import warm_up
from publisher.sanitize import clean_html
from publisher.schema import init
from publisher.static_export import ExportError, export
from publisher.static_tree import Keeper as StaticTreeKeeper
from publisher.static_tree import SyncResult
from publisher.static_tree import sync as sync_static
from publisher.stream import Entry, changes, feed_entries, latest, page, publish, retract, search
from publisher.web import cached_front, clear_page_cache, create_blueprint

__all__ = [
    "add_months",
    "init",
    "Entry",
    "publish",
    "retract",
    "changes",
    "page",
    "stream_identity",
    "StreamIdentity",
    "mark_backup",
    "clear_page_cache",
    "cached_front",
    "latest",
    "feed_entries",
    "render_rss",
    "render_atom",
    "render_json_feed",
    "search",
    "clean_html",
    "catalog",
    "freshness",
    "ColumnFreshness",
    "FreshnessWatch",
    "FRESHNESS_LEVELS",
    "freshness_attention",
    "export",
    "sync_static",
    "SyncResult",
    "StaticTreeKeeper",
    "create_blueprint",
    "PublisherError",
    "UnknownColumn",
    "UnknownItem",
    "InvalidEntry",
    "StaleVersion",
    "BadQuery",
    "ExportError",
    "warm_up",
]
