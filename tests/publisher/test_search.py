"""Chinese-aware full-text search: words inside unsegmented sentences, ranking, retractions."""

from __future__ import annotations

import pytest

import publisher
from publisher.fulltext import match_expression, segment
from tests.publisher.conftest import make_entry

DOCS = {
    1: ("哈尔滨市召开会议", "哈尔滨市召开会议，部署冬季供暖和城市安全工作。"),
    2: ("齐齐哈尔市发布天气预报", "齐齐哈尔市气象台发布大风降温预报，提醒市民注意防寒。"),
    3: ("省政府常务会议研究老工业基地振兴", "会议研究推进老工业基地振兴，部署电子政务建设。"),
    4: ("關於加強電子政務建設的通知", "各市縣人民政府：為推進電子政務建設，現通知如下。"),
    5: ("牡丹江市优化营商环境", "牡丹江市出台措施，哈尔滨等地经验值得借鉴。"),
}


@pytest.fixture()
def indexed(db):
    for i, (title, text) in DOCS.items():
        publisher.publish(db, make_entry(i, title=title, text=text, html=f"<p>{text}</p>"))
    return db


@pytest.mark.parametrize(
    "query,expected",
    [
        ("哈尔滨", [1, 5]),  # inside 哈尔滨市召开会议; the title hit ranks first
        ("哈尔滨市", [1]),
        ("召开会议", [1]),
        ("天气预报", [2]),
        ("老工业基地", [3]),
        ("电子政务", [4, 3]),  # 4 is in traditional characters, with the words in its title
        ("電子政務", [4, 3]),  # a traditional query finds simplified text too
        ("营商环境", [5]),
        ("上海", []),
    ],
)
def test_search_finds_words_inside_sentences(indexed, query, expected):
    found = [r["item_id"] for r in publisher.search(indexed, query)]
    assert sorted(found) == sorted(expected)
    if expected:
        assert found[0] == expected[0]


def test_title_hits_rank_above_body_hits(indexed):
    found = publisher.search(indexed, "哈尔滨")
    assert [r["item_id"] for r in found] == [1, 5]
    assert found[0]["score"] <= found[1]["score"]
    assert "哈尔滨" in found[1]["excerpt"]


def test_retracted_items_are_not_found(indexed):
    publisher.retract(indexed, 1, reason="撤稿")
    assert [r["item_id"] for r in publisher.search(indexed, "哈尔滨")] == [5]
    assert publisher.search(indexed, "召开会议") == []


def test_corrections_are_reindexed(indexed):
    publisher.publish(indexed, make_entry(2, version=2, title="齐齐哈尔市发布暴雪预警", text="暴雪预警。"))
    assert [r["item_id"] for r in publisher.search(indexed, "暴雪")] == [2]
    assert publisher.search(indexed, "大风降温") == []


@pytest.mark.parametrize("query", ['"', "AND OR NOT", "哈尔滨 NEAR(", "*", "title:哈尔滨", "-哈尔滨"])
def test_fts_syntax_in_queries_is_just_text(indexed, query):
    try:
        publisher.search(indexed, query)
    except publisher.BadQuery as exc:
        assert "\n" not in str(exc)


@pytest.mark.parametrize("query", ["", "   ", "长" * 201])
def test_unanswerable_queries(indexed, query):
    with pytest.raises(publisher.BadQuery):
        publisher.search(indexed, query)


@pytest.mark.parametrize("query", ["，。！", "\x00", "※"])
def test_a_query_of_only_symbols_finds_nothing_rather_than_failing(indexed, query):
    assert publisher.search(indexed, query) == []  # the search page says "no results"


def test_segmentation_is_search_mode():
    tokens = segment("哈尔滨市召开会议").split()
    assert "哈尔滨" in tokens and "哈尔滨市" in tokens and "会议" in tokens
    assert match_expression("哈尔滨") == '"哈尔滨"'  # never widened to 哈尔 (齐齐哈尔)
    assert match_expression("电子政务") == '("电子政务" OR ("电子" AND "政务"))'
    assert match_expression('召开 "会议"') == '"召开" AND "会议"'


