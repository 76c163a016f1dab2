"""The veto 栏目不更新 (more than five of a site's columns past their limit, or more than five empty
columns) on the sample province's portal, whose seven lists are seven columns of one site.

Ground truth from the province's fault plan: ``frozen:T`` makes the portal publish nothing after
T (two simulated days in), so each of its lists keeps its newest item of day 2 while the
province's clock runs on for a week; a bare ``frozen`` portal never shows an item (every column
empty). kjt, a department, stays healthy. The columns' limits are shortened to 2 days (the rule is
per column in [[columns]]) so a week is enough; leaving some columns at their 6 months gives the
site five or six stale columns from the same checks.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, timedelta

import pytest

import collectors
import evaluation
import pipeline
import store
from settings.loader import DEFAULT_COLUMNS, source_from_dict
from settings.model import CollectorSettings, Config, EvaluationSettings

sample_province = pytest.importorskip("sample_province")

SETTINGS = CollectorSettings(workers=8, per_host=8, connect_timeout=2.0, read_timeout=2.0, total_timeout=4.0,
                             backoff_base=60, backoff_cap=1800)
PORTAL_COLUMNS = ("longjiang-news", "gov-affairs", "department-news", "city-news", "gov-documents", "laws", "notices")
SEED = 3  # every portal list has an item in the first two days under this seed (asserted from the truth)
DAYS, CHECKS_PER_DAY, FROZEN_AFTER_DAYS = 7, 2, 2


def _columns(short: tuple[str, ...]) -> dict:
    """The default catalog with the columns in *short* limited to 2 days (the others keep their rule)."""
    return {c.id: replace(c, freshness_days=2, freshness_months=None) if c.id in short else c
            for c in DEFAULT_COLUMNS}


def _run(tmp_path, name: str, frozen_after: int | None, days: int):
    """Collect the portal and kjt for *days* days with the portal frozen *frozen_after* days in (from
    the start when None); returns (db, sources, truth, start, end)."""
    db = store.open_db(str(tmp_path / f"{name}.db"))
    pipeline.init_all(db)
    with sample_province.start(seed=SEED, speed=0, stories_per_day=30, start_day="2025-03-01") as p:
        sources = [replace(source_from_dict(d), review="required") for d in p.sources()
                   if d["site"] in ("portal", "kjt")]
        config = Config(path="test", columns=_columns(()), sources=tuple(sources))
        start = p.now()
        fault = "frozen" if frozen_after is None else \
            f"frozen:{(start + timedelta(days=frozen_after)).timestamp():.0f}"
        p.set_faults({"portal": fault})
        for _day in range(days):
            for _check in range(CHECKS_PER_DAY):
                collectors.collect(db, sources, SETTINGS, now=p.now().astimezone(UTC))
                p.advance(hours=24 / CHECKS_PER_DAY)
            pipeline.run_once(db, config, now=p.now().astimezone(UTC) - timedelta(minutes=1))
        truth, end = p.truth(), p.now()
    return db, tuple(sources), truth, start, end


def _evaluate(db, sources, start, end, short: tuple[str, ...], **settings):
    config = Config(path="test", columns=_columns(short), sources=sources, evaluation=EvaluationSettings(**settings))
    return evaluation.evaluate(db, config, start.date(), (end - timedelta(seconds=1)).date(),
                               now=end.astimezone(UTC))


@pytest.fixture(scope="module")
def frozen(tmp_path_factory):
    db, sources, truth, start, end = _run(tmp_path_factory.mktemp("frozen"), "frozen", FROZEN_AFTER_DAYS, DAYS)
    yield db, sources, truth, start, end
    db.close()


def _sites(report) -> dict:
    return {s["source"]: s for s in report["sites"]}


def _portal(report) -> dict:
    return next(w for w in report["websites"] if w["site"] == "portal")


def test_the_portal_is_one_website_of_seven_columns_each_with_its_newest_item_before_the_freeze(frozen):
    db, sources, truth, start, end = frozen
    report = _evaluate(db, sources, start, end, ())
    portal = _portal(report)
    assert portal["name"] == "黑龙江省人民政府" and portal["kind"] == "portal"
    assert sorted(c["column"] for c in portal["columns"]) == sorted(PORTAL_COLUMNS)
    freeze = (start + timedelta(days=FROZEN_AFTER_DAYS)).isoformat()
    for col in portal["columns"]:
        shown = [t for t in truth["items"] if t["source"] == col["source"] and t["released_at"] < freeze
                 and t["published_at"]]
        assert shown, f"the fault plan needs an item on {col['source']} before the freeze"
        assert col["newest_item_at"][:10] == max(t["published_at"] for t in shown)[:10]
        assert col["empty"] is False and col["items_total"] > 0
    # with the national limits (14 days, 6 months) nothing is stale after a week
    assert portal["stale_columns"] == 0 and portal["vetoes"] == []
    assert [w["site"] for w in report["websites"]] == ["portal", "kjt"]


def test_seven_columns_past_their_limit_veto_every_list_of_the_site(frozen):
    db, sources, _truth, start, end = frozen
    report = _evaluate(db, sources, start, end, PORTAL_COLUMNS)
    portal = _portal(report)
    assert portal["stale_columns"] == 7 and portal["vetoes"] == ["stale-columns"]
    reason = portal["veto_reasons"]["stale-columns"]
    assert reason.startswith("7 个栏目超过更新时限未更新（上限 5 个）：")
    for name in ("龙江动态", "政务动态", "厅局动态", "地市动态", "规范性文件", "政府规章", "通知公告"):
        assert f"{name}（最新 2025-03-0" in reason and "时限 2 天" in reason
    sites = _sites(report)
    for src in (s for s in sources if s.site == "portal"):
        assert sites[src.id]["vetoes"] == ["stale-columns"] and sites[src.id]["stale"] is True
        assert sites[src.id]["veto_reasons"]["stale-columns"] == reason
    # kjt keeps its national limit: not stale where it has items; with the generated text (no
    # corpus) this seed gives it none, and an empty list's staleness is unknown, never a veto
    kjt = sites["kjt"]
    assert kjt["vetoes"] == [] and kjt["stale"] is (False if kjt["items_total"] else None)
    assert report["vetoes"]["stale-columns"] == "栏目不更新（单项否决）"


def test_six_stale_columns_veto_the_site_and_five_do_not(frozen):
    db, sources, _truth, start, end = frozen
    six = _evaluate(db, sources, start, end, PORTAL_COLUMNS[:6])  # notices keeps its 6 months
    portal = _portal(six)
    assert portal["stale_columns"] == 6 and portal["vetoes"] == ["stale-columns"]
    assert portal["veto_reasons"]["stale-columns"].startswith("6 个栏目超过更新时限未更新")
    assert "通知公告" not in portal["veto_reasons"]["stale-columns"]
    notices = next(c for c in portal["columns"] if c["column"] == "notices")
    assert notices["stale"] is False and notices["limit"] == "6 个月"
    five = _evaluate(db, sources, start, end, PORTAL_COLUMNS[:5])
    assert _portal(five)["stale_columns"] == 5 and _portal(five)["vetoes"] == []
    assert all("stale-columns" not in s["vetoes"] for s in five["sites"])
    # the threshold is data: [evaluation] max_stale_columns
    strict = _evaluate(db, sources, start, end, PORTAL_COLUMNS[:5], max_stale_columns=4)
    assert _portal(strict)["vetoes"] == ["stale-columns"]


def test_the_veto_is_in_the_html_report_once_per_site(frozen):
    db, sources, _truth, start, end = frozen
    html = evaluation.render_html(_evaluate(db, sources, start, end, PORTAL_COLUMNS))
    assert html.count("7 个栏目超过更新时限未更新") == 2  # the veto table, once; the site's columns table
    assert "网站栏目更新" in html and "栏目不更新（单项否决）" in html
    assert "共 8 个采集来源（2 个网站），7 个来源（1 个网站）触发单项否决" in html


def test_a_portal_that_never_shows_an_item_has_seven_empty_columns(tmp_path):
    db, sources, truth, start, end = _run(tmp_path, "empty", None, 1)
    report = _evaluate(db, sources, start, end, ())
    portal = _portal(report)
    assert portal["empty_columns"] == 7 and portal["stale_columns"] == 0
    assert portal["veto_reasons"]["stale-columns"].startswith("7 个栏目从未有信息（空白栏目，上限 5 个）：")
    last_check = (end - timedelta(hours=24 / CHECKS_PER_DAY)).isoformat()
    kjt_items = [t for t in truth["items"] if t["site"] == "kjt" and t["released_at"] <= last_check]
    kjt = _sites(report)["kjt"]
    assert kjt["empty"] is (not kjt_items) and kjt["items_total"] == len(kjt_items)
    assert kjt["vetoes"] == []  # one empty column is no veto
    # two lists disabled: five empty columns are within the rule
    off = {"portal-gz", "portal-tzgg"}
    fewer = tuple(replace(s, enabled=False) if s.id in off else s for s in sources)
    portal = _portal(_evaluate(db, fewer, start, end, ()))
    assert portal["empty_columns"] == 5 and portal["vetoes"] == []
    db.close()
