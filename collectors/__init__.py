"""Collect items from government sites politely: RSS/Atom, HTML list + detail pages, JSON lists.

Public interface: ``init``, ``collect``, ``pending``, ``backlog``, ``probe``, ``health``, ``metrics``,
``Dispatcher``, ``schedule_jobs``, ``prune``, the site-evaluation reads (``observation_days``,
``compact_observations``, ``dead_link_counts``, ``collected_times``) and the exceptions, each named by the condition it reports.
"""

from __future__ import annotations

from datetime import datetime

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
from collectors.observations import DayObservations, Observation
from collectors.observations import compact_observations as _compact
from collectors.observations import observation_days as _days
from collectors.probe import probe
from collectors.recording import SourceResult
from collectors.retention import prune
from collectors.running import collect
from collectors.schedule import backoff_delay
from collectors.state import StateStore, init, iso

__all__ = [
    "BinaryContent",
    "Cancelled",
    "CollectError",
    "CollectedItem",
    "DISPATCH_JOB_ID",
    "DayObservations",
    "DecodeError",
    "Decoded",
    "Dispatcher",
    "FetchError",
    "NotAFeed",
    "NotAList",
    "NothingCollected",
    "Observation",
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
    "collected_times",
    "compact_observations",
    "dead_link_counts",
    "decode_bytes",
    "health",
    "init",
    "metrics",
    "observation_days",
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


def observation_days(db: sqlite_utils.Database, first_day: str, last_day: str, *,
                     limit_ms: int = 15_000) -> list[DayObservations]:
    """Every source's checks per Beijing day, *first_day* to *last_day* inclusive (YYYY-MM-DD): how
    many visits, how many opened within *limit_ms*, how many were slow or failed."""
    init(db)
    store = StateStore(db)
    with store.lock:
        return _days(db, first_day, last_day, limit_ms=limit_ms)


def compact_observations(db: sqlite_utils.Database, now: datetime, *, raw_days: int = 30,
                         retention_days: int = 400, limit_ms: int = 15_000) -> tuple[int, int]:
    """Retention of the checks: raw rows older than *raw_days* become one row per source and Beijing
    day, daily rows older than *retention_days* are dropped; returns (rows folded, days dropped).
    Idempotent; meant for a daily maintenance job (``run.py evaluate`` runs it too)."""
    init(db)
    store = StateStore(db)
    with store.lock:
        return _compact(db, now, raw_days=raw_days, retention_days=retention_days, limit_ms=limit_ms)


def dead_link_counts(db: sqlite_utils.Database, since: datetime, until: datetime) -> dict[str, tuple[int, int]]:
    """Per source, (detail links answering 404/410 last seen in the period, detail links met in the
    period, dead ones included): the dead-link share of the site evaluation."""
    init(db)
    store = StateStore(db)
    lo, hi = iso(since), iso(until)
    dead = dict(store._q("SELECT source_id, count(*) FROM dead_links WHERE last_at >= ? AND last_at < ? "
                         "GROUP BY source_id", [lo, hi]))
    seen = dict(store._q("SELECT source_id, count(*) FROM seen_links WHERE checked_at >= ? AND checked_at < ? "
                         "GROUP BY source_id", [lo, hi]))
    return {sid: (int(dead.get(sid, 0)), int(dead.get(sid, 0)) + int(seen.get(sid, 0)))
            for sid in set(dead) | set(seen)}


def collected_times(db: sqlite_utils.Database, collected_ids: list[int]) -> dict[int, str]:
    """When each collected row (outbox id) was collected (ISO UTC): the start of an item's way."""
    init(db)
    store = StateStore(db)
    out: dict[int, str] = {}
    ids = [int(i) for i in collected_ids if i is not None]
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        marks = ",".join("?" for _ in chunk)
        out.update(dict(store._q(f"SELECT id, collected_at FROM collected WHERE id IN ({marks})", chunk)))
    return out
