"""The indicators of one site over one period, from what the other packages record: the collector's
checks and dead links, the normalizers' items and clusters, the reviewers' decisions.

Nothing here is stored: a report is computed from those tables each time, so a report for any
past period can be made again as long as its checks are retained. A value that cannot be known
(no checks, no items, no publish times) is ``None`` and stays ``null`` in the report.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils

import collectors
import normalizers
import review_queue
from settings.model import Column, Config, EvaluationSettings, Source

__all__ = ["BEIJING", "Period", "SiteIndicators", "indicators", "period_bounds"]

BEIJING = ZoneInfo("Asia/Shanghai")
APPROVED_STATES = {"approved", "published", "corrected", "retracted"}  # taken by the portal at some point


@dataclass(frozen=True)
class Period:
    """Beijing days *first* to *last*, inclusive, as measured at *as_of* (UTC)."""

    first: date
    last: date
    as_of: datetime

    @property
    def since(self) -> datetime:
        return datetime.combine(self.first, time(), BEIJING).astimezone(UTC)

    @property
    def until(self) -> datetime:
        """The end of the period, or *as_of* if that is earlier (a period not over yet)."""
        end = datetime.combine(self.last + timedelta(days=1), time(), BEIJING).astimezone(UTC)
        return min(end, self.as_of)

    @property
    def measured_last(self) -> date:
        """The last day that has begun by *as_of*: later days are not measured (clock jumps, future periods)."""
        return min(self.last, self.as_of.astimezone(BEIJING).date())

    @property
    def days(self) -> int:
        return max(0, (self.measured_last - self.first).days + 1)


def period_bounds(first: date | None, last: date | None, now: datetime) -> Period:
    """The period asked for; by default the last full calendar month in Beijing time."""
    if first is None and last is None:
        today = now.astimezone(BEIJING).date()
        last = today.replace(day=1) - timedelta(days=1)
        first = last.replace(day=1)
    elif first is None:
        first = last.replace(day=1)  # type: ignore[union-attr]
    elif last is None:
        last = min(now.astimezone(BEIJING).date(), _month_end(first))
    return Period(first, last, now.astimezone(UTC))  # type: ignore[arg-type]


def _month_end(d: date) -> date:
    nxt = (d.replace(day=28) + timedelta(days=4)).replace(day=1)
    return nxt - timedelta(days=1)


@dataclass
class SiteIndicators:
    """One site's indicators for one period; field names are the report's JSON keys."""

    source: str
    name: str
    kind: str
    column: str
    enabled: bool
    checks: int = 0
    monitored_days: int = 0
    insufficient_data: bool = True
    available_share: float | None = None
    slow_share: float | None = None
    failed_share: float | None = None
    mean_total_ms: float | None = None
    new_items: int = 0
    newest_item_at: str | None = None
    days_since_update: int | None = None
    stale: bool | None = None
    stale_limit: str | None = None
    dead_links: int = 0
    detail_links: int = 0
    dead_link_share: float | None = None
    collected: int = 0
    approved: int = 0
    rejected: int = 0
    duplicates: int = 0
    original_share: float | None = None
    median_delay_minutes: float | None = None
    p90_delay_minutes: float | None = None
    median_publish_delay_minutes: float | None = None
    p90_publish_delay_minutes: float | None = None
    score: float | None = None
    rank: int | None = None
    vetoes: list[str] = field(default_factory=list)
    veto_reasons: dict[str, str] = field(default_factory=dict)
    days: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _parse(s: str | None) -> datetime | None:
    if not s:
        return None
    try:
        dt = datetime.fromisoformat(s)
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=BEIJING)  # a naive publish time is the site's own: Beijing


def _bj(dt: datetime | None) -> str | None:
    return dt.astimezone(BEIJING).isoformat(timespec="seconds") if dt else None


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _minutes(delays: list[float]) -> tuple[float | None, float | None]:
    """(median, 90th percentile) of delays in minutes; None without any."""
    if not delays:
        return None, None
    ordered = sorted(delays)
    p90 = ordered[min(len(ordered) - 1, max(0, int(round(0.9 * len(ordered) + 0.5)) - 1))]
    return round(statistics.median(ordered), 1), round(p90, 1)


def _limit(column: Column | None, newest: datetime, settings: EvaluationSettings) -> tuple[datetime, str]:
    """When a column's newest item makes it stale: its own rule (months win over days), else the
    news rule."""
    if column is not None and column.freshness_months:
        m = newest.month - 1 + column.freshness_months
        y, m = newest.year + m // 12, m % 12 + 1
        day = min(newest.day, _month_end(date(y, m, 1)).day)
        return newest.replace(year=y, month=m, day=day), f"{column.freshness_months} 个月"
    days = column.freshness_days if column is not None and column.freshness_days else settings.news_stale_days
    return newest + timedelta(days=days), f"{days} 天"


def indicators(db: sqlite_utils.Database, config: Config, period: Period) -> list[SiteIndicators]:
    """Every configured source's indicators over *period* (vetoes and scores are added by ``scoring``)."""
    s = config.evaluation
    limit_ms = int(s.open_within_seconds * 1000)
    sites = {src.id: _site(src) for src in config.sources}
    if period.days == 0:
        return list(sites.values())
    days = collectors.observation_days(db, period.first.isoformat(), period.measured_last.isoformat(),
                                       limit_ms=limit_ms)
    for d in days:
        site = sites.get(d.source_id)
        if site is None:
            continue  # a source no longer configured is not reported
        site.checks += d.checks
        site.available_share = (site.available_share or 0) + d.opened  # counts for now, shares below
        site.slow_share = (site.slow_share or 0) + d.slow
        site.failed_share = (site.failed_share or 0) + d.failed
        site.mean_total_ms = (site.mean_total_ms or 0) + (d.mean_total_ms or 0) * d.checks
        site.monitored_days += d.checks >= s.min_checks_per_day
        site.days.append({"day": d.day, "checks": d.checks, "available_share": _share(d.opened, d.checks),
                          "new_items": d.new_items})
    need_days = min(s.min_days, period.days)
    for site in sites.values():
        opened, slow, failed = (int(site.available_share or 0), int(site.slow_share or 0),
                                int(site.failed_share or 0))
        site.mean_total_ms = round(site.mean_total_ms / site.checks, 1) if site.checks and site.mean_total_ms else None
        site.insufficient_data = site.monitored_days < need_days
        if site.insufficient_data:
            site.available_share = site.slow_share = site.failed_share = None
        else:
            site.available_share = _share(opened, site.checks)
            site.slow_share = _share(slow, site.checks)
            site.failed_share = _share(failed, site.checks)
    _items(db, config, period, sites)
    dead = collectors.dead_link_counts(db, period.since, period.until)
    for sid, (n_dead, n_links) in dead.items():
        if sid in sites:
            site = sites[sid]
            site.dead_links, site.detail_links = n_dead, n_links
            site.dead_link_share = _share(n_dead, n_links)
    return list(sites.values())


