"""Near-duplicate detection: fingerprints, the candidate index, verification, the look-alike guard.

One cluster is one story across sources and days. Candidates come from an index (MinHash-LSH,
one row per band, in the indexed SQLite table ``dedup_lsh``) with a bounded list per band, so a
lookup reads at most 25 × PER_BAND index rows (24 bands and the opening) and verifies at most
VERIFY_LIMIT items however long the history grows. Candidates are then verified on the char-5
shingles of their comparison keys: containment (a trimmed re-post is contained in its original)
or Jaccard, and a guard rejects look-alikes (other numbers, dates, ordinals, places in the titles
or the lead) — weekly 常务会议 reports and 欢迎X国总理访华 share most of their words and are
different stories.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date

import sqlite_utils

from normalizers.document import Document
from normalizers.keys import (
    BANDS,
    LEAD_CHARS,
    MAX_KEY_CHARS,
    NUMBER_GAP,
    PLACES,
    comparison_key,
    guard_tokens,
    key_digest,
    minhash,
    shingles,
)

__all__ = [
    "Fingerprint",
    "Match",
    "fingerprint",
    "lsh_keys",
    "find_matches",
    "verify",
    "guard_conflict",
    "lead_substitution",
    "CONTAINMENT_MIN",
    "JACCARD_MIN",
    "LEAD_KEY_CHARS",
    "MIN_BODY_CHARS",
]

CONTAINMENT_MIN = 0.75  # |A∩B| / min(|A|,|B|) over char-5 shingles of the keys
JACCARD_MIN = 0.5  # |A∩B| / |A∪B|
CONTAINED_JACCARD_MIN = 0.3  # a contained copy must still be ≥ ~30 % of the original (unless titles agree)
MIN_BODY_CHARS = 30  # a shorter body key cannot decide a match on its own
TITLE_TRUST_JACCARD = 0.85  # bodies at least this alike match whatever their headlines say
PER_BAND = 64  # bounded posting list read per band (most recent first)
VERIFY_LIMIT = 24  # candidates verified per item, best band agreement first


@dataclass
class Fingerprint:
    """What matching needs to know about one item's title and body."""

    title_key: str
    body_key: str  # at most MAX_KEY_CHARS characters
    shingles: set[str] = field(repr=False)
    signature: list[int] = field(repr=False)
    truncated: bool = False

    @property
    def substantial(self) -> bool:
        """Whether the body is long enough to decide a match by itself."""
        return len(self.body_key) >= MIN_BODY_CHARS

    @property
    def body_digest(self) -> str | None:
        return key_digest(self.body_key) if self.body_key else None

    @property
    def title_digest(self) -> str | None:
        return key_digest(self.title_key) if self.title_key else None


LEAD_TITLE_CHARS = 20  # key characters of a headline that is a sentence: with its 。, a lead
_SENTENCE_END = re.compile("[。！？!?]")
# A quote's closing attribution (——2022年11月21日，习近平…作出重要指示 / ——摘自《求是》): where the
# words come from, said once by an anthology or a 金句 page, not words of the story it quotes.
_ATTRIBUTION = re.compile(r"\n\s*(?:——|--|－－)[^\n。！？]{2,100}[。]?\s*$")


def fingerprint(title: str, text: str) -> Fingerprint:
    """Keys, shingles and MinHash signature of an item (title and body keyed separately).

    A page that shows its lead paragraph as its headline (据新华社北京8月9日电 近日，…。为贯彻落实…。)
    has that paragraph removed from its body as a repeated title; it is the story's text all the
    same (a story of one sentence is nothing else), so the body is keyed with it, and the page has
    no headline to compare (its numbers are the lead's, not a headline's).
    """
    title_key = comparison_key(title or "")
    text = _ATTRIBUTION.sub("", text or "")
    body_key = comparison_key(text)
    if (len(title_key) >= LEAD_TITLE_CHARS and _SENTENCE_END.search(title or "")
            and title_key[:LEAD_TITLE_CHARS] not in body_key[:OPENING_WITHIN]):
        body_key, title_key = comparison_key(f"{title}\n{text}"), ""
    truncated = len(body_key) > MAX_KEY_CHARS
    body_key = body_key[:MAX_KEY_CHARS]
    sh = shingles(body_key) if len(body_key) >= MIN_BODY_CHARS else set()
    return Fingerprint(title_key, body_key, sh, minhash(sh) if sh else [], truncated)


def document_fingerprint(doc: Document) -> Fingerprint:
    """:func:`fingerprint` of a cleaned document. A title the source did not give (the text's first
    line stands in for it: ``title-missing``) is no headline to compare: a page's crumbs or date
    line (首页 -> 社团, 2023年6月18日 星期日) would be read as the story's numbers and names."""
    return fingerprint("" if "title-missing" in doc.flags else doc.title, doc.text)


LEAD_KEY_CHARS = 24  # the opening an excerpt or 导读 quotes: one more index row per item


def lsh_keys(signature: list[int], body_key: str = "") -> list[int]:
    """One index key per band: the band number in the high bits, the 32-bit MinHash below; in
    band BANDS, the digest of the key's opening characters; the EXTRA_BANDS values after it
    (bands BANDS + 1 …), so that the rows of items stored before they were added still read alike.

    A portal excerpt quotes the opening and a sentence (≈ 10 % of the story): the MinHash bands
    find it only 1 − 0.9²⁴ ≈ 92 % of the time; the opening's own row finds it always.
    """
    keys = [(band << 32) | value for band, value in enumerate(signature[:BANDS])]
    if signature and len(body_key) >= LEAD_KEY_CHARS:
        keys.append((BANDS << 32) | int(key_digest(body_key[:LEAD_KEY_CHARS])[:8], 16))
    keys += [((BANDS + 1 + band) << 32) | value for band, value in enumerate(signature[BANDS:])]
    return keys


