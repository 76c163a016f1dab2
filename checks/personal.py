"""Personal data in a text: resident ID numbers, bank card numbers, mobile numbers, passport numbers.

Each detector looks for the shape and then for what only a real number has (the GB 11643 check
digit and a real birth date, the Luhn digit and a card issuer's prefix, a mobile operator's
prefix), so that order numbers, dates, amounts, office lines and document numbers are left alone.
Masked forms (230102********1234, 138****5678) are not findings: that is how a list should look.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

__all__ = ["Hit", "find_personal", "id_check_digit", "luhn_ok", "valid_id15", "valid_id18"]


@dataclass(frozen=True)
class Hit:
    """One number found: which kind (``id``, ``card``, ``mobile``, ``passport``), where, what."""

    kind: str
    start: int
    end: int
    text: str


# Full-width digits and letters read as ASCII, one character for one, so offsets stay true.
_FOLD = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}

_NEEDS_FOLD = re.compile("[\uff01-\uff5e\u3000]+")


def _fold_run(m: re.Match[str]) -> str:
    return m.group().translate(_FOLD)

# Provinces of GB/T 2260 (the first two digits of a resident ID number).
_PROVINCES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82 83"
    .split())

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)

# Patterns start with what they match (so the regex engine skips ahead to a digit or a letter);
# that a match does not start inside a longer number, word or decimal is checked by _starts_clean.
_E = r"(?![0-9A-Za-z]|\.[0-9])"
_ID18 = re.compile(r"(\d{6}) ?(\d{8}) ?(\d{3}[0-9Xx])" + _E)
_ID15 = re.compile(r"\d{15}" + _E)
_CARD = re.compile(r"\d{4}(?:[ -]?\d{4}){3}(?:[ -]?\d{1,3})?" + _E)
_CARD6 = re.compile(r"\d{6} \d{10,13}" + _E)  # 622202 0200123456789: the issuer's BIN apart
_MOBILE = re.compile(r"(?:(?:\+|00)86[ -]?|86[ -]?|\(\+?86\) ?)?(1[3-9]\d)([ -]?)(\d{4})\2(\d{4})" + _E)
_PASSPORT = re.compile(r"(?:[EG]\d{8}|E[A-HJ-NP-Z]\d{7}|[CHM]\d{8}(?:\d{2})?|C[A-HJ-NP-Z]\d{7})" + _E)
_ANY = re.compile(r"\d{4}[ -]?\d{3}|[A-Z]\d{7}")  # nothing shorter can be any of them: most paragraphs stop here
_BEFORE = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.")
_BEFORE_MOBILE = _BEFORE | {"+", "-"}


def _starts_clean(text: str, start: int, before: frozenset[str] = _BEFORE) -> bool:
    return start == 0 or text[start - 1] not in before

# Mobile prefixes in use in mainland China (13x-19x; 140-144, 154, 171-172… are data or unused).
_MOBILE_PREFIX = re.compile(r"1(?:3\d|4[5-9]|5[0-35-9]|6[2567]|7[0-8]|8\d|9[0-35-9])")

# A number followed by a unit or preceded by a currency sign is a quantity, not a person's number.
_UNIT_AFTER = re.compile(r"\s?(?:元|万|亿|千|百|吨|人|户|件|次|个|项|笔|台|辆|套|株|头|只|亩|平方|公里|千米|米|克|千克|公斤|斤|%|％|‰|美元|欧元|港元)")
_CURRENCY_BEFORE = ("¥", "￥", "$", "＄", "RMB", "人民币")

# Labels that say a number is something else (an order, a document, an organisation's code).
_OTHER_LABELS = ("订单", "单号", "编号", "流水号", "交易号", "批次", "批号", "批准文号", "代码", "编码", "条码",
                 "序列号", "序号", "发票", "合同号", "工单", "运单", "快递", "凭证号", "税号", "识别号", "登记号",
                 "许可证号", "证书号", "备案号", "案号", "文号", "型号", "ISBN", "ISSN", "准字")
# For an 18-digit number that passes the ID check, only labels of other 18-digit things (an individual
# taxpayer's 识别号 is the ID number itself).
_ID18_OTHER_LABELS = ("信用代码", "订单", "单号", "流水号", "交易号", "发票", "登记号")
_LABEL_WINDOW = 12


def id_check_digit(first17: str) -> str:
    """The GB 11643-1999 check character (0-9 or X) of the first 17 digits."""
    total = sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return "10X98765432"[total % 11]


def _birth_ok(year: int, month: int, day: int, today: date) -> bool:
    try:
        born = date(year, month, day)
    except ValueError:
        return False
    return date(1900, 1, 1) <= born <= today


def valid_id18(digits: str, today: date | None = None) -> bool:
    """An 18-character resident ID number: province, real birth date, right check digit."""
    today = today or date.today()
    if len(digits) != 18 or not digits[:17].isdigit() or digits[:2] not in _PROVINCES:
        return False
    if not _birth_ok(int(digits[6:10]), int(digits[10:12]), int(digits[12:14]), today):
        return False
    return id_check_digit(digits[:17]) == digits[17].upper()


def valid_id15(digits: str, today: date | None = None) -> bool:
    """A 15-digit resident ID number (issued before 1999): province and a real 19yy birth date."""
    today = today or date.today()
    if len(digits) != 15 or not digits.isdigit() or digits[:2] not in _PROVINCES:
        return False
    return _birth_ok(1900 + int(digits[6:8]), int(digits[8:10]), int(digits[10:12]), today)


def luhn_ok(digits: str) -> bool:
    """The Luhn (ISO/IEC 7812) check that every bank card number passes."""
    total = 0
    for i, c in enumerate(reversed(digits)):
        n = int(c)
        if i % 2:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


def _card_prefix_ok(d: str) -> bool:
    """An issuer's prefix that Chinese cards carry: UnionPay 62/60, domestic 9x, Visa, Mastercard, JCB."""
    n = len(d)
    if d.startswith(("62", "60", "95", "94", "98")):
        return True
    if d[0] == "4":
        return n in (16, 19)
    if n == 16 and (51 <= int(d[:2]) <= 55 or 2221 <= int(d[:4]) <= 2720):
        return True
    return n in (16, 19) and 3528 <= int(d[:4]) <= 3589


