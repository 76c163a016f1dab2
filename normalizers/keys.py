"""Comparison keys, shingles, MinHash signatures and look-alike guard tokens.

Everything here is for *matching* only: a comparison key is never shown to anyone. Re-posts of one
story differ in headline tags (【龙江动态】), source/editor lines, agency datelines, full-width vs
ASCII punctuation and digits, traditional characters; the key removes all of that so that the
remaining differences are the ones that matter (trimmed paragraphs, other numbers, other places).

Hashes are stable across processes and versions (BLAKE2b), never Python's salted ``hash()``,
because signatures are stored in the database.
"""

from __future__ import annotations

import hashlib
import re
import sys
import unicodedata
from array import array
from collections.abc import Iterable

from pages.fold import to_simplified
from pages.labels import alternation, labels

__all__ = [
    "comparison_key",
    "strip_boilerplate",
    "shingles",
    "minhash",
    "key_digest",
    "guard_tokens",
    "PLACES",
    "SHINGLE",
    "BANDS",
    "EXTRA_BANDS",
    "MAX_KEY_CHARS",
    "LEAD_CHARS",
    "NUMBER_GAP",
]

SHINGLE = 5  # characters per shingle: measured best on the shared corpus (see docs/benchmarks.md)
BANDS = 16  # MinHash values per item; each one is an LSH band of one row
EXTRA_BANDS = 8  # … and 8 more from the same digests (see minhash): 24 bands in all
MAX_KEY_CHARS = 20_000  # a 1 MB body is matched on its first 20k key characters


# --- boilerplate that re-posters add or remove -------------------------------------------------
# Applied after NFKC + t2s + casefold, so colons and brackets are ASCII (：→: （→( ) and 【】 remain.
_LEAD_TAGS = re.compile(r"^(?:\s*(?:【[^】\n]{0,30}】|\[[^\]\n]{0,30}\]))+\s*")
_BYLINE_WORDS = alternation(labels("key"))  # 来源, 责任编辑, 记者… (pages.labels)
_BYLINE_LINE = re.compile(rf"^[ \t\u3000]*[\[(]?(?:{_BYLINE_WORDS})[ \t\u3000]*[:|][^\n]*$", re.MULTILINE)
_INLINE_BYLINE = re.compile(rf"[(\[](?:{_BYLINE_WORDS})[ \t\u3000]*[:|]?[^()\[\]\n]{{0,40}}[)\]]")
_AGENCY = (
    "央视网消息|央视新闻客户端|央视网|新华社|新华网|中新社|中新网|中国新闻网|人民网|人民日报|光明网|央广网|"
    "中国日报网|国际在线|东北网|黑龙江日报|黑龙江新闻网|龙头新闻|极光新闻|本报讯|本网讯|本报|本网"
)
# "央视网消息(新闻联播):", "新华社北京1月13日电(记者 张三)", "本报讯(记者 李四)", "人民网哈尔滨5月1日电"
_DATELINE = re.compile(
    rf"^\s*(?:(?:{_AGENCY})?[\u4e00-\u9fff]{{0,8}}?\d{{1,2}}月\d{{1,2}}日(?:电|讯)|(?:{_AGENCY})(?=\s*[(:])"
    r"|[\u4e00-\u9fff]{0,8}?[ \t]*\d{4}[-—/.]\d{1,2}[-—/.]\d{1,2}[ \t]*(?:电|讯))"  # 汽车宝贝 2023-05-11 讯
    r"\s*(?:\([^()\n]{0,30}\))?\s*:?\s*"
)
# "据新华社报道，" "据央视新闻消息，": a re-poster's framing before the same dateline-less body.
_FRAMING = re.compile(rf"^\s*据(?:{_AGENCY}|[\u4e00-\u9fff]{{2,10}}?)(?:客户端)?(?:消息|报道|报导)\s*[,:]\s*")
# A re-poster's related-reading block names other stories: from its heading to the end.
_RELATED = re.compile(
    r"^[ \t\u3000]*[\[(【]?(?:相关阅读|延伸阅读|相关新闻|相关链接|推荐阅读|相关文章|往期回顾|更多阅读)[\])】]?"
    r"[ \t\u3000]*(?::|$).*\Z",
    re.MULTILINE | re.DOTALL,
)
# Picture captions and photographer credits added with the images: 图为…, (记者 张三 摄)
_CAPTION = re.compile(r"^[ \t\u3000]*(?:图为|图片来源|图\s*:)[^\n]{0,100}$|[(\[][^()\[\]\n]{0,24}摄[)\]]", re.MULTILINE)
# A site's footer printed under the copied story: its copyright, licence and no-reprint lines.
# (and its comment box's 文明上网 line), and the credit line of the desk that made a card (新华社国内部出品)
_FOOTER_LINE = re.compile(
    r"^[^\n]{0,40}?(?:copyright|©|all rights reserved|版权所有|icp[备证]|公网安备|增值电信业务|文明上网|本网站所刊载|"
    r"刊用本网站稿件|未经[^\n]{0,20}?(?:不得|禁止|严禁)[^\n]{0,6}?(?:转载|复制|镜像|摘编))[^\n]{0,120}$"
    r"|^[ \t\u3000]*[\u4e00-\u9fff]{2,14}出品[ \t\u3000]*$", re.MULTILINE)
