"""Data-driven: lists found without selectors. Each lists/NAME.html is a list page; NAME.toml says
how many entries must be found and the first titles and list dates (\"\" = none shown)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from collectors.parsers import parse_list

LISTS = Path(__file__).parent / "lists"
PAGES = sorted(LISTS.glob("*.html"))
BASE = "http://www.example.gov.cn/xxgk/tzgg/index.html"


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_list_found_without_selectors(page: Path) -> None:
    expect = tomllib.loads(page.with_suffix(".toml").read_text(encoding="utf-8"))
    entries, _ = parse_list(page.read_text(encoding="utf-8"), BASE)
    assert len(entries) == expect["count"], [e.title for e in entries]
    n = len(expect["titles"])
    assert [e.title for e in entries[:n]] == expect["titles"]
    assert [e.list_date or "" for e in entries[:n]] == expect["list_dates"]
    if "first_url" in expect:
        assert entries[0].url == expect["first_url"]
    assert all(e.url.startswith("http://www.example.gov.cn/") for e in entries)


@pytest.mark.parametrize(("script", "first", "page", "want"), [
    ('createPageHTML(5, 0, "index", "shtml");', "http://www.example.gov.cn/xxgk/tzgg/", 2,
     "http://www.example.gov.cn/xxgk/tzgg/index_1.shtml"),
    ('createPageHTML(5, 0, "index", "shtml");', "http://www.example.gov.cn/xxgk/tzgg/", 6, None),
    ("createPageHTML(3,0,'list','htm');", "http://www.example.gov.cn/xxgk/", 3, "http://www.example.gov.cn/xxgk/list_2.htm"),
    ("createPageHTML(4, 0);", "http://www.example.gov.cn/xxgk/", 2, "http://www.example.gov.cn/xxgk/index_1.html"),
    ('createPageHTML(5, 0, "index", "shtml");', "http://www.example.gov.cn/xxgk/index.shtml", 3,
     "http://www.example.gov.cn/xxgk/index_2.shtml"),
])
def test_trs_pages_follow_the_file_name_the_page_script_declares(script, first, page, want) -> None:
    from collectors.parsers import next_page_url

    html = (LISTS / "pinned-in-the-list.html").read_text(encoding="utf-8").replace(
        "</body>", f"<script>{script}</script></body>")
    _, root = parse_list(html, first)
    assert next_page_url(root, first, page, "trs", first) == want


def test_a_list_nested_past_the_parsers_depth_says_so() -> None:
    from collectors.errors import NotAList

    rows = "".join(f'<li><a href="/art/2025/3/1/art_1_{i}.html">鸡西市召开第{i}次专题会议</a><span>2025-03-01</span></li>'
                   for i in range(20))
    page = "<html><body>" + "<div>" * 300 + f"<ul>{rows}</ul>" + "</div>" * 300 + "</body></html>"
    with pytest.raises(NotAList, match="nests its list deeper than the HTML parser reads") as info:
        parse_list(page, BASE)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(("page", "hint"), [
    ('<html><head><meta http-equiv="refresh" content="0; url=/xxgk/tzgg/list_1.shtml"></head><body></body></html>',
     "redirects by meta refresh to http://www.example.gov.cn/xxgk/tzgg/list_1.shtml: use that address"),
    ('<html><frameset><frame src="top.html"><frame src="/xxgk/list_main.html"></frameset></html>',
     "shows other pages in frames: try http://www.example.gov.cn/xxgk/tzgg/top.html"),
    ("<html><head><title>安全验证</title><script>" + "var _0x1a=[];" * 400 + "</script></head><body></body></html>",
     "built by script"),
])
def test_a_page_with_no_list_says_where_to_look(page, hint) -> None:
    from collectors.errors import NotAList

    with pytest.raises(NotAList) as info:
        parse_list(page, BASE)
    assert hint in str(info.value) and "\n" not in str(info.value)


SCRIPT_LIST = ("<html><body><ul>" + "".join(
    f"<li><a href=\"javascript:openArticle('{100 + i}','tzgg')\">鸡西市政务服务中心第{i}期工作简报</a>"
    f"<span>2025-03-0{i + 1}</span></li>" for i in range(6)) + "</ul></body></html>")


def test_links_opened_from_script_by_id_are_named_and_then_built_from_the_template() -> None:
    from collectors.errors import NotAList

    with pytest.raises(NotAList, match=r"6 links open their page from script with no address in them: set "
                                       r"list.script_link"):
        parse_list(SCRIPT_LIST, BASE)
    entries, _ = parse_list(SCRIPT_LIST, BASE, {"script_link": "/info/{1}/content.jsp?id={0}"})
    assert [e.url for e in entries][:2] == ["http://www.example.gov.cn/info/tzgg/content.jsp?id=100",
                                            "http://www.example.gov.cn/info/tzgg/content.jsp?id=101"]
    assert len(entries) == 6 and entries[0].list_date == "2025-03-01"


def test_day_blocks_nested_deep_are_one_list_read_in_page_time() -> None:
    """A day's block left open, the next day's inside it, 200 days deep (ai-bot.cn's form, built
    to be costly): one list of every story card, each block read once, not depth × size."""
    import time

    excerpt = "据有关部门介绍，相关工作推进顺利，效率提升2-3倍，群众满意度明显提高，下一步将继续完善长效机制。" * 3
    blocks = "".join(f'<div class="news-list"><div class="news-date">{d % 28 + 1}日</div>'
                     + "".join(f'<div class="news-item"><h2><a href="/kx/story-{d}-{k}/">第{d}天第{k}条政务快讯的标题</a></h2>'
                               f'<p>{excerpt}</p></div>' for k in range(3)) for d in range(200))
    page = f"<html><body><div class='panel'>{blocks}{'</div>' * 200}</div></body></html>"
    started = time.monotonic()
    entries, _ = parse_list(page, BASE)
    assert len(entries) == 600
    assert all(e.list_date is None for e in entries)  # "2-3倍" in the excerpts is no date
    assert time.monotonic() - started < 20
