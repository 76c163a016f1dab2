"""Scheduling and health: the dispatcher, the APScheduler job, backoff, quiet sources, metrics."""

from __future__ import annotations

import random
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import collectors
from collectors.schedule import backoff_delay
from pipeline.logs import message_of
from settings.model import CollectorSettings
from tests.collectors.sources import FAST, make_source

FEED = ('<rss version="2.0"><channel><title>t</title>{items}</channel></rss>')
ITEM = "<item><title>{t}</title><link>{base}/x/{n}.html</link><guid>g{n}</guid></item>"


def _feed(web, path, ns, delay=0.0):
    items = "".join(ITEM.format(t=f"七台河市新闻{n}", base=web.url, n=n) for n in ns)
    web.route(path, FEED.format(items=items), delay=delay, headers={"Content-Type": "application/rss+xml"})


def test_backoff_grows_exponentially_with_jitter_and_stops_at_the_cap():
    s = CollectorSettings(backoff_base=60, backoff_cap=3600, jitter=0.1)
    rng = random.Random(7)
    delays = [backoff_delay(n, s, rng=rng) for n in range(1, 12)]
    assert 54 <= delays[0] <= 66 and 108 <= delays[1] <= 132
    assert all(d <= 3600 for d in delays) and delays[-1] >= 3240
    assert len({round(d) for d in delays[-4:]}) > 1  # jitter spreads sources at the cap
    assert backoff_delay(1, s, retry_after=900, rng=rng) >= 900
    assert backoff_delay(1, s, retry_after=10**6, rng=rng) <= 3600


def test_dispatcher_runs_due_sources_returns_quickly_and_never_twice(web, tmp_path):
    _feed(web, "/slow.xml", [1, 2], delay=1.5)  # under FAST's 2 s read timeout
    _feed(web, "/fast.xml", [3])
    slow = make_source("slow", web.url, "/slow.xml", type="rss", every=600)
    fast = make_source("fast", web.url, "/fast.xml", type="rss", every=600)
    off = make_source("off", web.url, "/fast.xml", type="rss", enabled=False)
    d = collectors.Dispatcher(tmp_path / "h.db", [slow, fast, off], FAST, rng=random.Random(1))
    try:
        later = datetime.now(UTC)
        started = time.monotonic()
        first = d.run_due(later)
        assert time.monotonic() - started < 1.0  # returns at once (not after the slow feed's 1.5 s)
        assert sorted(first) == ["fast", "slow"]
        again = d.run_due(later)
        assert again == []  # slow still running: not submitted twice
        assert d.wait(10)
        results = {r.source_id: r for r in d.drain_results()}
        assert results["slow"].new == 2 and results["fast"].new == 1
        assert d.run_due(later + timedelta(seconds=30)) == []  # not due again before its interval
        assert sorted(d.run_due(later + timedelta(minutes=12))) == ["fast", "slow"]
        assert d.wait(10)
        assert web.count("/slow.xml") == 2
    finally:
        d.shutdown()


def test_dispatcher_catches_up_with_one_run_per_source_after_a_pause(web, tmp_path):
    _feed(web, "/a.xml", [1])
    src = make_source("a", web.url, "/a.xml", type="rss", every=60)
    d = collectors.Dispatcher(tmp_path / "p.db", [src], FAST)
    try:
        t0 = datetime.now(UTC)
        assert d.run_due(t0) == ["a"]
        d.wait(5)
        # the daemon was paused for six hours: one run, not 360
        assert d.run_due(t0 + timedelta(hours=6)) == ["a"]
        d.wait(5)
        assert d.run_due(t0 + timedelta(hours=6)) == []
        assert web.count("/a.xml") == 2
    finally:
        d.shutdown()


