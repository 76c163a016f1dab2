"""Column freshness under the national inspection rules (国办秘函〔2019〕19号), with warnings before it fails.

A news column must show an item at least every 14 days (``Column.freshness_days``), a policy
column every 6 months (``Column.freshness_months``: *calendar* months — six months from
2026-08-31 is 2027-02-28, not 183 days). The inspector looks at the dates the portal shows, so a
column's last update is the newest *original* publish time among its live items; items without
a publish time do not count (the rules say so), nor do items dated in the future. Days are
calendar days in Asia/Shanghai.

Status, from the column's last update to its deadline (``due_by``, the last day that is still
within the rule):

- ``ok`` — less than half of the allowed time has gone;
- ``warn`` — half of it has gone (14 days: from day 7; 6 months: from 3 months);
- ``alert`` — the deadline is today: without a new item the column fails tomorrow;
- ``stale`` — past the deadline (or nothing dated was ever published): the rule is broken.

Columns without a rule are always ``ok``. :class:`FreshnessWatch` logs each change of level
once; /metrics, ``run.py columns`` and the reviewer UI's header show the levels.
"""

from __future__ import annotations

import calendar
import logging
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlite_utils

from publisher.stream import SHANGHAI, parse_time
from settings import Column

__all__ = ["ColumnFreshness", "freshness", "add_months", "FreshnessWatch", "LEVELS", "attention"]

LEVELS = ("ok", "warn", "alert", "stale")  # in rising order: /metrics exports the index
log = logging.getLogger("huiju.publisher")


def add_months(day: date, months: int) -> date:
    """*day* plus calendar *months*, clamped to the month's last day (2026-08-31 + 6 = 2027-02-28)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class ColumnFreshness:
    """How recently one column was updated, against its inspection limit."""

    column: str
    name: str
    kind: str
    last_published_at: str | None  # newest original publish time of a live item, +08:00
    days_since: int | None  # calendar days since then; None = nothing dated was ever published
    limit_days: int | None  # the rule in days (None = not watched or given in months)
    status: str  # ok | warn | alert | stale
    items: int = 0  # live items in the column
    limit_months: int | None = None  # the rule in calendar months
    due_by: str | None = None  # last day (Beijing) the column still meets the rule
    warn_from: str | None = None  # first day of the warning
    days_left: int | None = None  # days until due_by (negative: overdue)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def message(self) -> str:
        """One line for the log and ``run.py columns`` (the reviewer UI words it through its catalog)."""
        if self.status == "stale":
            if self.due_by is None:
                return f"栏目「{self.name}」({self.column}) 从未发布有日期的信息：已超期"
            return (f"栏目「{self.name}」({self.column}) 已超期 {-(self.days_left or 0)} 天未更新，期限 {self.due_by}")
        if self.status == "alert":
            return f"栏目「{self.name}」({self.column}) 今天是更新期限 {self.due_by}"
        if self.status == "warn":
            return (f"栏目「{self.name}」({self.column}) 需在 {self.due_by} 前更新，还剩 {self.days_left} 天")
        return f"栏目「{self.name}」({self.column}) 正常"


def _deadline(last: date, col: Column) -> tuple[date, date] | None:
    """(first warning day, last compliant day) after an update on *last*; None = not watched."""
    if col.freshness_months:
        due = add_months(last, col.freshness_months)
        half = add_months(last, col.freshness_months // 2) if col.freshness_months % 2 == 0 \
            else last + (due - last) / 2
        return half, due
    if col.freshness_days:
        return last + timedelta(days=(col.freshness_days + 1) // 2), last + timedelta(days=col.freshness_days)
    return None


def status_for(today: date, last: date | None, col: Column) -> tuple[str, date | None, date | None]:
    """(status, warn_from, due_by) of *col* on *today*, last dated update on *last*."""
    if not (col.freshness_days or col.freshness_months):
        return "ok", None, None
    if last is None:
        return "stale", None, None
    warn_from, due = _deadline(last, col)
    if today > due:
        return "stale", warn_from, due
    if today == due:
        return "alert", warn_from, due
    if today >= warn_from:
        return "warn", warn_from, due
    return "ok", warn_from, due


def freshness(
    db: sqlite_utils.Database,
    columns: Mapping[str, Column] | Iterable[Column],
    *,
    now: datetime | None = None,
) -> list[ColumnFreshness]:
    """One :class:`ColumnFreshness` per column, in catalog order."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    cols = list(columns.values()) if isinstance(columns, Mapping) else list(columns)
    cutoff = now.isoformat(timespec="seconds")
    today = now.astimezone(SHANGHAI).date()
    out = []
    for col in cols:
        newest = db.conn.execute(
            "SELECT max(published_utc) FROM published_columns WHERE column_id = ? AND published_utc <= ?",
            [col.id, cutoff],
        ).fetchone()[0]
        count = db.conn.execute("SELECT count(*) FROM published_columns WHERE column_id = ?", [col.id]).fetchone()[0]
        moment = parse_time(newest)
        last = moment.astimezone(SHANGHAI).date() if moment else None
        status, warn_from, due = status_for(today, last, col)
        out.append(
            ColumnFreshness(
                column=col.id,
                name=col.name,
                kind=col.kind,
                last_published_at=moment.astimezone(SHANGHAI).isoformat() if moment else None,
                days_since=(today - last).days if last else None,
                limit_days=None if col.freshness_months else col.freshness_days,
                status=status,
                items=int(count),
                limit_months=col.freshness_months,
                due_by=due.isoformat() if due else None,
                warn_from=warn_from.isoformat() if warn_from else None,
                days_left=(due - today).days if due else None,
            )
        )
    return out


