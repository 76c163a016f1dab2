"""A hand-over that fails half-way loses nothing and duplicates nothing: the next pass finishes it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import collectors
import normalizers
import pipeline
import review_queue
import sample_province
import settings
import store

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def province():
    p = sample_province.start(port=0, seed=3, speed=0)
    p.advance(days=2)  # seed 3 releases official documents (auto-reviewed) in its first two days
    yield p
    p.stop()


def test_a_failure_between_stages_is_retried_without_loss_or_duplicates(province, tmp_path, monkeypatch):
    config = settings.load(REPO / "demo.toml", variables={"province": province.url})
    sources = [config.source(s) for s in ("xinhua", "harbin", "portal-zfwj", "portal-gz")]
    db = store.open_db(str(tmp_path / "h.db"))
    pipeline.init_all(db)
    collected = sum(r.new for r in collectors.collect(db, sources, config.collector))
    assert collected > 10

    real_submit = review_queue.submit
    calls = {"n": 0}

    def failing_submit(db, result, source, *, now=None):
        calls["n"] += 1
        if calls["n"] == 6:
            raise RuntimeError("disk full (simulated)")
        return real_submit(db, result, source, now=now)

    monkeypatch.setattr(review_queue, "submit", failing_submit)
    first = pipeline.run_once(db, config)
    assert first.ingested == 5
    assert first.errors and "disk full" in first.errors[0]
    # the failed hand-over left nothing half-done: the sixth item is neither ingested nor queued
    assert len(normalizers.list_items(db)) == 5

    monkeypatch.setattr(review_queue, "submit", real_submit)
    second = pipeline.run_once(db, config)
    assert second.errors == []
    assert first.ingested + second.ingested == collected
    items = normalizers.list_items(db)
    assert len(items) == collected
    assert len({(i["source"], i["url"]) for i in items}) == collected
    assert all(review_queue.state(db, i["id"]) for i in items)

    # the auto-reviewed documents were published once; another pass publishes nothing again
    published_before = [i["id"] for i in items if review_queue.state(db, i["id"]) == "published"]
    assert published_before
    again = pipeline.run_once(db, config)
    assert again.ingested == 0 and again.published == 0


def test_a_row_that_always_fails_is_set_aside_and_the_rest_go_on(province, tmp_path, monkeypatch):
    config = settings.load(REPO / "demo.toml", variables={"province": province.url})
    db_path = str(tmp_path / "q.db")
    db = store.open_db(db_path)
    pipeline.init_all(db)
    collected = sum(r.new for r in collectors.collect(db, [config.source("xinhua")], config.collector))
    poison = {"n": 0}
    real_ingest = normalizers.ingest

    def ingest(db, collected_id, item, source, config, *, now=None):
        if collected_id == 2:
            poison["n"] += 1
            raise ValueError("cannot parse this row (simulated)")
        return real_ingest(db, collected_id, item, source, config, now=now)

    monkeypatch.setattr(normalizers, "ingest", ingest)
    passes = [pipeline.run_once(db, config) for _ in range(normalizers.store.QUARANTINE_AFTER)]
    assert [p.ingested for p in passes[:-1]] == [1] + [0] * (len(passes) - 2)  # held up while retried
    assert passes[-1].quarantined == 1 and passes[-1].ingested == collected - 2
    assert poison["n"] == normalizers.store.QUARANTINE_AFTER
    [failed] = normalizers.failed_ingests(db)
    assert failed["collected_id"] == 2 and "simulated" in failed["last_error"]
    assert pipeline.run_once(db, config).ingested == 0  # set aside once, not retried forever

    health = pipeline.create_app(db_path, config).test_client().get("/healthz").get_json()
    assert health["ingest_quarantined"][0]["collected_id"] == 2
    os.environ["HUIJU_METRICS_TOKEN"] = "t0ken"  # /metrics is closed without it
    try:
        metrics = pipeline.create_app(db_path, config).test_client().get(
            "/metrics", headers={"Authorization": "Bearer t0ken"}).get_data(as_text=True)
    finally:
        del os.environ["HUIJU_METRICS_TOKEN"]
    assert "huiju_ingest_quarantined 1" in metrics
