"""Pages taken down at the source: seen on re-check, reported once after two checks in a row.

Each way a real site deletes a page is a case: an error status, a redirect to the home page or
to an error page, a "页面不存在" page answered with 200 (alone, or inside the site's frame).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

import collectors
from tests.collectors.sources import FAST, make_source
from tests.collectors.test_polite import DETAIL, LIST, NAV, ROW, TITLES

T0 = datetime(2024, 5, 2, 8, tzinfo=UTC)
FRAME = ("<html><head><meta charset='utf-8'><title>鹤岗市人民政府</title></head><body><div>" + NAV
         + "</div><div class='main'>{msg}</div><div>版权所有：鹤岗市人民政府办公室 地址：鹤岗市向阳区</div></body></html>")

GONE = {
    "404": dict(body="Not Found", status=404),
    "410": dict(body="Gone", status=410),
    "redirect-home": dict(status=302, headers={"Location": "/"}),
    "redirect-error-page": dict(status=302, headers={"Location": "/404.html"}),
    "notice-page": dict(body="<html><head><title>页面不存在</title></head><body><h1>404</h1></body></html>"),
    "notice-in-frame": dict(body=FRAME.format(msg="<p>对不起，您访问的页面已删除或不存在！</p><a href='/'>返回首页</a>")),
}


def _site(web):
    web.route("/l.html", LIST.format(rows=ROW.format(n=1, title=TITLES[1]) + ROW.format(n=2, title=TITLES[2])))
    for n in (1, 2):
        web.route(f"/d/{n}.html", DETAIL.format(n=n, title=TITLES[n], text=TITLES[n] + "。全文内容。"))
    web.route("/", FRAME.format(msg="<ul><li>首页新闻</li></ul>"))
    web.route("/404.html", FRAME.format(msg="<p>您要访问的页面不存在</p>"))
    return make_source("hg", web.url, "/l.html", list={"items": "ul.l li", "date": "span"},
                       detail={"body": "div.body"})


def _versions(db):
    return [i for _, i in collectors.pending(db, 0) if i.title == TITLES[2]]


@pytest.mark.parametrize("how", list(GONE))
def test_a_page_taken_down_is_reported_once_after_two_rechecks(web, db, how):
    src = _site(web)
    collectors.collect(db, [src], FAST, now=T0)
    web.route("/d/2.html", **GONE[how])
    [r] = collectors.collect(db, [src], FAST, now=T0 + timedelta(hours=3))
    assert r.ok and r.withdrawn == 0 and len(_versions(db)) == 1  # once may be a hiccup
    [r] = collectors.collect(db, [src], FAST, now=T0 + timedelta(hours=6))
    assert r.ok and r.withdrawn == 1
    first, gone = _versions(db)
    assert gone.identity == first.identity and gone.withdrawn and f"{web.url}/d/2.html" in gone.withdrawn
    assert (gone.title, gone.html, gone.published) == (first.title, first.html, first.published)  # the text stays
    for hours in (12, 24, 48):
        [r] = collectors.collect(db, [src], FAST, now=T0 + timedelta(hours=hours))
        assert r.withdrawn == 0
    assert len(_versions(db)) == 2  # reported once, not at every check
    assert not [i for _, i in collectors.pending(db, 0) if i.title == TITLES[1] and i.withdrawn]


def test_the_reason_names_the_cause_in_one_line(web, db):
    src = _site(web)
    collectors.collect(db, [src], FAST, now=T0)
    web.route("/d/2.html", body="Not Found", status=404)
    for hours in (3, 6):
        collectors.collect(db, [src], FAST, now=T0 + timedelta(hours=hours))
    why = _versions(db)[-1].withdrawn
    assert why.startswith("HTTP 404 at ") and "\n" not in why and "2 checks in a row" in why


@pytest.mark.parametrize("answer", [dict(body="busy", status=503), dict(body="denied", status=403)])
def test_a_server_error_is_no_news_about_the_page(web, db, answer):
    src = _site(web)
    collectors.collect(db, [src], FAST, now=T0)
    web.route("/d/2.html", **answer)
    for hours in (3, 6, 12, 24):
        [r] = collectors.collect(db, [src], FAST, now=T0 + timedelta(hours=hours))
        assert r.withdrawn == 0
    assert len(_versions(db)) == 1


def test_a_page_gone_once_then_back_is_not_reported(web, db):
    src = _site(web)
    collectors.collect(db, [src], FAST, now=T0)
    detail = DETAIL.format(n=2, title=TITLES[2], text=TITLES[2] + "。全文内容。")
    web.route("/d/2.html", body="Not Found", status=404)
    collectors.collect(db, [src], FAST, now=T0 + timedelta(hours=3))
    web.route("/d/2.html", detail)
    collectors.collect(db, [src], FAST, now=T0 + timedelta(hours=6))  # back: the count starts again
    web.route("/d/2.html", body="Not Found", status=404)
    [r] = collectors.collect(db, [src], FAST, now=T0 + timedelta(hours=12))
    assert r.withdrawn == 0 and len(_versions(db)) == 1


def test_a_story_whose_own_short_text_says_page_not_found_is_not_taken_for_a_notice(web, db):
    title = "关于整治政府网站“页面不存在”问题的通知"
    web.route("/l.html", LIST.format(rows=ROW.format(n=1, title=title)))
    web.route("/d/1.html", DETAIL.format(n=1, title=title, text="各单位：请于五月底前整改网站页面不存在、链接失效等问题。"))
    src = make_source("hg", web.url, "/l.html", list={"items": "ul.l li", "date": "span"}, detail={"body": "div.body"})
    collectors.collect(db, [src], FAST, now=T0)
    for hours in (3, 6, 12, 24, 48):
        [r] = collectors.collect(db, [src], FAST, now=T0 + timedelta(hours=hours))
        assert r.withdrawn == 0 and r.versions == 0
    assert len(collectors.pending(db, 0)) == 1


def test_a_page_back_after_being_reported_is_handed_on_again(web, db):
    src = _site(web)
    collectors.collect(db, [src], FAST, now=T0)
    detail = DETAIL.format(n=2, title=TITLES[2], text=TITLES[2] + "。全文内容。")
    web.route("/d/2.html", body="Not Found", status=404)
    for hours in (3, 6):
        collectors.collect(db, [src], FAST, now=T0 + timedelta(hours=hours))
    web.route("/d/2.html", detail)
    [r] = collectors.collect(db, [src], FAST, now=T0 + timedelta(hours=12))
    assert r.versions == 1
    first, gone, back = _versions(db)
    assert gone.withdrawn and not back.withdrawn and back.content_hash == first.content_hash

