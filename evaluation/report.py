"""The report as data: the JSON contract of docs/evaluation.md, built from the indicators."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

import sqlite_utils

from evaluation.html_report import KIND_NAMES
from evaluation.indicators import BEIJING, Period, column_rule, indicators
from evaluation.scoring import VETOES, rank, score, vetoes
from evaluation.site_columns import site_columns
from settings.model import Config

__all__ = ["build_report"]


def build_report(db: sqlite_utils.Database, config: Config, period: Period) -> dict[str, Any]:
    """``{"from", "to", "as_of", "sites": [...], "columns": [...], "websites": [...], "vetoes": {...},
    "settings": {...}}``: sites in rank order within each kind (unranked last), columns in
    configuration order, websites (sources grouped by site, with the 栏目不更新 veto) likewise."""
    s = config.evaluation
    sites = indicators(db, config, period)
    for site in sites:
        col = config.columns.get(site.column)
        first = (datetime.combine(datetime.fromisoformat(site.days[0]["day"]).date(), time(), BEIJING)
                 if site.days else None)
        vetoes(site, period, s, col.kind if col else None, first)
    websites = site_columns(sites, s)
    today = period.today
    for site in sites:
        rule = column_rule(config.columns.get(site.column), s)
        score(site, s, (rule.due_by(today) - today).days if rule else s.news_stale_days)
    rank(sites)
    kinds = {k: n for n, k in enumerate(("city", "county", "department", "portal", "partner"))}
    sites.sort(key=lambda x: (kinds.get(x.kind, 9), x.rank is None, x.rank or 0, x.source))
    return {
        "from": period.first.isoformat(),
        "to": period.last.isoformat(),
        "as_of": period.until.astimezone(BEIJING).isoformat(timespec="seconds"),
        "measured_days": period.days,
        "generated_at": datetime.now(UTC).astimezone(BEIJING).isoformat(timespec="seconds"),
        "sites": [x.as_dict() for x in sites],
        "columns": _columns(config, sites, period),
        "websites": websites,
        "vetoes": VETOES,
        "kinds": KIND_NAMES,
        "settings": dict(s.__dict__),
    }


def _columns(config: Config, sites: list, period: Period) -> list[dict[str, Any]]:
    """Each catalog column's currency: its sources' newest item and whether the column is stale."""
    out = []
    for col in config.columns.values():
        feeding = [x for x in sites if x.column == col.id and x.enabled]
        newest = max((x.newest_item_at for x in feeding if x.newest_item_at), default=None)
        days = None
        if newest:
            days = max(0, (period.until - datetime.fromisoformat(newest)).days)
        rule = column_rule(col, config.evaluation)
        stale = None
        if newest and rule:
            stale = period.today > rule.due_by(datetime.fromisoformat(newest).date())
        out.append({"id": col.id, "name": col.name, "kind": col.kind, "sources": len(feeding),
                    "newest_item_at": newest, "days_since_update": days, "limit": rule.label if rule else None, "stale": stale,
                    "stale_sources": sum(1 for x in feeding if x.stale)})
    return out
