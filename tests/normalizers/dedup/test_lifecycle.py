"""Versions, idempotency, tombstones, representatives, columns: what ingest promises the pipeline."""

from __future__ import annotations

import pytest

import normalizers
from tests.normalizers.dedup.conftest import make_item

STORY = (
    "<p>1月13日上午，哈尔滨市召开2025年优化营商环境工作会议，总结2024年工作成效，部署今年重点任务。</p>"
    "<p>会议指出，2024年全市新增经营主体12.6万户，同比增长15.3%，政务服务事项网上可办率达到98%。</p>"
    "<p>会议要求，各区县要围绕企业全生命周期服务，持续推进高效办成一件事，切实降低制度性交易成本。</p>"
)
OTHER = (
    "<p>3月5日，黑龙江省发展和改革委员会召开全省重点项目建设推进会，安排部署今年重点项目建设工作。</p>"
    "<p>会议要求，各地要加快项目前期工作，强化要素保障，确保全年完成投资目标，为龙江全面振兴提供支撑。</p>"
)
TITLE = "哈尔滨市召开优化营商环境工作会议"


def test_new_then_unchanged(ingest) -> None:
    first = ingest(make_item(identity="a1", title=TITLE, html=STORY))
    again = ingest(make_item(identity="a1", title=TITLE, html=STORY))
    assert (first.kind, first.version) == ("new", 1)
    assert (again.kind, again.item_id, again.version) == ("unchanged", first.item_id, 1)


def test_same_collected_id_twice_is_a_no_op(db, ingest) -> None:
    first = ingest(make_item(identity="a1", title=TITLE, html=STORY), collected_id=7)
    second = ingest(make_item(identity="a1", title=TITLE, html=STORY + "<p>更正。</p>"), collected_id=7)
    assert second == first
    assert len(normalizers.list_items(db)) == 1
    assert normalizers.get_item(db, first.item_id)["version"] == 1
    assert normalizers.last_ingested(db) == 7


def test_last_ingested_is_the_cursor(db, ingest) -> None:
    assert normalizers.last_ingested(db) == 0
    ingest(make_item(identity="a1", title=TITLE, html=STORY), collected_id=3)
    ingest(make_item(identity="b1", title="另一条", html=OTHER), collected_id=9)
    assert normalizers.last_ingested(db) == 9


def test_changed_content_is_a_new_version_and_keeps_the_old(db, ingest) -> None:
    first = ingest(make_item(identity="a1", title=TITLE, html=STORY))
    fixed = STORY.replace("12.6万户", "12.8万户")
    second = ingest(make_item(identity="a1", title=TITLE, html=fixed))
    assert (second.kind, second.item_id, second.version) == ("version", first.item_id, 2)
    item = normalizers.get_item(db, first.item_id)
    assert "12.8万户" in item["text"] and item["version"] == 2
    old = db.conn.execute("SELECT version, text FROM item_versions WHERE item_id = ?", [first.item_id]).fetchall()
    assert len(old) == 1 and old[0][0] == 1 and "12.6万户" in old[0][1]
    assert second.cluster_id == first.cluster_id


def test_version_that_becomes_another_story_leaves_its_cluster(db, ingest) -> None:
    a = ingest(make_item("harbin", identity="a1", title=TITLE, html=STORY))
    b = ingest(make_item("portal", identity="p1", title="【龙江动态】" + TITLE, html=STORY))
    assert b.cluster_id == a.cluster_id
    c = ingest(make_item("portal", identity="p1", title="全省重点项目建设推进会召开", html=OTHER))
    assert c.kind == "version"
    assert c.cluster_id != a.cluster_id
    assert [m["item_id"] for m in normalizers.cluster_members(db, a.cluster_id)] == [a.item_id]


def test_version_of_a_merged_item_rejoins_when_it_matches(ingest) -> None:
    a = ingest(make_item("harbin", identity="a1", title=TITLE, html=STORY))
    b = ingest(make_item("portal", identity="p1", title="全省重点项目建设推进会召开", html=OTHER))
    assert b.cluster_id != a.cluster_id
    c = ingest(make_item("portal", identity="p1", title="【龙江动态】" + TITLE, html=STORY + "<p>来源：哈尔滨市</p>"))
    assert (c.kind, c.cluster_id) == ("version", a.cluster_id)


def test_representative_is_the_most_authoritative_source(db, ingest) -> None:
    partner = ingest(make_item("xinhua", identity="x1", title=TITLE, html=STORY, published="2025-01-13 08:00"))
    portal = ingest(make_item("portal", identity="p1", title="【龙江动态】" + TITLE, html=STORY,
                              published="2025-01-13 09:00"))
    assert partner.is_representative  # alone so far
    assert portal.is_representative and portal.cluster_id == partner.cluster_id  # rank 30 beats 40
    city = ingest(make_item("harbin", identity="c1", title=TITLE, html=STORY, published="2025-01-13 10:00"))
    assert city.is_representative and city.representative_id == city.item_id
    members = normalizers.cluster_members(db, city.cluster_id)
    assert [m["source"] for m in members] == ["harbin", "portal", "xinhua"]
    assert set(members[0]) == {"item_id", "source", "title", "url", "published_at"}


def test_rank_tie_goes_to_the_earliest_published(db, ingest) -> None:
    later = ingest(make_item("harbin", identity="c1", title=TITLE, html=STORY, published="2025-01-13 11:00"))
    earlier = ingest(make_item("fgw", identity="f1", title=TITLE, html=STORY, published="2025-01-13 09:00"))
    assert earlier.cluster_id == later.cluster_id
    assert earlier.representative_id == earlier.item_id
    assert normalizers.cluster_members(db, later.cluster_id)[0]["item_id"] == earlier.item_id


