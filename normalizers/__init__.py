"""Normalizers: clean collected items, route them to columns, find their story cluster, store them.

The text half (``Document``, ``clean_item``, dates, URLs, bylines, routing) turns raw HTML into a
clean document; the dedup half (comparison keys, clusters, versions, tombstones) decides whether
it is a new story, a re-post of a known one, a new version, or something rejected before.
Their tables: ``schema`` (steps), ``ingestion`` (the one writer, plus tombstones and failures),
``reads``; a person's splits and merges of clusters (``cluster_edits``), which ingest obeys
(``cluster_rules``). Every condition they refuse derives from ``NormalizerError``.
"""

from __future__ import annotations

from normalizers.bylines import clean_title
from normalizers.cluster_edits import ClusterEdit, merge_clusters, split_item
from normalizers.clusters import guard_conflict
from normalizers.dates import parse_date
from normalizers.document import Document, clean_item
from normalizers.errors import ClusterEditRefused, NormalizerError, UnknownItem
from normalizers.ingestion import IngestResult, ingest, record_failure, tombstone
from normalizers.keys import comparison_key
from normalizers.near_misses import PossibleMatch, possible_matches
from normalizers.reads import (
    cluster_members,
    failed_ingests,
    get_item,
    is_tombstoned,
    last_ingested,
    list_items,
    newest_published,
    source_currency,
    source_items,
)
from normalizers.retention import prune
from normalizers.routing import route, warm_up
from normalizers.schema import init
from normalizers.text import html_to_text, sanitize_html
from normalizers.tombstones import lift_tombstone
from normalizers.urls import canonical_url

__all__ = [
    "ClusterEdit",
    "ClusterEditRefused",
    "Document",
    "IngestResult",
    "NormalizerError",
    "PossibleMatch",
    "UnknownItem",
    "canonical_url",
    "clean_item",
    "clean_title",
    "cluster_members",
    "comparison_key",
    "failed_ingests",
    "get_item",
    "guard_conflict",
    "html_to_text",
    "ingest",
    "init",
    "prune",
    "is_tombstoned",
    "last_ingested",
    "lift_tombstone",
    "list_items",
    "newest_published",
    "merge_clusters",
    "parse_date",
    "possible_matches",
    "record_failure",
    "route",
    "sanitize_html",
    "source_currency",
    "source_items",
    "split_item",
    "tombstone",
    "warm_up",
]
