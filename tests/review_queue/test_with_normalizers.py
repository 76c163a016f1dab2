"""review_queue against the real normalizers: ingest → submit → queue → approve/reject → correction."""

from __future__ import annotations

from dataclasses import replace

import pytest

import normalizers
import review_queue
import store
from collectors.model import CollectedItem
from settings.model import Column, Config, Source

from .conftest import at

SOURCES = {
    "harbin": Source(id="harbin", name="哈尔滨市人民政府", kind="city", type="html",
                     url="https://www.harbin.gov.cn/", column="city-news", rank=10),
    "xinhua": Source(id="xinhua", name="新华网", kind="partner", type="html",
                     url="https://www.news.cn/", column="city-news", rank=40),
}
CONFIG = Config(path="test", columns={"city-news": Column("city-news", "地市动态", "news", 14),
                                      "gov-affairs": Column("gov-affairs", "政务动态", "news", 14)},
                sources=tuple(SOURCES.values()))
PARAS = [
    "本报讯 日前，市政府召开冬季城市运行保障工作推进会议，研究部署供暖、除雪、交通和应急值守等重点任务。",
    "会议指出，要坚持问题导向，压实各区县和各部门责任，确保群众温暖过冬，确保城市道路安全畅通。",
    "会议要求，各供热企业要加强管网巡检，及时处置故障报修，热线电话二十四小时有人值守，做到件件有回音。",
    "会议强调，环卫部门要提前储备融雪物资，雪后二十四小时内完成主次干道清雪，公交地铁要做好运力调度。",
]


def story(source: str, title: str, paras: list[str], ident: str) -> CollectedItem:
    return CollectedItem(source_id=source, identity=ident, identity_rule="link",
                         url=f"{SOURCES[source].url}art/{ident}.shtml", title=title,
                         html="".join(f"<p>{p}</p>" for p in paras), published="2026-01-13 09:30",
                         fetched_at="2026-01-13T02:00:00+00:00")


@pytest.fixture
def rdb(tmp_path, fast_hash):
    conn = store.open_db(tmp_path / "huiju.db")
    normalizers.init(conn)
    review_queue.init(conn)
    review_queue.add_user(conn, "rita", "reviewer", "correct horse battery")
    yield conn
    conn.close()


def feed(db, cid: int, item: CollectedItem) -> tuple[normalizers.IngestResult, str]:
    with store.transaction(db):
        result = normalizers.ingest(db, cid, item, SOURCES[item.source_id], CONFIG, now=at(cid))
        return result, review_queue.submit(db, result, SOURCES[item.source_id], now=at(cid))


def test_repost_cluster_is_one_unit_and_approval_makes_the_repost_duplicate(rdb) -> None:
    own, s1 = feed(rdb, 1, story("harbin", "市政府召开冬季城市运行保障工作推进会议", PARAS, "a1"))
    copy, s2 = feed(rdb, 2, story("xinhua", "哈尔滨：市政府召开冬季城市运行保障工作推进会议", PARAS[:3], "x1"))
    assert (s1, s2) == ("pending", "pending")
    assert copy.cluster_id == own.cluster_id, "the normalizers should cluster a trimmed re-post"
    [unit] = review_queue.queue(rdb)
    assert unit.item_id == own.item_id and unit.source == "harbin"
    assert unit.also_reported_by == ("xinhua",) and set(unit.members) == {own.item_id, copy.item_id}
    assert unit.published_at == "2026-01-13T09:30:00+08:00"
    review_queue.approve(rdb, [unit.item_id], user="rita", now=at(5))
    assert review_queue.states(rdb, [own.item_id, copy.item_id]) == {own.item_id: "approved",
                                                                     copy.item_id: "duplicate"}
    review_queue.mark_published(rdb, own.item_id, 1, now=at(6))
    # upstream corrects the story: the same identity, changed text, comes back as a correction
    fixed = PARAS[:3] + ["会议强调，环卫部门要提前储备融雪物资，雪后十二小时内完成主次干道清雪。"]
    result, state = feed(rdb, 3, story("harbin", "市政府召开冬季城市运行保障工作推进会议", fixed, "a1"))
    assert (result.kind, state) == ("version", "corrected")
    assert [e.item_id for e in review_queue.queue(rdb)] == [own.item_id]