def test_tombstoned_identity_never_returns(db, ingest) -> None:
    a = ingest(make_item(identity="a1", title=TITLE, html=STORY))
    normalizers.tombstone(db, a.item_id, "rejected: duplicate notice")
    assert normalizers.is_tombstoned(db, a.item_id)
    again = ingest(make_item(identity="a1", title=TITLE, html=STORY + "<p>补充说明。</p>"))
    assert (again.kind, again.item_id) == ("tombstoned", a.item_id)
    assert "补充说明" not in normalizers.get_item(db, a.item_id)["text"]


def test_near_duplicate_of_tombstoned_item_from_same_source_is_tombstoned(db, ingest) -> None:
    a = ingest(make_item("harbin", identity="a1", title=TITLE, html=STORY))
    normalizers.tombstone(db, a.item_id, "retracted")
    # The site re-publishes it under a new URL with a tag and an editor line.
    b = ingest(make_item("harbin", identity="a2", title="【要闻】" + TITLE, html=STORY + "<p>责任编辑：王丽</p>"))
    assert b.kind == "tombstoned" and b.item_id != a.item_id
    assert normalizers.is_tombstoned(db, b.item_id)
    assert "tombstoned" in normalizers.get_item(db, b.item_id)["flags"]
    # Another source re-posting the story is not this source's tombstone: it is a new cluster member.
    c = ingest(make_item("portal", identity="p1", title="【龙江动态】" + TITLE, html=STORY))
    assert c.kind == "new" and c.cluster_id == a.cluster_id


def test_unrelated_item_of_same_source_is_not_tombstoned(db, ingest) -> None:
    a = ingest(make_item("harbin", identity="a1", title=TITLE, html=STORY))
    normalizers.tombstone(db, a.item_id, "rejected")
    b = ingest(make_item("harbin", identity="a2", title="全省重点项目建设推进会召开", html=OTHER))
    assert b.kind == "new"


def test_tombstone_of_unknown_item(db) -> None:
    with pytest.raises(normalizers.UnknownItem):
        normalizers.tombstone(db, 424242, "rejected")
    assert not normalizers.is_tombstoned(db, 424242)


def test_column_and_topics_are_routed_and_stored(db, ingest) -> None:
    r = ingest(make_item("harbin", identity="a1", title=TITLE,
                         html=STORY + "<p>为老工业基地振兴注入新动能，老工业基地焕发新活力。</p>"))
    assert r.column == "city-news"
    assert r.topics == ["topic-old-industrial-base"]
    item = normalizers.get_item(db, r.item_id)
    assert item["column"] == "city-news" and item["topics"] == ["topic-old-industrial-base"]
    plain = ingest(make_item("fgw", identity="f1", title="推进会", html=OTHER))
    assert (plain.column, plain.topics) == ("department-news", [])


def test_get_item_has_every_field(db, ingest) -> None:
    r = ingest(make_item("portal", identity="p1", title="【龙江动态】" + TITLE,
                         html="<p>来源：哈尔滨市人民政府</p>" + STORY + "<p>责任编辑：王丽</p>"))
    item = normalizers.get_item(db, r.item_id)
    for f in ("id", "source", "identity", "version", "title", "text", "html", "url", "canonical_url",
              "published_at", "source_line", "author", "editor", "attachments", "column", "topics",
              "cluster", "flags", "created_at", "updated_at"):
        assert f in item
    assert item["id"] == r.item_id and item["source"] == "portal" and item["cluster"] == r.cluster_id
    assert item["published_at"] == "2025-01-13T09:30:00+08:00"
    assert isinstance(item["attachments"], list) and isinstance(item["flags"], list)
    assert normalizers.get_item(db, 999) is None


def test_list_items_newest_first_with_limit_and_ids(db, ingest) -> None:
    ids = [ingest(make_item(identity=f"n{i}", title=f"第{i}条", html=f"<p>{i}</p>")).item_id for i in range(5)]
    assert [i["id"] for i in normalizers.list_items(db)] == ids[::-1]
    assert [i["id"] for i in normalizers.list_items(db, limit=2)] == ids[::-1][:2]
    assert sorted(i["id"] for i in normalizers.list_items(db, ids=[ids[0], ids[3]])) == [ids[0], ids[3]]
    assert normalizers.list_items(db, ids=[]) == []
    full, summary = normalizers.list_items(db, limit=1)[0], normalizers.list_items(db, limit=1, bodies=False)[0]
    assert full["text"] and "text" not in summary and "html" not in summary
    assert summary == {k: v for k, v in full.items() if k not in ("text", "html")}


def test_init_is_repeatable(db) -> None:
    def version() -> int:
        return db.conn.execute("SELECT version FROM schema_versions WHERE owner = 'normalizers'").fetchone()[0]

    normalizers.init(db)
    first = version()
    normalizers.init(db)
    assert version() == first >= 2  # step 2 added ingest_failures
    assert {"items", "ingest_log", "ingest_failures"} <= set(db.table_names())


def test_ingest_rolls_back_with_the_callers_transaction(db) -> None:
    """The pipeline ingests and submits in one transaction: a failure after ingest leaves nothing."""
    import store
    from tests.normalizers.dedup.conftest import CONFIG, SOURCES

    with pytest.raises(RuntimeError), store.transaction(db):
        normalizers.ingest(db, 1, make_item(identity="a1", title=TITLE, html=STORY), SOURCES["harbin"], CONFIG)
        raise RuntimeError("review_queue failed")
    assert normalizers.list_items(db) == []
    assert normalizers.last_ingested(db) == 0
    assert db.conn.execute("SELECT count(*) FROM dedup_lsh").fetchone()[0] == 0