# A page's info line: its date label with the source, clicks or font size after it (时间:2024年01月19日
# 信息来源:本站原创 点击:1263), or a date label and a date alone (时间:2023-07-28). A notice's
# 时间：3月5日上午9时 (an hour, or no other label) is its own text and stays.
_DATE_WORDS = alternation(labels("byline", "published", "issued", "written", "date"))
_INFO_WORDS = alternation(labels("byline", "source", "chief_editor", "editor", "reporter", "author", "other"))
_INFO_LINE = re.compile(
    rf"^[ \t\u3000]*(?:{_DATE_WORDS})[ \t\u3000]*[:|](?:[^\n]*?(?:{_INFO_WORDS})[ \t\u3000]*[:|][^\n]*"
    r"|[ \t\u3000]*\d{4}[-—/.年]\d{1,2}[-—/.月]\d{1,2}日?(?:[ \t]+\d{1,2}:\d{2}(?::\d{2})?)?[ \t\u3000]*)$", re.MULTILINE)
# An e-paper's page label (华西都市报 -A1 要闻-, A1要闻, 第03版:要闻): the page, not the story.
_EPAPER_PAGE = re.compile(
    r"^[ \t\u3000]*(?:[\u4e00-\u9fff]{2,8}报)?[ \t\u3000-]*(?:[a-z]\d{1,2}|第?\d{1,2}版)[ \t\u3000:-]*"
    r"[\u4e00-\u9fff]{2,6}[ \t\u3000-]*$", re.MULTILINE)
# Spam copies annotate characters with their pinyin — 國務(wù)院, 国(guo)务(wu)院 — and sprinkle emoji.
_SYMBOLS = re.compile("[\u2600-\u27bf\u2b00-\u2bff\ufe0f\U0001f000-\U0001faff]")
_PINYIN = re.compile(r"(?<=[\u4e00-\u9fff?])(?:\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,6}\))+")
# An agency dateline anywhere in the opening (after a repeated headline, a caption, a site's own
# 中评社北京8月19日电/): its place and day are the byline's, not the story's.
_DATELINE_ANY = re.compile(
    rf"(?:{_AGENCY}|[\u4e00-\u9fff]{{1,4}}社)[\u4e00-\u9fff]{{0,8}}?\d{{1,2}}月\d{{1,2}}日(?:电|讯)"
    r"\s*(?:\([^()\n]{0,30}\))?\s*[:/]?\s*(?:据[\u4e00-\u9fff]{2,10}?(?:报道|报导|消息)\s*,?\s*)?"
)
# "据新华社，" "新华社报导：" "新华社18日报导，" "根据《新华社》报道，" "新华社全文如下：" after a paper's own lead: the re-posted text
# starts there (Hong Kong and Taiwan papers open with their own paragraph, then quote the agency).
_ATTRIBUTION = re.compile(
    rf"(?:根据|据)(?:陆媒|官媒|大陆媒体)?《?(?:{_AGENCY})》?(?:\d{{1,2}}\s*日)?(?:报道|报导|消息)?\s*[,:]\s*"
    rf"|《?(?:{_AGENCY})》?(?:\d{{1,2}}\s*日)?(?:报道|报导|全文如下)\s*[,:]\s*"
)
# An aggregator's reprint notice after its own chrome (the day, the weather, exchange rates, a
# login bar): "本文转载自香港01，仅代表原出处和原作者观点，仅供参考阅读，不代表本网态度和立场。"
_REPRINT = re.compile(
    r"(?:本文|本篇|文章)?(?:转载|转自|来自)[^\n]{0,40}?不代表本(?:网|站|平台|号)[^\n]{0,12}?(?:立场|观点)\s*[.。]?\s*"
)
OPENING_CUT = 600  # characters: a dateline or attribution this early starts the re-posted text
CLOSING_TAIL = 10  # Han characters after a dateline, fewer: it closes the text (a 主席令's （新华社…电）)
APPENDED_AFTER = 120  # Han characters under one dateline before the next: a story, not a headline or chrome
_PAGE_REF = re.compile(r"[(\[]\s*(?:下转|转|上接|接)第?\s*[0-9一二三四五六七八九十]+\s*版\s*[)\]]")
# A translation appended to a Chinese story (the English Xinhua version): long runs of Latin text.
_LATIN_PASSAGE = re.compile(r"[a-z][a-z0-9 ,.'\"\-()%$:;!?/&]{40,}")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_STRIP = re.compile(r"[\W_]+")
# A number ends where punctuation follows it: text cut after "增长8.6%。" must not fuse the number
# with what comes next ("862024", or "95日" out of "达到95%。日前"). A decimal point or thousands
# separator inside a number still vanishes ("8.6" → "86", "1,000" → "1000"), and so do plain
# spaces ("2025年 1 月"), which re-posters add and remove at will.
_DIGIT_GAP = re.compile(r"(?<=\d)(?![.,:/\-]\d)(?:\s*[^\w\s]|[^\S\n]*\n)[\W_]*(?=\w)")
NUMBER_GAP = "丨"


