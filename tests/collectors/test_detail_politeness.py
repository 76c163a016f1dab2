"""What a list's detail links and a server's answers do to a source over several runs: a dead
link, a server asking to slow down, a 304 carrying new freshness, a server whose 304s lie."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import collectors
from collectors.state import DEAD_AFTER, StateStore, parse_iso
from tests.collectors.fakeweb import Route
from tests.collectors.sources import FAST, make_source
from tests.collectors.test_polite import DETAIL, LIST, ROW
from tests.collectors.test_polite import TITLES as _TITLES

T0 = datetime(2024, 5, 2, 8, tzinfo=UTC)
TITLES = {**_TITLES, 4: "鹤岗市召开安全生产会议", 5: "鹤岗市启动春季植树活动"}


def _list(web, ns=(1, 2, 3), **kw):
    web.route("/l.html", LIST.format(rows="".join(ROW.format(n=n, title=TITLES[n]) for n in ns)), **kw)
    return make_source("hg", web.url, "/l.html", list={"items": "ul.l li", "date": "span"}, detail={"body": "div.body"})


def _details(web, ns=(1, 2, 3)):
    for n in ns:
        web.route(f"/d/{n}.html", DETAIL.format(n=n, title=TITLES[n], text=TITLES[n] + "。全文内容。"))


def test_a_dead_link_on_the_list_is_given_up_and_the_source_stays_ok(web, db):
    src = _list(web, etag="v1")
    _details(web, (1, 2))
    web.route("/d/3.html", "Not Found", status=404)
    warnings = []
    for run in range(6):
        [r] = collectors.collect(db, [src], FAST, now=T0 + timedelta(minutes=15 * run))
        assert r.ok, (run, r.error)
        warnings += r.warnings
    assert web.count("/d/3.html") == DEAD_AFTER  # then given up
    assert sum("given up" in w for w in warnings) == 1
    assert web.hits[-1].headers.get("if-none-match") == "v1" and web.count("/d/1.html") == 1
    [h] = collectors.health(db, [src], now=T0 + timedelta(hours=2))
    assert h.state == "ok" and h.error_count == 0
    assert len(collectors.pending(db, 0)) == 2


def test_a_list_whose_every_link_is_dead_fails_its_source_every_run(web, db):
    """Decided once (docs/architecture.md): a list none of whose links leads to a page is broken,
    so the run is a failure naming the cause, never "ok" with nothing collected — also after the
    links were given up and are no longer fetched."""
    src = _list(web, ns=(3, 4))
    web.route("/d/3.html", "Not Found", status=404)
    web.route("/d/4.html", "Gone", status=410)
    for run in range(DEAD_AFTER + 2):
        [r] = collectors.collect(db, [src], FAST, now=T0 + timedelta(hours=2 * run))
        assert not r.ok and r.error_kind == "FetchError" and r.new == 0, (run, r)
        assert "every link on the list answers 404/410" in r.error and "\n" not in r.error
    assert web.count("/d/3.html") == DEAD_AFTER  # given up all the same: not fetched for ever
    [h] = collectors.health(db, [src], now=T0 + timedelta(hours=2 * (DEAD_AFTER + 2)))
    assert h.error_count == DEAD_AFTER + 2
    _details(web, (5,))  # the site puts a real story on the list: the source is well again
    src = _list(web, ns=(3, 4, 5))
    [r] = collectors.collect(db, [src], FAST, now=T0 + timedelta(days=2))
    assert r.ok and r.new == 1


def test_a_server_asking_to_slow_down_on_detail_pages_is_not_pressed(web, db):
    src = _list(web)
    for n in (1, 2, 3):
        web.route(f"/d/{n}.html", "busy", status=429, headers={"Retry-After": "600"})
    [r] = collectors.collect(db, [src], FAST, now=T0)
    tried = sum(web.count(f"/d/{n}.html") for n in (1, 2, 3))
    assert tried <= 3 and not r.ok and r.error_kind == "FetchError"
    st = StateStore(db).state("hg")
    assert parse_iso(st.next_check_at) >= T0 + timedelta(seconds=600)
    web.route("/d/1.html", DETAIL.format(n=1, title=TITLES[1], text="正文。"))
    web.route("/d/2.html", "busy", status=429, headers={"Retry-After": "900"})
    [r] = collectors.collect(db, [src], FAST, now=T0 + timedelta(seconds=700))
    assert r.ok and r.new == 1 and any("asked to slow down" in w for w in r.warnings)
    st = StateStore(db).state("hg")
    assert parse_iso(st.next_check_at) >= T0 + timedelta(seconds=700 + 900)
    _details(web)
    [r] = collectors.collect(db, [src], FAST, now=T0 + timedelta(seconds=1700))
    assert r.ok and r.new == 2  # nothing was lost while waiting
    assert len(collectors.pending(db, 0)) == 3


def test_a_304_with_a_new_max_age_is_honoured(web, db):
    src = _list(web, etag="v1")
    _details(web)
    collectors.collect(db, [src], FAST, now=T0)
    web.route("/l.html", handler=lambda h: Route(status=304, headers={"ETag": "v1", "Cache-Control": "max-age=600"}))
    [r] = collectors.collect(db, [src], FAST, now=T0 + timedelta(minutes=15))
    assert r.ok and r.not_modified == 1
    before = web.count("/l.html")
    [r] = collectors.collect(db, [src], FAST, now=T0 + timedelta(minutes=20))
    assert web.count("/l.html") == before  # still fresh: the 304's max-age was kept


def test_a_server_whose_304s_hide_a_changed_list_is_read_whole_once_a_day(web, db):
    src = _list(web, ns=(1,), etag="v1")
    _details(web)
    collectors.collect(db, [src], FAST, now=T0)
    page = LIST.format(rows="".join(ROW.format(n=n, title=TITLES[n]) for n in (1, 2, 3))).encode()

    def lying(h):  # changed, yet 304 to every conditional request
        if h.headers.get("If-None-Match"):
            return Route(status=304, headers={"ETag": "v1"})
        return Route(body=page, etag=None, headers={"ETag": "v1"})

    web.route("/l.html", handler=lying)
    new = 0
    for hours in range(1, 26):
        [r] = collectors.collect(db, [src], FAST, now=T0 + timedelta(hours=hours))
        new += r.new
    assert new == 2 and len(collectors.pending(db, 0)) == 3


def test_a_run_that_left_detail_pages_behind_goes_on_soon(web, db, monkeypatch):
    import collectors.collection as collection
    import collectors.schedule as schedule

    monkeypatch.setattr(collection, "MAX_DETAILS_PER_RUN", 2)
    src = make_source("hg", web.url, "/l.html", every=3600, list={"items": "ul.l li", "date": "span"},
                      detail={"body": "div.body"})
    _list(web)
    _details(web)
    [r] = collectors.collect(db, [src], FAST, now=T0)
    assert r.ok and r.new == 2 and any("left for the next run" in w for w in r.warnings)
    due = parse_iso(StateStore(db).state("hg").next_check_at)
    assert due <= T0 + timedelta(seconds=schedule.INCOMPLETE_RETRY)  # not an hour later
    [r] = collectors.collect(db, [src], FAST, now=due)
    assert r.ok and r.new == 1 and len(collectors.pending(db, 0)) == 3
    assert parse_iso(StateStore(db).state("hg").next_check_at) > due + timedelta(minutes=30)  # back to its rhythm
