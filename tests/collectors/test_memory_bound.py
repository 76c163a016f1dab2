"""A page far past parse_max_bytes (the body cap raised for it) is read to its end but parsed on its
beginning: the worker's memory stays bounded, and the cut is said (warning, page-cut miss)."""

from __future__ import annotations

from dataclasses import replace

import collectors
from bench.reliability.scenarios import big_page
from tests.collectors.sources import FAST, make_source

ROW = "<tr><td>哈尔滨市</td><td>12345</td><td>道里区</td><td>67.8%</td><td>备注说明文字</td></tr>"


def test_a_long_page_is_parsed_on_its_beginning_and_says_so(web, db) -> None:
    web.route("/l.html", '<html><body><ul class="l"><li><a href="/d/1.html">黑龙江省统计数据公报</a>'
              "<span>2025-05-01</span></li></ul></body></html>")
    web.route("/d/1.html", "<html><head><title>统计数据</title></head><body><div class='body'><p>统计公报正文。</p>"
              "<table>" + ROW * 40_000 + "</table></div></body></html>")  # 3.7 MB
    src = make_source("big", web.url, "/l.html", list={"items": "ul.l li", "date": "span"}, detail={"body": "div.body"})
    settings = replace(FAST, max_body_bytes=8 * 2**20, parse_max_bytes=2**20)
    [r] = collectors.collect(db, [src], settings)
    assert r.ok and r.new == 1
    assert [m.kind for m in r.misses] == ["page-cut"] and "only its first 1,048,5" in r.misses[0].detail
    [(_, item)] = collectors.pending(db, 0)
    assert "统计公报正文" in item.html and len(item.html.encode()) < 2**20  # the beginning, kept whole
    assert any("parse_max_bytes" in w for w in item.warnings)
    assert r.bytes > 3 * 2**20  # read to its end


def test_worker_memory_stays_bounded_on_a_big_page() -> None:
    bounded = big_page(16 * 2**20, 2**20)  # a 16 MB table page, 1 MB parsed
    assert bounded["ok"] and bounded["misses"] == ["page-cut"]
    assert bounded["worker_mb"] < 120, bounded  # unbounded it takes ~400 MB (bench.reliability bigpage)
