"""Bad input and bad servers: each gives a per-source one-line error, nothing else is touched."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

import collectors
from tests.collectors.sources import FAST, make_source

RSS = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>
<item><title>鸡西市召开安全生产会议</title><link>{base}/jx/1.html</link><guid>jx-1</guid></item>
<item><title>鸡西市推进石墨产业发展</title><link>{base}/jx/2.html</link><guid>jx-2</guid></item>
</channel></rss>"""


def _good(web, sid: str = "good"):
    web.route(f"/{sid}/rss.xml", RSS.format(base=web.url), headers={"Content-Type": "application/rss+xml"})
    return make_source(sid, web.url, f"/{sid}/rss.xml", type="rss")


def _one_line(msg: str | None) -> None:
    assert msg and "\n" not in msg and "Traceback" not in msg and len(msg) <= 300


@pytest.mark.parametrize(
    ("name", "route", "settings", "kind", "words"),
    [
        ("huge-declared", {"body": b"x" * (3 * 1024 * 1024)}, FAST, "TooLarge", "exceeds"),
        ("huge-streamed", {"chunked_size": 50 * 1024 * 1024}, FAST, "TooLarge", "exceeds"),
        ("never-finishes", {"body": b"<html>", "trickle": 0.05},
         replace(FAST, total_timeout=1.0), "Timeout", "not finished"),
        ("no-answer", {"body": b"<html>", "delay": 3.0}, replace(FAST, read_timeout=0.5), "Timeout", "no response"),
        ("server-error", {"body": b"oops", "status": 500}, FAST, "FetchError", "HTTP 500"),
        ("not-found", {"body": b"gone", "status": 404}, FAST, "FetchError", "HTTP 404"),
    ],
)
def test_bad_server_is_a_one_line_error_and_others_still_collect(web, db, name, route, settings, kind, words):
    web.route(f"/{name}/list.html", **route)
    bad = make_source(name, web.url, f"/{name}/list.html", type="html")
    good = _good(web)
    started = time.monotonic()
    res = {r.source_id: r for r in collectors.collect(db, [bad, good], settings)}
    assert time.monotonic() - started < 10
    assert not res[name].ok and res[name].error_kind == kind, res[name].error
    assert words in res[name].error
    _one_line(res[name].error)
    assert res["good"].ok and res["good"].new == 2
    [hb, hg] = collectors.health(db, [bad, good])
    assert hb.state == "backing-off" and hb.error_count == 1 and hb.last_error == res[name].error
    assert hg.state == "ok"


def test_redirect_loop_and_too_many_redirects(web, db):
    web.route("/loop/a", status=302, headers={"Location": "/loop/b"})
    web.route("/loop/b", status=302, headers={"Location": "/loop/a"})
    for i in range(10):
        web.route(f"/chain/{i}", status=301, headers={"Location": f"/chain/{i + 1}"})
    loop = make_source("loop", web.url, "/loop/a")
    chain = make_source("chain", web.url, "/chain/0")
    r1, r2 = collectors.collect(db, [loop, chain], FAST)
    assert r1.error_kind == "RedirectLoop" and "loop" in r1.error
    assert r2.error_kind == "RedirectLoop" and f"more than {FAST.max_redirects} redirects" in r2.error
    _one_line(r1.error)


def test_redirect_followed_to_the_real_feed(web, db):
    good = _good(web)
    web.route("/moved/rss.xml", status=301, headers={"Location": "/good/rss.xml"})
    src = replace(good, id="moved", url=web.url + "/moved/rss.xml")
    [r] = collectors.collect(db, [src], FAST)
    assert r.ok and r.new == 2


def test_stored_items_survive_a_later_broken_answer(web, db):
    good = _good(web)
    collectors.collect(db, [good], FAST)
    before = collectors.pending(db, 0)
    web.route("/good/rss.xml", b"<html><body>\x00\x01 error</body>", headers={"Content-Type": "text/xml"})
    [r] = collectors.collect(db, [good], FAST)
    assert not r.ok and r.error_kind == "NotAFeed"
    assert collectors.pending(db, 0) == before


def test_truncated_feed_keeps_identities_and_loses_nothing(web, db):
    good = _good(web)
    collectors.collect(db, [good], FAST)
    truncated = RSS.format(base=web.url).replace("</channel></rss>", "<item><title>鸡西市新闻三</title>"
                                                 f"<link>{web.url}/jx/3.html</link><guid>jx-3</guid></item><item><title>半")
    web.route("/good/rss.xml", truncated, headers={"Content-Type": "application/rss+xml"})
    [r] = collectors.collect(db, [good], FAST)
    assert r.ok and r.new >= 1 and any("malformed" in w for w in r.warnings)
    [h] = collectors.health(db, [good])
    assert h.identity_rule == "guid" and h.identity_note is None
    titles = [i.title for _, i in collectors.pending(db, 0)]
    assert titles.count("鸡西市召开安全生产会议") == 1 and "鸡西市新闻三" in titles