def attention(db: sqlite_utils.Database, columns: Mapping[str, Column] | Iterable[Column], *,
              now: datetime | None = None) -> list[ColumnFreshness]:
    """Columns at warn, alert or stale, worst first: what the reviewer UI's header shows."""
    found = [f for f in freshness(db, columns, now=now) if f.status != "ok"]
    return sorted(found, key=lambda f: (-LEVELS.index(f.status), f.days_left if f.days_left is not None else -10**6))


class FreshnessWatch:
    """Logs each column's change of level once (warning at warn, error at alert and stale)."""

    def __init__(self) -> None:
        self._seen: dict[str, str] = {}

    def check(self, db: sqlite_utils.Database, columns: Mapping[str, Column] | Iterable[Column], *,
              now: datetime | None = None) -> list[ColumnFreshness]:
        """Log the columns whose level changed since the last check; returns every column's state."""
        states = freshness(db, columns, now=now)
        for f in states:
            before = self._seen.get(f.column)
            self._seen[f.column] = f.status
            if before == f.status or (before is None and f.status == "ok"):
                continue
            level = logging.ERROR if f.status in ("alert", "stale") else logging.WARNING if f.status == "warn" \
                else logging.INFO
            facts = {"name": f.name, "column": f.column, "due": f.due_by, "days": abs(f.days_left or 0)}
            if f.status == "stale" and f.due_by is None:
                log.log(level, "时效：栏目「%(name)s」(%(column)s) 从未发布有日期的信息：已超期", facts)
            elif f.status == "stale":
                log.log(level, "时效：栏目「%(name)s」(%(column)s) 已超期 %(days)d 天未更新，期限 %(due)s", facts)
            elif f.status == "alert":
                log.log(level, "时效：栏目「%(name)s」(%(column)s) 今天是更新期限 %(due)s", facts)
            elif f.status == "warn":
                log.log(level, "时效：栏目「%(name)s」(%(column)s) 需在 %(due)s 前更新，还剩 %(days)d 天", facts)
            else:
                log.log(level, "时效：栏目「%(name)s」(%(column)s) 正常", facts)
        return states
