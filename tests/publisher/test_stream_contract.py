"""The portal's cursor contract: `more` at every limit, the stream epoch across a restore, 409s, deletions."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import flask
import pytest
from lxml import etree

import publisher
import store
from publisher import epoch as stream_epoch
from tests.publisher.conftest import make_entry

TOMBSTONES = "http://purl.org/atompub/tombstones/1.0"


def _fill(db, n: int, start: int = 1) -> None:
    with store.transaction(db):
        for i in range(start, start + n):
            publisher.publish(db, make_entry(i, text="短讯。", html="<p>短讯。</p>", title=f"短讯{i}"))


def _walk(client, limit: int, since: int = 0) -> tuple[list[int], list[tuple[int, bool]]]:
    seqs, pages = [], []
    while True:
        body = client.get(f"/api/v1/items?since={since}&limit={limit}").get_json()
        seqs += [i["seq"] for i in body["items"]]
        pages.append((len(body["items"]), body["more"]))
        if not body["more"]:
            return seqs, pages
        since = body["next"]


@pytest.fixture()
def big(db):
    _fill(db, 1002)
    return db


@pytest.mark.parametrize("limit", [1000, 501, 500, 499, 250, 1])
def test_more_is_true_exactly_while_rows_remain_at_every_limit(big, client, limit):
    if limit == 1:  # walking 1002 pages of one is slow; start near the end
        seqs, pages = _walk(client, 1, since=995)
        assert seqs == list(range(996, 1003)) and pages[-1] == (1, False)
        assert all(more for _n, more in pages[:-1])
        return
    seqs, pages = _walk(client, limit)
    assert seqs == list(range(1, 1003)), f"limit={limit}: a client stopped early or saw a row twice"
    page = min(limit, 500)  # larger limits are capped to the documented maximum
    assert [n for n, _ in pages[:-1]] == [page] * (len(pages) - 1)
    assert all(more for _n, more in pages[:-1]) and pages[-1][1] is False


def test_more_is_false_when_the_page_ends_exactly_at_the_last_row(db, client):
    _fill(db, 500)
    body = client.get("/api/v1/items?since=0&limit=500").get_json()
    assert len(body["items"]) == 500 and body["more"] is False
    rows, more = publisher.page(db, since=0, limit=499)
    assert len(rows) == 499 and more is True


@pytest.mark.parametrize("since", [4, 2**31, 2**63 - 1, 2**63, 2**64, 10**40])
def test_since_beyond_the_end_is_an_explicit_resync_error(db, client, since):
    _fill(db, 3)
    resp = client.get(f"/api/v1/items?since={since}")
    assert resp.status_code == 409
    body = resp.get_json()
    assert body["code"] == "since_beyond_end" and "since=0" in body["error"]
    assert body["latest_seq"] == 3 and body["epoch"] == publisher.stream_identity(db).epoch
    assert resp.headers["Cache-Control"] == "no-store"
    assert client.get("/api/v1/items?since=3").get_json()["items"] == []  # the end itself is fine


def test_every_response_names_the_epoch(db, client):
    _fill(db, 2)
    epoch = publisher.stream_identity(db).epoch
    for url in ("/api/v1/items", "/api/v1/items/1", "/api/v1/columns", "/api/v1/search?q=短讯"):
        resp = client.get(url)
        assert resp.get_json()["epoch"] == epoch, url
        assert resp.headers["X-Huiju-Epoch"] == epoch, url
    for fmt in ("rss", "atom", "json"):
        assert client.get(f"/feeds/all.{fmt}").headers["X-Huiju-Epoch"] == epoch
    assert json.loads(client.get("/feeds/all.json").data)["_huiju"]["epoch"] == epoch


def _backup(src: Path, dest: Path) -> None:
    """The README's procedure: sqlite3 huiju.db ".backup backup.db" (the same online-backup API)."""
    if shutil.which("sqlite3"):
        subprocess.run(["sqlite3", str(src), f".backup {dest}"], check=True)
    else:  # pragma: no cover - .ci/run installs the sqlite3 command
        with sqlite3.connect(src) as a, sqlite3.connect(dest) as b:
            a.backup(b)


