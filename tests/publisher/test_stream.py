"""The published stream: seq as cursor, idempotent publishing, corrections and retractions."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import publisher
import store
from tests.publisher.conftest import make_entry

REPO = Path(__file__).resolve().parents[2]


def test_seq_increases_and_same_version_is_published_once(db):
    s1 = publisher.publish(db, make_entry(1))
    s2 = publisher.publish(db, make_entry(2))
    again = publisher.publish(db, make_entry(1))
    assert s2 > s1
    assert again == s1
    assert [c["seq"] for c in publisher.changes(db)] == [s1, s2]


def test_same_version_with_other_text_is_still_not_republished(db):
    seq = publisher.publish(db, make_entry(1))
    assert publisher.publish(db, make_entry(1, title="另一个标题")) == seq
    assert publisher.latest(db, 1)["title"] == "哈尔滨市召开会议部署冬季供暖工作（1）"


def test_rolled_back_publish_leaves_nothing_and_can_be_redone(db):
    class Boom(Exception):
        pass

    with pytest.raises(Boom):
        with store.transaction(db):
            publisher.publish(db, make_entry(1))
            raise Boom
    assert publisher.changes(db) == []
    assert publisher.latest(db, 1) is None
    assert publisher.search(db, "哈尔滨") == []
    seq = publisher.publish(db, make_entry(1))
    assert [c["seq"] for c in publisher.changes(db)] == [seq]


CHILD = textwrap.dedent(
    """
    import os, sys
    sys.path.insert(0, {repo!r})
    import publisher, store
    from tests.publisher.conftest import make_entry
    db = store.open_db({db!r})
    publisher.init(db)
    if {commit!r}:
        seq = publisher.publish(db, make_entry(7))
        print(seq, flush=True)
        os._exit(0)
    db.conn.execute("BEGIN IMMEDIATE")
    publisher.publish(db, make_entry(7))
    os._exit(1)  # crash inside the transaction: nothing committed
    """
)


@pytest.mark.parametrize("commit", [True, False], ids=["crash-after-commit", "crash-before-commit"])
def test_never_published_twice_across_a_crash(db, db_path, commit):
    code = CHILD.format(repo=str(REPO), db=str(db_path), commit=commit)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    seq = publisher.publish(db, make_entry(7))
    rows = db.conn.execute("SELECT seq FROM published WHERE item_id = 7").fetchall()
    assert rows == [(seq,)]
    if commit:
        assert proc.returncode == 0, proc.stderr
        assert int(proc.stdout.split()[0]) == seq
    else:
        assert proc.returncode == 1, proc.stderr


def test_database_refuses_a_second_row_for_one_version(db):
    publisher.publish(db, make_entry(1))
    with pytest.raises(Exception, match="UNIQUE"):
        db.conn.execute(
            "INSERT INTO published (item_id, version, action, column_ids, created_at) "
            "VALUES (1, 1, 'publish', '[\"city-news\"]', '2024-01-01T00:00:00+00:00')"
        )


def test_correction_keeps_guid_and_is_marked_correct(db):
    s1 = publisher.publish(db, make_entry(1))
    s2 = publisher.publish(db, make_entry(1, version=2, title="更正：哈尔滨市召开会议", action="correct"))
    stream = publisher.changes(db)
    assert [(c["seq"], c["action"], c["version"]) for c in stream] == [(s1, "publish", 1), (s2, "correct", 2)]
    assert {c["guid"] for c in stream} == {"huiju:item:1"}
    now = publisher.latest(db, 1)
    assert now["title"] == "更正：哈尔滨市召开会议" and now["state"] == "live" and now["first_seq"] == s1


def test_stream_action_reflects_truth_not_caller(db):
    # The caller says "correct" but nothing is live yet: the portal must see a first publish.
    seq = publisher.publish(db, make_entry(1, action="correct"))
    assert publisher.changes(db)[0]["action"] == "publish"
    assert publisher.latest(db, 1)["seq"] == seq


def test_older_version_is_refused(db):
    publisher.publish(db, make_entry(1, version=3))
    with pytest.raises(publisher.StaleVersion, match="version 2 is older than published version 3"):
        publisher.publish(db, make_entry(1, version=2))


def test_retract_is_recorded_once_and_carries_no_content(db):
    publisher.publish(db, make_entry(1))
    r1 = publisher.retract(db, 1, reason="内容有误")
    assert publisher.retract(db, 1, reason="again") == r1
    last = publisher.changes(db)[-1]
    assert last["seq"] == r1 and last["action"] == "retract" and last["reason"] == "内容有误"
    assert last["columns"] == ["city-news"]
    assert last["title"] is None and last["html"] is None
    assert publisher.latest(db, 1)["state"] == "retracted"


def test_retract_unknown_item(db):
    with pytest.raises(publisher.UnknownItem, match="item 42 was never published"):
        publisher.retract(db, 42, reason="x")


def test_cursor_pagination_across_corrections_and_retractions(db):
    for i in range(1, 6):
        publisher.publish(db, make_entry(i))
    publisher.publish(db, make_entry(2, version=2, title="更正后的标题"))
    publisher.retract(db, 3, reason="撤稿")
    publisher.publish(db, make_entry(6, columns=["notices"]))
    seen, since = [], 0
    while True:
        page = publisher.changes(db, since=since, limit=3)
        if not page:
            break
        assert [p["seq"] for p in page] == sorted(p["seq"] for p in page)
        assert all(p["seq"] > since for p in page)
        seen += page
        since = page[-1]["seq"]
    assert [(p["item_id"], p["action"]) for p in seen] == [
        (1, "publish"), (2, "publish"), (3, "publish"), (4, "publish"), (5, "publish"),
        (2, "correct"), (3, "retract"), (6, "publish"),
    ]
    only_city = publisher.changes(db, column="city-news", limit=500)
    assert 6 not in {p["item_id"] for p in only_city}
    assert [p["item_id"] for p in publisher.changes(db, column="notices")] == [6]
    # Replaying the portal's state from the stream gives exactly the live items.
    state: dict[int, str] = {}
    for p in seen:
        if p["action"] == "retract":
            state.pop(p["item_id"], None)
        else:
            state[p["item_id"]] = p["title"]
    assert sorted(state) == [1, 2, 4, 5, 6]
    assert state[2] == "更正后的标题"


def test_moving_an_item_out_of_a_column_reaches_that_column(db):
    publisher.publish(db, make_entry(1, columns=["city-news", "topic-e-government"]))
    seq = publisher.publish(db, make_entry(1, version=2, columns=["department-news"]))
    moved = publisher.changes(db, column="city-news", since=1)
    assert [(m["seq"], m["columns"]) for m in moved] == [(seq, ["department-news"])]
    assert publisher.feed_entries(db, "city-news") == []
    assert publisher.feed_entries(db, "topic-e-government") == []
    assert [e["item_id"] for e in publisher.feed_entries(db, "department-news")] == [1]


def test_republishing_a_retracted_item_needs_a_new_version(db):
    s1 = publisher.publish(db, make_entry(1))
    publisher.retract(db, 1, reason="x")
    assert publisher.publish(db, make_entry(1)) == s1  # same version: never again
    assert publisher.latest(db, 1)["state"] == "retracted"
    s3 = publisher.publish(db, make_entry(1, version=2))
    assert publisher.latest(db, 1)["state"] == "live"
    assert publisher.changes(db)[-1]["seq"] == s3 and publisher.changes(db)[-1]["action"] == "publish"


def test_unknown_publish_time_stays_unknown(db):
    publisher.publish(db, make_entry(1, published_at=None))
    assert publisher.latest(db, 1)["published_at"] is None


def test_local_time_without_offset_is_read_as_shanghai(db):
    publisher.publish(db, make_entry(1, published_at="2024-05-01 09:30:00"))
    assert publisher.latest(db, 1)["published_at"] == "2024-05-01T09:30:00+08:00"


def test_times_are_shown_in_shanghai_time(db):
    publisher.publish(db, make_entry(1, published_at="2024-05-01T01:30:00Z"))
    publisher.publish(db, make_entry(2, published_at="2024-05-01"))  # a date only: no time invented
    assert publisher.latest(db, 1)["published_at"] == "2024-05-01T09:30:00+08:00"
    assert publisher.latest(db, 2)["published_at"] == "2024-05-01"


def test_text_is_derived_from_html_when_missing(db):
    publisher.publish(db, make_entry(1, text="", html="<p>第一段 &amp; 说明</p><p>第二段<br>续行</p>"))
    assert publisher.latest(db, 1)["text"] == "第一段 & 说明\n第二段\n续行"


def test_source_name_falls_back_to_source_id(db):
    publisher.publish(db, make_entry(1, source_name=" "))
    assert publisher.latest(db, 1)["source_name"] == "harbin"


INVALID = [
    ({"columns": []}, "no column"),
    ({"title": "  "}, "title is empty"),
    ({"title": "<script>alert(1)</script>"}, "title is empty"),
    ({"url": "javascript:alert(1)"}, "not an http(s) link"),
    ({"url": "ftp://example.com/a"}, "not an http(s) link"),
    ({"published_at": "昨天"}, "not an ISO 8601 time"),
    ({"version": 0}, "version 0 is not a positive"),
    ({"action": "delete"}, "action 'delete' is not one of"),
    ({"source_name": "", "source_id": ""}, "no source name"),
]


@pytest.mark.parametrize("changes,message", INVALID, ids=[m for _c, m in INVALID])
def test_invalid_entries_are_refused_in_one_line(db, changes, message):
    with pytest.raises(publisher.InvalidEntry, match=re.escape(message)) as info:
        publisher.publish(db, make_entry(1, **changes))
    assert "\n" not in str(info.value)
    assert publisher.changes(db) == []


def test_also_reported_by_keeps_only_safe_links(db):
    publisher.publish(
        db,
        make_entry(1, also_reported_by=[
            {"source_name": "新华网", "url": "http://www.xinhuanet.com/a.htm"},
            {"source_name": "坏链接", "url": "javascript:alert(1)"},
        ]),
    )
    assert publisher.latest(db, 1)["also_reported_by"] == [
        {"source_name": "新华网", "url": "http://www.xinhuanet.com/a.htm"},
        {"source_name": "坏链接", "url": None},
    ]


def test_changes_limit_is_capped(db):
    for i in range(1, 4):
        publisher.publish(db, make_entry(i))
    assert len(publisher.changes(db, limit=10_000)) == 3
    assert len(publisher.changes(db, limit=2)) == 2
