"""Site evaluation (网站评测): the national inspection indicators of every source's site and the
province's ranking, from what Huiju already records (checks, items, clusters, reviews).

Reads only other packages' public functions; owns no table. Public interface: ``evaluate``
(the report as data), ``write_report`` (report.json/html/pdf), ``period_bounds``,
``compact_observations`` (the checks' retention, run before a report), ``monthly`` (the daemon's
daily job: retention and last month's report) and ``render_html``.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

import collectors
from evaluation.html_report import render_html, site_chart
from evaluation.indicators import BEIJING, Period, period_bounds
from evaluation.output import find_chromium, write_report
from evaluation.report import build_report
from settings.model import Config

log = logging.getLogger("huiju.evaluation")

__all__ = ["BEIJING", "Period", "compact_observations", "evaluate", "find_chromium", "monthly", "period_bounds",
           "render_html", "site_chart", "write_report"]


def compact_observations(db: sqlite_utils.Database, config: Config, now: datetime | None = None) -> tuple[int, int]:
    """The checks' retention by [evaluation] (raw for ``observation_raw_days``, daily rows for
    ``observation_retention_days``); returns (raw rows folded, daily rows dropped)."""
    s = config.evaluation
    return collectors.compact_observations(db, now or datetime.now(UTC), raw_days=s.observation_raw_days,
                                           retention_days=s.observation_retention_days,
                                           limit_ms=int(s.open_within_seconds * 1000))


def evaluate(db: sqlite_utils.Database, config: Config, first: date | None = None, last: date | None = None,
             *, now: datetime | None = None) -> dict[str, Any]:
    """The report for Beijing days *first* to *last* (default: the last full month), as data."""
    now = now or datetime.now(UTC)
    return build_report(db, config, period_bounds(first, last, now))


def monthly(db: sqlite_utils.Database, config: Config, reports_dir: Path, now: datetime | None = None) -> Path | None:
    """The daemon's daily job: the checks' retention, and the previous month's report written into
    *reports_dir*/YYYY-MM/ when it is not there yet (on the 1st, or the first day the daemon runs
    after it). Returns the directory written, or None."""
    now = now or datetime.now(UTC)
    compact_observations(db, config, now)
    period = period_bounds(None, None, now)
    target = reports_dir / period.first.strftime("%Y-%m")
    if (target / "report.json").exists():
        return None
    report = evaluate(db, config, period.first, period.last, now=now)
    for warning in write_report(report, target):
        log.warning("评估：%(warning)s", {"warning": warning},
                    extra={"words": {"warning": ("report", warning.code, warning.params)}})
    return target