# An anti-scraping jammer a forum copy carries as text (Discuz's hidden <font class="jammer"> flattened):
# runs of one- or two-character ASCII scraps between spaces, 'g" x! o# v3 h- q5 {- h6 '.
_JAMMER = re.compile(r"(?:(?<![!-~])[!-~]{1,2}[ \t]+){4,}")
_JAMMER_MARK = re.compile(r"[^\w\s]")


def _unjammed(text: str) -> str:
    """*text* without jammer runs: scraps with punctuation in them (a list of numbers stays)."""
    if " " not in text:
        return text
    return _JAMMER.sub(lambda m: "" if len(_JAMMER_MARK.findall(m.group(0))) >= 3 else m.group(0), text)


REPEATED_LINE = 20  # characters: a line this long printed twice is one paragraph (a teaser, then the text)


def _unrepeated(text: str) -> str:
    """*text* without the second printing of a paragraph: a page that shows the text as its teaser
    and again in full is no longer than the text, to the guard that asks which one is longer."""
    if "\n" not in text:
        return text
    seen: set[str] = set()
    out = []
    for line in text.split("\n"):
        bare = line.strip()
        if len(bare) >= REPEATED_LINE:
            if bare in seen:
                continue
            seen.add(bare)
        out.append(line)
    return "\n".join(out)


_TOLD = re.compile("[。！？!?]")
TOLD_BEFORE = 2  # sentences before a related-reading heading: the story it is under


def _without_related(text: str) -> str:
    """*text* up to its related-reading block, when a story comes before it; a 相关链接 among a
    portal's chrome above the story (a district picker, then 相关链接, then the story) is chrome."""
    m = _RELATED.search(text)
    if m is None:
        return text
    if len(_TOLD.findall(text, 0, m.start())) >= TOLD_BEFORE:
        return text[: m.start()]
    return text[: m.start()] + text[m.start():].partition("\n")[2]


def strip_boilerplate(text: str) -> str:
    """Remove what re-posters add or drop: leading 【…】 tags, 来源/责任编辑/记者/审核/校对 lines,
    a site's copyright and licence footer lines, datelines and byline leads (本报讯（记者 …）, …电（记者 …）), framing (据新华社报道，), picture
    captions, and related-reading blocks naming other stories.

    Expects NFKC-normalised, simplified, case-folded text without pinyin glosses and emoji (as
    :func:`comparison_key` prepares it).
    """
    text = _FOOTER_LINE.sub("", _BYLINE_LINE.sub("", _unrepeated(_unjammed(text))))
    text = _EPAPER_PAGE.sub("", _INFO_LINE.sub("", text))
    text = _CAPTION.sub("", _without_related(text)).lstrip()
    text = _reposted_text(text)
    text = _PAGE_REF.sub("", text)
    if len(_HAN.findall(text, 0, 4000)) >= 30:
        text = _LATIN_PASSAGE.sub(" ", text)
    for _ in range(3):  # a tag, then a dateline, then maybe another tag
        before = text
        text = _FRAMING.sub("", _LEAD_TAGS.sub("", text))
        m = _DATELINE.match(text)
        if m and m.end() > 0 and m.group(0).strip():
            text = text[m.end() :]
        if text == before:
            break
    return _INLINE_BYLINE.sub("", text)


