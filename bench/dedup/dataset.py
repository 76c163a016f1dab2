"""A labelled dedup set built from the real corpus: re-post variants of real stories + natural look-alikes.

Each story of ../shared/corpus (or $HUIJU_CORPUS) becomes an "original" item from one source and
0–3 re-posts from others, made the way re-posters really change a story: a 【龙江动态】 title tag
and a 来源 line (the portal), trimmed paragraphs (Xinhua keeps 40–80 %), an editor line with
full-width digits (a department), ASCII punctuation, traditional characters (OpenCC s2t), and
combinations. The hard negatives are not invented: they are the corpus' own look-alikes — every
李强/李克强举行仪式欢迎…访华 story, 国内联播快讯 across days, the weekly 常务会议 reports.
"""

from __future__ import annotations

import html
import random
import re
from dataclasses import dataclass
from pathlib import Path

import opencc

from collectors.model import CollectedItem
from settings.model import Column, Config, RoutingRule, Source

__all__ = ["Story", "LabelledItem", "find_corpus", "load_stories", "build", "SOURCES", "bench_config"]

HARD_KINDS = {
    "visit": re.compile(r"举行仪式欢迎.+访华"),
    "briefs": re.compile(r"^国内联播快讯$"),
    "state-council": re.compile(r"常务会议$"),
    # stories of one or two sentences in one template (划拨3200万元用于支持甘肃、广西…), every year
    "party-dues": re.compile(r"党费中划拨"),
}

SOURCES = (
    Source(id="harbin", name="哈尔滨市人民政府", kind="city", type="html", url="https://www.harbin.gov.cn/",
           column="city-news", rank=10),
    Source(id="fgw", name="黑龙江省发展和改革委员会", kind="department", type="html",
           url="https://drc.hlj.gov.cn/", column="department-news", rank=10),
    Source(id="portal", name="黑龙江省人民政府", kind="portal", type="html", url="https://www.hlj.gov.cn/",
           column="longjiang-news", rank=30),
    Source(id="xinhua", name="新华网", kind="partner", type="html", url="https://www.news.cn/",
           column="gov-affairs", rank=40),
)


def bench_config() -> Config:
    """The news columns and both topic columns of the design, the four bench sources, and two
    keyword topic rules (so routing segments every item with jieba, as a real catalog does)."""
    cols = {
        "longjiang-news": Column("longjiang-news", "龙江动态", "news", 14),
        "gov-affairs": Column("gov-affairs", "政务动态", "news", 14),
        "department-news": Column("department-news", "厅局动态", "news", 14),
        "city-news": Column("city-news", "地市动态", "news", 14),
        "topic-old-industrial-base": Column("topic-old-industrial-base", "老工业基地建设", "topic"),
        "topic-e-government": Column("topic-e-government", "电子政务建设", "topic"),
    }
    rules = (
        RoutingRule(column="topic-old-industrial-base", action="topic",
                    body_any=("老工业基地", "东北振兴", "装备制造"), min_hits=2),
        RoutingRule(column="topic-e-government", action="topic",
                    body_any=("电子政务", "数字政府", "一网通办", "政务服务"), min_hits=2),
    )
    return Config(path="bench", columns=cols, sources=SOURCES, rules=rules)


@dataclass
class Story:
    day: str  # YYYYMMDD
    title: str
    paragraphs: list[str]  # plain text paragraphs
    kind: str | None  # hard-negative kind, if any


@dataclass
class LabelledItem:
    label: int  # story number: items with one label are one story
    kind: str | None
    variant: str  # "original" or the transforms applied
    source: Source
    item: CollectedItem


def find_corpus() -> Path:
    """The corpus: $HUIJU_CORPUS, $HUIJU_SHARED/corpus or ../shared/corpus (as the tests look)."""
    from sample_province.corpus import find_corpus as find

    c = find()
    if c is None:
        raise SystemExit("corpus not found: set HUIJU_CORPUS (or HUIJU_SHARED) or place ../shared/corpus "
                         "next to the repo")
    return c


# <p> and <p style="…"> alike (a story whose every paragraph is styled was lost: 278 stories, 2026-12-07)
_P = re.compile(r"<p\b[^>]*>(.*?)</p>", re.S)
_TAG = re.compile(r"<[^>]+>")


