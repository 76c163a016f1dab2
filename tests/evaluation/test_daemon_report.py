"""The daemon's daily job writes last month's report into data/reports/YYYY-MM/ once, at 02:30 Beijing."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import evaluation
import settings
from pipeline.daemon import Daemon


def test_the_daemon_writes_last_months_report_beside_its_database_once(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")  # no chromium: report.json and report.html only
    config = settings.loads('[[sources]]\nid = "harbin"\nname = "哈尔滨市人民政府"\nkind = "city"\ntype = "html"\n'
                            'url = "http://127.0.0.1:9/harbin/"\ncolumn = "city-news"\nevery = "1h"\n',
                            name=str(tmp_path / "c.toml"))
    (tmp_path / "data").mkdir()
    d = Daemon(config, str(tmp_path / "data" / "h.db"), port=0)
    try:
        d.evaluation_job()
        today = datetime.now(evaluation.BEIJING).date()
        last = today.replace(day=1) - timedelta(days=1)
        target = tmp_path / "data" / "reports" / last.strftime("%Y-%m")
        report = json.loads((target / "report.json").read_text(encoding="utf-8"))
        assert (report["from"], report["to"]) == (last.replace(day=1).isoformat(), last.isoformat())
        harbin = report["sites"][0]
        assert harbin["source"] == "harbin" and harbin["checks"] == 0 and harbin["insufficient_data"] is True
        assert harbin["score"] is None and harbin["vetoes"] == []  # no data: marked so, never scored
        assert (target / "report.html").exists()
        stamp = (target / "report.json").stat().st_mtime_ns
        d.evaluation_job()  # the next day: already written
        assert (target / "report.json").stat().st_mtime_ns == stamp
    finally:
        d.server.close()
        d.dispatcher.shutdown()