# Hong Kong and Taiwan papers re-word mainland terms in the agency text they quote: 中共 for 党
# (中共中央 for 党中央, 中共二十大 for 党的二十大, 中共党组 for 党组, 中国共产党 for 党), 大陆 before
# mainland bodies, their own transliterations of foreign names (川普 for 特朗普, 普丁 for 普京) and
# words (成长 for 增长, 因应 for 应对, 水准 for 水平, 积体电路 for 集成电路, 支援 for 支持, 中国 for 我国). Both sides of a comparison are keyed alike, so
# one form for each pair is enough. (OpenCC's tw2sp phrase table is not used: it reads mainland
# text in traditional characters as Taiwan's, 執行 → 运行, 指標 → 指针, and damages Hong Kong re-posts.)
_USAGE_FORMS = {
    "中国共产党": "党", "中共党": "党", "中共": "党", "党的": "党", "大陆": "",
    "川普": "特朗普", "普丁": "普京", "马克宏": "马克龙", "泽伦斯基": "泽连斯基", "纳坦雅胡": "内塔尼亚胡",
    "萧兹": "朔尔茨", "梅克尔": "默克尔", "庞皮欧": "蓬佩奥",
    "成长": "增长", "因应": "应对", "水准": "水平", "力道": "力度", "东协": "东盟", "北韩": "朝鲜",
    "南韩": "韩国", "沙乌地阿拉伯": "沙特阿拉伯", "沙乌地": "沙特", "澳洲": "澳大利亚",
    "积体电路": "集成电路", "支援": "支持", "我国": "中国", "党中央总书记": "党总书记", "中共中央总书记": "党总书记",
    "同志们": "人员",  # overseas papers avoid the word: 从事退役军人工作的人员 for …的同志们
    # headlines shorten the two offices (中办、国办印发《…》); only as a pair: 中办发, 集中办理 stay
    **dict.fromkeys(("中办、国办", "中办,国办", "中办 国办", "中办国办"), "党中央办公厅、国务院办公厅"),
}
_USAGE = re.compile("|".join(sorted(_USAGE_FORMS, key=len, reverse=True)))

# Numbers written other ways: (2024-2030年) and （2024—2030年）, 2024至2030年; 二○二六 (a circle for
# 〇), 二〇二六年, 十二月三十一日, 八日上午. One form each, so that neither the shingles nor the
# look-alike guard read another number where there is only another way of writing it.
_RANGE = re.compile(r"(?<=\d)(?:年)?[ \t]*(?:[\-\u2010-\u2015~\u301c\uff5e]+|至|到)[ \t]*(?=\d)")
_CN_DIGIT = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"零": "0"}
# digit by digit (二〇二六年, 二○二六 with a circle, 一〇五周年): a run of numerals that writes a zero
# as 〇 (or a look-alike of it), or four of them before 年
_CN_DIGITS = re.compile("[一二三四五六七八九〇零][一二三四五六七八九〇零○◯o0]*[一二三四五六七八九〇零]")
_ZERO_LIKE = str.maketrans("○◯o0", "〇〇〇〇")
_PAREN_DAY = re.compile(r"\((\d{1,2})\)(?=日)")  # 今（8）日: the day in brackets
_CN_DAY_NUM = "一二三四五六七八九十"
# 十二月三十一日; 党的二十大 / 中共20大, 二十届四中全会 / 20届4中全会 (a congress, a term, a plenum); a
# day alone (八日全天, 三十一日上午) only where a dateline's day stands, not 一日三餐 or 七日年化
# a count of a document's or a plan's parts (分为五个部分 / 分为5个部分, 三项任务 / 3项任务): agency copy
# writes it in digits where the broadcast text has numerals; 一 stays (一个, 一项 are words, not counts);
# and years counted (成立四十周年 / 40周年, 四十年来 / 40年来: 澳门日报 writes numerals where Xinhua has digits),
# cases counted (通报五起典型案件 / 5起: the broadcast says the numeral, the wire writes the digit)
_COUNTED = "个部分|个方面|个领域|个阶段|项|条|方面|部分|周年|年来|起(?=[^来草步点源飞诉始身航码])"
_CN_SMALL = re.compile(
    f"(?<![{_CN_DAY_NUM}〇零百千万])([{_CN_DAY_NUM}]{{1,3}})"
    f"(?:月([{_CN_DAY_NUM}]{{1,3}})日|(?=届|大|中全会)|(?={_COUNTED})|日(?=[上下中]午|全天|晚|早|凌晨|电|讯|在|召开|举行|出席|会见|发表|宣布|,|、))"
)