def load_stories(corpus: Path) -> list[Story]:
    """Every story of the corpus with a non-empty body, in day order."""
    out: list[Story] = []
    for f in sorted((corpus / "xinwen-lianbo").glob("*.md")):
        text = f.read_text(encoding="utf-8")
        pos = text.find("## 详细新闻")
        if pos < 0:
            continue
        for chunk in text[pos:].split("\n### ")[1:]:
            title, _, body = chunk.partition("\n")
            title = title.strip()
            paras = [html.unescape(_TAG.sub("", p)).strip() for p in _P.findall(body)]
            paras = [p for p in paras if p]
            if not title or not paras or sum(map(len, paras)) < 60:
                continue
            kind = next((k for k, rx in HARD_KINDS.items() if rx.search(title)), None)
            out.append(Story(f.stem, title, paras, kind))
    return out


# --- re-post transforms ---------------------------------------------------------------------------
_s2t: opencc.OpenCC | None = None
_FW_PUNCT = str.maketrans({"，": ",", "：": ":", "；": ";", "？": "?", "！": "!", "（": "(", "）": ")", "“": '"', "”": '"'})
_FW_DIGITS = str.maketrans({str(d): chr(0xFF10 + d) for d in range(10)})


def _traditional(s: str) -> str:
    global _s2t
    if _s2t is None:
        _s2t = opencc.OpenCC("s2t")
    return _s2t.convert(s)


def _trim(paras: list[str], rng: random.Random) -> list[str]:
    """Keep 40–80 % of the text: the lead paragraph and an ordered subset of the rest."""
    target = rng.uniform(0.4, 0.8)
    total = sum(map(len, paras))
    if len(paras) < 3:  # too few paragraphs: trim sentences instead
        sentences = [s for s in re.split(r"(?<=[。！？])", "".join(paras)) if s]
        if len(sentences) < 2:
            return paras
        paras = sentences
    keep = [paras[0]]
    rest = list(range(1, len(paras)))
    rng.shuffle(rest)
    chosen: set[int] = set()
    size = len(paras[0])
    for i in rest:
        if size >= target * total:
            break
        chosen.add(i)
        size += len(paras[i])
    keep += [paras[i] for i in sorted(chosen)]
    return keep


VARIANTS = {
    # name: (source, transforms)
    "portal-tag": ("portal", ("tag", "source_line")),
    "xinhua-trim": ("xinhua", ("trim", "ascii")),
    "dept-editor": ("fgw", ("editor", "fullwidth")),
    "portal-trad": ("portal", ("tag", "traditional")),
    "xinhua-trim-trad": ("xinhua", ("trim", "traditional", "source_line")),
    "dept-all": ("fgw", ("tag", "trim", "fullwidth", "ascii", "editor")),
    # the edit classes real re-posters make (issue 10), one variant each
    "byline-lead": ("portal", ("byline_lead", "drop_closing")),  # 本报讯（记者 … 通讯员 …）, closing paragraph gone
    "agency-lead": ("xinhua", ("agency_lead", "drop_closing")),  # 新华社哈尔滨3月5日电（记者 …）
    "drop-closing": ("fgw", ("drop_closing",)),
    "add-closing": ("portal", ("add_closing",)),
    "editor-lines": ("fgw", ("editor_lines",)),  # 编辑：… 审核：… 校对：…
    "excerpt": ("portal", ("excerpt",)),  # 导读: the opening and a sentence, a link to the original
    "related": ("xinhua", ("related",)),  # 相关阅读 naming other stories
    "framing": ("portal", ("framing",)),  # a framing sentence before the same body
    "headline": ("fgw", ("headline",)),  # the headline rewritten
    "merge-split": ("xinhua", ("merge_split",)),  # paragraphs merged or split
    "images": ("portal", ("images",)),  # pictures and captions added
    # found on the real set (2026-12-07): Hong Kong/Taiwan papers, e-paper pages
    "own-lead": ("portal", ("own_lead", "usage", "traditional", "drop_closing")),  # own lead, then 据新华社报道，
    "epaper": ("xinhua", ("epaper",)),  # the page's headline list and issue line before the dateline
    # found on the real set (2026-12-07, i10j-recall)
    "own-analysis": ("portal", ("own_analysis", "usage", "traditional")),  # own lead, a quarter to a half kept, own analysis
    "lead-as-title": ("xinhua", ("lead_as_title",)),  # the dateline and lead paragraph as headline, repeated, more text
    "hk-day": ("portal", ("hk_day", "traditional")),  # own paragraph, 新华社报道, the opening with 昨 for the day, cut
    # found on the real set (2026-12-07d)
    "bare-day": ("xinhua", ("bare_day", "add_closing")),  # 28日 for the lead's 3月28日, a closing added
    "recent-day": ("portal", ("recent_day",)),  # 近日印发 → 印发了: the re-poster's own 近日 dropped
    "count-update": ("fgw", ("count_update",)),  # another edition's running count (截至…N人死亡)
    "appended": ("xinhua", ("agency_lead", "appended")),  # another story appended under its own dateline
    "reprint": ("portal", ("reprint",)),  # an aggregator's chrome and reprint notice before the story
}
_LEAD_DATE = re.compile(r"(?<!\d)(\d{1,2})月(\d{1,2})日")
_RECENT = re.compile(r"(?:近日|日前)，?([\u4e00-\u9fff]{2})")
_COUNT = re.compile(r"(截至[^，。]{0,12}，?[^。]{0,30}?)(\d+)(人(?:死亡|遇难|受伤|失踪))")


