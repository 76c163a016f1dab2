"""The daemon's dispatcher: per-source schedules live in ``source_state`` rows, one APScheduler job
picks due sources and hands them to a bounded worker pool.

Keeping the schedule as rows (not one APScheduler job per source) means a paused or overloaded
daemon catches up with one run per source — ``next_check_at`` is set from when a run finishes —
and no persistent job store has to unpickle anything.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor, wait
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from collectors.health import SourceHealth, health
from collectors.http import HostLimiter, StopSignal
from collectors.recording import SourceResult
from collectors.running import RUNNING, db_key, run_one
from collectors.schedule import backoff_delay, next_regular_check
from collectors.state import StateStore, init, iso, parse_iso
from pages.times import SHANGHAI
from settings.model import CollectorSettings, Source
from store import open_db, transaction

__all__ = ["Dispatcher", "schedule_jobs", "DISPATCH_JOB_ID"]

log = logging.getLogger("huiju.collectors")
DISPATCH_JOB_ID = "huiju-collect-dispatch"
ALERT_CHECK_EVERY = 60.0  # seconds between alert checks in run_due
RESULTS_KEPT = 1000  # finished results kept for drain_results (a daemon running for a year made millions)


def beijing(at: str | None) -> str:
    """A stored time as the operator reads it in a log line (Beijing time), "-" when there is none."""
    when = parse_iso(at) if at else None
    return when.astimezone(SHANGHAI).isoformat(timespec="seconds") if when else "-"


class Dispatcher:
    """Pick due sources and run them on a bounded pool; ``run_due`` returns at once."""

    def __init__(self, db_path: str | Path, sources: Any, settings: CollectorSettings | None = None, *,
                 rng: random.Random | None = None) -> None:
        self.settings = settings or CollectorSettings()
        self.db = open_db(db_path)
        init(self.db)
        self.store = StateStore(self.db)
        self.sources: dict[str, Source] = {s.id: s for s in sources}
        self.limiter = HostLimiter(self.settings.per_host)
        self.pool = ThreadPoolExecutor(max_workers=max(1, self.settings.workers), thread_name_prefix="collect")
        self.rng = rng or random.Random()
        self.prefix = f"{db_key(self.db)}:"
        self._futures: dict[str, Future[SourceResult]] = {}
        self._lock = threading.Lock()
        self._closed = False
        # finished runs since the last drain_results(); bounded, since a daemon never drains them
        self.results: deque[SourceResult] = deque(maxlen=RESULTS_KEPT)
        self.alerting: set[str] = set()  # sources whose alert has been logged (failing or quiet)
        self._last_alert_check: datetime | None = None
        self.stop_signal = StopSignal()  # set by stop(): no new request from any worker
        self.cut: tuple[float, int] | None = None  # (time.monotonic(), requests cut) of stop()'s deadline
        # Sources whose row could not be saved (locked database, full disk): without a saved next
        # check they would be due again at once, so they back off here, in memory, as on a failure.
        self.unsaved: dict[str, tuple[datetime, int, str]] = {}  # id -> (not before, failures, error)
        self.heartbeat: float | None = None  # time.time() of the last run_due
        self._started: dict[str, datetime] = {}  # the "now" each run in flight was started with

    def due(self, now: datetime | None = None) -> list[Source]:
        """Enabled sources whose next check has come, earliest first; never-checked ones first of all."""
        now = now or datetime.now(UTC)
        states = self.store.states()
        fresh = [sid for sid, s in self.sources.items() if s.enabled and sid not in states]
        if fresh:
            # Never checked: due now. The bounded pool paces a start-up; the jitter on every
            # later interval spreads the sources over time.
            self.store.schedule_first(fresh, {sid: now for sid in fresh})
            states = self.store.states()
        due: list[tuple[str, Source]] = []
        for sid, src in self.sources.items():
            st = states.get(sid)
            if not src.enabled or st is None:
                continue
            held = self.unsaved.get(sid)
            if held is not None and held[0] > now:
                continue
            at = parse_iso(st.next_check_at)
            if at is None or at <= now:
                due.append((st.next_check_at or "", src))
        due.sort(key=lambda x: x[0])
        return [s for _, s in due]

    def run_due(self, now: datetime | None = None) -> list[str]:
        """Submit every due source not already running; return their ids without waiting."""
        self.heartbeat = time.time()
        if self._closed:
            return []
        submitted: list[str] = []
        at = now or datetime.now(UTC)
        if self._last_alert_check is None or (at - self._last_alert_check).total_seconds() >= ALERT_CHECK_EVERY:
            self._last_alert_check = at
            try:
                self.check_alerts(at)
            except Exception:  # noqa: BLE001 - alert bookkeeping must never stop collection
                log.exception("告警检查失败")
        with self._lock:
            self._reap()
            for src in self.due(now):
                if src.id in self._futures or (self.prefix + src.id) in RUNNING:
                    continue
                fut = self.pool.submit(run_one, self.store, src, self.settings, self.limiter, now, RUNNING,
                                       self.prefix, self.rng, False, self.stop_signal)
                self._futures[src.id] = fut
                self._started[src.id] = at
                submitted.append(src.id)
        return submitted

    def check_alerts(self, now: datetime | None = None) -> list[SourceHealth]:
        """Log one line when a source starts or stops alerting (failing, or quiet past its rhythm)."""
        now = now or datetime.now(UTC)
        rows = health(self.db, list(self.sources.values()), now=now, settings=self.settings)
        for h in rows:
            if h.alert and h.id not in self.alerting:
                self.alerting.add(h.id)
                if h.state == "quiet":
                    log.error("告警：来源 %(source)s 沉寂：自北京时间 %(since)s 起没有新条目（按平常节奏最多 %(hours).0f 小时）",
                              {"source": h.id, "since": beijing(h.last_new_at), "hours": (h.quiet_after or 0) / 3600})
                else:
                    log.error("告警：来源 %(source)s 持续失败：连续 %(n)d 次，最近一次：%(error)s",
                              {"source": h.id, "n": h.error_count, "error": h.last_error},
                              extra={"words": {"error": ("collect", h.last_error_code, h.last_error_params)}})
            elif not h.alert and h.id in self.alerting:
                self.alerting.discard(h.id)
                log.warning("来源 %(source)s 解除告警（状态 %(state)s）", {"source": h.id, "state": h.state})
        return rows

    def _reap(self) -> None:
        for sid, fut in list(self._futures.items()):
            if fut.done():
                del self._futures[sid]
                started = self._started.pop(sid, None)
                if fut.cancelled():
                    continue
                try:
                    result = fut.result()
                except Exception:  # noqa: BLE001 - run_one records its own failures
                    log.exception("来源 %(source)s：工作线程崩溃", {"source": sid})
                    continue
                self.results.append(result)
                self._note_saved(result, started)

    def _note_saved(self, result: SourceResult, now: datetime | None = None) -> None:
        """Back a source off in memory while its state cannot be saved; alert once per streak."""
        sid = result.source_id
        if result.skipped:
            return
        if result.state_error is None:
            if self.unsaved.pop(sid, None) is not None:
                log.warning("来源 %(source)s：状态又能记录了", {"source": sid})
            return
        now = now or datetime.now(UTC)
        failures = self.unsaved.get(sid, (now, 0, ""))[1] + 1
        delay = backoff_delay(failures, self.settings, rng=self.rng)
        self.unsaved[sid] = (now + timedelta(seconds=delay), failures, result.state_error)
        if failures == 1:
            log.error("告警：来源 %(source)s：状态无法记录（%(error)s）；%(delay).0f 秒后重试，逐次延长",
                      {"source": sid, "error": result.state_error, "delay": delay})

    def update(self, sources: Any, settings: CollectorSettings | None = None,
               now: datetime | None = None) -> dict[str, list[str]]:
        """Take a reloaded configuration: added sources are due at once, removed ones are no
        longer started (a run in flight finishes), a changed schedule applies from now (the next
        check comes no later than one new interval from now). Returns the ids by change."""
        now = now or datetime.now(UTC)
        new = {s.id: s for s in sources}
        with self._lock:
            old = self.sources
            changes = {"added": [k for k in new if k not in old], "removed": [k for k in old if k not in new],
                       "changed": [k for k in new if k in old and new[k] != old[k]]}
            self.sources = new
            if settings is not None and settings != self.settings:
                if settings.workers != self.settings.workers:
                    log.warning("重新加载：workers = %(new)d 在下次重启时生效（现在以 %(old)d 运行）",
                                {"new": settings.workers, "old": self.settings.workers})
                if settings.per_host != self.settings.per_host:
                    self.limiter = HostLimiter(settings.per_host)
                self.settings = settings
        for sid in changes["changed"]:
            if (old[sid].every, old[sid].cron) == (new[sid].every, new[sid].cron):
                continue
            at = iso(next_regular_check(new[sid], self.settings, now, self.rng))
            with self.store.lock, transaction(self.db):  # never shortens a failure's backoff
                self.db.execute("UPDATE source_state SET next_check_at = ? WHERE source_id = ? AND error_count = 0 "
                                "AND (next_check_at IS NULL OR next_check_at > ?)", [at, sid, at])
        return changes

    def running(self) -> list[str]:
        with self._lock:
            return [sid for sid, f in self._futures.items() if not f.done()]

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for submitted runs to finish (tests, ``collect`` once); True if all finished."""
        with self._lock:
            futs = list(self._futures.values())
        done, not_done = wait(futs, timeout=timeout)
        with self._lock:
            self._reap()
        return not not_done

    def drain_results(self) -> list[SourceResult]:
        with self._lock:
            self._reap()
            out = list(self.results)
            self.results.clear()
        return out

    def stop(self, timeout: float, grace: float | None = None) -> bool:
        """Stop within *timeout* seconds: no new request from now on; runs in flight store what
        they fetched; at the deadline less *grace* (to store; default a quarter, at most 2 s) the
        requests still in flight are cut (``cut`` says when and how many). True when every run
        finished in time."""
        self._closed = True
        self.stop_signal.set()
        self.pool.shutdown(wait=False, cancel_futures=True)
        grace = min(2.0, timeout / 4) if grace is None else min(grace, timeout)
        if self.wait(max(0.0, timeout - grace)):
            return True
        cut = self.stop_signal.abort()
        self.cut = (time.monotonic(), cut)
        log.warning("停止截止时间到：切断了 %(n)d 个进行中的请求", {"n": cut})
        return self.wait(grace)

    def shutdown(self, wait: bool = True) -> None:
        """Stop accepting work; finish (or with wait=False abandon) runs in flight."""
        self._closed = True
        self.pool.shutdown(wait=wait, cancel_futures=True)
        if wait:
            self.db.conn.close()


def schedule_jobs(scheduler: Any, dispatcher: Dispatcher, every_seconds: int = 5) -> Any:
    """Add the one dispatcher job: every few seconds, never two at once, missed runs coalesced.

    ``misfire_grace_time`` is given on the job (the scheduler-constructor argument is ignored by
    APScheduler 3.x; job_defaults or the job itself must carry it) so that a paused or overloaded
    daemon runs the dispatcher once when it wakes up instead of skipping it or running a pile.
    """
    return scheduler.add_job(dispatcher.run_due, "interval", seconds=every_seconds, id=DISPATCH_JOB_ID,
                             name="collect due sources", max_instances=1, coalesce=True,
                             misfire_grace_time=max(60, every_seconds * 12), replace_existing=True,
                             jitter=None, next_run_time=datetime.now(UTC))



