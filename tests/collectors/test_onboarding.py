"""Onboarding with no configuration, data-driven.

- ``onboarding/unsure/NAME.html``: pages with no list to return; NAME.toml names what the finder says
  instead (``reason``, a substring of the NotAList message probe and ``sources`` show).
- ``onboarding/details/NAME.html``: detail pages of each kind (a meta disagreeing with the shown
  date, a date only in firstpublishedtime, an unlabelled date beside the title, a table body with
  merged cells, an attachment or images as the body, navigation refused); NAME.toml says the title,
  the publish date as written, the date candidates' origins, warnings and what the body holds.
- ``real/``: the labelled real pages (tests/collectors/real, fetched by ``python -m bench.onboarding
  fetch``): each page right, or marked ``known_wrong`` in its sidecar (strict xfail: a fix shows).
  Lists found by the data on the page (datastore, comments, templates, script arrays) are cases in
  ``lists/`` (test_list_finder).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from bench.onboarding import realset
from bench.onboarding.run import body_text, read_list
from bench.onboarding.score import score_detail, score_list
from collectors.decoding import decode_bytes
from collectors.errors import NotAList
from collectors.parsers import parse_detail, parse_list
from collectors.parsers.common import Entry
from collectors.parsers.list_confidence import ListFinding, judge

HERE = Path(__file__).parent / "onboarding"
UNSURE = sorted((HERE / "unsure").glob("*.html"))
DETAILS = sorted((HERE / "details").glob("*.html"))
BASE = "http://www.example.gov.cn/xxgk/tzgg/index.html"


@pytest.mark.parametrize("page", UNSURE, ids=[p.stem for p in UNSURE])
def test_no_confident_list_is_reported_not_returned(page: Path) -> None:
    expect = tomllib.loads(page.with_suffix(".toml").read_text(encoding="utf-8"))
    with pytest.raises(NotAList) as err:
        parse_list(page.read_text(encoding="utf-8"), BASE)
    assert expect["reason"] in str(err.value)


@pytest.mark.parametrize("page", DETAILS, ids=[p.stem for p in DETAILS])
def test_detail_pages_of_every_kind(page: Path) -> None:
    expect = tomllib.loads(page.with_suffix(".toml").read_text(encoding="utf-8"))
    d = parse_detail(page.read_text(encoding="utf-8"), expect["url"])
    assert d.title == expect["title"]
    assert d.published == expect["published"]
    if "dates" in expect:
        assert [c["origin"] for c in d.dates] == expect["dates"]
    for w in expect.get("warnings", []):
        assert w in d.warnings, d.warnings
    if "warnings" not in expect:
        assert not any(w.startswith("date-disagreement") for w in d.warnings), d.warnings
    for s in expect.get("body_contains", []):
        assert s in d.html, d.html
    for s in expect.get("body_not_contains", []):
        assert s not in d.html, d.html


def test_a_menu_scores_low_and_a_dated_list_high() -> None:
    menu = [Entry(url=f"http://x.gov.cn/{c}/", title=t) for c, t in
            (("zcwj", "政策文件"), ("ghjh", "规划计划"), ("tjsj", "统计数据"), ("rsxx", "人事信息"), ("czzj", "财政资金"))]
    stories = [Entry(url=f"http://x.gov.cn/art/2024/5/{i}/art_1_{i}.html", title=f"关于做好第{i}批重点项目建设工作的通知",
                     list_date=f"2024-05-0{i}") for i in range(1, 9)]
    low, high = judge(menu), judge(stories)
    assert not low.confident and low.reason.startswith("a menu of 5 undated links")
    assert high.confident and high.confidence > 0.9
    assert isinstance(high, ListFinding) and high.reason == "a list of 8 dated links"


REAL_LISTS = realset.cases("list")
REAL_DETAILS = realset.cases("detail")


def _known(case: realset.Case) -> list:
    why = case.truth.get("known_wrong")
    return [pytest.mark.xfail(reason=why, strict=True)] if why else []


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name, marks=_known(c)) for c in REAL_LISTS])
def test_real_list_page(case: realset.Case) -> None:
    raw = realset.page_bytes(case)
    if raw is None:
        pytest.skip(realset.missing_reason(case))
    found, conf, confident, reason = read_list(decode_bytes(raw).text, case.url)
    s = score_list(case.name, case.truth["items"], found, conf, confident, reason)
    assert s.right, (s.recall, s.precision, s.dates_right, s.confidence, reason)


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name, marks=_known(c)) for c in REAL_DETAILS])
def test_real_detail_page(case: realset.Case) -> None:
    raw = realset.page_bytes(case)
    if raw is None:
        pytest.skip(realset.missing_reason(case))
    d = parse_detail(decode_bytes(raw).text, case.url)
    s = score_detail(case.name, case.truth, d.title, d.published, body_text(d.story or d.html, case.url, d.title),
                     d.story or d.html)
    assert s.right, s.got


def test_a_title_tag_suffix_is_cut_by_comparing_with_the_names_the_site_goes_by() -> None:
    """No fixed list knows "黑土新闻网": the page's copyright line and logo name it."""
    page = ("<html><head><title>{t}-黑土新闻网</title></head><body>"
            "<div class='logo'><a href='http://news.example.cn/'><img src='/l.png' alt='黑土新闻网'></a></div>"
            "<div class='c'><p>5月8日，全市春耕生产现场推进会召开，会议部署了下一阶段的重点工作。</p></div>"
            "<div class='f'>版权所有：黑土新闻网</div></body></html>")
    d = parse_detail(page.format(t="全市春耕生产现场推进会召开"), "http://news.example.cn/a/20240508/1.html")
    assert (d.title, d.title_from) == ("全市春耕生产现场推进会召开", "page-title")
    # with no name on the page, a dash inside a title stays
    bare = "<html><head><title>关于做好2024-2025年度供暖工作的通知</title></head><body><p>正文。</p></body></html>"
    assert parse_detail(bare, "http://x.example.cn/1.html").title == "关于做好2024-2025年度供暖工作的通知"


