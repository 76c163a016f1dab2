"""review_queue against the real normalizers: ingest → submit → queue → approve/reject → correction."""

from __future__ import annotations

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