def _cn_small(s: str) -> int | None:
    """一 … 三十一 as a number (None for anything else: 十十, 一二)."""
    tens, _, ones = s.rpartition("十") if "十" in s else ("", "", s)
    if "十" in s:
        t = 1 if tens == "" else "一二三四五六七八九".find(tens) + 1 if len(tens) == 1 else 0
        o = 0 if ones == "" else "一二三四五六七八九".find(ones) + 1 if len(ones) == 1 else -1
        return t * 10 + o if t > 0 and o >= 0 else None
    return "一二三四五六七八九".find(s) + 1 if len(s) == 1 else None


def _digits(m: re.Match[str]) -> str:
    run = m.group(0).translate(_ZERO_LIKE)
    year = len(run) == 4 and m.string.startswith("年", m.end())
    return "".join(_CN_DIGIT[c] for c in run) if "〇" in run or year else run


def _small(m: re.Match[str]) -> str:
    n, whole, before = _cn_small(m.group(1)), m.group(0), m.string[m.start() - 1 : m.start()]
    if not n:
        return whole
    if m.group(2) is not None:  # a month and its day
        day = _cn_small(m.group(2))
        return f"{n}月{day}日" if before != "第" and n <= 12 and day and day <= 31 else whole
    if whole.endswith("日"):  # a day alone
        return f"{n}日" if n <= 31 and before not in ("第", "周", "期", "月") else whole
    if n == 1 and not re.match("届|大|中全会", m.string[m.end() : m.end() + 3]):
        return whole  # 一个部分, 一项: a word more than a count
    return str(n)  # a congress, a term, a plenum, a count of parts


# 下午3时36分 / 15时36分 (a Hong Kong paper's clock, the agency's): one hour, on the 24-hour clock
_PM_HOUR = re.compile(r"(?:下午|晚上|晚间)(\d{1,2})(?=时|点)")


def _pm_hour(m: re.Match[str]) -> str:
    hour = int(m.group(1))
    return str(hour + 12) if 1 <= hour <= 11 else m.group(1) if hour <= 23 else m.group(0)


def _numbers(text: str) -> str:
    """Numbers in one form: ranges with one dash, 〇 for its look-alikes, years, dates, congresses
    and terms in digits, afternoon hours on the 24-hour clock (see the patterns above)."""
    text = _RANGE.sub("—", text)
    text = _CN_DIGITS.sub(_digits, text)
    text = _CN_SMALL.sub(_small, _PAREN_DAY.sub(r"\1", text))
    return _PM_HOUR.sub(_pm_hour, text) if "下午" in text or "晚" in text else text