def _han(paras: list[str]) -> int:
    return sum(len(re.findall(r"[\u4e00-\u9fff]", p)) for p in paras)


# Variants that only exist for some stories (a lead with a month and day, a 近日, a running count,
# a story short enough that an appended one starts in the opening): not made for the others.
APPLIES = {
    "bare-day": lambda st: bool(_LEAD_DATE.search(st.paragraphs[0])),
    "recent-day": lambda st: bool(_RECENT.search(st.paragraphs[0])),
    "count-update": lambda st: bool(_COUNT.search(st.paragraphs[0])),
    "appended": lambda st: 150 <= _han(st.paragraphs) <= 450,
}
# Hard negatives made from plain stories: a later notice that opens with an earlier story's own words,
# says its own day and quotes the earlier story whole (钱正英同志遗体…火化 after …逝世). Its look-alike is
# the plain story it quotes, so its false merges are counted with either kind (see quality.py); so
# are a reaction story's (OPEN_NEGATIVES, below).
PAIRED_KINDS = ("follow-up", "reaction")
_CHROME = ("首页", "最好看的新闻，最实用的信息", "{m}月{d}日 -2.5°C-6.1°C", "美元 : 人民币=7.12", "app下载", "登录 注册")

# Classes the matcher is known to miss (issue 10, docs/benchmarks.md "Summary pages (i10k-summary)"): built
# only with --open-classes, so the default run's figures stay comparable. Each re-post variant comes with
# the hard negative built the same way: a summary quoting two consecutive sentences of the story amid its
# own words is a re-post; a reaction story quoting the same two sentences amid readers' words is another story.
OPEN_VARIANTS = {
    "summary-quote": "portal",  # (source) own lead with its own figures, 据新华社报道, two sentences, own words
}
OPEN_NEGATIVES = ("reaction",)  # 反响: another story quoting the same two sentences
_NAMES = ("王丽", "李强", "张伟", "刘洋", "陈静", "赵磊", "孙浩然", "周敏")
_PLACES = ("哈尔滨", "齐齐哈尔", "牡丹江", "佳木斯", "大庆", "绥化", "北京")
_CLOSINGS = (
    "（本文转自央视网，如涉及版权问题请与我们联系。）",
    "下一步，我们将持续关注相关进展，及时发布权威信息。",
    "欢迎关注本网微信公众号，获取更多政务资讯。",
)
_FRAMINGS = (
    "据央视新闻报道，",
    "近日，记者从有关部门获悉：",
    "编者按：为让广大群众及时了解权威信息，现将有关报道转载如下。",
)