def _restore(backup: Path, target: Path) -> None:
    """Restore as an operator does with the daemon stopped: the copy replaces the file."""
    for extra in (Path(f"{target}-wal"), Path(f"{target}-shm")):
        extra.unlink(missing_ok=True)
    tmp = target.with_suffix(".restoring")
    shutil.copyfile(backup, tmp)
    os.replace(tmp, target)


def _app(db_path: Path, config) -> flask.Flask:
    app = flask.Flask("restarted")
    app.config.update(HUIJU_DB=str(db_path), HUIJU_CONFIG=config, HUIJU_PUBLIC_URL="https://portal.example.gov.cn")
    app.register_blueprint(publisher.create_blueprint())
    return app


def test_a_restored_backup_gets_a_new_epoch_and_old_cursors_are_told_to_resync(db, db_path, config, client, tmp_path):
    _fill(db, 3)
    first = client.get("/api/v1/items").get_json()
    epoch = first["epoch"]
    _backup(db_path, tmp_path / "backup.db")
    _fill(db, 2, start=4)
    synced = client.get("/api/v1/items?since=3").get_json()  # the portal reads up to seq 5
    assert synced["next"] == 5 and synced["epoch"] == epoch
    db.conn.close()
    _restore(tmp_path / "backup.db", db_path)

    # The same server process (its kept connections see the file replaced) and a restarted one agree.
    for c in (client, _app(db_path, config).test_client()):
        gone = c.get("/api/v1/items?since=5")
        assert gone.status_code == 409 and gone.get_json()["code"] == "since_beyond_end"
        new_epoch = gone.get_json()["epoch"]
        assert new_epoch != epoch
    db2 = store.open_db(db_path)
    _fill(db2, 3, start=10)  # seqs 4..6 again, now with other items: a cursor at 5 would skip them
    stale = client.get(f"/api/v1/items?since=5&epoch={epoch}")
    assert stale.status_code == 409 and stale.get_json()["code"] == "epoch_changed"
    fresh = client.get("/api/v1/items?since=0").get_json()
    assert fresh["epoch"] == new_epoch and [i["item_id"] for i in fresh["items"]] == [1, 2, 3, 10, 11, 12]
    assert client.get(f"/api/v1/items?since=0&epoch={new_epoch}").status_code == 200
    db2.conn.close()


def test_a_restore_is_seen_even_when_the_backup_reaches_the_old_seq_before_anyone_looks(db, db_path, tmp_path):
    _fill(db, 2)
    epoch = publisher.stream_identity(db).epoch
    _backup(db_path, tmp_path / "backup.db")
    _fill(db, 1, start=3)
    assert publisher.stream_identity(db) == stream_epoch.StreamIdentity(epoch, 3)  # served: watermark at 3
    db.conn.close()
    _restore(tmp_path / "backup.db", db_path)
    db2 = store.open_db(db_path)
    _fill(db2, 5, start=20)  # seq 3..7: past the watermark before any request is served
    # The watermark's seq is passed, but the restored file's seq 3 is another item than the one
    # served as seq 3: still caught.
    assert publisher.stream_identity(db2).epoch != epoch
    db2.conn.close()


def test_run_backup_copies_carry_their_own_epoch(db, db_path, tmp_path):
    _fill(db, 2)
    epoch = publisher.stream_identity(db).epoch
    _backup(db_path, tmp_path / "backup.db")
    copy = store.open_db(tmp_path / "backup.db")
    assert publisher.mark_backup(copy) != epoch
    copy.conn.close()
    db.conn.close()
    Path(f"{db_path}.stream").unlink()  # the watermark lost with the disk: the copy still tells
    _restore(tmp_path / "backup.db", db_path)
    assert publisher.stream_identity(store.open_db(db_path)).epoch != epoch


