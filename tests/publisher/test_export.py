"""The static tree: every feed, the catalog and each item at the daemon's URLs, file by file.

`publish --export DIR` and the daemon's live tree share it: atomic renames, a manifest of what
Huiju wrote (nothing else is touched), leftovers of killed runs cleaned, files servable as-is.
"""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import brotli
import feedparser
import pytest

import publisher
from publisher.static_tree import MANIFEST, TMP_PREFIX, Keeper, sync
from tests.publisher.conftest import make_entry

BASE = "https://static.example.gov.cn"
REPO = Path(__file__).resolve().parents[2]


def test_export_writes_every_file_at_the_daemons_urls(db, config, tmp_path):
    publisher.publish(db, make_entry(1))
    publisher.publish(db, make_entry(2, columns=["notices"]))
    publisher.retract(db, 2, reason="撤稿")
    target = tmp_path / "out" / "site"
    paths = publisher.export(db, config, target, base_url=BASE)
    rel = {str(p.relative_to(target.resolve())) for p in paths}
    for col in [*config.columns, "all"]:
        for fmt in ("rss", "atom", "json"):
            assert f"feeds/{col}.{fmt}" in rel
    # /api/v1/columns and /api/v1/items/{id} exist as files, not only with a .json a server must map
    assert {"api/v1/columns", "api/v1/columns.json", "api/v1/items/1", "api/v1/items/1.json",
            "api/v1/items/2", "api/v1/openapi.json"} <= rel
    assert all(p.is_file() for p in paths)
    assert len(rel) == 3 * (len(config.columns) + 1) + 2 + 4 + 1
    rss = feedparser.parse((target / "feeds/city-news.rss").read_bytes())
    assert [e.id for e in rss.entries] == ["huiju:item:1"]
    assert feedparser.parse((target / "feeds/notices.atom").read_bytes()).entries == []
    assert json.loads((target / "api/v1/items/2").read_text())["state"] == "retracted"
    cols = json.loads((target / "api/v1/columns").read_text())
    assert cols["columns"][0]["feeds"]["rss"].startswith(BASE + "/feeds/")
    assert cols["item_url"] == BASE + "/api/v1/items/{id}"
    assert all("api" not in c for c in cols["columns"]), "an export links only to its own files"
    assert oct(os.stat(target).st_mode & 0o777) == oct(0o755)
    big = target / "feeds/all.atom"
    assert gzip.decompress((target / "feeds/all.atom.gz").read_bytes()) == big.read_bytes()
    assert brotli.decompress((target / "feeds/all.atom.br").read_bytes()) == big.read_bytes()


def test_export_never_touches_what_the_folder_held(db, config, tmp_path):
    target = tmp_path / "srv" / "www"
    (target / "feeds").mkdir(parents=True)
    (target / "index.html").write_text("the portal's own page")
    (target / "feeds" / "city-news.rss").write_text("someone else's file")
    (target.parent / ".www.tmp-abc123").mkdir()  # what an export before the manifest left when killed
    publisher.publish(db, make_entry(1))
    result = sync(db, config, target, base_url=BASE, cursor_api=False)
    assert (target / "index.html").read_text() == "the portal's own page"
    assert (target / "feeds" / "city-news.rss").read_text() == "someone else's file"
    assert result.skipped == ["feeds/city-news.rss"]
    publisher.publish(db, make_entry(3))
    publisher.export(db, config, target, base_url=BASE)
    assert (target / "index.html").exists() and (target / "api/v1/items/3.json").exists()
    assert [p.name for p in target.parent.iterdir()] == ["www"]  # no temporary or old trees beside it


def test_a_second_run_rewrites_only_what_changed(db, config, tmp_path):
    publisher.publish(db, make_entry(1))
    publisher.publish(db, make_entry(2, columns=["notices"]))
    first = sync(db, config, tmp_path / "t", base_url=BASE)
    assert sync(db, config, tmp_path / "t", base_url=BASE).written == []
    publisher.publish(db, make_entry(1, version=2, title="更正标题"))
    changed = set(sync(db, config, tmp_path / "t", base_url=BASE).written)
    assert {"api/v1/items/1", "feeds/city-news.atom", "feeds/all.json"} <= changed
    assert "api/v1/items/2" not in changed and "feeds/notices.rss" not in changed
    assert len(changed) < len(first.written) / 2


def test_a_rewritten_history_rebuilds_every_item_page(db, db_path, config, tmp_path):
    for i in (1, 2, 3):
        publisher.publish(db, make_entry(i))
    sync(db, config, tmp_path / "t", base_url=BASE)
    publisher.epoch.rotate(db, "test: a rebuilt database")
    result = sync(db, config, tmp_path / "t", base_url=BASE)
    assert {"api/v1/items/1", "api/v1/items/2", "api/v1/items/3"} <= set(result.written)
    assert json.loads((tmp_path / "t/api/v1/items/1").read_text())["epoch"] == result.epoch