def test_parts_every_page_of_a_site_repeats_are_cut_from_their_titles() -> None:
    from collectors.parsers.titles import cut_shared

    titles = ["市政府召开常务会议-黑土新闻", "全市安全生产工作会议召开-黑土新闻", "关于做好防汛工作的通知"]
    assert cut_shared(titles) == ["市政府召开常务会议", "全市安全生产工作会议召开", "关于做好防汛工作的通知"]
    assert cut_shared(["关于开展春季植树活动的通知"]) == ["关于开展春季植树活动的通知"]


def test_a_page_built_to_make_the_data_readers_slow_does_not_hold_a_worker() -> None:
    """Thousands of array assignments, of comments holding links and of script templates: each
    reader stops after MAX_TRIES, so the page costs about its parse, and the real list is still found."""
    import time

    from collectors.parsers.page_data import MAX_TRIES

    script = "<script>" + "".join(f"var a{i} = [{{'t': '{i}'" for i in range(5000)) + "</script>"
    comments = "".join(f"<!-- <a href='/x/{i}.html'>{'某' * 120}</a> -->" for i in range(5000))
    templates = "".join(f"<script type='text/template'><a href='/t/{i}.html'>模板</a></script>" for i in range(3000))
    rows = "".join(f'<li><a href="/art/2024/5/{i}/art_1_{i}.html">第{i}条政务动态的标题</a><span>2024-05-0{1 + i % 9}</span></li>'
                   for i in range(20))
    started = time.monotonic()
    entries, _ = parse_list(f"<html><body>{script}{comments}{templates}<ul>{rows}</ul></body></html>", BASE)
    assert len(entries) == 20 and MAX_TRIES <= 100
    assert time.monotonic() - started < 20
