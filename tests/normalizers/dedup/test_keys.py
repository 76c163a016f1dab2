"""Comparison keys: what re-posters change must vanish, what identifies a story must stay."""

from __future__ import annotations

import subprocess
import sys

import pytest

from normalizers import comparison_key
from normalizers.keys import BANDS, EXTRA_BANDS, guard_tokens, minhash, shingles

SAME = [
    ("哈尔滨市召开会议，部署2025年工作。", "哈爾濱市召開會議，部署２０２５年工作。"),  # traditional + full-width digits
    ("哈尔滨市召开会议，部署2025年工作。", "哈尔滨市召开会议,部署2025年工作."),  # ASCII punctuation
    ("哈尔滨市召开会议。", "【龙江动态】【要闻】哈尔滨市召开会议。"),  # leading tags
    ("哈尔滨市召开会议。", "哈尔滨市召开会议。\n来源：哈尔滨日报\n责任编辑：张三"),  # byline lines
    ("哈尔滨市召开会议。", "哈尔滨市召开会议。（来源：哈尔滨市人民政府）"),  # inline source
    ("13日下午，国务院总理举行仪式。", "央视网消息（新闻联播）：13日下午，国务院总理举行仪式。"),
    ("今天，哈尔滨市召开会议。", "新华社哈尔滨1月13日电（记者 王宁）今天，哈尔滨市召开会议。"),
    ("今天，哈尔滨市召开会议。", "本报讯（记者 李四）今天，哈尔滨市召开会议。"),
    ("GDP增长5%", "ｇｄｐ 增长 ５％"),  # case folding, full-width letters, spaces
    # numbers written other ways: ranges, 〇 and ○, Chinese-numeral years, dates and congresses
    ("行动方案（2024—2030年）", "行动方案(2024-2030年)"),
    ("行动方案（2024—2030年）", "行动方案2024至2030年"),
    ("发表二〇二六年新年贺词", "發表二○二六年新年賀詞"),
    ("发表2026年新年贺词", "发表二〇二六年新年贺词"),
    ("十二月三十一日上午举行", "12月31日上午举行"),
    ("委员会8日全天召开会议", "委員會八日全天召開會議"),
    ("委员会8日全天召开会议", "委員會（8）日全天召開會議"),
    ("党的二十大和二十届四中全会", "中共20大和20屆4中全會"),
    # Taiwan and Hong Kong usage in quoted agency text
    ("加强党组自身建设", "加強中共黨組自身建設"),
    ("党成立105周年", "中國共產黨成立一○五週年"),
    ("同特朗普总统一道，接着增长", "同川普總統一道，接著成長"),
    # headlines shorten the two offices; a site's credits and footer under a copied card
    ("中共中央办公厅、国务院办公厅印发《方案》", "中办、国办印发《方案》"),
    ("哈尔滨市召开会议。", "哈尔滨市召开会议。\n设计：张三\n策划：李四"),
    ("哈尔滨市召开会议。", "哈尔滨市召开会议。\nCopyright © 2001-2025 某某网络科技股份有限公司 All Rights Reserved\n"
                          "营业执照 - 增值电信业务许可证\n版权为 某某网 所有 未经同意不得复制或镜像\n京ICP备12345678号"),
    ("哈尔滨市召开会议。", "哈尔滨市召开会议。\n海报制作：张三\n新华社国内部出品\n发表评论 文明上网理性发言\n"
                          "本网站所刊载信息，不代表本网观点。\n未经授权禁止转载、摘编、复制及建立镜像。"),
    # a forum copy's anti-scraping jammer, flattened to text
    ("国家主席习近平致贺信。长期以来，习近平多次发表重要讲话。",
     '国家主席习近平致贺信。\n( G" X! o# v3 h- q5 {- H6 长期以来，习近平多次发表重要讲话。\n8 Z* x4 i5 Y- u W. b, L8 '),
    # a page's info line (labels glossed in pinyin on a spam copy), a date label alone, e-paper page labels
    ("哈尔滨市召开会议。", "時(shí)間:2024年01月19日 信息來源:本站原創 點擊:1263 字體:\n哈尔滨市召开会议。"),
    ("哈尔滨市召开会议。", "时间：2023-07-28\n哈尔滨市召开会议。"),
    ("哈尔滨市召开会议。", "华西都市报 -A1 要闻-\nA1要闻\n第03版：要闻\n哈尔滨市召开会议。"),
    # a portal's chrome above the story with a 相关链接 among it (a district picker): chrome, not the end
    ("今天，哈尔滨市召开会议。会议要求抓好落实。",
     "鼓楼区\n台江区\n相关链接\n新华社哈尔滨1月13日电 今天，哈尔滨市召开会议。会议要求抓好落实。"),
    # … and under the story it ends it
    ("今天，哈尔滨市召开会议。会议要求抓好落实。", "今天，哈尔滨市召开会议。会议要求抓好落实。\n相关链接\n全省重点项目推进会召开"),
    # a page printing the text as its teaser, then again in full
    ("哈尔滨市召开全市优化营商环境大会，部署今年重点工作。", "哈尔滨市召开全市优化营商环境大会，部署今年重点工作。\n"
                                                        "哈尔滨市召开全市优化营商环境大会，部署今年重点工作。"),
]