def test_rejected_item_is_tombstoned_and_never_returns(rdb) -> None:
    first, _ = feed(rdb, 1, story("harbin", "市政府召开冬季城市运行保障工作推进会议", PARAS, "a1"))
    review_queue.reject(rdb, [first.item_id], user="rita", reason="重复稿件")
    assert normalizers.is_tombstoned(rdb, first.item_id)
    again, state = feed(rdb, 2, story("harbin", "市政府召开冬季城市运行保障工作推进会议", PARAS[:2], "a1"))
    assert again.kind == "tombstoned" and state == "rejected"
    assert review_queue.queue(rdb) == []


def gone(item: CollectedItem, why: str = "HTTP 404 at https://www.harbin.gov.cn/art/a1.shtml (2 checks in a row)"):
    """The version the collectors hand on when the source took the page down."""
    return replace(item, withdrawn=why)


def published(rdb) -> tuple[CollectedItem, normalizers.IngestResult]:
    """A story from harbin, approved and published; an editor, erin, on duty."""
    review_queue.add_user(rdb, "erin", "editor", "correct horse battery")
    item = story("harbin", "市政府召开冬季城市运行保障工作推进会议", PARAS, "a1")
    first, _ = feed(rdb, 1, item)
    review_queue.approve(rdb, [first.item_id], user="rita")
    review_queue.mark_published(rdb, first.item_id, 1)
    return item, first


def test_a_published_item_taken_down_at_the_source_is_listed_for_the_editors(rdb) -> None:
    item, first = published(rdb)
    assert review_queue.withdrawn_upstream(rdb) == []
    result, state = feed(rdb, 2, gone(item))
    assert (result.kind, state) == ("withdrawn", "published")  # nothing leaves the portal by itself
    [listed] = review_queue.withdrawn_upstream(rdb)
    assert listed["item_id"] == first.item_id and listed["why"].startswith("HTTP 404")
    assert normalizers.get_item(rdb, first.item_id)["text"].startswith("本报讯")  # the text is kept
    last = review_queue.history(rdb, first.item_id)[-1]
    assert (last["action"], last["actor"], last["note"]) == ("upstream-withdrawn", "system", listed["why"])
    again, _ = feed(rdb, 3, gone(item))  # reported again: one flag, one history entry
    assert again.kind == "unchanged" and len(review_queue.withdrawn_upstream(rdb)) == 1
    with pytest.raises(review_queue.PermissionDenied):
        review_queue.keep(rdb, first.item_id, user="rita")
    review_queue.keep(rdb, first.item_id, user="erin", reason="原文迁移到新栏目")
    assert review_queue.withdrawn_upstream(rdb) == []
    assert review_queue.state(rdb, first.item_id) == "published"
    assert "原文迁移到新栏目" in review_queue.history(rdb, first.item_id)[-1]["note"]


def test_retracting_a_withdrawn_item_clears_the_list(rdb) -> None:
    item, first = published(rdb)
    feed(rdb, 2, gone(item))
    review_queue.retract(rdb, first.item_id, user="erin", reason="原文已撤稿")
    assert review_queue.withdrawn_upstream(rdb) == []
    assert review_queue.retracted_due(rdb) == [first.item_id]


def test_an_approved_item_taken_down_before_publishing_goes_back_to_the_queue(rdb) -> None:
    item = story("harbin", "市政府召开冬季城市运行保障工作推进会议", PARAS, "a1")
    first, _ = feed(rdb, 1, item)
    review_queue.approve(rdb, [first.item_id], user="rita")
    assert review_queue.due_for_publishing(rdb) == [first.item_id]
    _, state = feed(rdb, 2, gone(item))
    assert state == "pending" and review_queue.due_for_publishing(rdb) == []
    [unit] = review_queue.queue(rdb)
    assert review_queue.WITHDRAWN_FLAG in unit.flags