@dataclass
class Match:
    """A verified near-duplicate: which stored item, and how strongly."""

    item_id: int
    cluster_id: int | None
    source: str
    containment: float
    jaccard: float
    reason: str  # "url" | "title+source" | "text" | "text (weak)" (a long quote or a dateless copy) | "text (loose)"


# --- the guard -------------------------------------------------------------------------------------
_KINDS = ("ord", "date", "num", "place", "edition")
# the reactions to an instruction or a speech (…重要指示引发热烈反响) are another story than it, in its words
_REACTIONS = re.compile(r"反响")
_ADDRESSED = re.compile(r"指示|讲话|贺信|回信|批示|致信|强调")
# an announcement (王沪宁将访问朝鲜) is another story than the visit or meeting it announces
_ANNOUNCES = re.compile(r"将(?:应邀)?(?:访问|出席|对|赴|举行|召开|前往|率团|会见|同)")
# whom a message is sent to (向印度总统…致慰问电, 向英国国王…): two messages of one evening are two stories
_ADDRESSEE = re.compile(rf"向({'|'.join(PLACES)})")
_DIGIT_RUN = re.compile(r"\d+")


def guard_conflict(a_title_key: str, a_body_key: str, b_title_key: str, b_body_key: str, *,
                   titles: bool = True, days: frozenset[str] = frozenset()) -> str | None:
    """Why two items that share wording are different stories, or None if nothing disagrees.

    Titles disagree when they name different editions of a book (英文版/俄文版, whatever the bodies),
    when one says it is the reactions (反响) to the instruction or speech the other reports, when one
    announces (将访问…) what the other reports, when they address a message to different countries
    (向印度…/向英国…), or when both carry tokens of one kind (number, date, 第N次, place, edition) and
    neither set contains the other (a re-post may add "黑龙江" to "哈尔滨", not turn 泰国 into 格林纳达).
    Bodies disagree when the lead of the shorter one names a number, date, ordinal, place or edition
    that the longer one never mentions (a trimmed re-post only drops text, it never adds), unless it
    is one of *days*: the day both came out, which a card says for 近日 (…方案7月28日公布); when one
    lead tells the reactions (…引发热烈反响) and the other text never says 反响 (a re-post keeps what its
    lead is about, and a speech's own report does not add it); or when the longer one's lead names an
    edition the shorter one lacks (a re-post keeps it).
    """
    if a_title_key and b_title_key:  # a book's editions differ whatever the rest: its text is the same
        ea, eb = guard_tokens(a_title_key)["edition"], guard_tokens(b_title_key)["edition"]
        if ea and eb and ea != eb:
            return f"titles differ in edition: {'/'.join(sorted(ea))} vs {'/'.join(sorted(eb))}"
    if titles and a_title_key and b_title_key and a_title_key != b_title_key:
        for one, other in ((a_title_key, b_title_key), (b_title_key, a_title_key)):
            if _REACTIONS.search(one) and not _REACTIONS.search(other) and _ADDRESSED.search(other):
                return "one title is the reactions to what the other reports"
            if _ANNOUNCES.search(one) and not _ANNOUNCES.search(other):
                return "one title announces what the other reports"
        to_a, to_b = set(_ADDRESSEE.findall(a_title_key)), set(_ADDRESSEE.findall(b_title_key))
        if to_a and to_b and not (to_a & to_b):
            return f"titles address {'/'.join(sorted(to_a))} vs {'/'.join(sorted(to_b))}"
        ta, tb = guard_tokens(a_title_key), guard_tokens(b_title_key)
        for kind in _KINDS:
            a, b = ta[kind], tb[kind]
            if a and b and not (a <= b or b <= a):
                return (
                    f"titles differ in {kind}: {'/'.join(sorted(ta[kind]))} vs {'/'.join(sorted(tb[kind]))}"
                )
    if a_body_key and b_body_key:
        short, long_ = (
            (a_body_key, b_body_key) if len(a_body_key) <= len(b_body_key) else (b_body_key, a_body_key)
        )
        lead = guard_tokens(_mask_tallies(short), lead=LEAD_CHARS)
        missing = lead_token_missing(lead, long_, days)
        if missing is not None:
            return f"lead {missing[0]} {missing[1]!r} missing from the other text"
        if _tells_reactions(short, long_):
            return "one lead tells the reactions to what the other reports"
        for tok in guard_tokens(long_, lead=LEAD_CHARS)["edition"]:  # a re-post keeps the edition its lead names
            if tok not in short:
                return f"lead edition {tok!r} missing from the other text"
        long_numbers = set(_DIGIT_RUN.findall(long_)) if lead["num"] else set()
        for tok in lead["num"]:
            if tok not in long_numbers and not _cut_number(short, tok, long_numbers):
                return f"lead number {tok!r} missing from the other text"
    return None


def _tells_reactions(a_key: str, b_key: str) -> bool:
    """Whether one text's lead tells how what the other reports was received (…引发热烈反响) and the
    other never says 反响: a feature under its column's title (【总书记与我们在一起】…) the next day. A
    re-post keeps what its lead is about, and the report of a speech does not add it."""
    return any(_REACTIONS.search(one, 0, LEAD_CHARS) and not _REACTIONS.search(other)
               for one, other in ((a_key, b_key), (b_key, a_key)))


def lead_token_missing(lead: dict[str, set[str]], long_: str, days: frozenset[str] = frozenset()) -> tuple[str, str] | None:
    """The first place, date or ordinal of a shorter text's *lead* tokens that *long_* does not name
    ((kind, token)), or None. A date may be named without its month or year (_bare_day) or be one
    of *days* (see guard_conflict)."""
    for kind in ("place", "date", "ord", "edition"):
        for tok in lead[kind]:
            if not _names(long_, tok) and not (kind == "date" and (tok in days or _bare_day(tok, long_))):
                return kind, tok
    return None


