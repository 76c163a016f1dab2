"""The column catalog the portal reads: counts, last update and freshness per column."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlite_utils

from publisher.freshness_watch import freshness
from publisher.stream import latest_seq
from settings import Config

__all__ = ["catalog"]


def catalog(db: sqlite_utils.Database, config: Config, base_url: str, *, now: datetime | None = None) -> dict[str, Any]:
    """``/api/v1/columns``: every catalog column with its live item count, last change and freshness."""
    base = (base_url or "").rstrip("/")
    out = []
    for f in freshness(db, config.columns, now=now):
        seq, changed = latest_seq(db, f.column)
        d = f.as_dict()
        d["id"] = d.pop("column")
        d["latest_seq"] = seq
        d["last_change_at"] = changed
        d["feeds"] = {fmt: f"{base}/feeds/{f.column}.{fmt}" for fmt in ("rss", "atom", "json")}
        d["api"] = f"{base}/api/v1/items?column={f.column}"
        out.append(d)
    seq, changed = latest_seq(db, None)
    return {
        "columns": out,
        "latest_seq": seq,
        "last_change_at": changed,
        "feeds": {fmt: f"{base}/feeds/all.{fmt}" for fmt in ("rss", "atom", "json")},
        "item_url": f"{base}/api/v1/items/{{id}}",
    }
