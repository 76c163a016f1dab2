"""Politeness and bookkeeping: conditional GET, detail pages fetched once, versions, headers, cursor."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import collectors
from tests.collectors.sources import FAST, make_source

NAV = "".join(f'<a href="/col/{i}/">栏目{i}</a>' for i in range(60))  # a real page's navigation weight
LIST = """<html><head><meta charset="utf-8"></head><body><div>""" + NAV + """</div><ul class="l">{rows}</ul></body></html>"""
ROW = '<li><a href="/d/{n}.html">{title}</a><span>2024-05-0{n}</span></li>'
DETAIL = ("<html><head><meta name='ArticleTitle' content='{title}'><meta name='PubDate' content='2024-05-0{n} 09:00'>"
          "</head><body><div>" + NAV + "</div><div class='body'><p>{text}</p></div></body></html>")
TITLES = {1: "鹤岗市召开经济工作会议", 2: "鹤岗市开展环境整治行动", 3: "鹤岗市推进数字政府建设"}


def _site(web, ns=(1, 2), etag: str | None = "v1"):
    rows = "".join(ROW.format(n=n, title=TITLES[n]) for n in ns)
    web.route("/l.html", LIST.format(rows=rows), etag=etag)
    for n in ns:
        web.route(f"/d/{n}.html", DETAIL.format(n=n, title=TITLES[n], text=TITLES[n] + "。全文内容。"))
    return make_source("hg", web.url, "/l.html", list={"items": "ul.l li", "date": "span"},
                       detail={"body": "div.body"})


def test_second_cycle_is_conditional_and_tiny(web, db):
    src = _site(web)
    [r1] = collectors.collect(db, [src], FAST)
    assert r1.ok and r1.new == 2
    [r2] = collectors.collect(db, [src], FAST)
    assert r2.ok and r2.new == 0 and r2.requests == 1
    assert web.hits[-1].headers.get("if-none-match") == "v1"
    assert r2.bytes * 20 <= r1.bytes  # ≤ 5% of the first cycle


def test_detail_pages_fetched_only_for_new_links(web, db):
    src = _site(web, etag=None)
    collectors.collect(db, [src], FAST)
    _site(web, ns=(1, 2, 3), etag=None)
    [r] = collectors.collect(db, [src], FAST)
    assert r.new == 1
    assert web.count("/d/1.html") == 1 and web.count("/d/3.html") == 1
    assert [i.title for _, i in collectors.pending(db, 0)] == [TITLES[1], TITLES[2], TITLES[3]]


def test_upstream_edit_becomes_a_new_version(web, db):
    src = _site(web, etag=None)
    t0 = datetime(2024, 5, 2, 8, tzinfo=UTC)
    collectors.collect(db, [src], FAST, now=t0)
    web.route("/d/2.html", DETAIL.format(n=2, title=TITLES[2], text="更正：鹤岗市开展环境整治专项行动。"))
    # Within the re-check window and after the re-check gap, the detail page is fetched again.
    [r] = collectors.collect(db, [src], FAST, now=t0 + timedelta(hours=7))
    assert r.versions == 1 and r.new == 0
    rows = collectors.pending(db, 0)
    assert len(rows) == 3
    first, edited = rows[1][1], rows[2][1]
    assert first.identity == edited.identity and "更正" in edited.html
    assert edited.list_date == "2024-05-02" and edited.published == "2024-05-02 09:00"
    # Unchanged pages produce no version. A page gets its last check at the end of the window,
    # late if no round ran then (here at 60 h, not 48 h); after that it is left alone.
    [r] = collectors.collect(db, [src], FAST, now=t0 + timedelta(hours=14))
    assert r.versions == 0
    n = web.count("/d/1.html")
    collectors.collect(db, [src], FAST, now=t0 + timedelta(hours=60))
    assert web.count("/d/1.html") == n + 1
    for hours in (64, 80, 120):
        collectors.collect(db, [src], FAST, now=t0 + timedelta(hours=hours))
    assert web.count("/d/1.html") == n + 1


def test_headers_referer_user_agent_and_cookie_bootstrap(web, db):
    from tests.collectors.fakeweb import Route

    web.route("/start", b"ok", headers={"Set-Cookie": "JSESSIONID=abc123; Path=/"})

    def guarded(h):
        if "JSESSIONID=abc123" not in (h.headers.get("Cookie") or ""):
            return Route(body=b"<html>challenge</html>", status=403)
        return Route(body=b'<ul><li><a href="/d/1.html">\xe9\xb9\xa4\xe5\xb2\x97\xe6\x96\xb0\xe9\x97\xbb</a> 2024-05-01</li></ul>')

    web.route("/g.html", handler=guarded)
    web.route("/d/1.html", "<html><head><meta name='ArticleTitle' content='鹤岗新闻'></head><body><p>正文</p></body></html>")
    src = make_source("g", web.url, "/g.html", headers={"X-Token": "t1"}, referer="/index.html",
                      cookie_bootstrap="/start", list={"items": "li"})
    [r] = collectors.collect(db, [src], replace(FAST, user_agent="HuijuTest/1"))
    assert r.ok and r.new == 1, r.error
    hit = [h for h in web.hits if h.path == "/g.html"][-1]
    assert hit.headers["user-agent"] == "HuijuTest/1" and hit.headers["x-token"] == "t1"
    assert hit.headers["referer"] == web.url + "/index.html"
    src2 = replace(src, id="g2", cookie_bootstrap=None)
    [r2] = collectors.collect(db, [src2], FAST)
    assert not r2.ok and "HTTP 403" in r2.error


def test_cache_control_max_age_skips_the_request(web, db):
    web.route("/cc.xml", '<rss version="2.0"><channel><title>t</title><item><title>甲</title><guid>1</guid>'
              '</item></channel></rss>', headers={"Content-Type": "application/rss+xml",
                                                   "Cache-Control": "max-age=600"})
    src = make_source("cc", web.url, "/cc.xml", type="rss")
    t0 = datetime.now(UTC)
    collectors.collect(db, [src], FAST, now=t0)
    [r] = collectors.collect(db, [src], FAST, now=t0 + timedelta(seconds=300))
    assert r.ok and r.requests == 0 and web.count("/cc.xml") == 1
    collectors.collect(db, [src], FAST, now=t0 + timedelta(seconds=700))
    assert web.count("/cc.xml") == 2


def test_pending_is_a_cursor_in_order(web, db):
    src = _site(web, ns=(1, 2, 3), etag=None)
    collectors.collect(db, [src], FAST)
    rows = collectors.pending(db, 0)
    assert [i for i, _ in rows] == sorted(i for i, _ in rows)
    assert collectors.pending(db, rows[0][0], limit=1) == [rows[1]]
    assert collectors.pending(db, rows[-1][0]) == []
    it = rows[0][1]
    assert it.source_id == "hg" and it.url.endswith("/d/1.html") and it.fetched_at.endswith("+00:00")


def test_backlog_counts_what_pending_would_return(web, db):
    src = _site(web, ns=(1, 2, 3), etag=None)
    collectors.collect(db, [src], FAST)
    rows = collectors.pending(db, 0)
    assert len(rows) == 3
    assert collectors.backlog(db, 0) == 3
    assert collectors.backlog(db, rows[0][0]) == 2
    assert collectors.backlog(db, 0, limit=2) == 2  # capped like pending(limit=...)
    assert collectors.backlog(db, rows[-1][0]) == 0


def test_a_source_never_runs_twice_at_once(web, db):
    import threading

    web.route("/slow.xml", '<rss version="2.0"><channel><title>t</title></channel></rss>', delay=0.5,
              headers={"Content-Type": "application/rss+xml"})
    src = make_source("slow", web.url, "/slow.xml", type="rss")
    out = []
    t = threading.Thread(target=lambda: out.extend(collectors.collect(db, [src], FAST)))
    t.start()
    import time

    time.sleep(0.15)
    [second] = collectors.collect(db, [src], FAST)
    t.join()
    assert second.skipped and second.error == "already running"
    assert out[0].ok and web.count("/slow.xml") == 1


def test_a_detail_page_that_failed_on_page_two_is_fetched_later(web, db):
    page1 = LIST.format(rows=ROW.format(n=1, title=TITLES[1])).replace("</ul>", '</ul><a class="nx" href="/l2.html">下一页</a>')
    web.route("/l.html", page1)
    web.route("/l2.html", LIST.format(rows=ROW.format(n=2, title=TITLES[2])))
    web.route("/d/1.html", DETAIL.format(n=1, title=TITLES[1], text="正文一"))
    web.route("/d/2.html", b"busy", status=503)
    src = make_source("pg", web.url, "/l.html", max_pages=3, list={"items": "ul.l li", "date": "span", "next": "a.nx"})
    [r1] = collectors.collect(db, [src], FAST)
    assert r1.ok and r1.new == 1 and r1.warnings
    [r2] = collectors.collect(db, [src], FAST)  # page 1 is all seen, yet page 2 is read: /d/2 is owed
    assert r2.new == 0 and web.count("/l2.html") == 2
    web.route("/d/2.html", DETAIL.format(n=2, title=TITLES[2], text="正文二"))
    [r3] = collectors.collect(db, [src], FAST)
    assert r3.new == 1
    [r4] = collectors.collect(db, [src], FAST)  # nothing owed any more: page 1 is enough
    assert r4.new == 0 and web.count("/l2.html") == 3
    assert sorted(i.title for _, i in collectors.pending(db, 0)) == sorted([TITLES[1], TITLES[2]])


def test_detail_pages_are_rechecked_densely_at_first_then_sparsely_for_48_hours(web, db):
    src = _site(web, etag=None)  # a server without validators: every re-check is a full download
    start = datetime(2024, 5, 2, 1, 30, tzinfo=UTC)
    collectors.collect(db, [src], FAST, now=start)
    for hour in range(1, 72):
        collectors.collect(db, [src], FAST, now=start + timedelta(hours=hour))
    # each gap as long as the page had been known, 3 h at least: at 3, 6, 12, 24 and 48 h, then done
    assert web.count("/d/1.html") - 1 == 5 and web.count("/d/2.html") - 1 == 5


def test_a_title_changed_on_the_list_sends_the_page_to_a_recheck_at_once(web, db):
    src = _site(web, etag=None)
    t0 = datetime(2024, 5, 2, 8, tzinfo=UTC)
    collectors.collect(db, [src], FAST, now=t0)
    collectors.collect(db, [src], FAST, now=t0 + timedelta(hours=3))  # the 3 h re-check: unchanged
    renamed = "鹤岗市开展城乡环境整治专项行动"
    web.route("/l.html", LIST.format(rows=ROW.format(n=1, title=TITLES[1]) + ROW.format(n=2, title=renamed)))
    web.route("/d/2.html", DETAIL.format(n=2, title=renamed, text=TITLES[2] + "。全文内容。"))
    before = web.count("/d/1.html"), web.count("/d/2.html")
    [r] = collectors.collect(db, [src], FAST, now=t0 + timedelta(hours=3, minutes=10))  # long before 6 h
    assert r.versions == 1 and r.new == 0
    assert (web.count("/d/1.html"), web.count("/d/2.html")) == (before[0], before[1] + 1)
    assert [i.title for _, i in collectors.pending(db, 0)][-1] == renamed
    [r] = collectors.collect(db, [src], FAST, now=t0 + timedelta(hours=3, minutes=20))
    assert r.versions == 0 and web.count("/d/2.html") == before[1] + 1  # noted: not fetched again


def _paged_site(web, newest: int, per_page: int = 3) -> None:
    """Stories newest..1, per_page to a list page, each page linking the next with a.next."""
    ns = list(range(newest, 0, -1))
    pages = [ns[i:i + per_page] for i in range(0, len(ns), per_page)]
    for p, chunk in enumerate(pages, 1):
        rows = "".join(f'<li><a href="/p/{n}.html">双鸭山市政务动态第{n}期</a><span>2024-05-{min(n, 28):02d}</span></li>'
                       for n in chunk)
        nxt = f'<a class="next" href="/list_{p + 1}.html">下一页</a>' if p < len(pages) else ""
        web.route("/list.html" if p == 1 else f"/list_{p}.html",
                  f'<html><body><ul class="l">{rows}</ul>{nxt}</body></html>')
    for n in ns:
        web.route(f"/p/{n}.html", f"<html><head><meta name='ArticleTitle' content='双鸭山市政务动态第{n}期'></head>"
                  f"<body><div class='body'><p>双鸭山市第{n}期政务动态全文，内容详实，供审核。</p></div></body></html>")


def test_a_burst_longer_than_a_list_page_is_followed_to_the_last_known_item(web, db):
    src = make_source("sys", web.url, "/list.html", list={"items": "ul.l li", "date": "span", "next": "a.next"},
                      detail={"body": "div.body"})  # max_pages = 1
    _paged_site(web, newest=2)
    [first] = collectors.collect(db, [src], FAST)
    assert first.new == 2
    _paged_site(web, newest=9)  # seven new stories: page 1 and page 2 are all new, page 3 meets #2
    [r] = collectors.collect(db, [src], FAST)
    assert r.ok and r.new == 7 and not r.warnings
    assert web.count("/list_4.html") == 0  # stopped at the page that held a known story
    _paged_site(web, newest=60)  # more than ten pages of new stories: collected as far as read, and said
    [r] = collectors.collect(db, [src], FAST)
    assert r.new == 30 and any("every item on the 10 list page(s) read was new" in w for w in r.warnings)
    [h] = collectors.health(db, [src])
    assert "older ones may have been missed" in h.last_warning


def test_bytes_are_counted_as_they_come_over_the_wire_compressed(web, db):
    import gzip

    rows = "".join(ROW.format(n=n, title=TITLES[n]) for n in (1, 2))
    page = LIST.format(rows=rows).encode("utf-8")
    web.route("/z.html", gzip.compress(page), headers={"Content-Encoding": "gzip"})
    for n in (1, 2):
        web.route(f"/d/{n}.html", DETAIL.format(n=n, title=TITLES[n], text=TITLES[n] + "。全文内容。"))
    src = make_source("gz", web.url, "/z.html", list={"items": "ul.l li", "date": "span"}, detail={"body": "div.body"})
    [r] = collectors.collect(db, [src], FAST)
    assert r.ok and r.new == 2  # decoded and parsed as usual
    details = sum(len(DETAIL.format(n=n, title=TITLES[n], text=TITLES[n] + "。全文内容。").encode()) for n in (1, 2))
    assert r.bytes < details + len(page) // 2  # the list counted at its compressed size


def test_a_burst_longer_than_the_whole_list_is_reported(web, db):
    src = make_source("sys2", web.url, "/list.html", list={"items": "ul.l li", "date": "span", "next": "a.next"},
                      detail={"body": "div.body"})
    _paged_site(web, newest=2)
    collectors.collect(db, [src], FAST)
    _paged_site(web, newest=9)
    web.route("/list_3.html", "", status=404)  # the site shows two pages: story 3 is off its list
    [r] = collectors.collect(db, [src], FAST)
    assert r.ok and r.new == 6
    assert any("every item on the 2 list page(s) read was new" in w for w in r.warnings), r.warnings


def test_a_view_count_inside_the_list_link_does_not_send_pages_to_recheck(web, db):
    src = _site(web, etag=None)
    t0 = datetime(2024, 5, 2, 8, tzinfo=UTC)

    def counted(views: int) -> None:
        rows = "".join(ROW.format(n=n, title=f"{TITLES[n]}（阅读 {views + n}）") for n in (1, 2))
        web.route("/l.html", LIST.format(rows=rows))

    counted(100)
    collectors.collect(db, [src], FAST, now=t0)
    before = web.count("/d/1.html"), web.count("/d/2.html")
    for minutes in (10, 20, 30):
        counted(100 + minutes)
        collectors.collect(db, [src], FAST, now=t0 + timedelta(minutes=minutes))
    assert (web.count("/d/1.html"), web.count("/d/2.html")) == before


def test_more_retitled_pages_than_one_run_rechecks_are_rechecked_on_the_next_run(web, db):
    def site(suffix: str) -> None:
        rows = "".join(f'<li><a href="/r/{n}.html">佳木斯市第{n}号通知{suffix}</a><span>2024-05-02</span></li>'
                       for n in range(1, 13))
        web.route("/r.html", LIST.format(rows=rows))
        for n in range(1, 13):
            web.route(f"/r/{n}.html", DETAIL.format(n=2, title=f"佳木斯市第{n}号通知{suffix}", text="通知全文内容。"))

    src = make_source("jms", web.url, "/r.html", list={"items": "ul.l li", "date": "span"}, detail={"body": "div.body"})
    t0 = datetime(2024, 5, 2, 8, tzinfo=UTC)
    site("")
    assert collectors.collect(db, [src], FAST, now=t0)[0].new == 12
    site("（修订）")  # all twelve retitled at once; ten re-checks fit in a run
    [r1] = collectors.collect(db, [src], FAST, now=t0 + timedelta(minutes=10))
    [r2] = collectors.collect(db, [src], FAST, now=t0 + timedelta(minutes=20))
    [r3] = collectors.collect(db, [src], FAST, now=t0 + timedelta(minutes=30))
    assert (r1.versions, r2.versions, r3.versions) == (10, 2, 0)


_T0 = datetime(2024, 5, 2, 8, tzinfo=UTC)


def _one_story_whose_page_lacks_its_title(web, heading: str = ""):
    """A list naming one story; its page has only the site's name in <title> and maybe a *heading*."""
    page = ("<html><head><meta charset='utf-8'><title>鹤岗市人民政府</title></head><body>" + heading
            + "<div class='body'><p>" + "全市春季植树造林工作有序推进。" * 20 + "</p></div></body></html>")
    web.route("/l.html", LIST.format(rows=ROW.format(n=1, title=TITLES[1])))
    web.route("/d/1.html", page)
    return make_source("hg", web.url, "/l.html", list={"items": "ul.l li", "date": "span"}, detail={"body": "div.body"})


def test_a_recheck_of_a_page_titled_only_by_its_title_tag_makes_no_version(web, db):
    """Re-checks must not swap the list's title for the <title> tag's (a spurious correction),
    whether the list still shows the link or not."""
    src = _one_story_whose_page_lacks_its_title(web)
    collectors.collect(db, [src], FAST, now=_T0)
    [r] = collectors.collect(db, [src], FAST, now=_T0 + timedelta(hours=3))
    assert r.versions == 0
    web.route("/l.html", LIST.format(rows=""))  # the link has left the list
    [r] = collectors.collect(db, [src], FAST, now=_T0 + timedelta(hours=6))
    assert r.versions == 0
    assert [i.title for _, i in collectors.pending(db, 0)] == [TITLES[1]]


def test_a_short_heading_over_every_page_does_not_replace_the_list_title(web, db):
    src = _one_story_whose_page_lacks_its_title(web, "<h1>通知公告</h1>")
    collectors.collect(db, [src], FAST, now=_T0)
    web.route("/l.html", LIST.format(rows=""))
    [r] = collectors.collect(db, [src], FAST, now=_T0 + timedelta(hours=3))
    assert r.versions == 0
    assert [i.title for _, i in collectors.pending(db, 0)] == [TITLES[1]]