def _quantity(text: str, start: int, end: int) -> bool:
    if _UNIT_AFTER.match(text, end):
        return True
    before = text[max(0, start - 3):start].rstrip()
    return before.endswith(_CURRENCY_BEFORE)


def _labelled_other(text: str, start: int, labels: tuple[str, ...]) -> bool:
    before = text[max(0, start - _LABEL_WINDOW):start]
    cut = max(before.rfind(c) for c in "，。；;,\n")
    if cut >= 0:
        before = before[cut + 1:]
    return any(label in before for label in labels)


def find_personal(text: str, today: date | None = None) -> Iterator[Hit]:
    """Every unmasked personal number in *text*, in order; where two shapes overlap the stronger wins
    (an ID number over a card number over a mobile number)."""
    today = today or date.today()
    folded = _NEEDS_FOLD.sub(_fold_run, text)
    if not _ANY.search(folded):
        return
    used = bytearray(len(folded))  # characters already part of a stronger hit (linear in hits, for 1 MB too)

    def take(s: int, e: int) -> None:
        used[s:e] = b"\x01" * (e - s)

    def free(s: int, e: int) -> bool:
        return not any(used[s:e])

    out: list[Hit] = []
    for m in _ID18.finditer(folded):
        digits = "".join(m.groups())
        if _starts_clean(folded, m.start()) and valid_id18(digits, today) and not _quantity(folded, m.start(), m.end()) \
                and not _labelled_other(folded, m.start(), _ID18_OTHER_LABELS):
            take(*m.span())
            out.append(Hit("id", m.start(), m.end(), text[m.start():m.end()]))
    for m in _ID15.finditer(folded):
        if free(*m.span()) and _starts_clean(folded, m.start()) and valid_id15(m.group(), today) and not _quantity(folded, m.start(), m.end()) \
                and not _labelled_other(folded, m.start(), _OTHER_LABELS):
            take(*m.span())
            out.append(Hit("id", m.start(), m.end(), text[m.start():m.end()]))
    for pattern in (_CARD, _CARD6):
        for m in pattern.finditer(folded):
            digits = re.sub(r"[ -]", "", m.group())
            if not (16 <= len(digits) <= 19) or not free(*m.span()) or not _starts_clean(folded, m.start()):
                continue
            if luhn_ok(digits) and _card_prefix_ok(digits) and not _quantity(folded, m.start(), m.end()) \
                    and not _labelled_other(folded, m.start(), _OTHER_LABELS):
                take(*m.span())
                out.append(Hit("card", m.start(), m.end(), text[m.start():m.end()]))
    for m in _MOBILE.finditer(folded):
        if not free(*m.span()) or not _MOBILE_PREFIX.fullmatch(m.group(1)) \
                or not _starts_clean(folded, m.start(), _BEFORE_MOBILE):
            continue
        if _quantity(folded, m.start(), m.end()) or _labelled_other(folded, m.start(), _OTHER_LABELS):
            continue
        take(*m.span())
        out.append(Hit("mobile", m.start(), m.end(), text[m.start():m.end()]))
    for m in _PASSPORT.finditer(folded):
        if free(*m.span()) and _starts_clean(folded, m.start()) \
                and not _labelled_other(folded, m.start(), _OTHER_LABELS):
            take(*m.span())
            out.append(Hit("passport", m.start(), m.end(), text[m.start():m.end()]))
    out.sort(key=lambda h: h.start)
    yield from out