def test_schedule_jobs_adds_one_coalescing_single_instance_job(tmp_path):
    from apscheduler.schedulers.background import BackgroundScheduler

    d = collectors.Dispatcher(tmp_path / "j.db", [], FAST)
    sched = BackgroundScheduler(job_defaults={"misfire_grace_time": 300, "coalesce": True, "max_instances": 1})
    try:
        job = collectors.schedule_jobs(sched, d, every_seconds=5)
        sched.start(paused=True)
        [only] = sched.get_jobs()
        assert only.id == job.id == collectors.DISPATCH_JOB_ID
        assert only.max_instances == 1 and only.coalesce is True and only.misfire_grace_time >= 60
        assert only.trigger.interval == timedelta(seconds=5)
        collectors.schedule_jobs(sched, d, every_seconds=5)  # idempotent on restart/reload
        assert len(sched.get_jobs()) == 1
    finally:
        sched.shutdown(wait=False)
        d.shutdown()


def test_health_states_ok_backing_off_failing_quiet_disabled(web, db):
    settings = replace(FAST, alert_failures=3)
    _feed(web, "/ok.xml", [1])
    ok = make_source("ok", web.url, "/ok.xml", type="rss", every=600)
    bad = make_source("bad", web.url, "/missing.xml", type="rss")
    off = make_source("off", web.url, "/ok.xml", type="rss", enabled=False)
    t = datetime(2024, 5, 1, 8, tzinfo=UTC)
    collectors.collect(db, [ok, bad, off], settings, now=t)
    states = {h.id: h for h in collectors.health(db, [ok, bad, off], now=t, settings=settings)}
    assert states["ok"].state == "ok" and states["ok"].items_24h == 1 and not states["ok"].alert
    assert states["bad"].state == "backing-off" and "HTTP 404" in states["bad"].last_error
    assert states["off"].state == "disabled" and states["off"].next_check_at is None
    for _ in range(2):
        collectors.collect(db, [bad], settings, now=t)
    [h] = collectors.health(db, [bad], now=t, settings=settings)
    assert h.state == "failing" and h.alert and h.error_count == 3
    # a source that published every two hours, then nothing for a day: quiet, alerting
    qs = make_source("q", web.url, "/q.xml", type="rss", every=600)
    for n in range(1, 7):
        _feed(web, "/q.xml", range(1, n + 1))
        collectors.collect(db, [qs], settings, now=t + timedelta(hours=2 * n))
    [h] = collectors.health(db, [qs], now=t + timedelta(hours=13), settings=settings)
    assert h.state == "ok"
    [h] = collectors.health(db, [qs], now=t + timedelta(hours=36), settings=settings)
    assert h.state == "quiet" and h.alert and h.quiet_after == 4 * 3600
    m = collectors.metrics(db, [ok, bad, off, qs], now=t + timedelta(hours=36), settings=settings)
    assert m['huiju_source_quiet{source="q"}'] == 1.0 and m["huiju_sources_alerting"] == 2.0
    assert m['huiju_source_up{source="ok"}'] == 1.0 and m["huiju_sources_total"] == 4.0


def test_a_recovered_source_is_ok_again(web, db):
    src = make_source("r", web.url, "/r.xml", type="rss")
    collectors.collect(db, [src], FAST)
    _feed(web, "/r.xml", [1])
    [res] = collectors.collect(db, [src], FAST)
    assert res.ok
    [h] = collectors.health(db, [src])
    assert h.state == "ok" and h.error_count == 0 and h.last_error is None and h.last_success_at


def test_dispatcher_logs_one_alert_line_when_a_source_starts_failing(web, tmp_path, caplog):
    src = make_source("gone", web.url, "/gone.xml", type="rss", every=60)
    settings = replace(FAST, alert_failures=2, backoff_base=1, backoff_cap=1)
    d = collectors.Dispatcher(tmp_path / "a.db", [src], settings)
    try:
        t = datetime.now(UTC)
        for i in range(6):
            d.run_due(t + timedelta(minutes=2 * i))
            d.wait(5)
        d.run_due(t + timedelta(minutes=20))
        d.wait(5)
        alerts = [message_of(r, "en") for r in caplog.records]  # the operator's English (--lang en)
        alerts = [m for m in alerts if m.startswith("ALERT source gone is failing")]
        assert len(alerts) == 1 and "HTTP 404" in alerts[0]
    finally:
        d.shutdown()