def _reposted_text(text: str) -> str:
    """The text from the last agency dateline or attribution in its opening on.

    What comes before it is the re-poster's: a repeated headline and subtitles, an e-paper's list
    of the page's other headlines, a caption, the site's own dateline (中评社北京…电/), or a paper's
    own lead paragraph before 据新华社报道，, an aggregator's chrome before its reprint notice. The dateline's place and day are the byline's, so the
    look-alike guard must not read them as the story's either.

    A second agency dateline after a story's worth of text under the first one starts another
    story the page appends (the 唁电, then 新华社纽约…电 on the death it answers): the text under
    the first one, up to the second, is the re-posted one. A second dateline opening with the first
    one's words is the story itself after its teaser (中国日报网: the lead, headline, 原标题, then all).
    """
    last = None
    found = [(m, pattern is _DATELINE_ANY) for pattern in (_DATELINE_ANY, _ATTRIBUTION, _REPRINT)
             for m in pattern.finditer(text, 0, OPENING_CUT + 80) if m.start() < OPENING_CUT]
    # a reprint notice starts the story only before it (a site's disclaimer under a short text ends it),
    # and nothing starts at a closing dateline (…2026年4月30日\n（新华社北京4月30日电）under a short text)
    found = [(m, d) for m, d in found if (m.re is not _REPRINT
             or len(_HAN.findall(text, m.end())) > len(_HAN.findall(text, 0, m.start())))
             and len(_HAN.findall(text, m.end(), m.end() + CLOSING_TAIL * 4)) >= CLOSING_TAIL]
    end = len(text)
    for m, dateline in sorted(found, key=lambda f: f[0].start()):
        if last is not None and dateline and last[1] and (
                len(_HAN.findall(text, last[0].end(), m.start())) >= APPENDED_AFTER) and not _same_words(
                text, last[0].end(), m.end()):
            end = m.start()  # the appended story is not the re-posted one's either
            break
        if last is None or m.end() > last[0].end():
            last = (m, dateline)
    return text[last[0].end():end] if last is not None else text


TEASER_CHARS = 20  # characters two datelines' texts share when one is the teaser of the other


def _same_words(text: str, a: int, b: int) -> bool:
    """Whether the texts from *a* and from *b* open with the same TEASER_CHARS characters."""
    return text[a : a + TEASER_CHARS + 8].strip()[:TEASER_CHARS] == text[b : b + TEASER_CHARS + 8].strip()[:TEASER_CHARS]


# One character for matching where OpenCC's t2s leaves two: 接著/接着, and variant forms it does not
# fold (陜西 for 陝西/陕西, seen on traditional-script re-posts).
_VARIANT_FORMS = (("著", "着"), ("陜", "陕"))


# a list item's number at the start of its paragraph (1. / 2、/ (3)): the wire numbers the cases it
# lists where the broadcast says 分别是 and reads them out; typography, not words of the story
_ENUMERATOR = re.compile(r"^[ \t\u3000]*(?:\d{1,2}[.、]|\(\d{1,2}\))[ \t\u3000]*(?=\D)", re.MULTILINE)


