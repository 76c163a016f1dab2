"""Column freshness at the national inspection boundaries (14 days for news, 6 months for policy)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

import publisher
from settings import Column
from tests.publisher.conftest import make_entry

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=SH)

# (column, freshness_days, days since the newest item, expected status)
BOUNDARIES = [
    ("city-news", 14, 0, "ok"),
    ("city-news", 14, 10, "ok"),
    ("city-news", 14, 11, "warn"),
    ("city-news", 14, 14, "warn"),
    ("city-news", 14, 15, "stale"),
    ("notices", 183, 179, "ok"),
    ("notices", 183, 180, "warn"),
    ("notices", 183, 183, "warn"),
    ("notices", 183, 184, "stale"),
    ("topic-e-government", None, 400, "ok"),
]


@pytest.mark.parametrize("column,limit,days,status", BOUNDARIES,
                         ids=[f"{c}-{d}d-{s}" for c, _l, d, s in BOUNDARIES])
def test_status_at_boundaries(db, config, column, limit, days, status):
    published = (NOW - timedelta(days=days)).replace(hour=0, minute=1)  # early that day: calendar days count
    publisher.publish(db, make_entry(1, columns=[column], published_at=published.isoformat()))
    f = {x.column: x for x in publisher.freshness(db, config.columns, now=NOW)}[column]
    assert (f.days_since, f.limit_days, f.status) == (days, limit, status)
    assert f.last_published_at == published.isoformat()
    assert f.items == 1


def test_empty_watched_column_is_stale_and_unwatched_is_ok(db, config):
    out = {x.column: x for x in publisher.freshness(db, config.columns, now=NOW)}
    assert out["laws"].status == "stale" and out["laws"].days_since is None
    assert out["topic-old-industrial-base"].status == "ok"
    assert list(out) == list(config.columns)


def test_items_without_date_or_dated_in_future_or_retracted_do_not_count(db, config):
    publisher.publish(db, make_entry(1, published_at=(NOW - timedelta(days=20)).isoformat()))
    publisher.publish(db, make_entry(2, published_at=None))
    publisher.publish(db, make_entry(3, published_at=(NOW + timedelta(days=3)).isoformat()))
    publisher.publish(db, make_entry(4, published_at=(NOW - timedelta(days=1)).isoformat()))
    publisher.retract(db, 4, reason="撤稿")
    f = next(x for x in publisher.freshness(db, config.columns, now=NOW) if x.column == "city-news")
    assert (f.days_since, f.status, f.items) == (20, "stale", 3)


def test_accepts_an_iterable_of_columns(db):
    col = Column("x", "测试", "news", 14)
    publisher.publish(db, make_entry(1, columns=["x"], published_at=NOW.isoformat()))
    [f] = publisher.freshness(db, [col], now=NOW)
    assert (f.column, f.name, f.kind, f.status, f.days_since) == ("x", "测试", "news", "ok", 0)
    assert f.as_dict()["status"] == "ok"