# a paper's own analysis after the quoted text (own-analysis), an agency's added instructions (lead-as-title)
_ANALYSIS = ("分析人士认为，相关政策的效果仍有待观察", "有学者指出，地方财政压力依然不小", "业界普遍期待配套细则尽快出台",
             "也有评论认为，落实的关键在于基层执行", "外界关注后续资金能否及时到位", "有专家提醒，须防范一哄而上和重复建设",
             "市场人士表示，短期内影响有限", "舆论关注相关部门如何兼顾效率与公平", "不少民众在网上留言表达期待",
             "观察人士指出，这一表态释放出明确信号")
_INSTRUCTIONS = ("各地要认真贯彻落实指示精神，千方百计做好相关工作", "各级领导干部要坚决克服麻痹大意思想，加强值班值守",
                 "基层党组织和党员干部要冲锋在前、守好阵地", "要及时拨付给基层，主要用于慰问奋战在一线的党员干部和群众",
                 "相关地方要根据实际落实配套资金，及时划拨给基层", "要加强监督检查，确保专款专用、发挥实效")

# a paper's own words around what it quotes: its own figures and comment, none of them the story's
_OWN_WORDS = (
    "报道称，相关领域今年投入已超过{n}亿元，为近{m}年来最高。",
    "分析人士指出，这番表态释放出明确信号，外界关注后续{m}项配套措施何时出台。",
    "这是今年以来第{m}次就相关议题公开表态，出席者约{n}人。",
    "评论认为，此举有望在{m}年内带动约{n}万人就业，但落实仍有待观察。",
    "报道还列举了一年来的{m}件大事，包括多项工程提前完工、{n}个项目集中开工等。",
    "有学者受访时表示，相关说法与{m}月间的官方表述一脉相承，语气则更为积极。",
)
_REACTIONS = (
    "{name}表示，读了报道深感振奋，将把这份嘱托转化为干事创业的实际行动。",
    "{name}说，作为一名基层工作者，要在岗位上多下功夫，把各项任务落到实处。",
    "{name}表示，将带领团队继续攻坚克难，早日拿出过硬成果，不辜负期望。",
    "{name}说，这些话说到了大家心坎上，单位已组织{m}场学习交流，反响热烈。",
)


QUOTE_SHARE_MAX = 0.4  # of the story's text: more, and the "summary" is a copy of a short story


def _quoted_pair(paras: list[str], rng: random.Random) -> str:
    """Two consecutive sentences of the story, word for word (the labelling rule's re-post), from
    after its lead and at most QUOTE_SHARE_MAX of its text; "" when the story has no such pair (a
    page quoting most of a short story is a copy of it, or a follow-up quoting it whole)."""
    sentences = [x for x in re.split(r"(?<=[。！？])", "".join(paras[1:] or paras)) if len(x) >= 12]
    total = sum(map(len, paras))
    pairs = [a + b for a, b in zip(sentences, sentences[1:], strict=False) if len(a + b) <= QUOTE_SHARE_MAX * total]
    return rng.choice(pairs) if pairs else ""


def _own_words(rng: random.Random, k: int) -> list[str]:
    return [t.format(n=rng.randint(12, 980), m=rng.randint(2, 9)) for t in rng.sample(_OWN_WORDS, k)]


def _summary_quote(story: Story, day: str, rng: random.Random) -> tuple[str, list[str]] | None:
    """A paper's report in its own words quoting two consecutive sentences of the story (NOWnews, 三立)."""
    pair = _quoted_pair(story.paragraphs, rng)
    if not pair:
        return None
    head = re.sub(r"^【[^】]*】", "", story.title)
    own = f"{head[:24]}，今（{int(day[6:])}）日{rng.choice(['备受外界关注', '引发各方关注'])}，报道特别提到{rng.randint(3, 9)}项新举措。"
    words = _own_words(rng, 4)
    return f"{head[:16]} 报道提到{rng.randint(3, 9)}件大事", [own, rng.choice(_ATTRIBUTIONS) + pair, *words]


def _reaction(story: Story, rng: random.Random) -> tuple[str, list[str]] | None:
    """Another story: readers' reactions (反响) quoting the same kind of two consecutive sentences."""
    pair = _quoted_pair(story.paragraphs, rng)
    if not pair:
        return None
    head = re.sub(r"^【[^】]*】", "", story.title)
    names = rng.sample(_NAMES, 3)
    reactions = [t.format(name=n, m=rng.randint(2, 9)) for t, n in zip(rng.sample(_REACTIONS, 3), names, strict=True)]
    return (f"{head[:16]}在各界引发热烈反响",
            [f"本网讯 连日来，{head[:24]}在干部群众中引发热烈反响。", pair, *reactions])


