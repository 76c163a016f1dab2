"""Retention: each package prunes its own tables by the policy in [retention]; published items and
every item's latest version stay; an unchanged page is still recognised after its body was pruned."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import collectors
import pipeline
import settings
import store
from pipeline import maintenance
from tests.collectors.fakeweb import FakeWeb

REPO = Path(__file__).resolve().parents[2]
FEED = '<rss version="2.0"><channel><title>t</title>{items}</channel></rss>'
ITEM = ("<item><title>{title}</title><link>{base}/n/{n}.html</link><guid>g{n}</guid>"
        "<description>{body}</description><pubDate>Mon, 05 May 2025 08:00:00 +0800</pubDate></item>")
TITLES = {1: "黑龙江省召开全省安全生产工作会议", 2: "哈尔滨市部署冬季供热保障工作"}


def serve(web: FakeWeb, first_body: str) -> None:
    bodies = {1: first_body, 2: "哈尔滨市政府召开专题会议，部署今冬明春供热保障工作，确保群众温暖过冬。" * 3}
    web.route("/f.xml", FEED.format(items="".join(ITEM.format(n=n, title=TITLES[n], body=bodies[n], base=web.url)
                                                  for n in (1, 2))), headers={"Content-Type": "application/rss+xml"})


def config_for(web: FakeWeb, tmp_path: Path) -> Path:
    path = tmp_path / "c.toml"
    path.write_text(f'[retention]\nraw_days = 30\nversions_days = 60\nobservations_days = 90\n\n[[sources]]\n'
                    f'id = "hlj"\nname = "黑龙江"\nkind = "portal"\ntype = "rss"\nurl = "{web.url}/f.xml"\n'
                    'column = "longjiang-news"\nevery = "10m"\nreview = "auto"\n', "utf-8")
    return path


def test_prune_keeps_published_items_and_latest_versions_and_recognises_unchanged_pages(web, tmp_path) -> None:
    cfg_path = config_for(web, tmp_path)
    config = settings.load(cfg_path)
    db = store.open_db(tmp_path / "h.db")
    pipeline.init_all(db)
    t0 = datetime.now(UTC) - timedelta(days=200)
    serve(web, "全省安全生产工作会议召开，会议强调要压实责任、排查隐患。" * 3)
    collectors.collect(db, config.sources, config.collector, now=t0)
    pipeline.run_once(db, config, now=t0)
    serve(web, "全省安全生产工作会议召开（更正稿），会议强调要压实各方责任、全面排查隐患。" * 3)  # a correction
    collectors.collect(db, config.sources, config.collector, now=t0 + timedelta(hours=2))
    pipeline.run_once(db, config, now=t0 + timedelta(hours=2))
    published_before = db.execute("SELECT count(*), sum(length(html)) FROM published").fetchone()
    assert db.execute("SELECT count(*) FROM collected").fetchone()[0] == 3

    dry = maintenance.prune(db, config, dry_run=True)
    assert dry.collectors["collected_versions"] == 1 and dry.collectors["collected_bodies"] == 2
    assert dry.normalizers["item_version_bodies"] == 1
    assert db.execute("SELECT count(*) FROM collected").fetchone()[0] == 3  # a dry run changes nothing

    report = maintenance.prune(db, config)
    assert report.total == dry.total and report.collectors["seen_links"] == 0  # rss: none kept
    assert db.execute("SELECT count(*) FROM collected").fetchone()[0] == 2
    assert db.execute("SELECT count(*) FROM collected WHERE json_extract(payload, '$.html') != ''").fetchone()[0] == 0
    versions = db.execute("SELECT version, length(text) FROM item_versions ORDER BY item_id, version").fetchall()
    assert (1, 0) in versions and all(n > 0 for v, n in versions if v == 2), versions
    assert db.execute("SELECT count(*), sum(length(html)) FROM published").fetchone() == published_before
    assert db.execute("SELECT count(*) FROM items WHERE text = ''").fetchone()[0] == 0
    # the same feed again: recognised as unchanged although the bodies are gone
    [r] = collectors.collect(db, config.sources, config.collector, now=datetime.now(UTC))
    assert r.ok and r.new == 0 and r.versions == 0 and r.unchanged == 2
    assert maintenance.prune(db, config).total == 0  # nothing left to prune
    db.conn.close()


def test_prune_command_dry_run_and_json(web, tmp_path) -> None:
    cfg = config_for(web, tmp_path)
    serve(web, "全省安全生产工作会议召开，会议强调要压实责任、排查隐患。" * 3)
    base = [sys.executable, str(REPO / "run.py"), "--config", str(cfg), "--db", str(tmp_path / "h.db")]
    assert subprocess.run([*base, "collect"], capture_output=True, timeout=120).returncode == 0
    # bodies collected now are within raw_days: nothing is due
    out = subprocess.run([*base, "prune", "--dry-run", "--json"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["dry_run"] is True and data["total"] == 0 and "collected_bodies" in data["collectors"]
    conn = sqlite3.connect(tmp_path / "h.db")
    conn.execute("UPDATE collected SET collected_at = '2020-01-01T00:00:00+00:00'")
    conn.commit()
    conn.close()
    text = subprocess.run([*base, "--lang", "en", "prune"], capture_output=True, text=True, timeout=60)
    assert text.returncode == 0 and "pruned        2  collectors.collected_bodies" in text.stdout, text.stdout