def test_a_fresh_database_has_its_own_epoch(tmp_path):
    a, b = store.open_db(tmp_path / "a.db"), store.open_db(tmp_path / "b.db")
    publisher.init(a), publisher.init(b)
    assert publisher.stream_identity(a).epoch != publisher.stream_identity(b).epoch


def test_the_editors_reason_is_carried_in_the_retraction(db, client):
    publisher.publish(db, make_entry(1))
    publisher.retract(db, 1, reason="内容与事实不符，已撤稿")
    row = client.get("/api/v1/items?since=1").get_json()["items"][0]
    assert row["action"] == "retract" and row["reason"] == "内容与事实不符，已撤稿"
    assert client.get("/api/v1/items/1").get_json()["reason"] == "内容与事实不符，已撤稿"


def _tombstones(atom: bytes) -> dict[str, tuple[str, str]]:
    root = etree.fromstring(atom)
    return {n.get("ref"): (n.get("when"), n.findtext(f"{{{TOMBSTONES}}}comment"))
            for n in root.iterfind(f"{{{TOMBSTONES}}}deleted-entry")}


def test_deletions_are_listed_in_atom_and_json_feed_within_the_window(db, client, app):
    now = datetime.now(UTC)
    for i in (1, 2, 3, 4):
        publisher.publish(db, make_entry(i), now=now - timedelta(days=60))
    publisher.retract(db, 1, reason="已过时", now=now - timedelta(days=40))  # outside the 30-day window
    publisher.retract(db, 2, reason="内容有误", now=now - timedelta(days=2))
    publisher.publish(db, make_entry(3, version=2, columns=["notices"]), now=now - timedelta(days=1))  # moved out
    atom = client.get("/feeds/city-news.atom")
    parsed = feedparser.parse(atom.data)
    assert not parsed.bozo and [e.id for e in parsed.entries] == ["huiju:item:4"]
    gone = _tombstones(atom.data)
    assert set(gone) == {"huiju:item:2", "huiju:item:3"}
    assert gone["huiju:item:2"][1] == "内容有误" and "移出" in gone["huiju:item:3"][1]
    assert datetime.fromisoformat(gone["huiju:item:2"][0]) > now - timedelta(days=3)
    assert set(_tombstones(client.get("/feeds/all.atom").data)) == {"huiju:item:2"}  # item 3 is still on the portal
    feed = client.get("/feeds/city-news.json").get_json()
    assert {d["id"]: d["reason"] for d in feed["_huiju"]["deleted"]} == {
        "huiju:item:2": "内容有误", "huiju:item:3": "已移出本栏目 (moved to another column)"}
    assert feed["_huiju"]["deleted_days"] == 30
    # The window is configurable; 0 lists none.
    app.config["HUIJU_DELETED_DAYS"] = 60
    publisher.clear_page_cache(app)
    assert set(_tombstones(client.get("/feeds/city-news.atom").data)) == {
        "huiju:item:1", "huiju:item:2", "huiju:item:3"}
    app.config["HUIJU_DELETED_DAYS"] = 0
    publisher.clear_page_cache(app)
    assert _tombstones(client.get("/feeds/city-news.atom").data) == {}


def test_an_item_back_in_its_column_is_no_longer_listed_as_deleted(db, client):
    publisher.publish(db, make_entry(1))
    publisher.publish(db, make_entry(1, version=2, columns=["notices"]))
    assert "huiju:item:1" in _tombstones(client.get("/feeds/city-news.atom").data)
    publisher.publish(db, make_entry(1, version=3, columns=["city-news"]))
    atom = client.get("/feeds/city-news.atom").data
    assert _tombstones(atom) == {} and [e.id for e in feedparser.parse(atom).entries] == ["huiju:item:1"]