def _names(text: str, tok: str) -> bool:
    """Whether *text* names the token *tok*, a number in it whole: 1日 is not in 10月31日."""
    at = text.find(tok)
    if at < 0 or not (tok[0].isdigit() or tok[-1].isdigit()):
        return at >= 0
    while at >= 0:
        if not (tok[0].isdigit() and at and text[at - 1].isdigit()) and not (
                tok[-1].isdigit() and text[at + len(tok) : at + len(tok) + 1].isdigit()):
            return True
        at = text.find(tok, at + 1)
    return False


# A running count a bulletin updates between its editions (截至19日16时50分…113人死亡, 截至目前…100人死亡,
# …3人死亡60人送医救治另有14人正在搜救中, 截至20日10时…11人死亡另有30余人失联):
# its time and numbers are the edition's, not another story's (another quake differs in its place,
# magnitude or day outside the count).
_TALLY = re.compile(
    r"截至(?:目前|发稿时|记者发稿时)?(?:\d{1,2}月)?(?:\d{1,2}日)?(?:\d{1,2}时)?(?:\d{1,2}分)?[\u4e00-\u9fff]{0,10}?"
    r"(?:[\u4e00-\u9fff]{0,8}?\d+余?丨?(?:人|名)(?:正在)?(?:死亡|遇难|受伤|失踪|失联|获救|被困|送医救治|送医|搜救中)(?:丨|和|及|、)?)+"
)


def _tally_spans(key: str) -> list[tuple[int, int]]:
    """Where a key's opening gives a running casualty count (see _TALLY)."""
    return [m.span() for m in _TALLY.finditer(key, 0, LEAD_CHARS + 80)]


def _mask_tallies(key: str) -> str:
    """*key* with its opening's running counts blanked out (same length, so positions hold)."""
    for start, end in _tally_spans(key):
        key = key[:start] + " " * (end - start) + key[end:]
    return key


_YEAR_DATE = re.compile(r"^\d{4}年(\d{1,2}月\d{1,2}日)$")


def _bare_day(tok: str, text: str) -> bool:
    """Whether *text*'s lead names the day of the date *tok* alone (3月28日 as 28日, no other month
    before it; 2024年8月17日 as 8月17日, no other year before it): a re-poster drops the month a
    dateline gives, or the year (于8月17日…逝世); 4月28日 is another day."""
    y = _YEAR_DATE.match(tok)
    if y is not None and re.search(rf"(?<!\d)(?<!\d年){y.group(1)}", text[:LEAD_CHARS]) is not None:
        return True
    m = _MONTH_DAY.search(tok)
    return m is not None and re.search(rf"(?<!\d)(?<!\d月){m.group(1)}", text[:LEAD_CHARS]) is not None


CUT_TAIL = 8  # key characters after a number at the end of an excerpt ("……阅读原文")


def _cut_number(short: str, tok: str, long_numbers: set[str]) -> bool:
    """A number an excerpt cut off where it stopped (增长16…… of 增长16.9%): the last number of
    the shorter text, the start of one the longer text has."""
    end = short.rfind(tok) + len(tok)
    return len(short) - end <= CUT_TAIL and any(n.startswith(tok) and n != tok for n in long_numbers)


# --- verification ------------------------------------------------------------------------------------
SAMPLE = 24  # shingles probed before a full comparison
SAMPLE_MIN = 0.4  # a pair below this sampled overlap is not compared in full