def test_failed_export_keeps_the_old_files_and_the_next_run_finishes(db, config, tmp_path, monkeypatch):
    target = tmp_path / "out" / "site"
    publisher.publish(db, make_entry(1))
    publisher.export(db, config, target, base_url=BASE)
    before = (target / "feeds/city-news.json").read_bytes()
    publisher.publish(db, make_entry(2))

    def broken(*_a, **_k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("publisher.static_tree.render_json_feed", broken)
    with pytest.raises(publisher.ExportError, match="No space left on device"):
        publisher.export(db, config, target, base_url=BASE)
    assert (target / "feeds/city-news.json").read_bytes() == before  # never half-written
    monkeypatch.undo()
    publisher.export(db, config, target, base_url=BASE)
    assert "huiju:item:2" in (target / "feeds/city-news.json").read_text()
    assert not list(target.rglob(TMP_PREFIX + "*"))


def test_export_onto_a_file_is_refused(db, config, tmp_path):
    target = tmp_path / "out" / "site"
    target.parent.mkdir()
    target.write_text("a file")
    with pytest.raises(publisher.ExportError, match="not a directory"):
        publisher.export(db, config, target, base_url=BASE)
    assert target.read_text() == "a file"


def _seed(db, n: int) -> None:
    import store

    with store.transaction(db):
        for i in range(1, n + 1):
            publisher.publish(db, make_entry(i, text="短讯" * 200, html="<p>" + "短讯" * 200 + "</p>"))


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_an_export_killed_half_way_leaves_nothing_the_next_one_does_not_clean(db, db_path, tmp_path, sig):
    _seed(db, 500)
    out = tmp_path / "export"
    cmd = [sys.executable, str(REPO / "run.py"), "--config", str(REPO / "schedules.toml"), "--db", str(db_path),
           "publish", "--export", str(out),
           "--base-url", BASE]
    proc = subprocess.Popen(cmd, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (out / "api/v1/items").is_dir():
        time.sleep(0.02)
    time.sleep(0.3)
    proc.send_signal(sig)
    proc.wait(30)
    done = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert not list(out.rglob(TMP_PREFIX + "*")), "temporary files of the killed run are left"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    files = json.loads((out / MANIFEST).read_text())["files"]
    assert "api/v1/items/500.json" in files and (out / "api/v1/items/500").is_file()
    on_disk = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()} - {MANIFEST, ".huiju-lock", ".huiju-journal"}
    assert on_disk == set(files)


def test_the_keeper_follows_each_publish_within_seconds(db, db_path, config, tmp_path):
    publisher.publish(db, make_entry(1))
    keeper = Keeper(str(db_path), config, tmp_path / "live", base_url=BASE, every=0.1)
    keeper.start()
    try:
        deadline = time.monotonic() + 20
        while not (tmp_path / "live/feeds/all.json").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        publisher.publish(db, make_entry(2))
        t0 = time.monotonic()
        while time.monotonic() - t0 < 20:
            if "huiju:item:2" in (tmp_path / "live/feeds/all.json").read_text():
                break
            time.sleep(0.05)
        assert time.monotonic() - t0 < 5, "the live tree lagged the publish"
        assert json.loads((tmp_path / "live/api/v1/columns").read_text())["columns"][0]["api"].startswith(BASE)
    finally:
        keeper.stop()


def test_the_daemon_keeps_its_live_tree_when_web_static_dir_is_set(db, db_path, config, tmp_path):
    import dataclasses
    import threading

    from pipeline.daemon import Daemon
    from settings import WebSettings

    live = tmp_path / "static"
    cfg = dataclasses.replace(config, web=WebSettings(port=0, static_dir=str(live), public_url=BASE))
    ready = threading.Event()
    daemon = Daemon(cfg, str(db_path), port=0, pass_every=3600, on_ready=lambda _d: ready.set())
    thread = threading.Thread(target=daemon.start, daemon=True)
    thread.start()
    try:
        assert ready.wait(20)
        publisher.publish(db, make_entry(7))
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            path = live / "api/v1/items/7"
            feed = live / "feeds/all.atom"
            if path.exists() and feed.exists() and "huiju:item:7" in feed.read_text():
                break
            time.sleep(0.1)
        else:
            pytest.fail("the daemon did not bring the live tree up to date")
    finally:
        daemon.stop()
        thread.join(20)