COMPOUND = {
    11: ("海上风电项目开工", "我省首个海上风电项目今天开工，总装机容量三十万千瓦。"),
    12: ("沿海城市风电设备出口", "海上运输繁忙。另据报道，陆上风电设备出口增长，风电企业订单饱满。"),  # parts apart
    13: ("城市轨道交通建设提速", "哈尔滨城市轨道交通三号线二期工程全线贯通。"),
    14: ("城市管理新举措", "城市道路改造完成；轨道交通方面，另有一条公交线路调整。"),  # parts apart
    15: ("轨道交通城市群", "城市轨道交通规划获批，都市圈城际铁路同步推进。"),
}


@pytest.fixture()
def compound(db):
    for i, (title, text) in COMPOUND.items():
        publisher.publish(db, make_entry(i, title=title, text=text, html=f"<p>{text}</p>"))
    return db


@pytest.mark.parametrize("query,whole,apart", [("海上风电", [11], [12]), ("城市轨道交通", [13, 15], [14])])
def test_a_compound_word_matches_as_a_whole_first(compound, query, whole, apart):
    page = publisher.stream.search_page(compound, query)
    ids = [r["item_id"] for r in page["items"]]
    assert sorted(ids[: len(whole)]) == sorted(whole), ids  # the whole word before its scattered parts
    assert all(r["whole"] for r in page["items"][: len(whole)])
    assert all(not r["whole"] for r in page["items"] if r["item_id"] in apart)
    assert page["total"] == len(ids)


def test_excerpts_mark_the_matches_and_escape_the_rest(db):
    publisher.publish(db, make_entry(1, title="海上风电<b>专题</b>", text="a<b>c 海上风电项目开工，海上风电装机增长。"))
    hit = publisher.stream.search_page(db, "海上风电")["items"][0]
    assert hit["excerpt_html"].count("<mark>海上风电</mark>") == 2
    assert "<b>" not in hit["excerpt_html"].replace("<mark>", "").replace("</mark>", "")
    assert "＜b&gt;c" in hit["excerpt_html"]  # the text as stored (a tag-like ＜), then escaped
    assert "<mark>海上风电</mark>" in hit["title_html"]


def test_traditional_text_is_highlighted_for_a_simplified_query(db):
    publisher.publish(db, make_entry(1, title="關於電子政務", text="為推進電子政務建設，現通知如下。"))
    hit = publisher.stream.search_page(db, "电子政务")["items"][0]
    assert "<mark>電子政務</mark>" in hit["excerpt_html"]


def test_pages_totals_and_filters(db):
    for i in range(1, 26):
        col = "notices" if i % 5 == 0 else "city-news"
        publisher.publish(db, make_entry(i, columns=[col], published_at=f"2026-03-{i:02d}T10:00:00+08:00"))
    first = publisher.stream.search_page(db, "哈尔滨", limit=10)
    assert (first["total"], first["pages"], len(first["items"])) == (25, 3, 10)
    third = publisher.stream.search_page(db, "哈尔滨", limit=10, page=3)
    assert len(third["items"]) == 5
    seen = {r["item_id"] for p in (1, 2, 3) for r in publisher.stream.search_page(db, "哈尔滨", limit=10, page=p)["items"]}
    assert seen == set(range(1, 26))
    notices = publisher.stream.search_page(db, "哈尔滨", column="notices")
    assert sorted(r["item_id"] for r in notices["items"]) == [5, 10, 15, 20, 25] and notices["total"] == 5
    march = publisher.stream.search_page(db, "哈尔滨", date_from="2026-03-10", date_to="2026-03-12")
    assert sorted(r["item_id"] for r in march["items"]) == [10, 11, 12]


def test_search_endpoint_pages_and_filters(db, client):
    for i in range(1, 6):
        publisher.publish(db, make_entry(i, published_at=f"2026-03-0{i}T10:00:00+08:00"))
    body = client.get("/api/v1/search?q=哈尔滨&limit=2&page=2&from=2026-03-01&to=2026-03-04").get_json()
    assert (body["total"], body["pages"], body["page"], len(body["items"])) == (4, 2, 2, 2)
    assert "<mark>" in body["items"][0]["excerpt_html"]
    assert client.get("/api/v1/search?q=哈尔滨&from=2026-13-01").get_json()["code"] == "bad_parameter"
    assert client.get("/api/v1/search?q=哈尔滨&column=nope").get_json()["code"] == "unknown_column"
