"""Running sources: a pass over many at once (``collect``), each source at most once at a time
(``RunningSet``, keyed per database), on a bounded pool with a per-host cap.

``collect`` is the one-off pass (``run.py collect``); the daemon's ``Dispatcher`` picks due
sources from their rows and hands each to ``run_one`` the same way.
"""

from __future__ import annotations

import random
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import sqlite_utils

from collectors.collection import collect_source
from collectors.http import HostLimiter, StopSignal
from collectors.recording import SourceResult
from collectors.state import StateStore, init
from settings.model import CollectorSettings, Source

__all__ = ["RunningSet", "RUNNING", "run_one", "collect", "db_key"]


class RunningSet:
    """Source ids currently being collected (process-wide): a source never runs twice at once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ids: set[str] = set()

    def claim(self, key: str) -> bool:
        with self._lock:
            if key in self._ids:
                return False
            self._ids.add(key)
            return True

    def release(self, key: str) -> None:
        with self._lock:
            self._ids.discard(key)

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._ids


RUNNING = RunningSet()


def _now(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    return now if now.tzinfo else now.replace(tzinfo=UTC)


def run_one(store: StateStore, source: Source, settings: CollectorSettings, limiter: HostLimiter,
            now: datetime | None, running: RunningSet = RUNNING, key_prefix: str = "",
            rng: random.Random | None = None, recheck_all: bool = False,
            stop: StopSignal | None = None) -> SourceResult:
    """Run *source* unless it is running already (then a skipped result says so); *stop* set (the
    daemon stopping) sends no further request."""
    key = key_prefix + source.id
    if not running.claim(key):
        return SourceResult(source.id, ok=False, error="already running", skipped=True)
    try:
        return collect_source(store, source, settings, limiter, now=_now(now), rng=rng, recheck_all=recheck_all,
                              stop=stop)
    finally:
        running.release(key)


def collect(db: sqlite_utils.Database, sources: Any, settings: CollectorSettings | None = None, *,
            now: datetime | None = None, recheck_all: bool = False) -> list[SourceResult]:
    """One pass over *sources* now, concurrently; returns one result per source in the given order.

    *recheck_all*: also re-check every detail page still in its correction window, now.
    """
    settings = settings or CollectorSettings()
    init(db)
    store = StateStore(db)
    sources = [s for s in sources if s.enabled]
    if not sources:
        return []
    limiter = HostLimiter(settings.per_host)
    prefix = f"{db_key(db)}:"
    # Longest-running sources first (by their last run): the pass ends with short ones, not with
    # one slow source started last.
    states = store.states()
    order = sorted(sources, key=lambda s: -(states[s.id].last_duration or 0.0) if s.id in states else 0.0)
    with ThreadPoolExecutor(max_workers=max(1, min(settings.workers, len(sources))),
                            thread_name_prefix="collect") as pool:
        futures = {s.id: pool.submit(run_one, store, s, settings, limiter, now, RUNNING, prefix, None, recheck_all)
                   for s in order}
        return [futures[s.id].result() for s in sources]


def db_key(db: sqlite_utils.Database) -> str:
    """The database file (sources are unique per database, not per process)."""
    try:
        row = db.execute("PRAGMA database_list").fetchone()
        return row[2] or f"mem{id(db.conn)}"
    except Exception:  # noqa: BLE001 - a closed connection still needs a key
        return f"mem{id(db.conn)}"
