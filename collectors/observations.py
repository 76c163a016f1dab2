"""Every check of every source kept as data (``observations``), compacted into daily rows
(``observation_days``) once older than ``observation_raw_days``, dropped after
``observation_retention_days``: what the site evaluation (评测) reads to say how often a site
opened within the national 15-second limit, day by day.

One row per check: when, how it went (``ok`` / ``failed`` / ``cached``: the list was still fresh
by Cache-Control and no request was made, so it is no visit), the list page's HTTP status, time to
first byte and in total (milliseconds, the first request of the run: the page a visitor opens) and
the bytes of the whole run. Days are Beijing days (Asia/Shanghai), as reports are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlite_utils

from store import transaction

__all__ = ["DayObservations", "Observation", "compact_observations", "observation_days", "step"]


def beijing_day(at: str) -> str:
    """The Beijing date (YYYY-MM-DD) of a stored UTC time (China keeps no summer time)."""
    return (datetime.fromisoformat(at) + timedelta(hours=8)).date().isoformat()


def step(db: sqlite_utils.Database) -> None:
    """Schema step (collectors' step 5): the raw checks and their daily compaction."""
    db.execute("""CREATE TABLE observations (
        source_id TEXT NOT NULL,
        day TEXT NOT NULL,
        at TEXT NOT NULL,
        outcome TEXT NOT NULL,
        status INTEGER,
        ttfb_ms INTEGER,
        total_ms INTEGER,
        bytes INTEGER NOT NULL DEFAULT 0,
        new_items INTEGER NOT NULL DEFAULT 0,
        error_kind TEXT
    )""")
    # by Beijing day, then source: a period's counts are read in index order, without a sort
    db.execute("CREATE INDEX observations_day ON observations (day, source_id)")
    db.execute("""CREATE TABLE observation_days (
        source_id TEXT NOT NULL,
        day TEXT NOT NULL,
        checks INTEGER NOT NULL,
        opened INTEGER NOT NULL,
        slow INTEGER NOT NULL,
        failed INTEGER NOT NULL,
        cached INTEGER NOT NULL,
        ttfb_ms_sum INTEGER NOT NULL,
        total_ms_sum INTEGER NOT NULL,
        total_ms_max INTEGER,
        bytes INTEGER NOT NULL,
        new_items INTEGER NOT NULL,
        PRIMARY KEY (source_id, day)
    ) WITHOUT ROWID""")


@dataclass(frozen=True)
class Observation:
    """One check as recorded."""

    source_id: str
    at: str  # ISO 8601 UTC
    outcome: str  # ok | failed | cached
    status: int | None
    ttfb_ms: int | None
    total_ms: int | None
    bytes: int
    new_items: int
    error_kind: str | None


@dataclass(frozen=True)
class DayObservations:
    """One source's checks on one Beijing day, raw or compacted alike.

    *checks* counts visits (requests made; ``cached`` ones are not visits); *opened*: visits whose
    list page answered whole within *limit_ms*; *slow*: answered, but later than that; *failed*:
    no page (an error status, a timeout, a refused connection).
    """

    source_id: str
    day: str  # YYYY-MM-DD, Beijing
    checks: int
    opened: int
    slow: int
    failed: int
    cached: int
    mean_total_ms: float | None
    max_total_ms: int | None
    bytes: int
    new_items: int


def insert(db: sqlite_utils.Database, obs: Observation) -> None:
    """Record one check (committed; the caller holds the connection's lock)."""
    with transaction(db):
        db.execute("INSERT INTO observations (source_id, day, at, outcome, status, ttfb_ms, total_ms, bytes, "
                   "new_items, error_kind) VALUES (?,?,?,?,?,?,?,?,?,?)",
                   [obs.source_id, beijing_day(obs.at), obs.at, obs.outcome, obs.status, obs.ttfb_ms, obs.total_ms, obs.bytes,
                    obs.new_items, obs.error_kind])


def _raw_day_sql(limit_ms: int) -> str:
    return ("SELECT source_id, day, "
            "sum(outcome != 'cached'), "
            f"sum(outcome = 'ok' AND total_ms <= {int(limit_ms)}), "
            f"sum(outcome = 'ok' AND total_ms > {int(limit_ms)}), "
            "sum(outcome = 'failed'), sum(outcome = 'cached'), "
            "sum(CASE WHEN outcome != 'cached' THEN coalesce(ttfb_ms, 0) ELSE 0 END), "
            "sum(CASE WHEN outcome != 'cached' THEN coalesce(total_ms, 0) ELSE 0 END), "
            "max(CASE WHEN outcome != 'cached' THEN total_ms END), sum(bytes), sum(new_items) "
            "FROM observations")


def observation_days(db: sqlite_utils.Database, first_day: str, last_day: str, *,
                     limit_ms: int = 15_000) -> list[DayObservations]:
    """Every source's checks per Beijing day from *first_day* to *last_day* (inclusive, YYYY-MM-DD).

    Raw rows are grouped here; compacted days were grouped with the limit in force when they were
    compacted (``compact_observations``). Sorted by source, then day.
    """
    rows = db.execute(_raw_day_sql(limit_ms) + " WHERE day >= ? AND day <= ? GROUP BY day, source_id",
                      [first_day, last_day]).fetchall()
    rows += db.execute("SELECT source_id, day, checks, opened, slow, failed, cached, ttfb_ms_sum, total_ms_sum, "
                       "total_ms_max, bytes, new_items FROM observation_days WHERE day >= ? AND day <= ?",
                       [first_day, last_day]).fetchall()
    # r: source, day, checks, opened, slow, failed, cached, ttfb sum, total sum, total max, bytes, new
    merged: dict[tuple[str, str], list] = {}
    for r in rows:
        key = (r[0], r[1])
        m = merged.get(key)
        if m is None:
            merged[key] = [x if i in (0, 1, 9) else int(x or 0) for i, x in enumerate(r)]
            continue
        # a day partly compacted (compaction ran with raw rows of that day left): add the parts
        for i in (2, 3, 4, 5, 6, 7, 8, 10, 11):
            m[i] += int(r[i] or 0)
        m[9] = max((x for x in (m[9], r[9]) if x is not None), default=None)
    out = []
    for (sid, day), m in sorted(merged.items()):
        checks = m[2]
        out.append(DayObservations(sid, day, checks, m[3], m[4], m[5], m[6],
                                   round(m[8] / checks, 1) if checks else None, m[9], m[10], m[11]))
    return [o for o in out if first_day <= o.day <= last_day]


def compact_observations(db: sqlite_utils.Database, now: datetime, *, raw_days: int = 30,
                         retention_days: int = 400, limit_ms: int = 15_000) -> tuple[int, int]:
    """Fold raw checks older than *raw_days* into daily rows and drop daily rows older than
    *retention_days*; returns (raw rows folded, daily rows dropped).

    Safe to run at any time and more than once: whole Beijing days before the cut are folded
    (a day already partly folded is added to), in one transaction, so a crash folds nothing twice.
    The daemon's daily maintenance calls it; ``run.py evaluate`` calls it before reading.
    """
    bj_today = (now + timedelta(hours=8)).date()
    cut_day = (bj_today - timedelta(days=raw_days)).isoformat()  # days before this are folded
    keep_day = (bj_today - timedelta(days=retention_days)).isoformat()
    with transaction(db):
        rows = db.execute(_raw_day_sql(limit_ms) + " WHERE day < ? GROUP BY day, source_id", [cut_day]).fetchall()
        for r in rows:
            db.execute(
                "INSERT INTO observation_days (source_id, day, checks, opened, slow, failed, cached, ttfb_ms_sum, "
                "total_ms_sum, total_ms_max, bytes, new_items) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) "
                "ON CONFLICT(source_id, day) DO UPDATE SET checks = checks + excluded.checks, "
                "opened = opened + excluded.opened, slow = slow + excluded.slow, failed = failed + excluded.failed, "
                "cached = cached + excluded.cached, ttfb_ms_sum = ttfb_ms_sum + excluded.ttfb_ms_sum, "
                "total_ms_sum = total_ms_sum + excluded.total_ms_sum, "
                "total_ms_max = max(coalesce(total_ms_max, 0), coalesce(excluded.total_ms_max, 0)), "
                "bytes = bytes + excluded.bytes, new_items = new_items + excluded.new_items",
                [int(x or 0) if i >= 2 and i != 9 else x for i, x in enumerate(r)])
        folded = db.execute("DELETE FROM observations WHERE day < ?", [cut_day]).rowcount
        dropped = db.execute("DELETE FROM observation_days WHERE day < ?", [keep_day]).rowcount
    return int(folded or 0), int(dropped or 0)
