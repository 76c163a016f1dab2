"""A published story whose source takes the page down: noticed, shown to the editors, decided.

Collect → approve → publish; the site deletes the page; two re-checks later the item is listed by
`run.py queue --withdrawn`, /healthz and /metrics; a reviewer may not decide, an editor retracts
and the retraction reaches the published stream. Nothing leaves the portal by itself.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import collectors
import pipeline
import publisher
import review_queue
import settings
import store
from tests.collectors.fakeweb import FakeWeb

REPO = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 5, 2, 1, 0, tzinfo=UTC)
PASSWORD = "correct-horse-battery"
LIST = ('<html><head><meta charset="utf-8"></head><body><ul class="news">'
        '<li><a href="/art/2026/5/2/art_1.html">鹤岗市召开安全生产工作会议</a><span>2026-05-02</span></li>'
        "</ul></body></html>")
DETAIL = ("<html><head><meta charset='utf-8'><meta name='ArticleTitle' content='鹤岗市召开安全生产工作会议'>"
          "<meta name='PubDate' content='2026-05-02 09:00'></head><body><div class='body'>"
          "<p>5月2日，鹤岗市召开安全生产工作会议，部署当前和今后一个时期全市安全生产重点工作。</p>"
          "<p>会议要求，各地各部门要压实责任，深入开展隐患排查整治，坚决防范遏制重特大事故发生。</p>"
          "</div></body></html>")


@pytest.fixture
def web():
    w = FakeWeb()
    w.route("/list.html", LIST)
    w.route("/art/2026/5/2/art_1.html", DETAIL)
    yield w
    w.stop()


def test_a_published_story_taken_down_at_the_source_reaches_the_editors(web, tmp_path):
    cfg = tmp_path / "huiju.toml"
    cfg.write_text(f'[[sources]]\nid = "hegang"\nname = "鹤岗市人民政府"\nkind = "city"\ntype = "html"\n'
                   f'url = "{web.url}/list.html"\ncolumn = "city-news"\nevery = "15m"\n'
                   '[sources.list]\nitems = "ul.news li"\ndate = "span"\n'
                   '[sources.detail]\nbody = "div.body"\n', encoding="utf-8")
    config = settings.load(cfg)
    db_path = tmp_path / "huiju.db"
    db = store.open_db(db_path)
    pipeline.init_all(db)
    review_queue.add_user(db, "wang", "reviewer", PASSWORD)
    review_queue.add_user(db, "erin", "editor", PASSWORD)

    def rounds(*hours: int) -> None:
        for h in hours:
            collectors.collect(db, list(config.sources), config.collector, now=T0 + timedelta(hours=h))
            pipeline.run_once(db, config, now=T0 + timedelta(hours=h))

    rounds(0)
    [entry] = review_queue.queue(db)
    review_queue.approve(db, [entry.item_id], user="wang")
    pipeline.publish_due(db, config, now=datetime.now(UTC) + timedelta(seconds=config.web.approval_hold))  # past the hold
    assert review_queue.state(db, entry.item_id) == "published"
    web.route("/art/2026/5/2/art_1.html", "<html><title>404</title></html>", status=404)
    rounds(3)
    assert review_queue.withdrawn_upstream(db) == []  # one 404 may be a hiccup
    rounds(6)
    [listed] = review_queue.withdrawn_upstream(db)
    assert listed["item_id"] == entry.item_id and listed["why"].startswith(f"HTTP 404 at {web.url}/art/")
    assert review_queue.state(db, entry.item_id) == "published"  # not retracted by itself

    app = pipeline.create_app(str(db_path), config)
    client = app.test_client()
    assert client.get("/healthz").get_json()["published_withdrawn_upstream"] == [entry.item_id]
    assert client.get("/metrics").status_code == 403  # closed by default
    os.environ["HUIJU_METRICS_TOKEN"] = "t0ken"
    try:
        metrics = client.get("/metrics", headers={"Authorization": "Bearer t0ken"}).get_data(as_text=True)
    finally:
        del os.environ["HUIJU_METRICS_TOKEN"]
    assert "huiju_published_withdrawn_upstream 1" in metrics

    env = {**os.environ, "HUIJU_PASSWORD": PASSWORD}
    base = [sys.executable, str(REPO / "run.py"), "--lang", "en", "--config", str(cfg), "--db", str(db_path)]

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        r = subprocess.run(base + list(args), capture_output=True, text=True, env=env, timeout=120)
        assert "Traceback" not in r.stderr
        return r

    r = cli("queue", "--withdrawn", "--json")
    assert r.returncode == 0, r.stderr
    assert [w["item_id"] for w in json.loads(r.stdout)] == [entry.item_id]
    assert "1 published item taken down at the source" in cli("queue").stdout
    refused = cli("review", "keep", str(entry.item_id), "--user", "wang")
    assert refused.returncode != 0 and refused.stderr.strip().count("\n") == 0
    assert "editor" in refused.stderr
    r = cli("review", "retract", str(entry.item_id), "--reason", "原文已被来源网站删除", "--user", "erin")
    assert r.returncode == 0, r.stderr
    assert "retracted and the retraction published" in r.stdout
    assert json.loads(cli("queue", "--withdrawn", "--json").stdout) == []
    changes = publisher.changes(db, since=0, limit=10)
    assert [c["action"] for c in changes if c["item_id"] == entry.item_id][-1] == "retract"
    # the editor's own reason reaches the portal, not a fixed text
    assert [c["reason"] for c in changes if c["item_id"] == entry.item_id][-1] == "原文已被来源网站删除"
    db.conn.close()
