"""When a source is checked next: the interval (relaxed towards ``idle_max`` while a whole list
brings nothing new), cron times, jitter, backoff after failures, Retry-After, and the quick
follow-up of a run that left detail pages behind.

Pure policy: no database, no HTTP. ``SourceState`` applies it to a source's row, ``health`` reads
it to show how often a source is checked now, so neither needs the collection pass.
"""

from __future__ import annotations

import logging
import random
from datetime import UTC, datetime, timedelta

from pages.times import SHANGHAI
from settings.model import CollectorSettings, Source

__all__ = ["backoff_delay", "check_interval", "next_regular_check", "next_check", "INCOMPLETE_RETRY"]

log = logging.getLogger("huiju.collectors")

INCOMPLETE_RETRY = 300  # seconds: a run that left detail pages behind (budget, deadline) goes on this soon


def backoff_delay(errors: int, settings: CollectorSettings, retry_after: float | None = None,
                  rng: random.Random | None = None) -> float:
    """Exponential backoff with jitter, capped; Retry-After wins when longer (up to the cap)."""
    r = rng or random
    delay = min(settings.backoff_cap, settings.backoff_base * (2 ** max(0, errors - 1)))
    delay *= 1 + r.uniform(-settings.jitter, settings.jitter)
    delay = min(settings.backoff_cap, delay)
    if retry_after is not None:
        delay = max(delay, min(retry_after, settings.backoff_cap))
    return max(1.0, delay)


def check_interval(source: Source, settings: CollectorSettings, idle_checks: int = 0) -> int:
    """Seconds between regular checks: the source's own interval, doubled for each whole-list
    download in a row that brought nothing new, up to ``idle_max``.

    A server that answers conditional GETs costs a few hundred bytes per unchanged check and keeps
    its interval; one that sends no validators costs its whole list page every time, and most
    county and department lists change a few times a day. Cron schedules are the operator's
    explicit times and are never relaxed.
    """
    base = source.interval
    cap = settings.idle_max if source.idle_max is None else source.idle_max
    if source.cron or idle_checks <= 0 or cap <= base:
        return base
    return int(min(cap, base * 2 ** min(idle_checks, 30)))


def next_regular_check(source: Source, settings: CollectorSettings, now: datetime,
                       rng: random.Random | None = None, *, idle_checks: int = 0) -> datetime:
    """After a success: the next cron time (Asia/Shanghai), or the interval with jitter."""
    r = rng or random
    if source.cron:
        from apscheduler.triggers.cron import CronTrigger

        try:
            trigger = CronTrigger.from_crontab(source.cron, timezone=SHANGHAI)
            nxt = trigger.get_next_fire_time(None, now + timedelta(seconds=1))  # never "now" again
            if nxt is not None:
                return nxt.astimezone(UTC)
        except ValueError:
            log.warning("来源 %(source)s：cron %(cron)r 无效，改为每 %(every)d 秒一次",
                        {"source": source.id, "cron": source.cron, "every": source.interval})
    delay = check_interval(source, settings, idle_checks) * (1 + r.uniform(-settings.jitter, settings.jitter))
    return now + timedelta(seconds=max(1.0, delay))


def next_check(source: Source, settings: CollectorSettings, now: datetime, rng: random.Random | None = None, *,
               idle_checks: int = 0, throttled: float | None = None, incomplete: bool = False) -> datetime:
    """After a successful run: the regular check, unless the run says otherwise.

    *throttled* (a detail page answered 429/503; its Retry-After, 0 when none was given): not
    before the server said, nor before a backoff step (capped). *incomplete* (detail pages were
    left behind): go on within INCOMPLETE_RETRY, not in an hour; cron sources keep their times.
    """
    at = next_regular_check(source, settings, now, rng, idle_checks=idle_checks)
    if throttled is not None:
        pause = min(max(throttled, settings.backoff_base), settings.backoff_cap)
        return max(at, now + timedelta(seconds=pause))
    if incomplete and source.cron is None:
        return min(at, now + timedelta(seconds=INCOMPLETE_RETRY))
    return at