def _sampled_overlap(fp: Fingerprint, body_key: str) -> float:
    """Cheap estimate of containment from evenly spaced shingles of both sides.

    Most candidates are look-alikes sharing a phrase or two; a sample of 24 shingles each way
    rejects them without building the candidate's shingle set. A true containment of 0.75 falls
    below 0.4 in the sample with probability < 0.1 %.
    """
    k = fp.body_key
    step = max(1, (len(k) - 4) // SAMPLE)
    mine = [k[i : i + 5] for i in range(0, len(k) - 4, step)][:SAMPLE]
    a = sum(1 for sh in mine if sh in body_key) / len(mine) if mine else 0.0
    step = max(1, (len(body_key) - 4) // SAMPLE)
    theirs = [body_key[i : i + 5] for i in range(0, len(body_key) - 4, step)][:SAMPLE]
    b = sum(1 for sh in theirs if sh in fp.shingles) / len(theirs) if theirs else 0.0
    return max(a, b)


def verify(fp: Fingerprint, title_key: str, body_key: str) -> tuple[float, float, str | None]:
    """(containment, jaccard, guard reason) of a fingerprint against a stored item's keys."""
    return _verify(fp, title_key, body_key)[:3]


def _verify(fp: Fingerprint, title_key: str, body_key: str,
            days: frozenset[str] = frozenset()) -> tuple[float, float, str | None, int]:
    """:func:`verify` and the number of shingles the two texts share (*days*: see guard_conflict)."""
    if not fp.shingles or len(body_key) < MIN_BODY_CHARS:
        return 0.0, 0.0, None, 0
    if _sampled_overlap(fp, body_key) < SAMPLE_MIN:
        return 0.0, 0.0, None, 0
    other = shingles(body_key)
    inter = len(fp.shingles & other)
    if inter == 0:
        return 0.0, 0.0, None, 0
    containment = inter / min(len(fp.shingles), len(other))
    jaccard = inter / (len(fp.shingles) + len(other) - inter)
    reason = None
    if containment >= CONTAINMENT_MIN or jaccard >= JACCARD_MIN:
        # Bodies this alike are one text: a rewritten headline is the re-poster's, not news
        # (the closest hard negatives, two 访华 welcomes, stay far below).
        reason = guard_conflict(fp.title_key, fp.body_key, title_key, body_key,
                                titles=jaccard < TITLE_TRUST_JACCARD, days=days)
        if reason is None:
            if len(fp.shingles) <= len(other):
                reason = lead_substitution(fp.body_key, body_key, other)
            else:
                reason = lead_substitution(body_key, fp.body_key, fp.shingles)
    return containment, jaccard, reason, inter


_NUMERALS = set("0123456789〇零一二三四五六七八九十百千万亿两")
_DAMAGED = re.compile(r"[a-z?\u00e0-\u01dc]")
SUBSTITUTION_MAX = 8  # characters: a name, a number, a place swapped in an otherwise equal lead


def lead_substitution(short: str, long_: str, long_shingles: set[str]) -> str | None:
    """Where the lead of *short* says something else than *long_* at the same place, or None.

    A trimmed re-post only loses text: each cut leaves at most one run of 4–5 shingles that the
    original lacks, with nothing new between. A look-alike swaps a few characters between equal
    contexts — 罗保铭 for 蒋超良, 二〇二三 for 二〇二四 — which the token lists cannot all name.
    """
    limit = min(len(short) - 4, LEAD_CHARS)
    tallies = _tally_spans(short)
    i = 1
    while i < limit:
        if short[i : i + 5] in long_shingles:
            i += 1
            continue
        start = i
        while i < len(short) - 4 and short[i : i + 5] not in long_shingles:
            i += 1
        novel = short[start + 4 : i]  # characters only missing shingles cover
        if not novel.strip(NUMBER_GAP) or i >= len(short) - 4:
            continue
        if any(a <= start + 4 and i <= b + 4 for a, b in tallies):
            continue  # an edition's updated count (see _TALLY)
        left, right = short[start - 1 : start + 4], short[i : i + 5]
        pos = long_.find(left)
        while pos >= 0:
            gap_start = pos + 5
            end = long_.find(right, gap_start, gap_start + SUBSTITUTION_MAX + 5)
            if end >= 0:
                other = long_[gap_start:end]
                variant = len(novel) == len(other) == 1 and novel not in _NUMERALS
                # letters or "?" in a swap are a damaged character (萊??偨y(tǒng) for 莱希总统), not a fact
                variant = variant or bool(_DAMAGED.search(novel) or _DAMAGED.search(other))
                # a re-poster's own usage (有时/时而, 并听取党中央/听取中央) or day (今天/1月8日) is no fact,
                # nor a letter's 你们 told as reported speech (得知学生们…, 希望同学们…)
                variant = variant or _reworded(novel, other) or _relative_day(novel, other) or bool(
                    _PRONOUN.match(novel) or _PRONOUN.match(other)) or _role_for_name(novel, other, short, long_)
                # one character for one (位於/位于) is a variant form OpenCC left alone, not a fact
                if other and len(novel) <= SUBSTITUTION_MAX and other != novel and not variant:
                    return f"lead says {novel!r} where the other says {other!r}"
                break
            pos = long_.find(left, pos + 1)
    return None


def _role_for_name(novel: str, other: str, short: str, long_: str) -> bool:
    """Whether one text calls a person by the role the other names them with (中国代表表示 / 傅聪表示,
    where the other says 中国常驻联合国代表傅聪): the broadcast's abridgement says who, not the name.
    A template's swapped names (罗保铭/蒋超良) are never written after the other's role."""
    for role, name, text in ((novel, other, long_), (other, novel, short)):
        if len(role) >= 2 and 2 <= len(name) <= 4 and any(role[-k:] + name in text for k in (2, 3) if k <= len(role)):
            return True
    return False


# a letter's own voice (你们, 我很) that a report tells as reported speech (学生们, 对此感到)
_PRONOUN = re.compile("[你您我咱]们?")
REWORD_MAX = 3  # characters of a word a re-poster says in its own usage


def _reworded(novel: str, other: str) -> bool:
    """A word for a word that shares a character with it (有时/时而, 应付/应对, 机会/机遇), single
    characters swapped apart from each other, or words put in: the re-poster's usage, not another
    fact. Names swapped in a template share none (罗保铭/蒋超良); numerals never count (二〇二三/二〇二四)."""
    if _NUMERALS & (set(novel) | set(other)) or not (_HAN_ONLY.fullmatch(novel) and _HAN_ONLY.fullmatch(other)):
        return False
    bare_novel, bare_other = _RELATIVE_DAY.sub("", novel), _RELATIVE_DAY.sub("", other)
    if (bare_novel, bare_other) != (novel, other):
        # 近日印发 / 印发了: a re-poster drops or adds its own 近日, 日前 with the word beside it
        return bool(bare_novel and bare_other) and (bare_novel == bare_other or _reworded(bare_novel, bare_other))
    bare_novel, bare_other = _SAYS.sub("", novel), _SAYS.sub("", other)
    if (bare_novel, bare_other) != (novel, other):
        # 行动方案明确 / 方案提出: the verb that introduces the document's words is the re-poster's
        if set(bare_novel) <= _FUNCTION_CHARS and set(bare_other) <= _FUNCTION_CHARS:
            return True  # 对…作出重要指示 / 指示…表示 (a Taiwan paper): a verb and a preposition, no fact
        return bool(bare_novel and bare_other) and _reworded(bare_novel, bare_other)
    if _subsequence(other, novel) or _subsequence(novel, other):
        return True  # words put in or left out (并听取党中央书记处 / 听取中央书记处), as a lone one is
    if len(novel) == len(other):
        # single characters swapped a few apart (前进我愿继续与 / 前行我愿继续同): each one a variant
        diff = [i for i, (a, b) in enumerate(zip(novel, other, strict=True)) if a != b]
        if diff and all(j - i > 1 for i, j in zip(diff, diff[1:], strict=False)):
            return True
    if not (1 <= len(novel) <= REWORD_MAX and 1 <= len(other) <= REWORD_MAX):
        return False
    return bool(set(novel) & set(other))


_HAN_ONLY = re.compile(r"[\u4e00-\u9fff]+")
# verbs that introduce what a document or a speaker says (方案提出 / 方案明确 / 会议指出)
_SAYS = re.compile("提出|明确|指出|指示|强调|要求|表示|认为|显示|提到|规定")
_FUNCTION_CHARS = set("对就向为在的了并和与及将把于")  # what is left of such a swap when it names no fact


def _subsequence(short: str, long_: str) -> bool:
    """Whether *long_* is *short* with characters put in."""
    rest = iter(long_)
    return all(c in rest for c in short)


_RELATIVE_DAY = re.compile("(?:今|昨|前|当|本)(?:天|日)(?:上午|下午|晚上?|全天)?|今晨|昨晚|日前|近日"
                           "|[今昨]")  # 昨下午, 今早 (Hong Kong papers): the character alone, cut before the hour
_A_DAY = re.compile(r"(?:\d{4}年)?(?:\d{1,2}月)?\d{1,2}日(?:上午|下午|晚上?|全天)?")
# … cut where the shingles meet again: 今 for 1月30 when both go on with 日 (今日 / 1月30日)
_RELATIVE_DAY_CUT = re.compile("[今昨前当本]")
_A_DAY_CUT = re.compile(r"(?:\d{4}年)?(?:\d{1,2}月)?\d{1,2}")


# a year named from the writer's own (去年 for 2025年的: a Hong Kong paper a month later)
_RELATIVE_YEAR = re.compile("(?:去|今|明|前)年(?:的|度)?")
_A_YEAR = re.compile(r"\d{4}年(?:的|度)?")
_RELATIVE_YEAR_CUT, _A_YEAR_CUT = re.compile("[去今明前]"), re.compile(r"\d{4}")  # … cut where 年的 meets again


def _relative_day(novel: str, other: str) -> bool:
    """今天 for 1月8日, 昨日 for 7日, 去年 for 2025年的: a re-poster names the day or year from its
    own, it is no other fact (whether the two are one day is the follow-up rule's to say, see
    _follow_up)."""
    for a, b in ((novel, other), (other, novel)):
        if (_RELATIVE_DAY.fullmatch(a) and _A_DAY.fullmatch(b)) or (
                _RELATIVE_DAY_CUT.fullmatch(a) and _A_DAY_CUT.fullmatch(b)) or (
                _RELATIVE_YEAR.fullmatch(a) and _A_YEAR.fullmatch(b)) or (
                _RELATIVE_YEAR_CUT.fullmatch(a) and _A_YEAR_CUT.fullmatch(b)):
            return True
    return False


def _follow_up(a_key: str, b_key: str, *, dateless: bool = False, quoted: bool = False,
               reverse: bool = False) -> str | None:
    """A contained copy with another title: the longer one's opening date or ordinal must be in it.

    Re-posters trim from the end and keep the lead; a follow-up story that quotes an earlier one
    opens with its own day (遗体23日在北京火化 … 因病于8月17日逝世). With *dateless*, a contained
    text whose lead names no day at all (a re-post that starts after its own lead, or says 今天)
    is not held to the longer one's day: it has no other day to be a follow-up of. With *quoted*
    (the two open alike), only the longer one's opening as far as the shorter one goes counts: an
    excerpt quotes that much word for word, a later notice quoting an earlier one's opening
    (钱正英同志的遗体28日…火化 after …钱正英同志因病…逝世) says its own day there. With *reverse*,
    the shorter one's opening day and ordinal must be in the longer one (a loose copy re-words, it
    never names another session: a 政治局 meeting on the 十九届七中全会 quoting the 二十大's formula
    is not the 感谢信 quoting it); with *dateless* too, a longer one whose opening names no session
    (a paper quoting the letter after its own lead) is not held to the shorter one's.
    """
    short, long_ = (a_key, b_key) if len(a_key) <= len(b_key) else (b_key, a_key)
    if reverse:
        short, long_ = long_, short
    if quoted:  # from where the longer one quotes the shorter one's opening (a site's chrome may come first)
        at = max(long_.find(short[:OPENING_CHARS], 0, OPENING_WITHIN + OPENING_CHARS), 0)
        opening = guard_tokens(long_[at : at + min(LEAD_CHARS, len(short))])
    else:
        opening = guard_tokens(long_, lead=LEAD_CHARS)
    own = guard_tokens(short, lead=LEAD_CHARS) if dateless else {}
    for kind in ("date", "ord"):
        # a text whose opening names no day (reversed: no day and no session) has none to differ in
        if dateless and not own[kind] and (kind == "date" or reverse):
            continue
        for tok in opening[kind]:
            if not _names(short, tok) and not (kind == "date" and _same_day(tok, short)):
                return f"the {'shorter' if reverse else 'longer'} text opens with {tok!r}, which the other lacks"
    return None


_MONTH_DAY = re.compile(r"\d{1,2}月(\d{1,2}日)$")


def _same_day(tok: str, text: str) -> bool:
    """Whether *text* names the day of the date *tok* without its month (1月8日 as 8日 or 今8日):
    a re-poster writes the day alone, a follow-up opens with another day."""
    m = _MONTH_DAY.search(tok)
    return m is not None and re.search(rf"(?<!\d){m.group(1)}", text[:LEAD_CHARS]) is not None


OPENING_CHARS = 40  # key characters of an opening an excerpt quotes word for word
OPENING_WITHIN = 200  # … found this early in the other text (a site's chrome may come first)


# a day named from the writer's own (今天, 昨日, 昨下午, 今早)
_RELATIVE_DAY_WORD = re.compile("(?:今|昨|前|当|本)(?:天|日)|今晨|昨晚|[今昨](?=早|晨|晚|午|上午|下午)")
# a day, however it is named (12日下午 / 昨下午, 1月8日 / 今天): one mark when openings are compared
_ANY_DAY = re.compile(r"(?:\d{4}年)?(?:\d{1,2}月)?\d{1,2}日|" + _RELATIVE_DAY_WORD.pattern)


def same_opening(a_key: str, b_key: str) -> bool:
    """Whether one text opens with the other's opening: an excerpt or 导读 quotes it, a follow-up
    that quotes an earlier story whole opens with its own news. The day may be named from the
    re-poster's own (昨下午 for 12日下午): whether it is one day is the guard's to say."""
    if len(a_key) < OPENING_CHARS or len(b_key) < OPENING_CHARS:
        return False
    if a_key[:OPENING_CHARS] in b_key[:OPENING_WITHIN] or b_key[:OPENING_CHARS] in a_key[:OPENING_WITHIN]:
        return True
    # the same, days marked alike; either may have a heading or subheads before it (a site's chrome)
    a, b = _ANY_DAY.sub("日", a_key[:OPENING_WITHIN]), _ANY_DAY.sub("日", b_key[:OPENING_WITHIN])
    return b[:OPENING_CHARS] in a or a[:OPENING_CHARS] in b


LONG_QUOTE = 200  # shared shingles (≈ characters) of a long quote: three or four sentences of the story
LONG_QUOTE_JACCARD_MIN = 0.15  # … that are still a fair part of it
WEAK_MARGIN = 0.2  # containment by which a weak match must beat every other story's candidate


def _weak(containment: float, jaccard: float, shared: int, a_key: str, b_key: str) -> bool:
    """Whether a contained copy that :func:`_accept` or :func:`_follow_up` turns down is still a
    re-post, weakly: a page quoting long stretches of the story inside its own framing (its own
    lead cut off before 据新华社报道, so Jaccard is low), or naming no day of its own.

    A weak match only joins the one story it is clearly closest to (see find_matches): without a
    day, the same meeting of another year is told apart by the wording alone.
    """
    if containment < CONTAINMENT_MIN or _follow_up(a_key, b_key, dateless=True):
        return False
    return jaccard >= CONTAINED_JACCARD_MIN or (shared >= LONG_QUOTE and jaccard >= LONG_QUOTE_JACCARD_MIN)


LOOSE_CONTAINMENT_MIN = 0.5  # a re-worded, shortened copy (HK/Taiwan papers): half of it is the story's words
LOOSE_JACCARD_MIN = 0.2  # … and a fifth of the two texts together (a look-alike page of the same kind: ≤ 0.15)
LOOSE_MARGIN = WEAK_MARGIN  # containment by which it must beat every other candidate, whatever story it is


TITLED_LOOSE_QUOTE = 120  # shared shingles of a loose copy under the story's own headline: two sentences


def _loose(containment: float, jaccard: float, shared: int, a_key: str, b_key: str, *, titled: bool = False,
           titles: tuple[str, str] = ("", "")) -> bool:
    """Whether a copy below CONTAINMENT_MIN is still a re-post, loosely: a Hong Kong or Taiwan
    paper that re-words the agency text (中国 for 我国, 表示 for 指出), cuts it and adds its own
    lead and analysis keeps long runs of it (≥ LONG_QUOTE shared shingles) but not three quarters.

    A loose match joins only when it is the item's single clear best candidate (see find_matches):
    the same meeting of another year or another story of the same day shares the template only.
    Under the story's own headline (*titled*: the same title key) a flash that quotes two of its
    sentences (财联社's 中办、国办印发… quoting the 意见's definitions) needs TITLED_LOOSE_QUOTE shared
    shingles, not LONG_QUOTE: the headline says which story the sentences are from.
    The two *titles* (keys) must not tell the stories apart (guard_conflict's title rules: the
    reactions to a speech, whose lead retells the speech, say so in their headline only).
    """
    if containment < LOOSE_CONTAINMENT_MIN or jaccard < LOOSE_JACCARD_MIN or shared < (
            TITLED_LOOSE_QUOTE if titled else LONG_QUOTE):
        return False
    if _tells_reactions(a_key, b_key):  # the reactions quote the speech as loosely as a re-post does
        return False
    if all(titles) and guard_conflict(titles[0], "", titles[1], ""):
        return False
    # each one's opening day and ordinal must be the other's: a loose copy re-words, it never re-dates
    return _follow_up(a_key, b_key, dateless=True) is None and _follow_up(a_key, b_key, dateless=True, reverse=True) is None


LOOSE_DAYS = 1  # a paper prints the agency text the evening broadcast abridged the next morning (_next_morning)
LOOSE_OPENING_DAYS = 7  # … a site that re-posts it from its opening on may do so days later


def _loose_to_story(db: sqlite_utils.Database, fp: Fingerprint, best: Match, published_at: str | None,
                    best_published_at: str | None, opens: bool = False, best_body: str = "") -> bool:
    """Whether a loose match also holds against its cluster's representative (a page that re-posts
    two stories, a message and the opening it was read at, must not carry the other one's copies
    in) and, where both items name a day, the two are at most LOOSE_DAYS apart (a 反响 story days
    later quotes the letter as loosely as a re-post does). A copy that *opens* with the story's own
    opening is no reaction in its own words: a local site re-posts the agency text days later
    (LOOSE_OPENING_DAYS). The next day, only a next morning's copy (_next_morning)."""
    apart = _days_apart(published_at, best_published_at)
    if apart > (LOOSE_OPENING_DAYS if opens else LOOSE_DAYS):
        return False
    if apart >= 1 and not opens and not _next_morning(fp, best_body):
        return False
    if best.cluster_id is None:
        return True
    row = db.conn.execute(
        "SELECT d.item_id, d.body_key FROM clusters c JOIN dedup_docs d ON d.item_id = c.representative_id "
        "WHERE c.id = ?", [best.cluster_id]).fetchone()
    if row is None or row[0] == best.item_id:
        return True
    containment, jaccard, conflict, shared = _verify(fp, "", row[1])
    return conflict is None and containment >= LOOSE_CONTAINMENT_MIN and jaccard >= LOOSE_JACCARD_MIN


NEXT_DAY_LENGTH_RATIO = 1.5  # a next morning's copy of the evening's text is about as long as it


def _next_morning(fp: Fingerprint, body_key: str) -> bool:
    """Whether a loose copy a day from the story is the next morning's paper printing the wire text
    the evening broadcast abridged (the full speech, the session's report): long runs of it
    (LONG_QUOTE) in a text about as long. What else comes the next day is built around the story and
    longer (a 【新思想引领新征程】 feature retelling the 五一 greeting, 2× as long), or shares only a
    series' template under one headline (全国各地沉痛哀悼… day after day, 151 shingles)."""
    other = shingles(body_key)
    short, long_ = sorted((len(fp.shingles), len(other)))
    return len(fp.shingles & other) >= LONG_QUOTE and long_ <= NEXT_DAY_LENGTH_RATIO * short


SHORT_QUOTE_DAYS = 180  # a short quote of an opening half a year from it is another year's
STORY_DAYS = 350  # publish days a year apart are two stories, however alike the words (another year's notice)


def _clear_best(matches: list[Match], seen: list[tuple[float, int | None, int]], margin: float,
                allies: set[int | None]) -> Match | None:
    """The best of *matches* when its containment beats every other candidate *seen* (containment,
    cluster, item) by *margin*; candidates in its own cluster or in *allies* are no rivals."""
    best = max(matches, key=lambda m: (m.containment, m.jaccard))
    allies = allies | {best.cluster_id}
    rivals = [c for c, cl, i in seen if i != best.item_id and (cl is None or cl not in allies)]
    return best if best.containment - max(rivals, default=0.0) >= margin - 1e-9 else None


def _accept(containment: float, jaccard: float, same_title: bool) -> bool:
    """Resemblance alone, or containment of a copy that kept a fair part of the text.

    A short story wholly quoted inside a longer follow-up (周光召同志逝世 inside the report of
    his funeral) is contained too; re-posts keep ≥ 40 % of the text, so containment needs
    Jaccard ≥ CONTAINED_JACCARD_MIN unless the titles agree.
    """
    if jaccard >= JACCARD_MIN:
        return True
    return containment >= CONTAINMENT_MIN and (jaccard >= CONTAINED_JACCARD_MIN or same_title)


_BAND_ROW_SQL = "SELECT * FROM (SELECT {}, item_id FROM dedup_lsh WHERE key = ? ORDER BY item_id DESC LIMIT ?)"
_BAND_SQL: dict[int, str] = {}  # by number of keys: each key's bounded rows, labelled by its position


def _band_sql(n: int) -> str:
    if n not in _BAND_SQL:
        _BAND_SQL[n] = " UNION ALL ".join(_BAND_ROW_SQL.format(i) for i in range(n))
    return _BAND_SQL[n]


def _candidates(db: sqlite_utils.Database, fp: Fingerprint, exclude: int | None) -> list[int]:
    """Stored items sharing bands, rarest agreement first, at most VERIFY_LIMIT.

    A band whose value many items share (template wording: 国务院总理李强在北京人民大会堂举行仪式)
    says little; each hit weighs 1/(items in that band), like an inverse document frequency, so
    the item sharing the story-specific bands is verified before the look-alikes.
    """
    keys = lsh_keys(fp.signature, fp.body_key)
    if len(keys) < BANDS:
        return []
    params: list[int] = []
    for k in keys:
        params += [k, PER_BAND]
    rows = db.conn.execute(_band_sql(len(keys)), params).fetchall()
    sizes = [0] * len(keys)
    for band, _ in rows:
        sizes[band] += 1
    weight: dict[int, float] = {}
    for band, item_id in rows:
        if item_id != exclude:
            weight[item_id] = weight.get(item_id, 0.0) + 1.0 / sizes[band]
    ranked = sorted(weight.items(), key=lambda kv: (-kv[1], -kv[0]))
    return [item_id for item_id, _ in ranked[:VERIFY_LIMIT]]


def _item_url(url: str) -> bool:
    """Whether a canonical URL can name one item (a bare site root cannot)."""
    if not url or "://" not in url:
        return False
    path = url.split("://", 1)[1].partition("/")[2]
    return bool(path.strip("/")) or "?" in url


def find_matches(
    db: sqlite_utils.Database,
    fp: Fingerprint,
    *,
    source: str,
    canonical_url: str,
    published_at: str | None,
    exclude: int | None = None,
) -> list[Match]:
    """Verified near-duplicates of an item among the stored ones, best first.

    A substantial body matches on text (containment or Jaccard, guard passed). Any item also
    matches an item with the exact same canonical URL, and an item of the same source with the
    exact same title key whose body agrees (empty, or identical) and whose publish day does not
    differ. Titles alone never decide across sources: recurring titles like 国内联播快讯 differ
    in body.
    """
    conn = db.conn
    found: dict[int, Match] = {}

    if _item_url(canonical_url):
        same_url = conn.execute(
            "SELECT i.id, i.cluster, i.source, d.title_key FROM items i JOIN dedup_docs d ON d.item_id = i.id "
            "WHERE i.canonical_url = ? AND i.id != ? ORDER BY i.id DESC LIMIT 4",
            [canonical_url, exclude if exclude is not None else -1],
        ).fetchall()
        # One source giving one URL to items with other titles (a JSON list URL), or a URL shared
        # by items of different stories: a list or home page, not an item.
        if len({row[1] for row in same_url}) == 1:
            for item_id, cluster, src, title_key in same_url:
                if src != source or title_key == fp.title_key:
                    found[item_id] = Match(item_id, cluster, src, 1.0, 1.0, "url")

    if fp.title_key:
        for item_id, cluster, body_digest, pub in conn.execute(
            "SELECT d.item_id, i.cluster, d.body_digest, i.published_at FROM dedup_docs d "
            "JOIN items i ON i.id = d.item_id WHERE d.source = ? AND d.title_digest = ? AND d.item_id != ? "
            "ORDER BY d.item_id DESC LIMIT 8",
            [source, fp.title_digest, exclude if exclude is not None else -1],
        ):
            if item_id in found:
                continue
            same_body = body_digest == fp.body_digest or not body_digest or not fp.body_key
            other_day = published_at and pub and published_at[:10] != pub[:10]
            if same_body and not other_day:
                found[item_id] = Match(item_id, cluster, source, 1.0, 1.0, "title+source")

    if fp.substantial:
        cands = [c for c in _candidates(db, fp, exclude) if c not in found]
        if cands:
            marks = ",".join("?" * len(cands))
            rows = conn.execute(
                f"SELECT d.item_id, i.cluster, d.source, d.title_key, d.body_key, i.published_at FROM dedup_docs d "
                f"JOIN items i ON i.id = d.item_id WHERE d.item_id IN ({marks})",
                cands,
            ).fetchall()
            weak: list[Match] = []
            loose: list[Match] = []
            text_found = len(found)
            seen: list[tuple[float, int | None, int]] = []
            published = {row[0]: row[5] for row in rows}
            bodies = {row[0]: row[4] for row in rows}
            own_day = _own_day(fp.body_key)
            for item_id, cluster, src, title_key, body_key, pub in rows:
                apart, days = publish_distance(published_at, pub)
                containment, jaccard, conflict, shared = _verify(fp, title_key, body_key, days)
                seen.append((containment, cluster, item_id))  # a rival of any match, whatever its day
                if apart > STORY_DAYS:
                    continue  # a yearly announcement in the same words (烈士纪念日…9月30日上午举行) is that year's
                if conflict is None and containment > 0 and apart > OWN_DAY_WITHIN and \
                        own_day != _own_day(body_key):  # the cheap day count first, then the lead
                    # 昨下午 for 12日下午 is the copy's yesterday, not the same words' day of another year
                    conflict = "a day named from its own, days away from the other's"
                titled = bool(fp.title_key) and title_key == fp.title_key
                # an excerpt quoting the opening counts as agreeing titles would, unless the longer
                # one says its own day where they part (a later notice quoting an earlier one)
                quotes_opening = containment >= CONTAINMENT_MIN and same_opening(fp.body_key, body_key)
                opening = quotes_opening and not titled
                same_title = titled or opening
                if conflict is not None or (
                        opening and jaccard < JACCARD_MIN and _follow_up(fp.body_key, body_key, dateless=True, quoted=True)):
                    continue  # another story, or a later notice quoting this one's opening: not even weakly one
                if quotes_opening and jaccard < JACCARD_MIN and fp.body_key[:OPENING_CHARS] == body_key[:OPENING_CHARS] and (
                        min(len(fp.body_key), len(body_key)) < LONG_QUOTE
                        and apart > SHORT_QUOTE_DAYS):
                    # an excerpt of a yearly meeting's opening (李强7月31日主持召开国务院常务会议…) a year
                    # from another is the other year's: a short quote has too little of its own to tell
                    # (a spam host's copy of a short story years later is the whole of it: Jaccard ≥ 0.5)
                    continue
                match = Match(item_id, cluster, src, containment, jaccard, "text")
                if not _accept(containment, jaccard, same_title) or (
                        jaccard < JACCARD_MIN and not same_title and _follow_up(fp.body_key, body_key)):
                    if _weak(containment, jaccard, shared, fp.body_key, body_key):
                        weak.append(match)
                    elif _loose(containment, jaccard, shared, fp.body_key, body_key, titled=titled,
                                titles=(fp.title_key, title_key)):
                        loose.append(match)
                    continue
                found[item_id] = match
            if weak:
                # every candidate of another story must be WEAK_MARGIN further off (the stories this
                # item joins anyway are no rivals: a re-post first met alone is one of them)
                best = _clear_best(weak, seen, WEAK_MARGIN, allies={m.cluster_id for m in found.values()})
                if best is not None:
                    found[best.item_id] = replace(best, reason="text (weak)")
            if loose and not weak and len(found) == text_found:
                # nothing else matched, and every other candidate (of any story) is LOOSE_MARGIN further off
                best = _clear_best(loose, seen, LOOSE_MARGIN, allies=set())
                if best is not None and _loose_to_story(db, fp, best, published_at, published[best.item_id],
                                                        same_opening(fp.body_key, bodies[best.item_id]),
                                                        bodies[best.item_id]):
                    found[best.item_id] = replace(best, reason="text (loose)")
    return sorted(found.values(), key=lambda m: (-m.containment, -m.jaccard, -m.item_id))


def _own_day(key: str) -> bool:
    """Whether a text names its day only from its own (昨下午, 今天), no date: of two stories the
    same but for the day (李强's welcome of the same prime minister, 2024 and 2026) it is a copy
    of either, as far as its words go."""
    lead = key[:LEAD_CHARS]
    return bool(_RELATIVE_DAY_WORD.search(lead)) and not guard_tokens(lead, lead=LEAD_CHARS)["date"]


OWN_DAY_WITHIN = 2  # days: 昨 or 今天 in a copy names its own day or the day before


def publish_distance(published_at: str | None, other: str | None) -> tuple[int, frozenset[str]]:
    """Days between two publish times (0 when either is unknown) and, when that is 0, the day as a
    lead writes it: a lead naming it says when both came out, no other fact (see guard_conflict)."""
    apart = _days_apart(published_at, other)
    return apart, (_day_named(other) | _day_named(published_at) if apart == 0 else frozenset())


def _day_named(published_at: str | None) -> frozenset[str]:
    """The day of a publish time as a lead writes it (7月28日, 2025年7月28日); none when unknown."""
    try:
        d = date.fromisoformat(published_at[:10])  # type: ignore[index]
    except (TypeError, ValueError):
        return frozenset()
    return frozenset({f"{d.month}月{d.day}日", f"{d.year}年{d.month}月{d.day}日"})


def _days_apart(published_at: str | None, other: str | None) -> int:
    """Days between two publish times (0 when either is unknown)."""
    try:
        return abs((date.fromisoformat(published_at[:10]) - date.fromisoformat(other[:10])).days)  # type: ignore[index]
    except (TypeError, ValueError):
        return 0
