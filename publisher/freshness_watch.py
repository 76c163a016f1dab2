"""Column freshness under the national inspection rules (国办秘函〔2019〕19号).

A news column must show an item at least every 14 days, a policy column every 6 months
(``Column.freshness_days``). The inspector looks at the dates the portal shows, so a column's
last update is the newest *original* publish time among its live items; items without a publish
time do not count (the rules say so), nor do items dated in the future. Days are calendar days
in Asia/Shanghai. Status: ``stale`` past the limit, ``warn`` within 3 days of it, else ``ok``;
columns without a rule are always ``ok``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import sqlite_utils

from publisher.stream import SHANGHAI, parse_time
from settings import Column

__all__ = ["ColumnFreshness", "freshness", "WARN_DAYS"]

WARN_DAYS = 3


@dataclass(frozen=True)
class ColumnFreshness:
    """How recently one column was updated, against its inspection limit."""

    column: str
    name: str
    kind: str
    last_published_at: str | None  # newest original publish time of a live item, +08:00
    days_since: int | None  # calendar days since then; None = nothing dated was ever published
    limit_days: int | None  # None = not watched
    status: str  # ok | warn | stale
    items: int = 0  # live items in the column

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def status_for(days_since: int | None, limit_days: int | None) -> str:
    """ok | warn | stale for a column *days_since* its last dated item under *limit_days*."""
    if not limit_days:
        return "ok"
    if days_since is None or days_since > limit_days:
        return "stale"
    if limit_days - days_since <= WARN_DAYS:
        return "warn"
    return "ok"


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
        days = (today - moment.astimezone(SHANGHAI).date()).days if moment else None
        out.append(
            ColumnFreshness(
                column=col.id,
                name=col.name,
                kind=col.kind,
                last_published_at=moment.astimezone(SHANGHAI).isoformat() if moment else None,
                days_since=days,
                limit_days=col.freshness_days,
                status=status_for(days, col.freshness_days),
                items=int(count),
            )
        )
    return out
