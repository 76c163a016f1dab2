"""A person's approval is held `[web] approval_hold` seconds, undoable, then published exactly once:
nothing publishes before the hold passes, an undo (or undo and approve again) in between is
respected inside the publishing transaction, and a held approval survives a restart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import normalizers
import pipeline
import review_queue
import settings
import store
from collectors.model import CollectedItem

T = datetime(2026, 5, 2, 1, 0, tzinfo=UTC)
CONFIG = """
[web]
approval_hold = 60

[[sources]]
id = "harbin"
name = "哈尔滨市人民政府"
kind = "city"
type = "rss"
url = "https://www.harbin.gov.cn/rss"
column = "city-news"
every = "15m"

[[sources]]
id = "portal"
name = "省政府门户"
kind = "portal"
type = "rss"
url = "https://www.hlj.gov.cn/rss"
column = "city-news"
every = "15m"
review = "auto"
"""


def submit(db, config, n: int, source_id: str = "harbin") -> int:
    source = config.source(source_id)
    item = CollectedItem(source_id=source.id, identity=f"a{n}", identity_rule="link", url=f"{source.url}/a{n}.html",
                         title=f"哈尔滨市召开第{n}次冬季安全生产工作会议", html=f"<p>会议研究部署第{n}项工作。</p>" * 3,
                         published="2026-05-02 09:00", fetched_at=T.isoformat())
    with store.transaction(db):
        result = normalizers.ingest(db, n, item, source, config)
        review_queue.submit(db, result, source, now=T)
    return result.item_id


def stream_rows(db, item_id: int) -> int:
    return db.execute("SELECT count(*) FROM published WHERE item_id = ?", [item_id]).fetchone()[0]


def test_an_approval_is_held_undoable_and_published_once_after_a_restart(tmp_path) -> None:
    config = settings.loads(CONFIG)
    assert config.web.approval_hold == 60
    path = tmp_path / "huiju.db"
    db = store.open_db(path)
    pipeline.init_all(db)
    review_queue.add_user(db, "wang", "reviewer", "correct horse battery")
    item = submit(db, config, 1)
    review_queue.approve(db, [item], user="wang", config=config, now=T)
    assert review_queue.held(db, now=T + timedelta(seconds=5), hold=60)[0]["publishes_at"] == "2026-05-02T01:01:00+00:00"
    assert pipeline.publish_due(db, config, now=T + timedelta(seconds=59)).published == 0
    assert review_queue.state(db, item) == "approved" and stream_rows(db, item) == 0
    # undone and approved again: the hold starts again from the second approval
    review_queue.undo_approve(db, item, user="wang", now=T + timedelta(seconds=30))
    review_queue.approve(db, [item], user="wang", config=config, now=T + timedelta(seconds=50))
    assert pipeline.publish_due(db, config, now=T + timedelta(seconds=61)).published == 0
    db.conn.close()  # the process ends with the approval held (a crash or a restart)

    db = store.open_db(path)
    pipeline.init_all(db)
    stats = pipeline.publish_due(db, config, now=T + timedelta(seconds=111))
    assert stats.published == 1 and stats.errors == []
    assert review_queue.state(db, item) == "published" and stream_rows(db, item) == 1
    assert pipeline.publish_due(db, config, now=T + timedelta(seconds=500)).published == 0
    assert stream_rows(db, item) == 1  # once
    assert review_queue.held(db, now=T + timedelta(seconds=500), hold=60) == []


def test_an_undo_between_reading_the_due_list_and_publishing_wins(monkeypatch) -> None:
    config = settings.loads(CONFIG)
    db = store.open_db(":memory:")
    pipeline.init_all(db)
    review_queue.add_user(db, "wang", "reviewer", "correct horse battery")
    item = submit(db, config, 1)
    review_queue.approve(db, [item], user="wang", config=config, now=T)
    real = review_queue.due_for_publishing
    stale = real(db, now=T + timedelta(seconds=61), hold=60)
    assert stale == [item]
    review_queue.undo_approve(db, item, user="wang", now=T + timedelta(seconds=61))  # the reviewer was quicker

    def list_read_before_the_undo(db, *, now=None, hold=0, item_id=None):
        return stale if item_id is None else real(db, now=now, hold=hold, item_id=item_id)

    monkeypatch.setattr(review_queue, "due_for_publishing", list_read_before_the_undo)
    stats = pipeline.publish_due(db, config, now=T + timedelta(seconds=62))
    assert stats.published == 0 and stats.errors == []
    assert review_queue.state(db, item) == "pending" and stream_rows(db, item) == 0


def test_trusted_sources_are_not_held_and_hold_zero_publishes_at_once() -> None:
    config = settings.loads(CONFIG)
    db = store.open_db(":memory:")
    pipeline.init_all(db)
    auto = submit(db, config, 2, "portal")
    assert review_queue.state(db, auto) == "approved"
    assert pipeline.publish_due(db, config, now=T).published == 1  # nobody's approval to undo

    config0 = settings.loads(CONFIG.replace("approval_hold = 60", "approval_hold = 0"))
    review_queue.add_user(db, "wang", "reviewer", "correct horse battery")
    item = submit(db, config0, 3)
    review_queue.approve(db, [item], user="wang", config=config0, now=T)
    assert review_queue.held(db, now=T, hold=0) == []
    assert pipeline.publish_due(db, config0, now=T).published == 1
