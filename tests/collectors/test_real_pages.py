"""Real list pages saved from public Chinese sites (../shared/real-pages, read at run time): the
list is found with no selectors, each row once, with its date as written and an absolute link."""

from __future__ import annotations

from pathlib import Path

import pytest

from collectors.decoding import decode_bytes
from collectors.parsers import parse_list

# file → (charset the server declares, rows on the page, the first row's date as written)
PAGES = {
    "dfa66_announcement.html": (None, 10, "2020-07-02"),
    "hrfund_announcement.html": (None, 10, "2020-04-30"),
    "rtfund_xxpl.html": (None, 15, "2020-07-09"),
    # 40 rows in eight <ul> blocks of five, a rule between; declared gb2312, sent as UTF-8
    "netease_rolling_news.html": ("gb2312", 40, "2020-08-16 22:26:38"),
}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_a_real_list_page_is_read_whole_without_selectors(real_pages_dir: Path, name: str) -> None:
    declared, rows, first_date = PAGES[name]
    decoded = decode_bytes((real_pages_dir / name).read_bytes(), http_charset=declared)
    assert "\ufffd" not in decoded.text
    entries, _ = parse_list(decoded.text, f"http://example.gov.cn/list/{name}", {})
    assert len(entries) == rows
    assert entries[0].list_date == first_date
    assert all(e.list_date and len(e.title) >= 6 and e.url.startswith("http") for e in entries)
    assert len({e.url for e in entries}) == rows


def test_list_pages_built_to_be_slow_do_not_hold_a_worker() -> None:
    """20,000 one-row lists beside a 200 KB inline script: every row found, in about the time the
    page takes to parse (judging each element once), not minutes (each row re-reading the script)."""
    import time

    script = "<script>" + "var x = 1;" * 20000 + "</script>"
    rows = "".join(f'<ul class="l"><li><a href="/a/{i}.html">第{i}条政务动态标题</a><span>2024-05-01</span></li></ul>'
                   for i in range(20000))
    started = time.monotonic()
    entries, _ = parse_list(f"<html><body><div>{script}{rows}</div></body></html>", "http://x.gov.cn/l.html", {})
    assert len(entries) == 20000
    assert time.monotonic() - started < 20  # 220 s before elements were judged once
    # the same rows in one list, 250 blocks deep: no block is read further than a row could be
    rows = "".join(f'<li><a href="/a/{i}.html">第{i}条政务动态标题</a><span>2024-05-01</span></li>' for i in range(20000))
    started = time.monotonic()
    entries, _ = parse_list("<html><body>" + "<div>" * 250 + f"<ul>{rows}</ul>" + "</div>" * 250 + "</body></html>",
                            "http://x.gov.cn/l.html", {})
    assert len(entries) == 20000
    assert time.monotonic() - started < 20  # 14 s when every block's links and text were read whole
