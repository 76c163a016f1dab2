"""bench.dedup.corpus_pairs on real corpus days: look-alikes nobody on the team wrote. The reactions
to an instruction open with its words (under a title that says so or not), a book's editions in other languages, an announcement and
the visit, two messages of one evening to two countries come out in the same words: other stories;
the same report told again the next day is one."""

from __future__ import annotations

from pathlib import Path

from bench.dedup.corpus_pairs import together


def test_reactions_and_other_editions_stay_apart_from_the_story_they_quote(corpus_dir: Path) -> None:
    days = ["20221025", "20230119",  # a report's 单行本, then it and the 党章 in 11种文版
            "20240504", "20240515", "20241229",  # 《…论述摘编》 法文版, 俄文版, 日文版
            "20250907", "20251012",  # two 摘编 in 英文版, then in 多语种版
            "20240923", "20240924", "20250523", "20250524", "20251118", "20251119",  # instructions, reactions
            "20260408", "20260409",
            "20250307", "20250308",  # a speech, then a 【总书记与我们在一起】 feature on its reactions
            "20240430", "20240501", "20240921", "20240922",  # greetings, then next-day features retelling them
            "20221201", "20221202",  # 全国各地沉痛哀悼… two days under one headline
            "20250613",  # condolences to India and to the UK on one crash, the same evening
            "20260714", "20260717"]  # 王沪宁将访问朝鲜, then the visit
    n, groups, _ = together(days)
    assert n > 100 and groups == [], groups


def test_a_report_told_again_the_next_day_is_one_story(corpus_dir: Path) -> None:
    n, groups, _ = together(["20250415", "20250416"])
    assert [len(g) for g in groups] == [2] and all("吉隆坡" in label for label in groups[0]), groups