def comparison_key(text: str) -> str:
    """The text reduced to what identifies a story: NFKC, simplified, case-folded, no punctuation.

    Used only to compare items, never displayed.
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    text = _ENUMERATOR.sub("", to_simplified(text).casefold())
    for form, one in _VARIANT_FORMS:  # str.replace: a translate table costs 100× as much here
        text = text.replace(form, one)
    # a spam copy's pinyin glosses go before numbers are read: 二(er)十大 is 二十大
    text = strip_boilerplate(_numbers(_PINYIN.sub("", _SYMBOLS.sub("", text))))
    text = _USAGE.sub(lambda m: _USAGE_FORMS[m.group(0)], text)
    return _STRIP.sub("", _DIGIT_GAP.sub(NUMBER_GAP, text))


def shingles(key: str, k: int = SHINGLE) -> set[str]:
    """Character k-grams of a key (the whole key when shorter than k)."""
    key = key[:MAX_KEY_CHARS]
    if len(key) <= k:
        return {key} if key else set()
    return {key[i : i + k] for i in range(len(key) - k + 1)}


_DIGEST = 4 * BANDS  # bytes: one 512-bit BLAKE2b digest per shingle
_BIG_ENDIAN = sys.byteorder == "big"
_blake = hashlib.blake2b


def minhash(shingle_set: Iterable[str]) -> list[int]:
    """``BANDS + EXTRA_BANDS`` 32-bit MinHash values: one 512-bit BLAKE2b digest per shingle gives all.

    Value j is the little-endian 32-bit word at byte 4j of the digests; extra value j the word at
    byte 2 + 4j. An extra word's order is set by its high half, the low half of value j + 1, which
    no value's minimum depends on (a value's order is set by its own high half): more hash
    functions at no hashing cost (measured: pairs agree on them as often as on the 16, at J).

    Two texts share each value with probability J, their Jaccard resemblance, so one-row bands
    miss a pair with probability (1 − J)^bands. A trimmed re-post keeping 40 % shares J = 0.4
    (16 bands: 0.03 %); a re-worded copy inside its paper's own lead and analysis, or a story of
    one sentence inside the agency's longer version, shares J = 0.15–0.2, which 16 bands missed
    2.8–7.4 % of the time and 24 bands miss 0.5–2 % (31 would miss 0.1–0.6 %, but each band is
    an index row written and read per item: 8 extra bands joined every real re-post 15 did, and
    kept ingest at main's speed, measured in paired runs).
    """
    blob = b"".join([_blake(s.encode("utf-8"), digest_size=_DIGEST).digest() for s in shingle_set])
    if not blob:
        return []
    words, shifted = array("I"), array("I")  # the columns are read in C, a stride apart
    words.frombytes(blob)
    shifted.frombytes(blob[2:] + b"\0\0")
    if _BIG_ENDIAN:  # stored signatures are little-endian words whatever the machine
        words.byteswap()
        shifted.byteswap()
    return [min(words[j::BANDS]) for j in range(BANDS)] + [min(shifted[j::BANDS]) for j in range(EXTRA_BANDS)]


def key_digest(key: str) -> str:
    """A stable digest of a whole key, for exact-duplicate lookups."""
    return hashlib.blake2b(key.encode("utf-8"), digest_size=16).hexdigest()


# --- look-alike guard tokens --------------------------------------------------------------------
_COUNTRIES = (
    "阿富汗 阿尔巴尼亚 阿尔及利亚 安道尔 安哥拉 安提瓜和巴布达 阿根廷 亚美尼亚 澳大利亚 奥地利 阿塞拜疆 巴哈马 巴林 "
    "孟加拉国 巴巴多斯 白俄罗斯 比利时 伯利兹 贝宁 不丹 玻利维亚 波黑 博茨瓦纳 巴西 文莱 保加利亚 布基纳法索 布隆迪 "
    "柬埔寨 喀麦隆 加拿大 佛得角 中非 乍得 智利 哥伦比亚 科摩罗 刚果 哥斯达黎加 科特迪瓦 克罗地亚 古巴 塞浦路斯 捷克 "
    "丹麦 吉布提 多米尼克 多米尼加 厄瓜多尔 埃及 萨尔瓦多 赤道几内亚 厄立特里亚 爱沙尼亚 埃塞俄比亚 斐济 芬兰 法国 "
    "加蓬 冈比亚 格鲁吉亚 德国 加纳 希腊 格林纳达 危地马拉 几内亚比绍 几内亚 圭亚那 海地 洪都拉斯 匈牙利 冰岛 印度尼西亚 "
    "印尼 印度 伊朗 伊拉克 爱尔兰 以色列 意大利 牙买加 日本 约旦 哈萨克斯坦 肯尼亚 基里巴斯 朝鲜 韩国 科威特 "
    "吉尔吉斯斯坦 老挝 拉脱维亚 黎巴嫩 莱索托 利比里亚 利比亚 列支敦士登 立陶宛 卢森堡 马达加斯加 马拉维 马来西亚 马尔代夫 "
    "马里 马耳他 马绍尔群岛 毛里塔尼亚 毛里求斯 墨西哥 密克罗尼西亚 摩尔多瓦 摩纳哥 蒙古国 蒙古 黑山 摩洛哥 莫桑比克 缅甸 "
    "纳米比亚 瑙鲁 尼泊尔 荷兰 新西兰 尼加拉瓜 尼日尔 尼日利亚 北马其顿 挪威 阿曼 巴基斯坦 帕劳 巴勒斯坦 巴拿马 "
    "巴布亚新几内亚 巴拉圭 秘鲁 菲律宾 波兰 葡萄牙 卡塔尔 罗马尼亚 俄罗斯 卢旺达 圣基茨和尼维斯 圣卢西亚 "
    "圣文森特和格林纳丁斯 萨摩亚 圣马力诺 圣多美和普林西比 沙特阿拉伯 沙特 塞内加尔 塞尔维亚 塞舌尔 塞拉利昂 新加坡 "
    "斯洛伐克 斯洛文尼亚 所罗门群岛 索马里 南非 南苏丹 西班牙 斯里兰卡 苏丹 苏里南 瑞典 瑞士 叙利亚 塔吉克斯坦 坦桑尼亚 "
    "泰国 东帝汶 多哥 汤加 特立尼达和多巴哥 突尼斯 土耳其 土库曼斯坦 图瓦卢 乌干达 乌克兰 阿联酋 英国 美国 乌拉圭 "
    "乌兹别克斯坦 瓦努阿图 委内瑞拉 越南 也门 赞比亚 津巴布韦 欧盟 东盟 非盟 联合国 上合组织 金砖国家 "
    "香港 澳门 台湾"
)
_PROVINCES = (
    "北京 天津 河北 山西 内蒙古 辽宁 吉林 黑龙江 上海 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 广东 广西 海南 重庆 "
    "四川 贵州 云南 西藏 陕西 甘肃 青海 宁夏 新疆 雄安 深圳 大连 青岛 宁波 厦门 沈阳 长春 南京 杭州 济南 武汉 广州 成都 "
    "西安 郑州 长沙 合肥 福州 南昌 昆明 贵阳 南宁 兰州 西宁 银川 乌鲁木齐 拉萨 呼和浩特 石家庄 太原 海口 "
    "哈尔滨 齐齐哈尔 牡丹江 佳木斯 大庆 鸡西 双鸭山 伊春 七台河 鹤岗 黑河 绥化 大兴安岭 "
    "五常 尚志 阿城 呼兰 双城 宾县 依兰 方正 巴彦 木兰 通河 延寿 讷河 龙江县 依安 泰来 甘南 富裕 克山 克东 拜泉 "
    "绥芬河 海林 宁安 穆棱 东宁 林口 同江 富锦 抚远 桦南 桦川 汤原 肇州 肇源 林甸 杜尔伯特 虎林 密山 鸡东 集贤 友谊 宝清 "
    "饶河 嘉荫 铁力 勃利 萝北 绥滨 北安 五大连池 嫩江 逊克 孙吴 安达 肇东 海伦 望奎 兰西 青冈 庆安 明水 绥棱 漠河 塔河 呼玛"
)
_PLACES = sorted(set((_COUNTRIES + " " + _PROVINCES).split()), key=len, reverse=True)
PLACES = tuple(_PLACES)  # country, province and city names, longest first (the guard's place tokens)
_CN_NUM = "0-9一二三四五六七八九十百千零〇两"
# an edition of a book in a language (英文版, 多语种版, 外文版): 法文版 and 俄文版 of one 摘编 are two stories
_EDITIONS = ("英 法 俄 日 德 西班牙 阿拉伯 葡萄牙 意大利 韩 朝鲜 蒙古 藏 维吾尔 哈萨克 柯尔克孜 彝 壮 越南 老挝 泰 柬埔寨 "
             "缅甸 印地 乌尔都 土耳其 波斯 斯瓦希里 豪萨 外 中英")
_EDITION = rf"(?:{'|'.join(sorted(_EDITIONS.split(), key=len, reverse=True))})(?:文|语)版|多语种版|少数民族文字版|[\d一二三四五六七八九十]+种(?:文|语)版|中英对照版"
_TOKEN = re.compile(
    rf"(?P<edition>{_EDITION})"
    rf"|(?P<ord>第[{_CN_NUM}]+[次届期批个号轮]|[一二三四五六七八九十]{{1,3}}届|\d{{1,3}}届)"
    r"|(?P<date>(?:\d{4}年)?\d{1,2}月\d{1,2}日|\d{1,2}日|[〇零一二三四五六七八九]{4}年)"
    r"|(?P<num>\d+)"
    rf"|(?P<place>{'|'.join(_PLACES)})"
)
LEAD_CHARS = 160  # the lead of a key: where a story says who, where and when


def guard_tokens(key: str, *, lead: int | None = None) -> dict[str, set[str]]:
    """Numbers, dates, ordinals (第N次), place/country names and a book's language editions in a key, by kind.

    With *lead*, only tokens starting in the first *lead* characters. Two items that disagree on
    these are different stories however much of their wording they share.
    """
    out: dict[str, set[str]] = {"ord": set(), "date": set(), "num": set(), "place": set(), "edition": set()}
    limit = len(key) if lead is None else min(len(key), lead)
    for m in _TOKEN.finditer(key, 0, min(len(key), limit + 16)):
        if m.start() >= limit:
            break
        kind = m.lastgroup or "num"
        # 第十四届 and 十四届 are one ordinal: the 第 is the writer's, not the fact
        out[kind].add(m.group(0).removeprefix("第") if kind == "ord" else m.group(0))
    return out