_ATTRIBUTIONS = ("据新华社报道，", "新华社报导，", "根据《新华社》报道，", "据新华社，", "新华社全文如下：")
# how Hong Kong and Taiwan papers re-word mainland terms in what they quote
_USAGE = (("党中央", "中共中央"), ("党的二十大", "中共二十大"), ("国家主席", "大陆国家主席"), ("国务院", "大陆国务院"),
          ("特朗普", "川普"))


def _headline(title: str, paras: list[str], rng: random.Random) -> str:
    """Another headline for the same story: the series tag gone and the two halves swapped, or the
    lead's first clause (as re-posters write them)."""
    bare = re.sub(r"^【[^】]*】", "", title).strip()
    halves = [h for h in re.split(r"[ 　：:]", bare) if h]
    if len(halves) >= 2 and rng.random() < 0.5:
        return "：".join([halves[-1], *halves[:-1]])
    lead = re.sub(r"^央视网消息（新闻联播）：", "", paras[0]) if paras else bare
    clause = re.split(r"[，。；！？]", lead)[0]
    return clause[:30] if len(clause) >= 8 else bare + "（转载）"


def _apply(story: Story, transforms: tuple[str, ...], origin: Source, rng: random.Random,
           others: list[Story] | None = None) -> tuple[str, list[str]]:
    title, paras = story.title, list(story.paragraphs)
    if paras and paras[0].startswith("央视网消息（新闻联播）：") and rng.random() < 0.5:
        paras[0] = paras[0][len("央视网消息（新闻联播）："):] or paras[0]
    day = story.day
    for t in transforms:
        if t == "tag":
            title = "【龙江动态】" + title
        elif t == "source_line":
            paras = [f"来源：{origin.name}", *paras] if rng.random() < 0.5 else [*paras, f"（来源：{origin.name}）"]
        elif t == "editor":
            paras = [*paras, f"责任编辑：{rng.choice(['王丽', '李强', '张伟', '刘洋'])}"]
        elif t == "trim":
            paras = _trim(paras, rng)
        elif t == "ascii":
            paras = [p.translate(_FW_PUNCT) for p in paras]
            title = title.translate(_FW_PUNCT)
        elif t == "fullwidth":
            paras = [p.translate(_FW_DIGITS) for p in paras]
            title = title.translate(_FW_DIGITS)
        elif t == "traditional":
            paras = [_traditional(p) for p in paras]
            title = _traditional(title)
        elif t in ("byline_lead", "agency_lead"):
            lead = re.sub(r"^央视网消息（新闻联播）：", "", paras[0])
            if t == "byline_lead":
                who = f"本报讯（记者 {rng.choice(_NAMES)} {rng.choice(_NAMES)} 通讯员 {rng.choice(_NAMES)}）"
            else:
                who = f"新华社{rng.choice(_PLACES)}{int(day[4:6])}月{int(day[6:])}日电（记者 {rng.choice(_NAMES)}）"
            paras[0] = who + lead
        elif t == "drop_closing":
            if len(paras) >= 3:
                paras = paras[:-1]
        elif t == "add_closing":
            paras = [*paras, rng.choice(_CLOSINGS)]
        elif t == "editor_lines":
            a, b, c = rng.sample(_NAMES, 3)
            paras = [*paras, f"编辑：{a}　审核：{b}　校对：{c}"] if rng.random() < 0.5 else \
                [*paras, f"编辑：{a}", f"审核：{b}", f"校对：{c}"]
        elif t == "excerpt":
            text = "".join(paras)
            sentences = [x for x in re.split(r"(?<=[。！？])", text) if x]
            size = rng.randint(80, 200)  # a 导读 quotes the opening up to a length, cut wherever it falls
            quoted = ""
            for sentence in sentences:
                quoted += sentence
                if len(quoted) >= size:
                    break
            quoted = quoted[:size]
            title = rng.choice(["【导读】", "", "【摘要】"]) + title
            paras = [quoted + "……", "阅读原文"]
        elif t == "related" and others:
            picks = rng.sample(others, min(3, len(others)))
            paras = [*paras, rng.choice(["相关阅读：", "延伸阅读", "【相关新闻】"]), *(o.title for o in picks)]
        elif t == "framing":
            f = rng.choice(_FRAMINGS)
            paras = [f + paras[0], *paras[1:]] if f.endswith(("，", "：")) and rng.random() < 0.5 else [f, *paras]
        elif t == "headline":
            title = _headline(title, paras, rng)
        elif t == "merge_split":
            if len(paras) >= 2 and rng.random() < 0.5:
                paras = ["".join(paras)]
            else:
                paras = [x for p in paras for x in re.split(r"(?<=[。！？])", p) if x]
        elif t == "own_lead":
            # the paper's own paragraph first (its headline, the day alone, its words), then the agency's text
            lead = re.sub(r"^央视网消息（新闻联播）：", "", paras[0])
            own = f"{re.sub(r'^【[^】]*】', '', story.title)[:40]}，{int(day[6:])}日{rng.choice(['备受外界关注', '引发各方关注', '消息一出即成焦点'])}。"
            paras = [own, rng.choice(_ATTRIBUTIONS) + lead, *paras[1:]]
        elif t == "usage":
            for mainland, theirs in _USAGE:
                paras = [p.replace(mainland, theirs) for p in paras]
        elif t == "epaper":
            others_titles = [o.title for o in rng.sample(others or [], min(2, len(others or [])))]
            heads = [story.title, *others_titles]
            lead = re.sub(r"^央视网消息（新闻联播）：", "", paras[0])
            who = f"新华社北京{int(day[4:6])}月{int(day[6:])}日电（记者 {rng.choice(_NAMES)}）"
            paras = ["".join(heads), "上一版 下一版 上一期 下一期 查看PDF版", "本版其他文章",
                     *(f"· {h}" for h in heads), f"第01版 {day[:4]}-{day[4:6]}-{day[6:]}", story.title,
                     who + lead, *paras[1:]]
        elif t == "own_analysis":
            # HK01: the paper's own lead (no attribution), a quarter to a half of a long story, its analysis
            lead = re.sub(r"^央视网消息（新闻联播）：", "", paras[0])
            body = [lead, *paras[1:]]
            total = sum(map(len, body))
            if total >= 800:
                target, kept, size = rng.uniform(0.3, 0.5) * total, [lead], len(lead)
                for p in body[1:]:
                    if size >= target:
                        break
                    kept.append(p)
                    size += len(p)
                body = kept
            own = f"{re.sub(r'^【[^】]*】', '', story.title)[:30]}，{rng.choice(['备受外界关注', '引发各方关注', '被视为重要风向标'])}。"
            analysis = "，".join(rng.sample(_ANALYSIS, 4)) + "。"
            picks = (others or [])[:2]
            paras = [own, *body, analysis, "延伸阅读", *(o.title for o in picks)]
        elif t == "lead_as_title":
            # the agency's own version: dateline and lead paragraph as the page's headline, repeated as
            # the body's first paragraph, then paragraphs of instructions the story lacks
            lead = re.sub(r"^央视网消息（新闻联播）：", "", paras[0])
            head = f"新华社北京{int(day[4:6])}月{int(day[6:])}日电 {lead}"
            more = ["，".join(rng.sample(_INSTRUCTIONS, 3)) + "。", "，".join(rng.sample(_INSTRUCTIONS, 2)) + "。"]
            title, paras = head, [head, *paras[1:], *more]
        elif t == "hk_day":
            # am730: the paper's own paragraph, 新华社报道, the agency's opening sentences naming the day from
            # the paper's (昨 for 12日), cut after them
            lead = re.sub(r"^央视网消息（新闻联播）：", "", paras[0])
            sentences = [x for x in re.split(r"(?<=[。！？])", "".join([lead, *paras[1:]])) if x]
            quoted = "".join(sentences[:rng.randint(2, 4)])
            quoted = re.sub(r"(?<![\d月])\d{1,2}日(?=上午|下午|晚)", "昨", quoted, count=1)
            quoted = re.sub(rf"{int(day[4:6])}月{int(day[6:])}日(?=上午|下午|晚)", "昨", quoted, count=1)
            own = f"{re.sub(r'^【[^】]*】', '', story.title)[:30]}。{rng.choice(['会议昨日举行', '消息昨晚公布', '外界高度关注'])}。"
            paras = [own, "新华社报道，" + quoted]
        elif t == "bare_day":
            paras[0] = _LEAD_DATE.sub(r"\2日", paras[0], count=1)
        elif t == "recent_day":
            paras[0] = _RECENT.sub(r"\1了", paras[0], count=1)
        elif t == "count_update":
            paras[0] = _COUNT.sub(lambda m: f"{m.group(1)}{int(m.group(2)) + rng.randint(1, 9)}{m.group(3)}", paras[0])
        elif t == "appended" and others:
            o = rng.choice(others)
            when = f"{int(o.day[4:6])}月{int(o.day[6:])}日电"
            paras = [*paras, f"新华社{rng.choice(_PLACES)}{when} " + re.sub(r"^央视网消息（新闻联播）：", "", o.paragraphs[0]),
                     *o.paragraphs[1:]]
        elif t == "reprint":
            site = rng.choice(["北方日报", "香港01", "澎湃新闻"])
            chrome = [c.format(m=rng.randint(1, 12), d=rng.randint(1, 28)) for c in _CHROME]
            paras = [*chrome, title, f"{day[:4]}-{day[4:6]}-{day[6:]} 来源: {site} 原文链接 评论{rng.randint(1, 9)}条",
                     f"本文转载自{site}，仅代表原出处和原作者观点，仅供参考阅读，不代表本网态度和立场。", *paras]
        elif t == "images":
            cap = f"图为{re.sub(r'^【[^】]*】', '', story.title)[:12]}现场。（记者 {rng.choice(_NAMES)} 摄）"
            at = rng.randint(1, max(1, len(paras)))
            paras = [*paras[:at], "<img>", cap, *paras[at:]]
    return title, paras


