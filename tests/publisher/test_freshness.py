"""Column freshness at the national inspection boundaries (14 days for news, 6 calendar months for policy)."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

import publisher
from publisher.freshness_watch import FreshnessWatch, add_months, attention
from settings import Column
from tests.publisher.conftest import make_entry

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=SH)

# (column, days since the newest item, expected status): 14 days warn from day 7, alert on day 14.
BOUNDARIES = [
    ("city-news", 0, "ok"),
    ("city-news", 6, "ok"),
    ("city-news", 7, "warn"),
    ("city-news", 13, "warn"),
    ("city-news", 14, "alert"),
    ("city-news", 15, "stale"),
    ("topic-e-government", 400, "ok"),
]


@pytest.mark.parametrize("column,days,status", BOUNDARIES, ids=[f"{c}-{d}d-{s}" for c, d, s in BOUNDARIES])
def test_status_at_boundaries(db, config, column, days, status):
    published = (NOW - timedelta(days=days)).replace(hour=0, minute=1)  # early that day: calendar days count
    publisher.publish(db, make_entry(1, columns=[column], published_at=published.isoformat()))
    f = {x.column: x for x in publisher.freshness(db, config.columns, now=NOW)}[column]
    assert (f.days_since, f.status) == (days, status)
    assert f.last_published_at == published.isoformat()
    assert f.items == 1


# Six calendar months, not 183 days: (last update, today, status)
MONTHS = [
    ("2026-08-31", "2026-11-29", "ok"),      # 3 months from 08-31 is 11-30
    ("2026-08-31", "2026-11-30", "warn"),
    ("2026-08-31", "2027-02-27", "warn"),
    ("2026-08-31", "2027-02-28", "alert"),   # 6 months from 08-31 is 02-28 (183 days would be 03-02)
    ("2026-08-31", "2027-03-01", "stale"),
    ("2026-05-20", "2026-11-19", "warn"),
    ("2026-05-20", "2026-11-20", "alert"),
    ("2026-05-20", "2026-11-21", "stale"),
    ("2024-02-29", "2024-08-29", "alert"),
]


@pytest.mark.parametrize("last,today,status", MONTHS)
def test_six_months_are_calendar_months(db, config, last, today, status):
    publisher.publish(db, make_entry(1, columns=["notices"], published_at=f"{last}T09:00:00+08:00"))
    now = datetime.fromisoformat(f"{today}T12:00:00+08:00")
    f = {x.column: x for x in publisher.freshness(db, config.columns, now=now)}["notices"]
    assert (f.status, f.limit_months) == (status, 6)
    assert f.due_by == add_months(date.fromisoformat(last), 6).isoformat()


def test_add_months_clamps_to_the_end_of_the_month():
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert add_months(date(2027, 8, 31), 6) == date(2028, 2, 29)
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 15), 3) == date(2027, 2, 15)


def test_the_watch_logs_each_change_of_level_once(db, config, caplog):
    publisher.publish(db, make_entry(1, published_at=(NOW - timedelta(days=7)).isoformat()))
    watch = FreshnessWatch()
    caplog.set_level(logging.INFO, logger="huiju.publisher")
    watch.check(db, {"city-news": config.columns["city-news"]}, now=NOW)
    watch.check(db, {"city-news": config.columns["city-news"]}, now=NOW + timedelta(hours=1))
    assert [(r.levelname, "地市动态" in r.message) for r in caplog.records] == [("WARNING", True)]
    watch.check(db, {"city-news": config.columns["city-news"]}, now=NOW + timedelta(days=7))
    watch.check(db, {"city-news": config.columns["city-news"]}, now=NOW + timedelta(days=8))
    assert [r.levelname for r in caplog.records] == ["WARNING", "ERROR", "ERROR"]
    assert "今天是更新期限" in caplog.records[1].message and "已超期" in caplog.records[2].message


def test_attention_lists_the_worst_first(db, config):
    publisher.publish(db, make_entry(1, published_at=(NOW - timedelta(days=8)).isoformat()))
    worst = attention(db, config.columns, now=NOW)
    assert worst[0].status == "stale" and worst[-1].column == "city-news" and worst[-1].status == "warn"


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


def _daemon_app(db, db_path, config):
    from pipeline.flow import init_all
    from pipeline.web import create_app

    init_all(db)  # every package's tables, as the daemon creates them at start
    return create_app(str(db_path), config)


def test_metrics_reviewer_header_and_cli_show_the_levels(db, db_path, config, tmp_path, monkeypatch):
    import json
    import subprocess
    import sys
    from pathlib import Path

    from flask import render_template

    now = datetime.now(SH)
    publisher.publish(db, make_entry(1, published_at=(now - timedelta(days=8)).isoformat()))
    app = _daemon_app(db, db_path, config)
    monkeypatch.setenv("HUIJU_METRICS_TOKEN", "t0ken")  # /metrics is closed without it
    metrics = app.test_client().get("/metrics", headers={"Authorization": "Bearer t0ken"}).get_data(as_text=True)
    assert 'huiju_column_freshness_level{column="city-news"} 1' in metrics  # warn
    assert 'huiju_column_freshness_level{column="laws"} 3' in metrics  # stale: never updated
    assert 'huiju_column_days_left{column="city-news"} 6' in metrics
    with app.test_request_context("/review/"):
        banner = render_template("publisher/freshness_banner.html")
    assert "栏目「地市动态」(city-news) 需在" in banner and "「法律法规」" in banner
    base = Path(__file__).resolve().parents[2] / "review_queue/templates/review_queue/base.html"
    assert 'include "publisher/freshness_banner.html"' in base.read_text(encoding="utf-8")
    repo = Path(__file__).resolve().parents[2]
    run = subprocess.run([sys.executable, str(repo / "run.py"), "--config", str(repo / "demo.toml"), "--db",
                          str(db_path), "columns", "--json"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 3, run.stderr  # some column is stale: monitoring can act on the exit status
    rows = {r["column"]: r for r in json.loads(run.stdout)}
    assert rows["city-news"]["status"] == "warn" and rows["notices"]["limit_months"] == 6
    text = subprocess.run([sys.executable, str(repo / "run.py"), "--config", str(repo / "demo.toml"), "--db",
                           str(db_path), "--lang", "zh", "columns"], capture_output=True, text=True, timeout=120).stdout
    assert "city-news" in text and "warn" in text and "6 个月" in text and "栏目「地市动态」(city-news) 需在" in text
