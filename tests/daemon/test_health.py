"""Liveness and readiness apart; readiness names what failed. A source whose state cannot be saved
backs off as on a failure and raises an alert, instead of being fetched again every few seconds."""

from __future__ import annotations

import logging
import random
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import collectors
import pipeline
import settings
import store
from pipeline.logs import message_of
from settings.model import CollectorSettings
from tests.collectors.fakeweb import FakeWeb
from tests.collectors.sources import make_source

FEED = '<rss version="2.0"><channel><title>t</title>{items}</channel></rss>'
ITEM = "<item><title>七台河市新闻{n}</title><link>{base}/x/{n}.html</link><guid>g{n}</guid></item>"


def app_for(db_path: Path, status: dict | None):
    db = store.open_db(db_path)
    pipeline.init_all(db)
    db.conn.close()
    app = pipeline.create_app(str(db_path), settings.loads(""))
    if status is not None:
        app.config["HUIJU_STATUS"] = lambda: status
    return app.test_client()


def status(**kw) -> dict:
    return {"heartbeat": time.time(), "heartbeat_max": 60.0, "min_free_mb": 1, "stopping": False,
            "state_unsaved": {}, "reloads": 0, **kw}


def test_ready_when_everything_works_and_healthz_keeps_its_contract(tmp_path: Path) -> None:
    client = app_for(tmp_path / "h.db", status())
    ready = client.get("/healthz/ready")
    assert ready.status_code == 200, ready.json
    assert ready.json["status"] == "ready" and ready.json["failed"] == []
    assert set(ready.json["checks"]) == {"database_write", "disk_free", "scheduler_heartbeat", "source_state_saved"}
    assert client.get("/healthz/live").json == {"status": "alive"}
    old = client.get("/healthz")
    assert old.status_code == 200 and old.json["status"] == "ok" and "ingest_backlog" in old.json


def test_ready_fails_naming_the_locked_database(tmp_path: Path, monkeypatch) -> None:
    client = app_for(tmp_path / "h.db", status())
    holder = sqlite3.connect(tmp_path / "h.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        started = time.monotonic()
        ready = client.get("/healthz/ready")
        took = time.monotonic() - started
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert ready.status_code == 503
    assert ready.json["failed"] == ["database_write"]
    assert "locked" in ready.json["checks"]["database_write"]["error"]
    assert took < 5, "readiness must answer within seconds"
    assert client.get("/healthz/live").status_code == 200  # alive: a restart would not help


def test_ready_fails_on_low_disk_and_a_stale_heartbeat(tmp_path: Path) -> None:
    client = app_for(tmp_path / "h.db", status(min_free_mb=10**9, heartbeat=time.time() - 300))
    ready = client.get("/healthz/ready")
    assert ready.status_code == 503
    assert sorted(ready.json["failed"]) == ["disk_free", "scheduler_heartbeat"]
    assert "below" in ready.json["checks"]["disk_free"]["error"]
    assert ready.json["checks"]["scheduler_heartbeat"]["age_seconds"] >= 299


def test_a_source_whose_state_cannot_be_saved_backs_off_and_alerts(tmp_path: Path, web: FakeWeb, monkeypatch,
                                                                     caplog) -> None:
    monkeypatch.setattr(store, "BUSY_TIMEOUT_MS", 200)
    web.route("/f.xml", FEED.format(items=ITEM.format(n=1, base=web.url)),
              headers={"Content-Type": "application/rss+xml"})
    src = make_source("qth", web.url, "/f.xml", type="rss", every=600)
    conf = CollectorSettings(backoff_base=60, backoff_cap=3600, connect_timeout=2, read_timeout=2, total_timeout=5)
    d = collectors.Dispatcher(tmp_path / "h.db", [src], conf, rng=random.Random(1))
    holder = sqlite3.connect(tmp_path / "h.db", isolation_level=None)
    try:
        d.run_due()  # schedules the source (a write) while the database is free
        assert d.wait(10)
        d.drain_results()
        holder.execute("BEGIN IMMEDIATE")  # from now on nothing can be written
        with caplog.at_level(logging.ERROR, logger="huiju.collectors"):
            now = datetime.now(UTC) + timedelta(hours=1)  # its next check has come
            assert d.run_due(now) == ["qth"]
            assert d.wait(10)
            d.drain_results()
        assert "qth" in d.unsaved, "the failed save was not noticed"
        alerts = [message_of(r, "en") for r in caplog.records if "ALERT source qth" in message_of(r, "en")]
        assert len(alerts) == 1 and "cannot be recorded" in alerts[0]
        # not due again a few seconds later (it used to be refetched every ~10 s) …
        assert d.run_due(now + timedelta(seconds=15)) == []
        assert web.count("/f.xml") == 2
        # … but after a backoff step; once the database is free its state is saved and the hold ends
        holder.execute("ROLLBACK")
        assert d.run_due(datetime.now(UTC) + timedelta(hours=1, seconds=80)) == ["qth"]
        assert d.wait(10)
        d.drain_results()
        assert "qth" not in d.unsaved
    finally:
        if holder.in_transaction:
            holder.execute("ROLLBACK")
        holder.close()
        d.shutdown()
