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
