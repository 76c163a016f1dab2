"""The candidate index: bounded reads, yet an old story is still found among many look-alikes."""

from __future__ import annotations

import normalizers
from normalizers.clusters import PER_BAND
from normalizers.keys import BANDS, EXTRA_BANDS
from tests.normalizers.dedup.conftest import make_item

TEMPLATE = (
    "<p>{d}日上午，省政府召开专题会议，研究部署{topic}工作。会议听取了有关部门的工作汇报，"
    "分析了当前面临的形势和任务，安排部署下一阶段重点工作。</p>"
    "<p>会议强调，各地各部门要提高政治站位，压实工作责任，细化工作措施，确保各项任务落到实处。"
    "{detail}</p>"
)
TOPICS = ["冰雪旅游", "春季造林", "黑土地保护", "粮食收购", "森林防火", "安全生产", "招商引资", "县域经济",
          "数字政府", "民生实事", "农村电商", "寒地龙江", "对俄合作", "旅游发展", "医疗改革", "就业援助"]


def _body(i: int) -> str:
    topic = TOPICS[i % len(TOPICS)] + f"第{i}批"
    detail = f"会议确定了{i * 7 + 13}个重点项目，总投资{i * 3 + 100}亿元，涉及{TOPICS[(i * 5) % len(TOPICS)]}等领域。"
    return TEMPLATE.format(d=i % 28 + 1, topic=topic, detail=detail)


def test_old_story_found_among_many_lookalikes(db, ingest) -> None:
    first = ingest(make_item("harbin", identity="s0", title="省政府召开专题会议", html=_body(0)))
    for i in range(1, 3 * PER_BAND):
        r = ingest(make_item("harbin", identity=f"s{i}", title="省政府召开专题会议", html=_body(i)))
        assert r.cluster_id != first.cluster_id, f"look-alike {i} merged into story 0"
    repost = ingest(make_item("portal", identity="p0", title="【龙江动态】省政府召开专题会议",
                              html=_body(0) + "<p>来源：黑龙江省人民政府</p>"))
    assert repost.cluster_id == first.cluster_id
    assert len(normalizers.cluster_members(db, first.cluster_id)) == 2


def test_index_rows_follow_the_item(db, ingest) -> None:
    rows_per_item = BANDS + 1 + EXTRA_BANDS  # 24 MinHash bands and the opening's row (excerpts quote it)
    r = ingest(make_item("harbin", identity="s0", title="省政府召开专题会议", html=_body(0)))
    rows = db.conn.execute("SELECT count(*) FROM dedup_lsh WHERE item_id = ?", [r.item_id]).fetchone()[0]
    assert rows == rows_per_item
    ingest(make_item("harbin", identity="s0", title="省政府召开专题会议", html=_body(5)))  # new version
    assert db.conn.execute("SELECT count(*) FROM dedup_lsh WHERE item_id = ?", [r.item_id]).fetchone()[0] == \
        rows_per_item
    assert db.conn.execute("SELECT count(*) FROM dedup_lsh").fetchone()[0] == rows_per_item, \
        "old version's rows removed"


def test_items_indexed_before_the_extra_bands_are_still_found(db, ingest) -> None:
    """A database written before the 15 extra bands holds 17 rows per item (bands 0–15 and the
    opening's row 16): those keys are unchanged, so its stories are found as before."""
    first = ingest(make_item("harbin", identity="s0", title="省政府召开专题会议", html=_body(0)))
    db.conn.execute("DELETE FROM dedup_lsh WHERE item_id = ? AND (key >> 32) > ?", [first.item_id, BANDS])
    assert db.conn.execute("SELECT count(*) FROM dedup_lsh").fetchone()[0] == BANDS + 1
    repost = ingest(make_item("portal", identity="p0", title="【龙江动态】省政府召开专题会议",
                              html=_body(0) + "<p>来源：黑龙江省人民政府</p>"))
    assert repost.cluster_id == first.cluster_id


def test_bands_find_a_copy_sharing_a_fifth_of_the_two_texts() -> None:
    """A re-worded copy inside its paper's own lead and analysis (HK01), or a story of one sentence
    inside the agency's longer version, shares J ≈ 0.2 with its story: 16 one-row bands share no
    value with it (1 − 0.2)¹⁶ ≈ 2.8 % of the time, and a pair the index never returns is never
    verified. With the 8 extra bands: 0.5 %. 300 seeded pairs of random shingle sets at J = 0.2."""
    import random

    from normalizers.keys import minhash

    rng = random.Random(10)

    def words(n: int) -> set[str]:
        return {"".join(chr(0x4E00 + rng.randrange(20000)) for _ in range(5)) for _ in range(n)}

    found = found_by_16 = 0
    pairs = 300
    for _ in range(pairs):
        shared = words(60)
        a, b = minhash(shared | words(90)), minhash(shared | words(150))  # J = 60 / 300
        found += any(x == y for x, y in zip(a, b, strict=True))
        found_by_16 += any(x == y for x, y in zip(a[:BANDS], b[:BANDS], strict=True))
    assert found >= pairs - 4  # expected misses 1.4 (24 bands)
    assert found_by_16 <= pairs - 3  # expected misses 8.4: what the 16 bands alone left