def _site(src: Source) -> SiteIndicators:
    return SiteIndicators(source=src.id, name=src.name, kind=src.kind, column=src.column, enabled=src.enabled)


def _items(db: sqlite_utils.Database, config: Config, period: Period, sites: dict[str, SiteIndicators]) -> None:
    """Counts, adoption, originality, timeliness and currency from the items of the period."""
    since, until = collectors_iso(period.since), collectors_iso(period.until)
    items = normalizers.source_items(db, since, until)
    outcomes = review_queue.review_outcomes(db, [i["id"] for i in items])
    collected_at = collectors.collected_times(db, [i["collected_id"] for i in items if i["collected_id"]])
    firsts: dict[str, list[bool]] = {}
    delays: dict[str, list[float]] = {}
    publish_delays: dict[str, list[float]] = {}
    for it in items:
        site = sites.get(it["source"])
        if site is None:
            continue
        site.collected += 1
        state, _approved_at, published_at = outcomes.get(it["id"], (None, None, None))
        site.approved += state in APPROVED_STATES
        site.rejected += state == "rejected"
        site.duplicates += state == "duplicate"
        firsts.setdefault(site.source, []).append(it["first_source"] == site.source)
        pub = _parse(it["published_at"])
        got = _parse(collected_at.get(it["collected_id"])) or _parse(it["created_at"])
        if pub is not None and got is not None:
            # a publish time after collection (a date-only time, a wrong clock) counts as no delay
            delays.setdefault(site.source, []).append(max(0.0, (got - pub).total_seconds() / 60))
            shown = _parse(published_at)
            if shown is not None:
                publish_delays.setdefault(site.source, []).append(max(0.0, (shown - pub).total_seconds() / 60))
    for sid, flags in firsts.items():
        sites[sid].original_share = _share(sum(flags), len(flags))
    for sid, ds in delays.items():
        sites[sid].median_delay_minutes, sites[sid].p90_delay_minutes = _minutes(ds)
    for sid, ds in publish_delays.items():
        sites[sid].median_publish_delay_minutes, sites[sid].p90_publish_delay_minutes = _minutes(ds)
    newest = normalizers.newest_published(db, until)
    for site in sites.values():
        site.new_items = site.collected
        n = _parse(newest.get(site.source))
        if n is None:
            continue
        n = min(n, period.until)  # a publish time in the future does not make a site current
        site.newest_item_at = _bj(n)
        site.days_since_update = max(0, (period.until - n).days)
        stale_at, site.stale_limit = _limit(config.columns.get(site.column), n, config.evaluation)
        site.stale = period.until > stale_at


def collectors_iso(dt: datetime) -> str:
    """Machine times as the tables keep them: ISO 8601 UTC with seconds."""
    return dt.astimezone(UTC).isoformat(timespec="seconds")
