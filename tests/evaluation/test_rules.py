"""The national rules and the bad-input outcomes, on checks recorded directly (no server)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

import collectors
import evaluation
import pipeline
import store
from collectors.observations import Observation
from collectors.state import StateStore
from settings.loader import DEFAULT_COLUMNS
from settings.model import Config, EvaluationSettings, Source

BJ = evaluation.BEIJING
FIRST, LAST = date(2025, 3, 1), date(2025, 3, 7)
NOW = datetime(2025, 3, 10, tzinfo=UTC)


def _src(sid: str, kind: str = "city", **kw) -> Source:
    return Source(id=sid, name=f"{sid} 网站", kind=kind, type="html", url=f"http://127.0.0.1:9/{sid}/",
                  column="city-news", **kw)


def _config(*sources: Source, **settings) -> Config:
    return Config(path="t", columns={c.id: c for c in DEFAULT_COLUMNS}, sources=sources,
                  evaluation=EvaluationSettings(**settings))


@pytest.fixture
def db(tmp_path):
    d = store.open_db(str(tmp_path / "h.db"))
    pipeline.init_all(d)
    yield d
    d.close()


def _checks(db, sid: str, first: date, days: int, per_day: int, *, bad_every: int = 0, slow_every: int = 0,
            status: int = 500) -> None:
    st = StateStore(db)
    for d in range(days):
        start = datetime.combine(first + timedelta(days=d), datetime.min.time(), BJ)
        for n in range(per_day):
            at = (start + timedelta(minutes=n * (1440 // per_day))).astimezone(UTC).isoformat(timespec="seconds")
            i = d * per_day + n + 1
            if bad_every and i % bad_every == 0:
                obs = Observation(sid, at, "failed", status, 40, 45, 0, 0, "FetchError")
            elif slow_every and i % slow_every == 0:
                obs = Observation(sid, at, "ok", 200, 15_500, 16_000, 900, 0, None)
            else:
                obs = Observation(sid, at, "ok", 200, 80, 120, 900, 0, None)
            st.record_observation(obs)


def _site(report, sid):
    return next(s for s in report["sites"] if s["source"] == sid)


def test_more_than_five_percent_failed_within_15s_over_a_week_of_20_a_day_is_the_unreachable_veto(db):
    _checks(db, "a", FIRST, 7, 20, bad_every=14)  # 10 of 140: 7.1 %
    _checks(db, "b", FIRST, 7, 20, bad_every=28)  # 5 of 140: 3.6 %
    _checks(db, "c", FIRST, 7, 20, slow_every=10)  # 14 slow answers of 140: slow is failure
    report = evaluation.evaluate(db, _config(_src("a"), _src("b"), _src("c")), FIRST, LAST, now=NOW)
    a, b, c = (_site(report, x) for x in "abc")
    assert a["vetoes"] == ["unreachable"] and "10 次未能在 15 秒内打开（7.1%，上限 5%）" in a["veto_reasons"]["unreachable"]
    assert b["vetoes"] == [] and b["available_share"] == pytest.approx(135 / 140, abs=1e-4)
    assert c["vetoes"] == ["unreachable"] and c["slow_share"] == 0.1
    assert b["rank"] == 1 and {a["rank"], c["rank"]} == {2, 3}  # a vetoed site ranks after every other


def test_too_few_checks_is_insufficient_data_never_a_score(db):
    _checks(db, "few", FIRST, 7, 19)  # one short of the rule every day
    _checks(db, "late", date(2025, 3, 4), 4, 24)  # a source added mid-period: 4 monitored days
    report = evaluation.evaluate(db, _config(_src("few"), _src("late"), _src("never")), FIRST, LAST, now=NOW)
    for sid in ("few", "late", "never"):
        s = _site(report, sid)
        assert s["insufficient_data"] is True
        assert s["available_share"] is None and s["score"] is None and s["rank"] is None
        assert "unreachable" not in s["vetoes"]
    assert _site(report, "few")["checks"] == 133 and _site(report, "late")["monitored_days"] == 4
    assert _site(report, "never")["checks"] == 0


def test_a_period_with_no_data_gives_nulls_not_values(db):
    report = evaluation.evaluate(db, _config(_src("a")), FIRST, LAST, now=NOW)
    a = _site(report, "a")
    assert {k: a[k] for k in ("available_share", "newest_item_at", "days_since_update", "dead_link_share",
                               "original_share", "median_delay_minutes", "score", "rank")} == dict.fromkeys(
        ("available_share", "newest_item_at", "days_since_update", "dead_link_share", "original_share",
         "median_delay_minutes", "score", "rank"))
    assert a["vetoes"] == [] and a["checks"] == 0


def test_a_disabled_source_is_listed_but_neither_scored_nor_vetoed(db):
    _checks(db, "off", FIRST, 7, 20, bad_every=2)
    report = evaluation.evaluate(db, _config(replace(_src("off"), enabled=False)), FIRST, LAST, now=NOW)
    off = _site(report, "off")
    assert off["enabled"] is False and off["score"] is None and off["rank"] is None and off["vetoes"] == []


def test_a_clock_jump_into_the_future_is_not_counted_as_monitoring(db):
    _checks(db, "a", FIRST, 7, 20)
    _checks(db, "a", date(2025, 3, 20), 1, 20, bad_every=1)  # stamped after "now": a clock that jumped ahead
    report = evaluation.evaluate(db, _config(_src("a")), FIRST, date(2025, 3, 31), now=NOW)
    a = _site(report, "a")
    assert report["measured_days"] == 10  # 1 to 10 March: later days have not begun
    assert a["checks"] == 140 and a["available_share"] == 1.0


def test_the_default_period_is_the_last_full_month_in_beijing_time():
    p = evaluation.period_bounds(None, None, datetime(2025, 3, 31, 16, 30, tzinfo=UTC))  # 1 April 00:30 in Beijing
    assert (p.first, p.last) == (date(2025, 3, 1), date(2025, 3, 31))


def test_compaction_keeps_the_daily_figures_and_retention_drops_old_days(db):
    _checks(db, "a", FIRST, 7, 20, bad_every=14, slow_every=9)
    before = collectors.observation_days(db, "2025-03-01", "2025-03-07")
    folded, dropped = collectors.compact_observations(db, datetime(2025, 4, 20, tzinfo=UTC), raw_days=30)
    assert folded == 140 and dropped == 0
    assert db.execute("SELECT count(*) FROM observations").fetchone()[0] == 0
    after = collectors.observation_days(db, "2025-03-01", "2025-03-07")
    assert [(d.day, d.checks, d.opened, d.slow, d.failed) for d in after] == \
        [(d.day, d.checks, d.opened, d.slow, d.failed) for d in before]
    assert collectors.compact_observations(db, datetime(2025, 4, 20, tzinfo=UTC)) == (0, 0)  # idempotent
    assert collectors.compact_observations(db, datetime(2026, 4, 5, tzinfo=UTC), retention_days=400)[1] == 0
    assert collectors.compact_observations(db, datetime(2026, 4, 15, tzinfo=UTC), retention_days=400)[1] == 7


def test_a_collector_run_records_one_observation_with_the_list_pages_answer(db, tmp_path):
    sample_province = pytest.importorskip("sample_province")
    from settings.loader import source_from_dict

    with sample_province.start(seed=2, speed=0) as p:
        p.advance(hours=10)
        src = next(source_from_dict(d) for d in p.sources() if d["id"] == "jixi")
        p.set_faults({"jixi": "500"})
        collectors.collect(db, [src])
        p.set_faults(None)
        collectors.collect(db, [src])
    rows = db.execute("SELECT outcome, status, ttfb_ms IS NOT NULL, total_ms >= ttfb_ms, bytes > 0 "
                      "FROM observations ORDER BY rowid").fetchall()
    assert rows == [("failed", 500, 1, 1, 1), ("ok", 200, 1, 1, 1)]


def test_evaluate_command_writes_the_json_contract_and_the_html(db, tmp_path):
    from click.testing import CliRunner

    import run

    first = datetime.now(BJ).date() - timedelta(days=10)  # within the retention the command applies first
    _checks(db, "harbin", first, 7, 20)
    db.close()
    out = tmp_path / "out"
    (tmp_path / "s.toml").write_text('[[sources]]\nid = "harbin"\nname = "哈尔滨市人民政府"\nkind = "city"\n'
                                     'type = "html"\nurl = "http://127.0.0.1:9/harbin/"\ncolumn = "city-news"\nevery = "1h"\n',
                                     encoding="utf-8")
    res = CliRunner().invoke(run.cli, ["--lang", "zh", "--config", str(tmp_path / "s.toml"), "--db", str(tmp_path / "h.db"), "evaluate", "--from", str(first),
                                       "--to", str(first + timedelta(days=6)), "--out", str(out), "--json"],
                             env={"PATH": "/nonexistent"})  # no chromium: the PDF is skipped with a warning
    assert res.exit_code == 0, res.output
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert set(data) >= {"from", "to", "sites", "columns"}
    h = next(s for s in data["sites"] if s["source"] == "harbin")
    for key in ("source", "name", "kind", "checks", "available_share", "slow_share", "new_items", "newest_item_at",
                "days_since_update", "stale", "dead_link_share", "approved", "rejected", "original_share",
                "median_delay_minutes", "score", "rank", "vetoes", "veto_reasons"):
        assert key in h
    assert h["checks"] == 140 and h["rank"] == 1
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "政府网站监测评测报告" in html and "<svg" in html and "<script" not in html and "http://" not in \
        html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "warning: 未写出 report.pdf：没有安装 chromium" in res.stderr
    bad = CliRunner().invoke(run.cli, ["--lang", "en", "--db", str(tmp_path / "h.db"), "evaluate", "--from", "March"])
    assert bad.exit_code == 1 and "error: --from 'March' is not a date (YYYY-MM-DD)" in bad.output
    bad = CliRunner().invoke(run.cli, ["--lang", "zh", "--db", str(tmp_path / "h.db"), "evaluate", "--from", "March"])
    assert bad.exit_code == 1 and "error: --from 'March' 不是日期（YYYY-MM-DD）" in bad.output


def test_the_daily_job_writes_last_months_report_once(db, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")  # no chromium: json and html only
    now = datetime(2025, 4, 1, 18, 35, tzinfo=UTC)  # 2 April 02:35 in Beijing
    _checks(db, "a", date(2025, 3, 1), 31, 20)
    config = _config(_src("a"), observation_retention_days=400)
    written = evaluation.monthly(db, config, tmp_path / "reports", now)
    assert written == tmp_path / "reports" / "2025-03"
    report = json.loads((written / "report.json").read_text(encoding="utf-8"))
    assert (report["from"], report["to"]) == ("2025-03-01", "2025-03-31")
    assert _site(report, "a")["checks"] == 620 and (written / "report.html").exists()
    assert evaluation.monthly(db, config, tmp_path / "reports", now + timedelta(days=1)) is None  # once a month
    # each call applied retention first: days more than 30 days back are folded (1 and 2 March, then
    # the 3rd), and the report read folded and raw days alike (620 checks above)
    assert db.execute("SELECT count(*) FROM observation_days").fetchone()[0] == 3


def test_the_pdf_is_printed_by_chromium_with_the_chinese_text(db, tmp_path):
    import shutil
    import subprocess

    if not (evaluation.find_chromium() and shutil.which("pdftotext")):
        pytest.skip("needs chromium and pdftotext (.ci/run installs chromium, fonts-noto-cjk, poppler-utils)")
    _checks(db, "a", FIRST, 7, 20, bad_every=10)
    report = evaluation.evaluate(db, _config(_src("a")), FIRST, LAST, now=NOW)
    assert evaluation.write_report(report, tmp_path) == []
    pdf = tmp_path / "report.pdf"
    assert pdf.read_bytes()[:5] == b"%PDF-"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True).stdout.decode("utf-8")
    assert "政府网站监测评测报告" in text and "站点无法访问" in text


def _item(db, item_id: int, sid: str, published: datetime) -> None:
    """One stored item as the pipeline leaves it (the evaluation reads only these columns)."""
    at = published.astimezone(UTC).isoformat(timespec="seconds")
    db.conn.execute("INSERT INTO items (id, source, identity, published_at, created_at, updated_at) "
                    "VALUES (?,?,?,?,?,?5)", [item_id, sid, f"i{item_id}", published.isoformat(), at])
    db.conn.commit()


def test_a_policy_column_is_stale_after_six_calendar_months_not_183_days(db):
    # newest 通知公告 on 31 August: six calendar months end on 28 February (183 days would be 2 March)
    _item(db, 1, "notices", datetime(2024, 8, 31, 10, 0, tzinfo=BJ))
    for day in (date(2025, 2, 28), date(2025, 3, 1)):
        _checks(db, "notices", day, 1, 1)
    config = _config(replace(_src("notices"), column="notices"))
    feb = _site(evaluation.evaluate(db, config, date(2025, 2, 28), date(2025, 2, 28), now=NOW), "notices")
    mar = _site(evaluation.evaluate(db, config, date(2025, 3, 1), date(2025, 3, 1), now=NOW), "notices")
    assert (feb["stale"], feb["due_by"], feb["stale_limit"]) == (False, "2025-02-28", "6 个月")
    assert mar["stale"] is True and mar["empty"] is False and mar["items_total"] == 1
    # not read since it was due (no check on 2 March): whether it updated is not known
    later = _site(evaluation.evaluate(db, config, date(2025, 3, 2), date(2025, 3, 2), now=NOW), "notices")
    assert later["stale"] is None and later["empty"] is False  # it had an item: not empty, read or not


def test_sources_of_one_host_are_one_website_unless_a_site_key_says_otherwise(db):
    a = replace(_src("a"), url="https://jyt.hlj.gov.cn/jyt/c1/list.shtml")
    b = replace(_src("b"), column="notices", url="https://jyt.hlj.gov.cn/jyt/c2/list.shtml", name="教育厅·通知公告")
    c = replace(_src("c"), url="https://jyt.hlj.gov.cn/jyt/c3/list.shtml", site="jyt-old")
    report = evaluation.evaluate(db, _config(a, b, c), FIRST, LAST, now=NOW)
    sites = {w["site"]: [col["source"] for col in w["columns"]] for w in report["websites"]}
    assert sites == {"jyt.hlj.gov.cn": ["a", "b"], "jyt-old": ["c"]}
    assert report["websites"][0]["columns"][1]["name"] == "通知公告"
