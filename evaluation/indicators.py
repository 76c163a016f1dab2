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
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import sqlite_utils

import collectors
import normalizers
import publisher
import review_queue
from settings.model import Column, Config, EvaluationSettings, Source

__all__ = ["BEIJING", "ColumnRule", "Period", "SiteIndicators", "column_rule", "indicators", "period_bounds",
           "site_of"]

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
    def today(self) -> date:
        """The Beijing day the period is judged on: its last measured day (the day before *until*)."""
        return (self.until - timedelta(microseconds=1)).astimezone(BEIJING).date()

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
    site: str = ""  # the website this source is a column of (``site_of``)
    column_kind: str | None = None  # news | policy | topic: the kind of the catalog column it feeds
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
    due_by: str | None = None  # last Beijing day its newest item keeps it within its rule
    items_total: int = 0  # items stored from it up to the end of the period, in any period
    empty: bool | None = None  # read in the period and never an item (空白栏目); None: not read
    last_answered_day: str | None = None  # last day of the period its list answered (in time or late)
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


@dataclass(frozen=True)
class ColumnRule:
    """How long a column may go without a new item (国办秘函〔2019〕19号): days, or calendar months
    (six months from 2026-08-31 is 2027-02-28, not 183 days), as the publisher's freshness counts."""

    kind: str
    days: int | None = None
    months: int | None = None

    @property
    def label(self) -> str:
        return f"{self.months} 个月" if self.months else f"{self.days} 天"

    def due_by(self, last: date) -> date:
        """The last Beijing day on which a column last updated on *last* still meets the rule."""
        return publisher.add_months(last, self.months) if self.months else last + timedelta(days=self.days or 0)


def column_rule(column: Column | None, settings: EvaluationSettings) -> ColumnRule | None:
    """A column's rule: its own ``freshness_months`` (wins) or ``freshness_days``; else by its kind,
    news ``news_stale_days``, policy ``policy_stale_months``; topic columns are not watched (None)."""
    if column is None:
        return None
    if column.freshness_months:
        return ColumnRule(column.kind, months=column.freshness_months)
    if column.freshness_days:
        return ColumnRule(column.kind, days=column.freshness_days)
    if column.kind == "news" and settings.news_stale_days:
        return ColumnRule(column.kind, days=settings.news_stale_days)
    if column.kind == "policy" and settings.policy_stale_months:
        return ColumnRule(column.kind, months=settings.policy_stale_months)
    return None


def site_of(src: Source) -> str:
    """The website a source is a column of: its ``site`` key, else its URL's host."""
    return src.site or urlsplit(src.url).hostname or src.id


def indicators(db: sqlite_utils.Database, config: Config, period: Period) -> list[SiteIndicators]:
    """Every configured source's indicators over *period* (vetoes and scores are added by ``scoring``)."""
    s = config.evaluation
    limit_ms = int(s.open_within_seconds * 1000)
    sites = {src.id: _site(src, config) for src in config.sources}
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
        if d.opened + d.slow:
            site.last_answered_day = max(site.last_answered_day or d.day, d.day)
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


def _site(src: Source, config: Config) -> SiteIndicators:
    col = config.columns.get(src.column)
    return SiteIndicators(source=src.id, name=src.name, kind=src.kind, column=src.column, enabled=src.enabled,
                          site=site_of(src), column_kind=col.kind if col else None)


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
    currency = normalizers.source_currency(db, until)
    today = period.today
    for site in sites.values():
        site.new_items = site.collected
        newest_at, site.items_total = currency.get(site.source, (None, 0))
        rule = column_rule(config.columns.get(site.column), config.evaluation)
        site.stale_limit = rule.label if rule else None
        # 空白栏目: its list answered in the period and nothing was ever stored from it
        if site.enabled and site.items_total:
            site.empty = False
        elif site.enabled and site.last_answered_day:
            site.empty = True  # not read in the period (or disabled): None, not known
        n = _parse(newest_at)
        if n is None:
            continue
        n = min(n, period.until)  # a publish time in the future does not make a site current
        site.newest_item_at = _bj(n)
        site.days_since_update = max(0, (period.until - n).days)
        if rule is None:
            continue  # a topic column: not watched
        due = rule.due_by(n.astimezone(BEIJING).date())
        site.due_by = due.isoformat()
        if today <= due:
            site.stale = False
        elif site.last_answered_day and date.fromisoformat(site.last_answered_day) > due:
            site.stale = True  # its list was read after the day it was due and showed nothing newer
        # else: not read since it was due (down, not checked): whether it updated is not known


def collectors_iso(dt: datetime) -> str:
    """Machine times as the tables keep them: ISO 8601 UTC with seconds."""
    return dt.astimezone(UTC).isoformat(timespec="seconds")