@pytest.mark.parametrize(("a", "b"), SAME)
def test_variants_share_a_key(a: str, b: str) -> None:
    assert comparison_key(a) == comparison_key(b)


DIFFERENT = [
    ("欢迎格林纳达总理访华", "欢迎泰国总理访华"),
    ("第七次全体会议", "第八次全体会议"),
    ("本网近日召开会议", "近日召开会议"),  # "本网" is only stripped as a dateline, not inside text
    ("行动方案（2024—2030年）", "行动方案(2024-2035年)"),
    ("发表二〇二五年新年贺词", "发表二〇二六年新年贺词"),
    ("十四届全国人大", "十五届全国人大"),
    ("一日三餐", "1日三餐"),  # a day is only read where a dateline's day stands
    ("时间：3月5日上午9时\n地点：省政府", "时间：3月6日上午9时\n地点：省政府"),  # a notice's own hour stays
]


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_differences_that_matter_stay(a: str, b: str) -> None:
    assert comparison_key(a) != comparison_key(b)


@pytest.mark.parametrize("text", ["各地集中办理国办转来的事项。", "第1 2 3 4 5 6期项目已完工。", "该公司营业执照被吊销。", "中办发文要求各地落实。"])
def test_story_words_like_an_office_or_a_licence_stay(text: str) -> None:
    # only the pair 中办、国办 is the two offices, only a footer's lines are the footer
    assert comparison_key(text) == "".join(ch for ch in text if ch.isalnum())


def test_key_has_no_punctuation_or_space() -> None:
    key = comparison_key("“高效办成一件事”——（一）、《通知》：2025年 1 月！")
    assert key == "高效办成一件事一通知2025年1月"


def test_numbers_cut_apart_do_not_fuse() -> None:
    # A trimmed paragraph leaves "8.6%" next to "2024年": they must stay two numbers.
    assert guard_tokens(comparison_key("同比增长8.6%。\n2024年"))["num"] >= {"86", "2024"}


def test_empty_and_punctuation_only() -> None:
    assert comparison_key("") == ""
    assert comparison_key("。，！\n  ") == ""


def test_guard_tokens_by_kind() -> None:
    t = guard_tokens(comparison_key("1月13日，第七次会议在哈尔滨举行，格林纳达代表团120人出席"))
    assert t["date"] == {"1月13日"}
    assert t["ord"] == {"七次"}  # 第七次 and 七次 are one ordinal
    assert {"哈尔滨", "格林纳达"} <= t["place"]
    assert "120" in t["num"]


def test_minhash_is_stable_across_processes() -> None:
    """Signatures are stored: they must not depend on Python's per-process salted hash()."""
    key = comparison_key("哈尔滨市召开2025年优化营商环境工作会议，总结工作成效，部署今年重点任务。")
    here = minhash(shingles(key))
    code = (
        "from normalizers.keys import minhash, shingles, comparison_key;"
        f"print(minhash(shingles(comparison_key({key!r}))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PYTHONHASHSEED": "12345"}, cwd=str(__import__("pathlib").Path(__file__).parents[3]))
    assert out.stdout.strip() == str(here)
    assert len(here) == BANDS + EXTRA_BANDS == 24


def test_containment_survives_trimming() -> None:
    full = comparison_key("第一段讲会议召开的情况和主要内容。第二段讲去年工作成效和数据。第三段讲今年的重点任务安排。")
    trimmed = comparison_key("第一段讲会议召开的情况和主要内容。第三段讲今年的重点任务安排。")
    a, b = shingles(full), shingles(trimmed)
    containment = len(a & b) / min(len(a), len(b))
    jaccard = len(a & b) / len(a | b)
    assert containment > 0.85 and jaccard < 0.75