def test_a_page_back_at_the_source_clears_the_flag(rdb) -> None:
    item = story("harbin", "市政府召开冬季城市运行保障工作推进会议", PARAS, "a1")
    first, _ = feed(rdb, 1, item)
    feed(rdb, 2, gone(item))
    assert review_queue.WITHDRAWN_FLAG in review_queue.queue(rdb)[0].flags
    back, state = feed(rdb, 3, item)
    assert (back.kind, state) == ("restored", "pending")
    assert review_queue.WITHDRAWN_FLAG not in review_queue.queue(rdb)[0].flags
    assert normalizers.get_item(rdb, first.item_id)["withdrawn"] is None
    feed(rdb, 4, gone(item))
    edited, _ = feed(rdb, 5, story("harbin", "市政府召开冬季城市运行保障工作推进会议（更正）", PARAS, "a1"))
    assert edited.kind == "version" and review_queue.WITHDRAWN_FLAG not in review_queue.queue(rdb)[0].flags


def test_an_unrejected_item_is_no_longer_tombstoned_and_its_next_version_comes_back(rdb) -> None:
    review_queue.add_user(rdb, "erin", "editor", "correct horse battery")
    item = story("harbin", "市政府召开冬季城市运行保障工作推进会议", PARAS, "a1")
    first, _ = feed(rdb, 1, item)
    review_queue.reject(rdb, [first.item_id], user="rita", reason="误判")
    assert normalizers.is_tombstoned(rdb, first.item_id)
    assert feed(rdb, 2, replace(item, title=item.title + "（更新）"))[0].kind == "tombstoned"
    review_queue.unreject(rdb, first.item_id, user="erin", reason="本地新闻")
    assert not normalizers.is_tombstoned(rdb, first.item_id)
    assert "tombstoned" not in normalizers.get_item(rdb, first.item_id)["flags"]
    again, state = feed(rdb, 3, replace(item, title=item.title + "（再更新）"))
    assert again.kind == "version" and state == "pending"


def test_the_cached_queue_the_web_page_uses_equals_a_fresh_build_after_every_change(rdb) -> None:
    def same() -> None:
        assert review_queue.queue(rdb, cached=True) == review_queue.queue(rdb)

    feed(rdb, 1, story("harbin", "市政府召开冬季城市运行保障工作推进会议", PARAS, "a1"))
    feed(rdb, 2, story("harbin", "全市冰雪旅游季启动仪式举行", [p.replace("会议", "仪式") for p in PARAS[::-1]], "a2"))
    same()
    copy, _ = feed(rdb, 3, story("xinhua", "哈尔滨：市政府召开冬季城市运行保障工作推进会议", PARAS[:3], "x1"))
    same()  # a re-post joined the first story's unit
    [first, _second] = review_queue.queue(rdb, cached=True)
    review_queue.lock(rdb, first.item_id, user="rita")
    same()
    review_queue.approve(rdb, [first.item_id], user="rita")
    same()  # the unit is gone with its re-post
    review_queue.reject(rdb, [review_queue.queue(rdb)[0].item_id], user="rita", reason="重复")
    same()
    assert review_queue.queue(rdb, cached=True) == []


def test_a_cluster_is_explained_member_by_member(rdb) -> None:
    from review_queue.explain import explain

    own, _ = feed(rdb, 1, story("harbin", "市政府召开冬季城市运行保障工作推进会议", PARAS, "a1"))
    copy, _ = feed(rdb, 2, story("xinhua", "哈尔滨：市政府召开冬季城市运行保障工作推进会议", PARAS[:3], "x1"))
    assert copy.cluster_id == own.cluster_id
    [member] = explain(rdb, own.item_id)
    assert member["id"] == copy.item_id and member["source"] == "xinhua" and member["state"] == "pending"
    assert 60 <= member["score"] < 100  # the re-post kept three paragraphs of four
    assert member["shared_chars"] >= len(PARAS[0]) and "<mark>" in member["shared"]
    assert 'class="diff"' in member["diff"] and "#" + str(own.item_id) in member["diff"]
    assert PARAS[3][:10] in member["diff"]  # the paragraph the re-post dropped shows in the diff
    assert explain(rdb, 999) == []
