"""The labelled set for the personal-data checks, made from a seed.

Real 公示/名单 stories from the corpus (新闻联播 transcripts: 公示, 名单, 表彰, 拟任 …) get lines
inserted the way a 公示 list prints people: resident ID numbers (18 and 15 digits), bank card
numbers, mobiles, passport numbers in the usual layouts (labels or a bare table row, separators,
full-width digits), and look-alikes that must not be found: masked numbers, order and invoice
numbers, dates and timestamps, amounts, document numbers, office and hotline numbers,
statistics, organisations' credit codes. Each inserted positive is the truth; everything
else in a document (the real story text included) must yield nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from checks.personal import id_check_digit, luhn_ok
from sample_province.corpus import find_corpus, parse_day

KEYWORDS = ("公示", "名单", "表彰", "拟任", "任前", "获奖", "入选", "评选", "录用", "聘用")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红鹏辉建国立新志强海波"
UNITS = ("哈尔滨工业大学", "东北林业大学", "黑龙江大学", "哈尔滨市道里区人民政府", "大庆油田有限责任公司",
         "齐齐哈尔市第一医院", "牡丹江市教育局", "佳木斯市农业农村局")
REGIONS = ("230102", "230103", "230104", "230108", "230602", "230202", "231002", "230802", "110105", "310104",
           "440106", "510107", "210102", "220102", "370102", "410105")
FULLWIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


@dataclass
class Doc:
    title: str
    paragraphs: list[str]
    truth: list[tuple[str, str]] = field(default_factory=list)  # (kind, text) that must be found
    lookalikes: list[tuple[str, str]] = field(default_factory=list)  # (category, text) that must not

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


def load_stories(corpus: Path, limit: int, rng: random.Random) -> list[tuple[str, list[str]]]:
    """Stories whose title or text speaks of 公示, 名单 and the like (a seeded sample of them)."""
    found = []
    for day in sorted((corpus / "xinwen-lianbo").glob("*.md")):
        for story in parse_day(day.read_text(encoding="utf-8"), day.stem):
            body = "".join(story.paragraphs)
            if any(k in story.title or k in body for k in KEYWORDS):
                found.append((story.title, list(story.paragraphs)))
    rng.shuffle(found)
    return found[:limit]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def id18(rng: random.Random) -> str:
    first = rng.choice(REGIONS) + f"{rng.randint(1940, 2008)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    first += f"{rng.randint(0, 999):03d}"
    return first + id_check_digit(first)


def id15(rng: random.Random) -> str:
    return rng.choice(REGIONS) + f"{rng.randint(40, 98):02d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}" \
        + f"{rng.randint(0, 999):03d}"


CARD_PREFIXES = (("622202", 19), ("621700", 19), ("622848", 19), ("955880", 19), ("622588", 16), ("625965", 16),
                 ("436742", 16), ("601382", 17), ("622700", 19), ("621226", 19), ("512345", 16), ("356833", 16))


def card(rng: random.Random) -> str:
    prefix, n = rng.choice(CARD_PREFIXES)
    body = prefix + "".join(rng.choice("0123456789") for _ in range(n - len(prefix) - 1))
    return next(body + d for d in "0123456789" if luhn_ok(body + d))


MOBILE_PREFIXES = ("134", "135", "136", "137", "138", "139", "147", "150", "151", "152", "157", "158", "159",
                   "166", "177", "178", "180", "181", "182", "183", "186", "187", "188", "189", "191", "198", "199")


def mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + "".join(rng.choice("0123456789") for _ in range(8))


def passport(rng: random.Random) -> str:
    kind = rng.random()
    digits = "".join(rng.choice("0123456789") for _ in range(8))
    if kind < 0.5:
        return "E" + digits
    if kind < 0.7:
        return "E" + rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") + digits[:7]
    if kind < 0.85:
        return "G" + digits
    return "C" + digits


def _formatted(kind: str, value: str, rng: random.Random) -> str:
    r = rng.random()
    if kind == "id" and len(value) == 18 and r < 0.05:
        return f"{value[:6]} {value[6:14]} {value[14:]}"
    if kind == "card" and r < 0.3:
        sep = rng.choice((" ", "-"))
        return sep.join(value[i:i + 4] for i in range(0, len(value), 4))
    if kind == "mobile":
        if r < 0.15:
            return f"{value[:3]}-{value[3:7]}-{value[7:]}"
        if r < 0.25:
            return f"{value[:3]} {value[3:7]} {value[7:]}"
        if r < 0.32:
            return "+86 " + value
        if r < 0.36:
            return "+86-" + value
    if kind in ("id", "mobile", "card") and 0.95 < r:
        return value.translate(FULLWIDTH)
    return value


def positive_line(kind: str, rng: random.Random) -> tuple[str, str]:
    """A line as a 公示 list prints a person, and the number in it as written."""
    name, sex, unit = _name(rng), rng.choice("男女"), rng.choice(UNITS)
    value = {"id": lambda: id18(rng) if rng.random() < 0.85 else id15(rng), "card": lambda: card(rng),
             "mobile": lambda: mobile(rng), "passport": lambda: passport(rng)}[kind]()
    shown = _formatted(kind, value, rng)
    label = {"id": ("身份证号：", "身份证号码", "公民身份号码：", "证件号码：", ""),
             "card": ("银行卡号：", "收款账号：", "卡号", "开户账号 ", ""),
             "mobile": ("联系电话：", "手机：", "手机号码", "电话 ", ""),
             "passport": ("护照号码：", "护照号：", "证件号码：", "往来港澳通行证号码：")}[kind]
    layout = rng.random()
    lab = rng.choice(label)
    if layout < 0.4:
        line = f"{name}，{sex}，{lab}{shown}，{unit}。"
    elif layout < 0.7:
        line = f"{rng.randint(1, 60)} {name} {sex} {shown} {unit}"
    elif layout < 0.85:
        line = f"{name}（{lab}{shown}）"
    else:
        line = f"如有异议，请与{name}联系，{lab}{shown}。"
    return line, shown


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def lookalike_line(rng: random.Random) -> tuple[str, str, str]:
    """(category, line, the number-like text in it) that is no personal data."""
    cat = rng.choice(("masked", "order", "date", "amount", "docno", "phone", "stats", "uscc", "invoice", "labelled"))
    y, m, d = rng.randint(2015, 2026), rng.randint(1, 12), rng.randint(1, 28)
    if cat == "masked":
        v = rng.choice((lambda: (s := id18(rng))[:6] + "********" + s[-4:],
                        lambda: (s := id18(rng))[:10] + "****" + s[-4:],
                        lambda: (s := mobile(rng))[:3] + "****" + s[-4:],
                        lambda: (s := card(rng))[:4] + " **** **** " + s[-4:]))()
        return cat, f"{_name(rng)}，{rng.choice(('身份证号', '联系电话', '银行卡号'))}：{v}", v
    if cat == "order":
        v = f"{y}{m:02d}{d:02d}" + _digits(rng, rng.randint(8, 12))
        return cat, f"{rng.choice(('订单号：', '交易流水号：', '业务编号：', '受理号'))}{v}", v
    if cat == "date":
        v = rng.choice((f"{y}{m:02d}{d:02d}", f"{y}-{m:02d}-{d:02d} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}",
                        f"{y}{m:02d}{d:02d}{rng.randint(0, 23):02d}{rng.randint(0, 59):02d}{rng.randint(0, 59):02d}",
                        f"{y}年{m}月{d}日", str(rng.randint(1_400_000_000_000, 1_800_000_000_000))))
        return cat, f"发布时间：{v}", v
    if cat == "amount":
        v = rng.choice((str(rng.randint(13_000_000_000, 19_999_999_999)), str(rng.randint(10**7, 10**12)),
                        f"{rng.randint(1, 9999):,}.{rng.randint(0, 99):02d}"))
        return cat, rng.choice((f"项目总投资{v}元", f"拨付资金￥{v}", f"共计{v}万元", f"完成产值{v}亿元")), v
    if cat == "docno":
        v = f"{rng.choice(('黑政发', '黑政办规', '哈政发', '齐政办发', '黑人社发'))}〔{y}〕{rng.randint(1, 120)}号"
        return cat, f"根据《关于印发有关工作方案的通知》（{v}）要求", v
    if cat == "phone":
        v = rng.choice((f"0451-8{_digits(rng, 7)}", f"（0451）8{_digits(rng, 7)}", f"0459-6{_digits(rng, 6)}",
                        f"400-{_digits(rng, 3)}-{_digits(rng, 4)}", "12345", "12315", "95588",
                        f"0451-8{_digits(rng, 7)}转{_digits(rng, 4)}", f"0{rng.randint(452, 468)}{_digits(rng, 7)}"))
        return cat, f"{rng.choice(('监督电话：', '咨询电话：', '办公电话 ', '传真：'))}{v}", v
    if cat == "stats":
        v = rng.choice((f"{rng.randint(1, 99999)}.{rng.randint(0, 9)}%", f"{rng.randint(10, 99999):,}人",
                        f"{rng.randint(100, 99999)}.{rng.randint(0, 99)}亿元", f"第{rng.randint(1, 20)}位"))
        return cat, f"全市累计完成{v}，同比增长{rng.randint(1, 20)}.{rng.randint(0, 9)}%", v
    if cat == "uscc":
        v = rng.choice("159") + rng.choice("123") + rng.choice(REGIONS) + rng.choice(("MA", "MA1", "")) \
            + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
        v = v[:18]
        return cat, f"统一社会信用代码：{v}", v
    if cat == "invoice":
        v = f"{y % 100:02d}{rng.choice(REGIONS)[:4]}" + _digits(rng, 14)
        return cat, f"发票号码：{v}", v
    v = _digits(rng, rng.randint(15, 19))
    return cat, f"{rng.choice(('档案编号：', '项目编码：', '合同号：', '序列号：', '备案号：'))}{v}", v


def build(corpus: Path | None = None, *, docs: int = 400, seed: int = 14) -> list[Doc]:
    """*docs* labelled documents from the corpus's 公示-like stories (fewer if the corpus has fewer)."""
    corpus = corpus or find_corpus()
    if corpus is None:
        raise SystemExit("error: the corpus was not found (set $HUIJU_CORPUS or put it at ../shared/corpus)")
    rng = random.Random(seed)
    out = []
    kinds = ("id", "id", "card", "mobile", "mobile", "passport")
    for title, paras in load_stories(corpus, docs, rng):
        doc = Doc(title=title, paragraphs=list(paras))
        for _ in range(rng.randint(0, 6)):
            kind = rng.choice(kinds)
            line, shown = positive_line(kind, rng)
            doc.paragraphs.insert(rng.randint(0, len(doc.paragraphs)), line)
            doc.truth.append((kind, shown))
        for _ in range(rng.randint(2, 8)):
            cat, line, shown = lookalike_line(rng)
            doc.paragraphs.insert(rng.randint(0, len(doc.paragraphs)), line)
            doc.lookalikes.append((cat, shown))
        out.append(doc)
    return out