def _item(source: Source, story: Story, label: int, variant: str, title: str, paras: list[str],
          rng: random.Random) -> CollectedItem:
    day = story.day
    hour = rng.randint(7, 22)
    published = f"{day[:4]}-{day[4:6]}-{day[6:]} {hour:02d}:{rng.randint(0, 59):02d}"
    body = "".join(f'<p><img src="/pic/{label}.jpg" alt=""></p>' if p == "<img>" else
                   f'<p><a href="https://tv.cctv.com/{day}/{label}.shtml">{p}</a></p>' if p == "阅读原文" else
                   f"<p>{html.escape(p)}</p>" for p in paras)
    ident = f"{label}-{variant}"
    url = f"{source.url}art/{day[:6]}/c{label}_{sorted(VARIANTS).index(variant) if variant in VARIANTS else 0}.shtml"
    return CollectedItem(
        source_id=source.id, identity=ident, identity_rule="link", url=url, title=title, html=body,
        published=published, fetched_at=f"{day[:4]}-{day[4:6]}-{day[6:]}T23:00:00+00:00",
    )


def build(stories: list[Story], *, n_stories: int, seed: int = 7, variants_per_story: tuple[int, int] = (0, 4),
          hard_limit: int | None = None, only: list[str] | None = None,
          open_classes: bool = False) -> list[LabelledItem]:
    """Originals + re-posts of *n_stories* sampled stories, plus the hard-negative stories, shuffled.

    *hard_limit* caps the stories taken per hard-negative kind (None: all of them); *only* limits the
    re-post variants to those named (the six of the first bench, say, to compare with its figures).
    *open_classes* adds, to every third plain story, the known-missed variants (OPEN_VARIANTS) and
    their hard negative (a reaction story of its own, kind "reaction"), after the default sampling so
    that it draws the same items as without them.
    """
    rng = random.Random(seed)
    by_source = {s.id: s for s in SOURCES}
    plain = [s for s in stories if s.kind is None]
    chosen = rng.sample(plain, min(n_stories, len(plain)))
    for kind in HARD_KINDS:
        of_kind = [s for s in stories if s.kind == kind]
        if hard_limit is not None and len(of_kind) > hard_limit:
            of_kind = rng.sample(of_kind, hard_limit)
        chosen += of_kind
    items: list[LabelledItem] = []
    for label, story in enumerate(chosen):
        origin = by_source[rng.choice(["harbin", "fgw"])]
        items.append(LabelledItem(label, story.kind, "original", origin,
                                  _item(origin, story, label, "original", story.title, story.paragraphs, rng)))
        n = rng.randint(*variants_per_story)
        names = sorted(v for v in VARIANTS if only is None or v in only)
        for name in rng.sample(names, min(n, len(names))):
            src_id, transforms = VARIANTS[name]
            src = by_source[src_id]
            if src.id == origin.id or (name in APPLIES and not APPLIES[name](story)):
                continue
            title, paras = _apply(story, transforms, origin, rng, others=rng.sample(plain, min(3, len(plain))))
            items.append(LabelledItem(label, story.kind, name, src, _item(src, story, label, name, title, paras, rng)))
    next_label = len(chosen)  # hard-negative stories of their own: reactions, then follow-ups
    if open_classes:
        extra = random.Random(seed + 1000)
        by_label = {li.label: li for li in items if li.variant == "original"}
        for label, story in enumerate(chosen):
            if story.kind is not None or label % 3:
                continue
            origin = by_label[label].source
            for name, src_id in OPEN_VARIANTS.items():
                src = by_source[src_id]
                if src.id != origin.id and (made := _summary_quote(story, story.day, extra)) is not None:
                    items.append(LabelledItem(label, None, name, src, _item(src, story, label, name, *made, extra)))
            if (made := _reaction(story, extra)) is not None:
                src = by_source["fgw" if origin.id != "fgw" else "portal"]
                items.append(LabelledItem(next_label, "reaction", "original", src,
                                          _item(src, story, next_label, "original", *made, extra)))
                next_label += 1
    items += _follow_ups(plain, chosen, next_label, rng, hard_limit)
    rng.shuffle(items)
    return items