GUARD = [
    ("欢迎格林纳达总理访华", "欢迎泰国总理访华", True),
    ("省委十二届第七次全会召开", "省委十二届第八次全会召开", True),
    ("2月份居民消费价格上涨0.5%", "3月份居民消费价格上涨0.7%", True),
    ("哈尔滨市召开营商环境会议", "黑龙江哈尔滨市召开营商环境会议", False),  # a re-post may add the province
    ("哈尔滨市召开营商环境会议", "【龙江动态】哈尔滨市召开营商环境会议", False),
    ("国内联播快讯", "国内联播快讯", False),  # no tokens: the body decides
]


@pytest.mark.parametrize(("a", "b", "conflict"), GUARD)
def test_title_guard(a: str, b: str, conflict: bool) -> None:
    from normalizers import guard_conflict

    assert (guard_conflict(comparison_key(a), "", comparison_key(b), "") is not None) == conflict


def test_lead_guard_trimmed_copy_passes_lookalike_fails() -> None:
    from normalizers import guard_conflict

    original = comparison_key("13日下午，总理在北京举行仪式欢迎格林纳达总理。随后双方举行会谈，同意深化合作。")
    trimmed = comparison_key("13日下午，总理在北京举行仪式欢迎格林纳达总理。")
    other = comparison_key("7日下午，总理在北京举行仪式欢迎泰国总理。")
    assert guard_conflict("", trimmed, "", original) is None
    assert guard_conflict("", other, "", original) is not None


def test_lead_substitution_names_the_swap() -> None:
    from normalizers.clusters import lead_substitution
    from normalizers.keys import shingles as sh

    a = comparison_key("经省委批准，省纪委监委对原局长王建国严重违纪违法问题进行了立案审查调查。经查，王建国丧失理想信念。")
    b = comparison_key("经省委批准，省纪委监委对原局长赵德明严重违纪违法问题进行了立案审查调查。经查，赵德明丧失理想信念。")
    why = lead_substitution(a, b, sh(b))
    assert why is not None and "王建国" in why and "赵德明" in why
    trimmed = comparison_key("经省委批准，省纪委监委对原局长王建国严重违纪违法问题进行了立案审查调查。")
    assert lead_substitution(trimmed, a, sh(a)) is None
    cut = comparison_key("经省委批准，省纪委监委对原局长王建国严重违纪违法问题。经查，王建国丧失理想信念。")
    assert lead_substitution(cut, a, sh(a)) is None  # a cut, nothing swapped


def test_one_variant_character_is_not_a_substitution() -> None:
    from normalizers.clusters import lead_substitution
    from normalizers.keys import shingles as sh

    a = "俄罗斯国防部3日称俄军使用无人机对位于敖德萨列尼港的目标实施了打击乌克兰方面对此没有回应"
    b = a.replace("位于", "位於")  # OpenCC keeps 於 inside some phrases
    assert lead_substitution(b, a, sh(a)) is None
    c = a.replace("3日", "4日")  # but one other digit is another fact
    assert lead_substitution(c, a, sh(a)) is not None


def test_other_word_for_one_character_is_a_substitution() -> None:
    from normalizers.clusters import lead_substitution
    from normalizers.keys import shingles as sh

    a = comparison_key("研究院翻译的论述摘编一书西班牙文版近日由编译出版社出版面向海内外发行")
    b = comparison_key("研究院翻译的论述摘编一书日文版近日由编译出版社出版面向海内外发行")
    assert lead_substitution(b, a, sh(a)) is not None


def test_number_before_a_cut_does_not_become_a_date() -> None:
    # "…达到95%。" followed, after a trimmed paragraph, by "日前…" is not the date "95日".
    assert guard_tokens(comparison_key("一致性程度达到95%。\n日前，八部门联合印发方案"))["date"] == set()


def test_minhash_keeps_the_values_stored_databases_hold() -> None:
    """The first 16 values are the little-endian words of each shingle's BLAKE2b digest, as every
    database written before the extra bands holds them; the extra ones are the words at byte 2 + 4j."""
    import hashlib
    import struct


    sh = shingles(comparison_key("省委常委会召开会议，审议党组工作报告。会议认为，今年经济运行总体平稳、稳中有进。"))
    digests = [hashlib.blake2b(s.encode("utf-8"), digest_size=64).digest() for s in sh]
    first = [min(struct.unpack_from("<I", d, 4 * j)[0] for d in digests) for j in range(BANDS)]
    extra = [min(struct.unpack_from("<I", d, 2 + 4 * j)[0] for d in digests) for j in range(EXTRA_BANDS)]
    assert minhash(sh) == first + extra