def test_cron_sources_are_next_checked_at_their_cron_time(web, db):
    _feed(web, "/c.xml", [1])
    src = make_source("c", web.url, "/c.xml", type="rss", every=None, cron="0 8 * * *")
    now = datetime(2024, 5, 1, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
    collectors.collect(db, [src], FAST, now=now)
    [h] = collectors.health(db, [src], now=now)
    assert h.next_check_at == "2024-05-02T00:00:00+00:00"  # 08:00 Shanghai next day


def _next_gap(db, src, now) -> float:
    [h] = collectors.health(db, [src], now=now)
    return (datetime.fromisoformat(h.next_check_at) - now).total_seconds()


def test_a_list_sent_whole_with_nothing_new_is_checked_less_often_until_something_new_comes(web, db):
    settings = replace(FAST, jitter=0.0, idle_max=3600)
    _feed(web, "/whole.xml", [1, 2])  # no ETag, no Last-Modified: every check downloads the feed
    src = make_source("whole", web.url, "/whole.xml", type="rss", every=600)
    t = datetime(2024, 5, 1, 8, tzinfo=UTC)
    gaps = []
    for _ in range(6):
        collectors.collect(db, [src], settings, now=t)
        gap = _next_gap(db, src, t)
        gaps.append(gap)
        t += timedelta(seconds=gap)
    assert gaps == [600, 1200, 2400, 3600, 3600, 3600]  # new items, then doubling up to idle_max
    [h] = collectors.health(db, [src], now=t, settings=settings)
    assert h.relaxed and h.check_every == 3600 and h.idle_checks == 5 and h.state == "ok"
    m = collectors.metrics(db, [src], now=t, settings=settings)
    assert m['huiju_source_check_interval_seconds{source="whole"}'] == 3600.0 and m["huiju_sources_relaxed"] == 1.0
    _feed(web, "/whole.xml", [1, 2, 3])  # something new: back to the source's own interval at once
    [res] = collectors.collect(db, [src], settings, now=t)
    assert res.new == 1 and _next_gap(db, src, t) == 600
    [h] = collectors.health(db, [src], now=t, settings=settings)
    assert not h.relaxed and h.check_every == 600 and h.idle_checks == 0


def test_a_server_that_answers_304_keeps_the_sources_own_interval(web, db):
    settings = replace(FAST, jitter=0.0, idle_max=3600)
    items = "".join(ITEM.format(t=f"新闻{n}", base=web.url, n=n) for n in (1, 2))
    web.route("/v.xml", FEED.format(items=items), etag='"v1"', headers={"Content-Type": "application/rss+xml"})
    src = make_source("v", web.url, "/v.xml", type="rss", every=600)
    t = datetime(2024, 5, 1, 8, tzinfo=UTC)
    for _ in range(4):
        [res] = collectors.collect(db, [src], settings, now=t)
        assert _next_gap(db, src, t) == 600
        t += timedelta(seconds=600)
    assert res.not_modified == 1  # an unchanged check cost headers only, so no reason to wait longer


def test_idle_relaxing_can_be_turned_off_per_source_and_never_moves_a_cron_schedule(web, db):
    settings = replace(FAST, jitter=0.0, idle_max=3600)
    _feed(web, "/o.xml", [1])
    off = make_source("o", web.url, "/o.xml", type="rss", every=600, idle_max=0)
    longer = make_source("l", web.url, "/o.xml", type="rss", every=600, idle_max=7200)
    cron = make_source("c", web.url, "/o.xml", type="rss", every=None, cron="*/10 * * * *")
    t = datetime(2024, 5, 1, 8, tzinfo=UTC)
    for _ in range(5):
        collectors.collect(db, [off, longer, cron], settings, now=t)
        t += timedelta(hours=3)
    assert _next_gap(db, off, t - timedelta(hours=3)) == 600
    assert _next_gap(db, longer, t - timedelta(hours=3)) == 7200
    assert _next_gap(db, cron, t - timedelta(hours=3)) == 600  # the next */10 mark, as configured
    rows = {h.id: h for h in collectors.health(db, [off, longer, cron], now=t, settings=settings)}
    assert not rows["o"].relaxed and rows["l"].relaxed and rows["c"].check_every is None