def _follow_ups(plain: list[Story], chosen: list[Story], first_label: int, rng: random.Random,
                hard_limit: int | None) -> list[LabelledItem]:
    """The follow-up hard negatives (see PAIRED_KINDS): for short chosen stories whose lead names a
    day and opens with 40 characters before a comma, a notice two days later opening with those
    words, then its own day and news (another story's text, one not in the set, at least twice as
    long), then the earlier story quoted whole."""
    taken = {id(s) for s in chosen}
    spare = [s for s in plain if id(s) not in taken]
    out: list[LabelledItem] = []
    for story in chosen:
        size = _han(story.paragraphs)
        lead = re.sub(r"^央视网消息（新闻联播）：", "", story.paragraphs[0])
        cut = lead.find("，", 40)
        dates = _LEAD_DATE.findall(lead[:160])
        # the earlier story says its own day (因病于…逝世) in its lead, as the real ones do
        if story.kind or not 60 <= size <= 300 or not 40 <= cut <= 90 or not dates:
            continue
        owns = [s for s in rng.sample(spare, min(20, len(spare))) if _han(s.paragraphs) >= 2 * size]
        if not owns:
            continue
        told = set(re.findall(r"(?<!\d)(\d{1,2})日", "".join(story.paragraphs)))
        # its own day, days after the earlier one's, a day the earlier story never names (as 28日 for 钱正英)
        day = next((f"{d}日" for k in range(2, 30) if str(d := (int(dates[0][1]) + k - 1) % 28 + 1) not in told), None)
        if day is None:
            continue
        own = [re.sub(r"^央视网消息（新闻联播）：", "", p) for p in owns[0].paragraphs]
        paras = [lead[:cut] + f"，{day}{rng.choice(['在北京召开后续工作会议', '举行专题会议部署落实'])}。",
                 *own, "此前报道：" + "".join(story.paragraphs)]
        label = first_label + len(out)
        fu = Story(story.day, story.title + "的后续工作会议召开", paras, "follow-up")
        origin = SOURCES[0]
        out.append(LabelledItem(label, "follow-up", "original", origin,
                                _item(origin, fu, label, "original", fu.title, paras, rng)))
        if hard_limit is not None and len(out) >= hard_limit:
            break
    return out
