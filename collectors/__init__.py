"""Collect items from government sites politely: RSS/Atom, HTML list + detail pages, JSON lists.

Public interface: ``init``, ``collect``, ``pending``, ``backlog``, ``probe``, ``health``, ``metrics``,
``Dispatcher``, ``schedule_jobs``, ``prune`` and the exceptions, each named by the condition it reports.
"""

from __future__ import annotations

import sqlite_utils

from collectors.decoding import Decoded, decode_bytes, repair_mojibake
from collectors.dispatch import DISPATCH_JOB_ID, Dispatcher, schedule_jobs
from collectors.errors import (
    BinaryContent,
    Cancelled,
    CollectError,
    DecodeError,
    FetchError,
    NotAFeed,
    NotAList,
    NothingCollected,
    ParseError,
    RedirectLoop,
    Timeout,
    TooLarge,
)
from collectors.health import STATES, SourceHealth, health, metrics
from collectors.http import StopSignal
from collectors.model import CollectedItem
from collectors.probe import probe
from collectors.recording import SourceResult
from collectors.retention import prune
from collectors.running import collect
from collectors.schedule import backoff_delay
from collectors.state import StateStore, init

__all__ = [
    "BinaryContent",
    "Cancelled",
    "CollectError",
    "CollectedItem",
    "DISPATCH_JOB_ID",
    "DecodeError",
    "Decoded",
    "Dispatcher",
    "FetchError",
    "NotAFeed",
    "NotAList",
    "NothingCollected",
    "ParseError",
    "RedirectLoop",
    "STATES",
    "SourceHealth",
    "SourceResult",
    "StopSignal",
    "Timeout",
    "TooLarge",
    "backlog",
    "backoff_delay",
    "collect",
    "decode_bytes",
    "health",
    "init",
    "metrics",
    "pending",
    "probe",
    "prune",
    "repair_mojibake",
    "schedule_jobs",
]


def pending(db: sqlite_utils.Database, after_id: int, limit: int = 500) -> list[tuple[int, CollectedItem]]:
    """Collected rows with id > *after_id*, in id order (the pipeline keeps the cursor)."""
    init(db)
    return StateStore(db).pending(after_id, limit)


def backlog(db: sqlite_utils.Database, after_id: int, limit: int = 100_000) -> int:
    """How many collected rows have id > *after_id* (at most *limit*): the ingest backlog, counted
    without reading the payloads (for /healthz and /metrics)."""
    init(db)
    return StateStore(db).count_pending(after_id, limit)
