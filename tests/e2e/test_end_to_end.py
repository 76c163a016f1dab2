"""The whole path: sample province → collect → queue → approve → publish → feed and API read back.

This is what a new user does after the quick start, checked end to end over real HTTP.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import feedparser
import pytest
import requests

import collectors
import normalizers
import pipeline
import review_queue
import sample_province
import settings
import store
from pipeline.http_server import HttpServer

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def province():
    p = sample_province.start(port=0, seed=7, speed=0)
    p.advance(days=1)
    yield p
    p.stop()


@pytest.fixture()
def config(province):
    return settings.load(REPO / "demo.toml", variables={"province": province.url})


def serve(app):
    """The app behind the daemon's own HTTP server (pipeline.http_server), on a free port."""
    server = HttpServer(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    return server, f"http://127.0.0.1:{server.effective_port}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_collect_review_publish_and_read_back(province, config, tmp_path):
    db_path = str(tmp_path / "huiju.db")
    db = store.open_db(db_path)
    pipeline.init_all(db)
    results = collectors.collect(db, [s for s in config.sources if s.enabled], config.collector)
    assert sum(r.new for r in results) > 50, [r for r in results if not r.ok][:3]
    stats = pipeline.run_once(db, config)
    assert stats.errors == []
    assert stats.queued > 0

    entries = review_queue.queue(db)
    assert entries, "the review queue is empty after a day of collection"
    review_queue.add_user(db, "zhang", "editor", "correct-horse-battery")
    # Pick a queued story from a site whose truth we know, in a column without extra sign-off.
    truth = {t["url"]: t for t in province.truth()["items"]}
    chosen = None
    for e in entries:
        item = normalizers.get_item(db, e.item_id)
        if item["url"] in truth and truth[item["url"]]["published_at"] and item["column"] != "gov-affairs":
            chosen = item
            break
    assert chosen is not None
    review_queue.approve(db, [chosen["id"]], user="zhang")
    # a person's approval waits out [web] approval_hold (undoable meanwhile), then is published once
    assert config.web.approval_hold > 0
    assert pipeline.publish_due(db, config).published == 0
    assert review_queue.state(db, chosen["id"]) == "approved"
    from datetime import UTC, datetime, timedelta
    later = datetime.now(UTC) + timedelta(seconds=config.web.approval_hold + 1)
    stats = pipeline.publish_due(db, config, now=later)
    assert stats.published >= 1
    assert review_queue.state(db, chosen["id"]) == "published"

    app = pipeline.create_app(db_path, config)
    server, base = serve(app)
    try:
        feed = feedparser.parse(requests.get(f"{base}/feeds/{chosen['column']}.rss", timeout=10).content)
        entry = next(e for e in feed.entries if e.link == chosen["url"])
        assert entry.title == chosen["title"]
        t = truth[chosen["url"]]
        assert entry.published_parsed is not None
        # the original publish time, not the time Huiju published it
        from datetime import datetime
        expect = datetime.fromisoformat(t["published_at"])
        got = datetime.fromisoformat(chosen["published_at"])
        assert got == expect
        source = config.source(chosen["source"])
        expected_source = chosen["source_line"] or source.name
        assert expected_source in json.dumps(entry, ensure_ascii=False)

        api = requests.get(f"{base}/api/v1/items", params={"column": chosen["column"]}, timeout=10).json()
        items = api["items"]
        mine = next(i for i in items if i["item_id"] == chosen["id"])
        assert mine["title"] == chosen["title"]
        assert mine["source_name"] == expected_source
        assert datetime.fromisoformat(mine["published_at"]) == expect
        assert chosen["column"] in mine["columns"]
        assert chosen["text"][:40].strip() and chosen["text"][:40] in mine["text"]

        all_feed = feedparser.parse(requests.get(f"{base}/feeds/all.atom", timeout=10).content)
        assert any(e.link == chosen["url"] for e in all_feed.entries)
        jf = requests.get(f"{base}/feeds/{chosen['column']}.json", timeout=10).json()
        assert jf["version"].startswith("https://jsonfeed.org/version/1")
        assert any(i["url"] == chosen["url"] for i in jf["items"])
    finally:
        server.close()


def test_auto_review_sources_publish_without_a_reviewer(province, config, tmp_path):
    auto = [s for s in config.sources if s.enabled and s.review == "auto"]
    assert auto, "demo.toml should have auto-reviewed sources"
    db = store.open_db(str(tmp_path / "auto.db"))
    pipeline.init_all(db)
    collectors.collect(db, auto, config.collector)
    stats = pipeline.run_once(db, config)
    assert stats.auto_approved > 0 and stats.published > 0
    published = [i for i in normalizers.list_items(db) if review_queue.state(db, i["id"]) == "published"]
    assert published
    hist = review_queue.history(db, published[0]["id"])
    assert any(h.get("actor") == "auto" or h.get("user") == "auto" for h in hist)


def test_cli_path_items_json_review_and_export(province, tmp_path):
    env = {**os.environ, "province": province.url, "HUIJU_PASSWORD": "correct-horse-battery"}
    # the demo's configuration with a 2-second approval hold: an approval made by one process is
    # held, survives that process, and is published once by a later one after the hold
    hold = 2
    cfg = tmp_path / "demo.toml"
    cfg.write_text((REPO / "demo.toml").read_text(encoding="utf-8").replace(
        "[web]\n", f"[web]\napproval_hold = {hold}\n", 1), encoding="utf-8")
    base = [sys.executable, str(REPO / "run.py"), "--lang", "en", "--config", str(cfg), "--db",
            str(tmp_path / "cli.db")]

    def cli(*args, stdin=""):
        r = subprocess.run(base + list(args), capture_output=True, text=True, env=env, input=stdin,
                           timeout=300)
        assert "Traceback" not in r.stderr
        return r

    r = cli("collect", "--source", "harbin", "--source", "portal-ljdt", "--source", "portal-zfwj")
    assert r.returncode == 0, r.stderr
    items = json.loads(cli("items", "--json").stdout)
    assert items
    for key in ("id", "source", "title", "url", "published_at", "state", "column", "cluster"):
        assert key in items[0]
    assert cli("users", "add", "wang", "--role", "reviewer", stdin="correct-horse-battery\n").returncode == 0
    pending = [i for i in items if i["state"] == "pending" and i["column"] != "gov-affairs"]
    assert pending
    approved_at = time.monotonic()
    r = cli("review", "approve", str(pending[0]["id"]), "--user", "wang")
    assert r.returncode == 0, r.stderr
    assert "held" in r.stdout and "review undo" in r.stdout, r.stdout
    after = {i["id"]: i for i in json.loads(cli("items", "--json").stdout)}
    assert after[pending[0]["id"]]["state"] == "approved"  # held: not published by the approving process
    early = cli("publish", "--json")
    if time.monotonic() - approved_at < hold:  # (a slow machine may already be past the hold)
        assert json.loads(early.stdout)["published"] == 0 and json.loads(early.stdout)["held"] == 1
    time.sleep(max(0.0, hold + 1 - (time.monotonic() - approved_at)))
    out = tmp_path / "export"
    r = cli("publish", "--export", str(out))
    assert r.returncode == 0, r.stderr
    after = {i["id"]: i for i in json.loads(cli("items", "--json").stdout)}
    assert after[pending[0]["id"]]["state"] == "published"
    assert json.loads(cli("publish", "--json").stdout)["published"] == 0  # published once
    rss = (out / "feeds" / f"{pending[0]['column']}.rss").read_bytes()
    assert pending[0]["url"].encode() in rss.replace(b"&amp;", b"&")


def test_demo_shows_queue_and_auto_published_items_within_a_minute(tmp_path):
    port = free_port()
    while True:
        port2 = port + 1
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port2))
                break
            except OSError:
                port = free_port()
    no_locale = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")}
    proc = subprocess.Popen([sys.executable, str(REPO / "run.py"), "--db", str(tmp_path / "demo.db"), "demo",
                             "--port", str(port)], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, env=no_locale)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        published = queued = 0
        while time.monotonic() < deadline:
            time.sleep(2)
            try:
                published = len(requests.get(f"{base}/api/v1/items", timeout=5).json()["items"])
                metrics = requests.get(f"{base}/metrics", timeout=5).text
            except (requests.RequestException, ValueError):
                continue
            for line in metrics.splitlines():
                if line.startswith("huiju_review_queue_clusters "):
                    queued = float(line.split()[1])
            if published and queued:
                break
        assert queued > 0, "no item reached the review queue within a minute"
        assert published > 0, "no auto-reviewed item was published within a minute"
        login = requests.get(f"{base}/review/", timeout=5)
        assert login.status_code in (200, 302)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            out, _ = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
            pytest.fail("the demo did not stop within 30 s of Ctrl-C")
    assert proc.returncode in (0, 130, -signal.SIGINT), out[-2000:]
    assert "汇聚演示正在运行（Ctrl-C 全部停止）。" in out and f"{base}/review/   用户：demo（编辑）   密码：" in out
    assert "Traceback" not in out
