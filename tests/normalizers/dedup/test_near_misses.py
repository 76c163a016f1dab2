"""Possible matches: stories that may be an item's though the matcher kept them apart (the desk shows them)."""

from __future__ import annotations

import normalizers
from tests.normalizers.dedup.conftest import make_item

STORY = [
    "新华社北京7月3日电 中共中央办公厅、国务院办公厅近日印发《关于加强城乡供水安全保障的行动方案》，并发出通知，要求各地区各部门结合实际认真贯彻落实。",
    "方案提出，到2028年年底，城乡供水安全保障体系更加完善，农村规模化供水工程覆盖人口比例明显提高，城市公共供水管网漏损率控制在百分之九以内。",
    "方案明确，要开展水源保护行动，划定和调整饮用水水源保护区；开展供水设施提升行动，改造老旧水厂，更新老化管网；开展水质保障行动，完善水质检测体系。",
]
# a commentary: its own words around two sentences of the story
SUMMARY = [
    "喝上放心水，是群众最朴素的期盼。近年来我省农村供水条件持续改善，但一些地方仍存在水源不稳定、管网老化等问题。",
    STORY[1].removeprefix("新华社北京7月3日电 "),
    "记者走访发现，不少县区已经提前谋划，把城乡供水一体化列为今年的民生实事，群众对水质和水压的满意度明显提升。",
    "专家认为，守护好群众的“水缸子”，关键在于建管并重，既要舍得投入，也要管得长久，让好政策真正落到群众的水龙头上。",
]


def _html(paras: list[str]) -> str:
    return "".join(f"<p>{p}</p>" for p in paras)


def test_a_commentary_quoting_the_story_is_its_possible_match_both_ways(ingest, db) -> None:
    own = ingest(make_item("harbin", title="中办国办印发城乡供水安全保障行动方案", html=_html(STORY),
                           published="2025-07-03 19:30"))
    talk = ingest(make_item("portal", title="守护群众的“水缸子”", html=_html(SUMMARY), published="2025-07-04 08:00"))
    assert talk.cluster_id != own.cluster_id  # the matcher keeps a commentary apart
    [found] = normalizers.possible_matches(db, talk.item_id)
    assert found.item_id == own.item_id and found.shared >= 60 and 0.3 <= found.containment < 0.75
    assert [m.item_id for m in normalizers.possible_matches(db, own.item_id)] == [talk.item_id]


def test_another_years_text_or_a_short_formula_is_not_offered(ingest, db) -> None:
    own = ingest(make_item("harbin", title="中办国办印发城乡供水安全保障行动方案", html=_html(STORY),
                           published="2025-07-03 19:30"))
    # the same commentary a year later: its own story, whatever it quotes
    later = ingest(make_item("portal", title="守护群众的“水缸子”", html=_html(SUMMARY), published="2026-07-10 08:00"))
    # a story sharing only a phrase of the template
    phrase = ingest(make_item("fgw", title="省水利厅召开会议", html=_html([
        "省水利厅召开会议，传达学习中共中央办公厅、国务院办公厅印发的有关文件精神，研究部署全省水利工作。",
        "会议要求，各地要压实责任，抓好汛期安全度汛各项工作，确保人民群众生命财产安全。"]),
        published="2025-07-03 20:00"))
    assert normalizers.possible_matches(db, later.item_id) == []
    assert normalizers.possible_matches(db, phrase.item_id) == []
    assert normalizers.possible_matches(db, own.item_id) == []


def test_an_unknown_or_bodiless_item_has_none(ingest, db) -> None:
    empty = ingest(make_item("harbin", title="图片新闻", html=""))
    assert normalizers.possible_matches(db, empty.item_id) == []
    assert normalizers.possible_matches(db, 999_999) == []
