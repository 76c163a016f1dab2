"""Every date style and every charset behaviour is served, as the truth says, where the truth says."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import pytest

from sample_province import DATE_STYLES, ENCODINGS, Province
from sample_province.render import fmt_date

from .helpers import items_of, parse_html, select, site_with, source_of

CASES = json.loads((Path(__file__).parent / "cases" / "dates.json").read_text(encoding="utf-8"))

# what each style looks like on a page (to find it in served bytes)
PATTERNS = {
    "ymd": r"\d{4}-\d\d-\d\d", "ymd-hm": r"\d{4}-\d\d-\d\d \d\d:\d\d", "ymd-hms": r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d",
    "ymd-hms-dash": r"\d{4}-\d\d-\d\d-\d\d:\d\d:\d\d", "cn": r"\d{4}年\d\d月\d\d日\d\d:\d\d",
    "cn-date": r"\d{4}年\d\d月\d\d日", "slash": r"\d{4}/\d{1,2}/\d{1,2}", "md-bracket": r"\[\d\d-\d\d\]",
    "rfc822": r"\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d \+0800", "rfc822-cst": r"\d\d:\d\d:\d\d CST",
    "rfc822-naive": r"<pubDate>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d</pubDate>",
    "iso": r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00",
}


@pytest.mark.parametrize("case", CASES, ids=[f"{c['style']}-{c['shown']}" for c in CASES])
def test_date_style_formats(case: dict) -> None:
    assert fmt_date(datetime.fromisoformat(case["when"]), case["style"]) == case["shown"]


def test_every_date_style_has_a_case() -> None:
    assert {c["style"] for c in CASES} == set(DATE_STYLES)


@pytest.mark.parametrize("style", sorted(DATE_STYLES))
def test_every_date_style_is_served(province: Province, http, style: str) -> None:
    where = "list_date"
    try:
        sid = site_with(province, list_date=style)
    except LookupError:
        sid, where = site_with(province, detail_date=style), "detail_date"
    site = province.site_by_id[sid]
    src = source_of(province, sid)
    item = items_of(province, sid)[0]
    url = src["url"] if where == "list_date" or src["type"] == "rss" else item["url"]
    text = http.get(url, headers={"Referer": src.get("referer", "")}).content.decode(site.charset)
    expected = fmt_date(datetime.fromisoformat(item["released_at"]), style)
    assert re.search(PATTERNS[style], text)
    assert expected in text


def test_lists_without_dates_exist_and_show_none(province: Province, http) -> None:
    sid = site_with(province, template="trs", list_date=None)
    src = source_of(province, sid)
    site = province.site_by_id[sid]
    text = http.get(src["url"]).content.decode(site.charset)
    assert "date" not in src["list"]
    assert 'class="date"' not in text
    assert items_of(province, sid)[0]["published_at"] is not None  # the detail page shows one


def test_site_without_any_date_has_null_publish_time(province: Province, http) -> None:
    sid = site_with(province, list_date=None, detail_date=None)
    province.advance(hours=1)
    items = [i for i in province.truth()["items"] if i["site"] == sid]
    assert items, f"{sid} released nothing"
    assert all(i["published_at"] is None for i in items)
    root = parse_html(http.get(items[0]["url"]).content, province.site_by_id[sid].charset)
    assert not select(root, "div.info span.date")
    for node in select(root, "div.content"):  # the story may mention years; the page chrome may not
        node.getparent().remove(node)
    for node in select(root, "div.related, h2.title, title"):  # titles may mention dates too
        node.getparent().remove(node)
    assert not re.search(r"\d{4}-\d\d-\d\d|\d{4}年\d", root.text_content())


def test_published_at_precision_follows_what_the_site_shows(province: Province) -> None:
    by_site = {s.id: s for s in province.sites}
    for it in province.truth()["items"][:300]:
        s = by_site[it["site"]]
        if it["published_at"] is None:
            continue
        assert it["published_at"].endswith("+08:00")
        styles = {s.detail_date, s.list_date} - {None}
        if styles and all(DATE_STYLES[x] in ("day", "day-no-year") for x in styles) and s.template not in (
                "json", "portal-json"):
            assert it["published_at"][11:19] == "00:00:00"


@pytest.mark.parametrize("mode", sorted(ENCODINGS))
def test_charset_behaviour(province: Province, http, mode: str) -> None:
    sid = site_with(province, encoding=mode, template="trs") if mode in ("utf-8", "gbk") else \
        site_with(province, encoding=mode)
    site = province.site_by_id[sid]
    src = source_of(province, sid)
    r = http.get(src["url"])
    actual, declared, header = ENCODINGS[mode]
    raw = r.content
    text = raw.decode(actual)  # the bytes really are in this charset
    assert "人民政府" in text
    ctype = r.headers["Content-Type"]
    head = raw[:1024].decode("ascii", errors="replace").lower()
    if header:
        assert f"charset={header}" in ctype.lower()
    else:
        assert "charset" not in ctype.lower()
    if declared:
        assert f"charset={declared}" in head
    else:
        assert "charset" not in head
    if actual == "gbk":
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")
    if mode in ("gb2312-lie", "meta-lie"):  # declared gb2312 but UTF-8: decoding as declared gives mojibake
        assert raw.decode("gb18030", errors="replace") != text
    assert site.charset == actual
    truth_site = next(s for s in province.truth()["sites"] if s["id"] == sid)
    assert truth_site["encoding"] == actual and truth_site["declared_charset"] == declared
    if mode == "undeclared-gbk":
        assert src["encoding"] == "gbk"  # an operator has to force it
