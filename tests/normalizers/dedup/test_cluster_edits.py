"""A person's splits and merges of stories, and later ingests obeying them."""

from __future__ import annotations

import pytest

import normalizers
from tests.normalizers.dedup.conftest import make_item
from tests.normalizers.dedup.test_lifecycle import OTHER, STORY, TITLE

OTHER_TITLE = "全省重点项目建设推进会召开"
THIRD = (
    "<p>5月20日，黑龙江省农业农村厅召开全省春耕生产调度会，通报当前大田播种进度和农机作业情况。</p>"
    "<p>会议强调，要抢抓农时，科学调度农机具，确保适期播种，全面完成粮食播种面积任务。</p>"
)


def members(db, cluster_id: int) -> list[int]:
    return sorted(m["item_id"] for m in normalizers.cluster_members(db, cluster_id))


def cluster(db, item_id: int) -> int:
    return normalizers.get_item(db, item_id)["cluster"]


@pytest.fixture
def story(ingest):
    """One story reported by the city and re-posted by the portal."""
    a = ingest(make_item("harbin", identity="a1", title=TITLE, html=STORY))
    b = ingest(make_item("portal", identity="p1", title="【龙江动态】" + TITLE, html=STORY))
    assert a.cluster_id == b.cluster_id
    return a, b


def test_split_member_gets_its_own_story(db, story) -> None:
    a, b = story
    edit = normalizers.split_item(db, b.item_id, actor="erin", reason="另一次会议")
    assert edit.moved == (b.item_id,) and edit.others == (a.item_id,)
    assert members(db, a.cluster_id) == [a.item_id]
    assert members(db, edit.cluster_id) == [b.item_id]
    rep = db.conn.execute("SELECT representative_id FROM clusters WHERE id = ?", [edit.cluster_id]).fetchone()
    assert rep == (b.item_id,)


def test_split_member_stays_apart_on_a_new_version_and_a_reingest(db, ingest, story) -> None:
    a, b = story
    normalizers.split_item(db, b.item_id, actor="erin", reason="另一次会议")
    again = ingest(make_item("portal", identity="p1", title="【龙江动态】" + TITLE, html=STORY))
    assert again.kind == "unchanged" and again.cluster_id != a.cluster_id
    version = ingest(make_item("portal", identity="p1", title="【龙江动态】" + TITLE,
                               html=STORY + "<p>来源：哈尔滨市人民政府网站</p>"))
    assert version.kind == "version"  # still matches a on its text, yet stays apart
    assert version.cluster_id != a.cluster_id
    assert members(db, a.cluster_id) == [a.item_id]


def test_repost_matching_both_sides_of_a_split_does_not_glue_them(db, ingest, story) -> None:
    a, b = story
    normalizers.split_item(db, b.item_id, actor="erin", reason="另一次会议")
    c = ingest(make_item("xinhua", identity="x1", title=TITLE, html=STORY))
    assert cluster(db, a.item_id) != cluster(db, b.item_id)
    assert c.cluster_id in (cluster(db, a.item_id), cluster(db, b.item_id))


def test_merged_stories_get_the_next_repost_of_either(db, ingest) -> None:
    a = ingest(make_item("harbin", identity="a1", title=TITLE, html=STORY))
    b = ingest(make_item("fgw", identity="f1", title=OTHER_TITLE, html=OTHER))
    assert a.cluster_id != b.cluster_id
    edit = normalizers.merge_clusters(db, a.cluster_id, b.cluster_id, actor="erin", reason="同一次会议")
    assert edit.cluster_id == a.cluster_id and edit.moved == (b.item_id,)
    assert members(db, a.cluster_id) == [a.item_id, b.item_id]
    assert db.conn.execute("SELECT 1 FROM clusters WHERE id = ?", [b.cluster_id]).fetchone() is None
    repost = ingest(make_item("portal", identity="p2", title="【龙江动态】" + OTHER_TITLE, html=OTHER))
    assert repost.cluster_id == a.cluster_id
    assert members(db, a.cluster_id) == sorted([a.item_id, b.item_id, repost.item_id])


def test_merged_member_stays_when_its_new_version_matches_nothing(db, ingest) -> None:
    a = ingest(make_item("harbin", identity="a1", title=TITLE, html=STORY))
    b = ingest(make_item("fgw", identity="f1", title=OTHER_TITLE, html=OTHER))
    normalizers.merge_clusters(db, a.cluster_id, b.cluster_id, actor="erin", reason="同一次会议")
    version = ingest(make_item("fgw", identity="f1", title=OTHER_TITLE, html=OTHER + "<p>（责任编辑：王明）</p>"))
    assert (version.kind, version.cluster_id) == ("version", a.cluster_id)
    # without the merge, a version with another story's text leaves (test_lifecycle): merged, it stays
    other = ingest(make_item("harbin", identity="a1", title="春耕生产调度会", html=THIRD))
    assert (other.kind, other.cluster_id) == ("version", a.cluster_id)


def test_split_after_merge_and_merge_after_split(db, ingest, story) -> None:
    a, b = story
    c = ingest(make_item("fgw", identity="f1", title=OTHER_TITLE, html=OTHER))
    normalizers.merge_clusters(db, a.cluster_id, c.cluster_id, actor="erin", reason="同一次会议")
    split = normalizers.split_item(db, c.item_id, actor="erin", reason="合并错了")
    version = ingest(make_item("fgw", identity="f1", title=OTHER_TITLE, html=OTHER + "<p>（责任编辑：王明）</p>"))
    assert version.cluster_id == split.cluster_id != a.cluster_id  # the merge no longer holds it
    normalizers.split_item(db, b.item_id, actor="erin", reason="另一次会议")
    normalizers.merge_clusters(db, cluster(db, a.item_id), cluster(db, b.item_id), actor="erin", reason="还是同一条")
    version = ingest(make_item("portal", identity="p1", title="【龙江动态】" + TITLE,
                               html=STORY + "<p>来源：哈尔滨市人民政府网站</p>"))
    assert version.cluster_id == cluster(db, a.item_id)  # the later decision wins


def test_refused_edits_say_why(db, ingest, story) -> None:
    a, b = story
    lone = ingest(make_item("fgw", identity="f1", title=OTHER_TITLE, html=OTHER))
    with pytest.raises(normalizers.ClusterEditRefused, match="alone in its story"):
        normalizers.split_item(db, lone.item_id, actor="erin", reason="x")
    with pytest.raises(normalizers.ClusterEditRefused, match="cannot be merged with itself"):
        normalizers.merge_clusters(db, a.cluster_id, a.cluster_id, actor="erin", reason="x")
    with pytest.raises(normalizers.ClusterEditRefused, match="no such story"):
        normalizers.merge_clusters(db, a.cluster_id, 999, actor="erin", reason="x")
    with pytest.raises(normalizers.UnknownItem):
        normalizers.split_item(db, 999, actor="erin", reason="x")
    assert members(db, a.cluster_id) == sorted([a.item_id, b.item_id])  # nothing changed