def test_feed_cut_off_in_an_item_stores_no_fragment_of_it(web, db):
    """A feed without guids cut off after an item's title: that fragment (no link, no date, so an
    identity by hash) is not stored; when the feed comes whole the story is stored once, by link."""
    titles = ["区政务服务中心延长周末办理时间", "区市场监管局抽检节日食品", "区人社局举办高校毕业生招聘会",
              "区水务局完成河道清淤工程"]
    items = "".join(f"<item><title>{t}</title><link>{web.url}/qz/{i}.html</link><pubDate>Tue, 0{i} Sep 2025 "
                    f"09:00:00 +0800</pubDate><description>{t}。</description></item>\n"
                    for i, t in enumerate(titles, 1))
    whole = ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>\n'
             f"{items}</channel></rss>").encode()
    end = f"<title>{titles[2]}</title>".encode()
    rss = {"Content-Type": "application/rss+xml"}
    web.route("/qz/rss.xml", whole[:whole.index(end) + len(end)], headers=rss)
    src = make_source("qz", web.url, "/qz/rss.xml", type="rss")
    [r] = collectors.collect(db, [src], FAST)
    assert r.ok and r.new == 2 and any("unfinished last entry was dropped" in w for w in r.warnings), r.warnings
    web.route("/qz/rss.xml", whole, headers=rss)
    [r] = collectors.collect(db, [src], FAST)
    assert r.ok and r.new == 2
    stored = [i for _, i in collectors.pending(db, 0)]
    assert sorted(i.title for i in stored) == sorted(titles)
    assert all(i.url for i in stored)


def test_hanging_source_does_not_delay_the_others(web, db):
    web.route("/hang/list.html", b"<html>", trickle=0.2)
    hang = make_source("hang", web.url, "/hang/list.html")
    goods = [_good(web, f"g{i}") for i in range(6)]
    settings = replace(FAST, workers=4, total_timeout=3.0)
    t0 = time.monotonic()
    results = collectors.collect(db, [hang, *goods], settings)
    assert all(r.ok and r.new == 2 for r in results[1:])
    # the good ones never waited for the hung one (it ends at total_timeout, 3 s)
    assert max(r.duration for r in results[1:]) < 2.0
    assert results[0].error_kind == "Timeout"
    assert time.monotonic() - t0 < 6


def test_per_host_cap_is_respected(web, db):
    for i in range(8):
        web.route(f"/s{i}/rss.xml", RSS.format(base=web.url), delay=0.2,
                  headers={"Content-Type": "application/rss+xml"})
    sources = [make_source(f"s{i}", web.url, f"/s{i}/rss.xml", type="rss") for i in range(8)]
    collectors.collect(db, sources, replace(FAST, workers=8, per_host=2))
    assert web.max_active <= 2


def test_down_all_day_keeps_being_retried_at_the_cap_and_shows_failing(db):
    # Nothing listens on this port: every attempt is refused.
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    src = make_source("down", f"http://127.0.0.1:{port}", "/list.html")
    settings = replace(FAST, backoff_base=60, backoff_cap=1800, jitter=0.1, alert_failures=5)
    now = datetime(2024, 5, 1, 0, 0, tzinfo=UTC)
    end = now + timedelta(days=1)
    attempts = 0
    gaps = []
    while now < end:
        [r] = collectors.collect(db, [src], settings, now=now)
        attempts += 1
        assert not r.ok and r.error_kind == "FetchError" and "cannot connect" in r.error
        [h] = collectors.health(db, [src], now=now, settings=settings)
        nxt = datetime.fromisoformat(h.next_check_at)
        gaps.append((nxt - now).total_seconds())
        now = nxt
    assert all(g <= 1800 for g in gaps)
    assert gaps[-1] >= 1800 * 0.9 - 1  # at the cap, still retried
    assert 40 <= attempts <= 60  # ~24h / 30 min, plus the ramp
    [h] = collectors.health(db, [src], now=now, settings=settings)
    assert h.state == "failing" and h.alert and h.error_count == attempts
    m = collectors.metrics(db, [src], now=now, settings=settings)
    assert m['huiju_source_failing{source="down"}'] == 1.0 and m["huiju_sources_alerting"] == 1.0


def test_retry_after_is_honoured(web, db):
    web.route("/busy/list.html", b"busy", status=503, headers={"Retry-After": "900"})
    src = make_source("busy", web.url, "/busy/list.html")
    now = datetime(2024, 5, 1, tzinfo=UTC)
    [r] = collectors.collect(db, [src], FAST, now=now)
    assert r.error_kind == "FetchError" and "retry after 900s" in r.error
    [h] = collectors.health(db, [src], now=now)
    assert (datetime.fromisoformat(h.next_check_at) - now).total_seconds() >= 900


def test_binary_detail_page_is_skipped_and_retried_later(web, db):
    web.route("/b/list.html", '<ul><li><a href="/b/1.html">绥芬河口岸通关量创新高</a> 2024-05-01</li>'
              '<li><a href="/b/2.pdf.html">东宁市召开招商推介会</a> 2024-05-02</li></ul>')
    web.route("/b/1.html", "<html><head><meta name='ArticleTitle' content='绥芬河口岸通关量创新高'></head>"
              "<body><p>绥芬河口岸今年以来通关量创历史新高。</p></body></html>")
    web.route("/b/2.pdf.html", b"%PDF-1.5 binary", headers={"Content-Type": "application/pdf"})
    src = make_source("b", web.url, "/b/list.html", list={"items": "li"})
    [r] = collectors.collect(db, [src], FAST)
    assert r.ok and r.new == 1
    assert any("detail pages failed" in w and "binary content" in w for w in r.warnings)
    [r2] = collectors.collect(db, [src], FAST)
    assert web.count("/b/1.html") == 1  # seen: never fetched again
    assert web.count("/b/2.pdf.html") == 2  # failed: retried
    assert r2.new == 0
