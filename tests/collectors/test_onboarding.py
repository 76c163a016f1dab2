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
    s = score_detail(case.name, case.truth, d.title, d.published, body_text(d.html, case.url, d.title))
    assert s.right, s.got
