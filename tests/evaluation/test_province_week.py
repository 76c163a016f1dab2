"""A simulated week of the sample province as ground truth for the site evaluation.

Ten checks a day (the national rule asks 20: the limit is lowered with them) for seven days over five sites, with faults set by plan through the
province's own fault switch (``Province.set_faults``): harbin answers 500 on every tenth check
(down 10 % of the time), mudanjiang answers its first byte late on every fifth check (a slow site:
the limit is lowered to 1 s so the test does not wait 15 s), fgw's detail pages answer 404 from
day 4 on (its links die and nothing new comes from it: a site that stops updating), jixi and kjt
are healthy. Everything collected goes through the pipeline (ingest, clusters, review queue).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, timedelta

import pytest

import collectors
import evaluation
import pipeline
import review_queue
from settings.loader import DEFAULT_COLUMNS, source_from_dict
from settings.model import CollectorSettings, Config, EvaluationSettings

sample_province = pytest.importorskip("sample_province")

SETTINGS = CollectorSettings(workers=8, per_host=8, connect_timeout=2.0, read_timeout=2.0, total_timeout=4.0,
                             backoff_base=60, backoff_cap=1800)
SITES = ("harbin", "mudanjiang", "jixi", "fgw", "kjt")
CHECKS_PER_DAY = 10
DAYS = 7
DEAD_FROM_DAY = 4  # fgw's detail pages 404 from the start of this day (1-based)


def _faults(day: int, check: int) -> dict[str, str]:
    n = (day - 1) * CHECKS_PER_DAY + check
    faults = {}
    if n % 10 == 0:
        faults["harbin"] = "500"
    if n % 5 == 0:
        faults["mudanjiang"] = "slow-first-byte:1.3"
    if day >= DEAD_FROM_DAY:
        faults["fgw"] = "404-detail"
    return faults


@pytest.fixture(scope="module")
def week(tmp_path_factory):
    import store

    db = store.open_db(str(tmp_path_factory.mktemp("eval") / "h.db"))
    pipeline.init_all(db)
    with sample_province.start(seed=5, speed=0, start_day="2025-03-01") as p:
        sources = [replace(source_from_dict(d), review="required") for d in p.sources() if d["id"] in SITES]
        config = Config(path="test", columns={c.id: c for c in DEFAULT_COLUMNS}, sources=tuple(sources),
                        evaluation=EvaluationSettings(open_within_seconds=1.0, min_checks_per_day=CHECKS_PER_DAY))
        start = p.now()
        for day in range(1, DAYS + 1):
            for check in range(1, CHECKS_PER_DAY + 1):
                p.set_faults(_faults(day, check))
                collectors.collect(db, sources, SETTINGS, now=p.now().astimezone(UTC))
                p.advance(hours=24 / CHECKS_PER_DAY)
            # ingested just before midnight: the day's items belong to the day they were collected
            pipeline.run_once(db, config, now=p.now().astimezone(UTC) - timedelta(minutes=1))
        truth = p.truth()
        end = p.now()
        last_check = end - timedelta(hours=24 / CHECKS_PER_DAY)
    review_queue.add_user(db, "eva", "editor", "a long enough passphrase 9")
    jixi = [i for i in _item_ids(db, "jixi")]
    review_queue.approve(db, jixi[:3], user="eva", config=config)
    review_queue.reject(db, jixi[3:4], user="eva", reason="not news")
    report = evaluation.evaluate(db, config, start.date(), (end - timedelta(seconds=1)).date(),
                                 now=end.astimezone(UTC))
    truth["last_check"] = last_check.isoformat()
    yield {s["source"]: s for s in report["sites"]}, truth, report, db, config
    db.close()


def _item_ids(db, source: str) -> list[int]:
    return [r[0] for r in db.execute("SELECT id FROM items WHERE source = ? ORDER BY id", [source]).fetchall()]


def test_a_site_down_ten_percent_of_the_time_is_vetoed_unreachable(week):
    sites, *_ = week
    h = sites["harbin"]
    assert h["checks"] == DAYS * CHECKS_PER_DAY
    assert h["available_share"] == pytest.approx(0.9, abs=0.001)
    assert h["vetoes"][:1] == ["unreachable"]
    assert "7 次未能在 1 秒内打开" in h["veto_reasons"]["unreachable"]


def test_a_slow_site_counts_slow_answers_as_failures(week):
    sites, *_ = week
    m = sites["mudanjiang"]
    assert m["slow_share"] == pytest.approx(0.2, abs=0.001)
    assert m["available_share"] == pytest.approx(0.8, abs=0.001)
    assert "unreachable" in m["vetoes"]


def test_a_healthy_site_is_available_has_no_veto_and_ranks_first_of_its_kind(week):
    sites, *_ = week
    j = sites["jixi"]
    assert j["available_share"] == 1.0 and j["slow_share"] == 0.0
    assert j["vetoes"] == []
    assert j["rank"] == 1 and sites["harbin"]["rank"] > 1 and sites["mudanjiang"]["rank"] > 1
    assert j["approved"] == 3 and j["rejected"] == 1


def test_a_site_whose_detail_pages_die_has_dead_links_and_stops_updating(week):
    sites, truth, report, *_ = week
    f = sites["fgw"]
    released = [t for t in truth["items"] if t["site"] == "fgw" and t["version"] >= 1]
    before = [t for t in released if t["released_at"] < f"2025-03-0{DEAD_FROM_DAY}"]
    after = [t for t in released if t["released_at"] >= f"2025-03-0{DEAD_FROM_DAY}"]
    assert after, "the fault plan needs items released after the links died"
    assert f["dead_links"] == len(after)
    assert f["dead_link_share"] == pytest.approx(len(after) / (len(after) + f["detail_links"] - f["dead_links"]),
                                                 abs=0.001)
    newest_truth = max(t["published_at"] for t in before if t["published_at"])
    assert f["newest_item_at"][:10] == newest_truth[:10]
    assert f["days_since_update"] >= DAYS - DEAD_FROM_DAY
    assert f["available_share"] == 1.0  # its lists still open: dead links are not unavailability
    kjt = sites["kjt"]
    assert kjt["dead_link_share"] == 0.0 and kjt["days_since_update"] <= 1


def test_originality_and_timeliness_come_from_the_items(week):
    sites, truth, *_ = week
    for sid in ("jixi", "kjt"):
        s = sites[sid]
        released = [t for t in truth["items"] if t["site"] == sid and t["released_at"] <= truth["last_check"]]
        assert s["collected"] == len(released)
        assert s["original_share"] == 1.0  # none of these sites re-posts another's story
        assert s["median_delay_minutes"] is not None and 0 <= s["median_delay_minutes"] <= 24 * 60
        assert s["p90_delay_minutes"] >= s["median_delay_minutes"]


def test_the_week_shows_day_by_day(week):
    sites, _truth, report, *_ = week
    h = sites["harbin"]
    assert [d["checks"] for d in h["days"]] == [CHECKS_PER_DAY] * DAYS
    assert sum(d["available_share"] * d["checks"] for d in h["days"]) == pytest.approx(63)


def test_not_updated_veto_with_the_news_rule_shortened(week):
    _sites, _truth, report, db, config = week
    short = replace(config, evaluation=replace(config.evaluation, news_stale_days=2))
    sites = {s["source"]: s for s in evaluation.evaluate(
        db, short, _day(report["from"]), _day(report["to"]), now=_as_of(report))["sites"]}
    assert "not-updated" in sites["fgw"]["vetoes"]
    assert "天未更新（上限 2 天）" in sites["fgw"]["veto_reasons"]["not-updated"]
    assert "not-updated" not in sites["kjt"]["vetoes"]


def _day(s: str):
    from datetime import date

    return date.fromisoformat(s)


def _as_of(report):
    from datetime import datetime

    return datetime.fromisoformat(report["as_of"]).astimezone(UTC)
