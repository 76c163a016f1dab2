"""Dispatcher.update, what SIGHUP hands a reloaded configuration to: added sources due at once,
removed ones never started again, a shortened interval applied from now (never a backoff)."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import collectors
from collectors.state import StateStore, parse_iso
from tests.collectors.sources import FAST, make_source

FEED = '<rss version="2.0"><channel><title>t</title><item><title>大庆市新闻</title><link>{b}/n/1.html</link>' \
       '<guid>g1</guid></item></channel></rss>'


def test_update_adds_removes_and_reschedules(web, tmp_path) -> None:
    web.route("/a.xml", FEED.format(b=web.url), headers={"Content-Type": "application/rss+xml"})
    web.route("/b.xml", FEED.format(b=web.url), headers={"Content-Type": "application/rss+xml"})
    a = make_source("a", web.url, "/a.xml", type="rss", every=6 * 3600)
    b = make_source("b", web.url, "/b.xml", type="rss", every=6 * 3600)
    d = collectors.Dispatcher(tmp_path / "h.db", [a], FAST, rng=random.Random(2))
    try:
        now = datetime.now(UTC)
        assert d.run_due(now) == ["a"] and d.wait(10)
        d.drain_results()
        before = parse_iso(StateStore(d.db).state("a").next_check_at)
        assert before > now + timedelta(hours=5)
        changes = d.update([replace(a, every=600), b], FAST, now=now)
        assert changes == {"added": ["b"], "removed": [], "changed": ["a"]}
        after = parse_iso(StateStore(d.db).state("a").next_check_at)
        assert after <= now + timedelta(seconds=600 * 1.1 + 1)  # the new interval applies from now
        assert d.run_due(now) == ["b"] and d.wait(10)  # the added source at once
        assert d.update([b], FAST, now=now)["removed"] == ["a"]
        assert d.run_due(now + timedelta(hours=7)) == ["b"]  # a is due but no longer configured
        assert d.wait(10)
        assert web.count("/a.xml") == 1
    finally:
        d.shutdown()
