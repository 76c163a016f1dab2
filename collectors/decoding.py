"""Turn fetched bytes into text, trusting declarations only as far as the bytes agree.

Order: forced charset → HTTP header → BOM → <meta> in the first 2 KB → detection on enough bytes.
GB2312/GBK labels decode as GB18030 (a superset). A declaration that the bytes contradict (invalid
in the declared charset but valid UTF-8 — the classic "charset=gb2312" on a UTF-8 page) is caught
and reported as a warning. GBK text that was once read as Latin-1 (mojibake) is repaired.

Which witness wins: a header naming a single-byte server default (ISO-8859-1, windows-1252) loses
to the document's own XML declaration or meta charset, and to bytes that decode cleanly only as
Chinese. GB18030 and Big5 are told apart by the bytes (most Big5 byte pairs are valid GBK too):
each candidate is decoded and scored on how common its characters are, and a decoding that puts
Private-Use-Area or replacement characters into a title loses to one that does not. Every choice
against a declaration is a warning naming both (shown by ``probe`` and ``sources``).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

import charset_normalizer

from collectors.errors import BinaryContent, DecodeError
from collectors.notes import Note
from pages.mojibake import HAN_RE as _HAN
from pages.mojibake import repair_mojibake

__all__ = ["CharsetNote", "Decoded", "decode_bytes", "normalize_label", "repair_mojibake", "looks_binary"]

_GB_LABELS = {"gb2312", "gbk", "x-gbk", "cp936", "ms936", "gb_2312-80", "csgb2312", "euc-cn", "windows-936",
              "gb18030", "chinese", "iso-ir-58", "csiso58gb231280", "x-euc-cn"}
_WEAK_LABELS = {"iso-8859-1", "latin-1", "latin1", "l1", "windows-1252", "cp1252", "us-ascii", "ascii",
                "iso8859-1", "iso_8859-1"}
_META_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_\-:.]+)""", re.I)
_XML_RE = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([a-zA-Z0-9_\-.]+)""", re.I)
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_CJK_RE = re.compile(r"[\u4e00-\u9fff]")
_MAGIC = {b"%PDF": "PDF", b"\x89PNG": "PNG image", b"\xff\xd8\xff": "JPEG image", b"GIF8": "GIF image",
          b"PK\x03\x04": "ZIP archive", b"\xd0\xcf\x11\xe0": "Office document", b"Rar!": "RAR archive",
          b"\x1f\x8b": "gzip data", b"7z\xbc\xaf": "7z archive"}
MIN_DETECT_BYTES = 32  # charset-normalizer is ~99% right on GBK from 32 non-ASCII bytes


class CharsetNote(Note):
    """One line on how bytes were read against (or without) a declaration: the English line kept in
    an item's warnings (``charset: …``), with its code and facts, which the command line words in
    the operator's language (pipeline.wording CHARSET_NOTES)."""

    PREFIX = "charset: "


@dataclass
class Decoded:
    """Text and how it was obtained."""

    text: str
    charset: str
    warnings: list[str] = field(default_factory=list)


def normalize_label(label: str | None) -> str | None:
    """A charset label as Python knows it; GB2312/GBK become GB18030; unknown labels become None."""
    if not label:
        return None
    lab = label.strip().strip("\"'").lower()
    if lab in _GB_LABELS:
        return "gb18030"
    if lab in ("utf8", "utf-8", "unicode-1-1-utf-8"):
        return "utf-8"
    if lab in _BIG5_LABELS:  # Big5 as served is Microsoft's cp950 (HKSCS pages fall back to big5hkscs)
        return "big5hkscs" if "hkscs" in lab else "cp950"
    try:
        return codecs.lookup(lab).name
    except LookupError:
        return None


def looks_binary(body: bytes) -> str | None:
    """Name the binary format of *body* (PDF, image, archive), or None when it may be text."""
    for magic, name in _MAGIC.items():
        if body.startswith(magic):
            return name
    head = body[:4096]
    if head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        if head.count(b"\x00") > len(head) // 10:
            return "binary data"
    return None


def _strict(body: bytes, charset: str) -> str | None:
    try:
        return body.decode(charset)
    except (UnicodeDecodeError, LookupError):
        return None


def _has_high_bytes(body: bytes) -> bool:
    return any(b >= 0x80 for b in body[:200_000])


def _mostly_utf8(body: bytes) -> tuple[str, int] | None:
    """*body* as UTF-8 when only a handful of bytes are invalid among many valid multi-byte
    sequences (a stray Windows-1252 byte, a page cut off mid-character): ``(text, invalid)``.

    GBK/GB18030 text read as UTF-8 gives more errors than valid sequences (its byte pairs rarely
    form UTF-8), so this holds whatever the page declares; counting the replacement characters of
    a GB18030 decoding cannot tell, as UTF-8 Chinese read as GB18030 yields few of them.
    """
    text = body.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - body.count(b"\xef\xbf\xbd")
    multi = len(text) - len(text.encode("ascii", errors="ignore")) - text.count("\ufffd")
    if 0 < bad and multi >= 10 and bad * 10 <= multi:
        return text, bad
    return None


def _is_weak(label: str) -> bool:
    """A label servers send by default whatever the document is (ISO-8859-1, windows-1252, ASCII)."""
    return label.strip().strip("\"'").lower() in _WEAK_LABELS


_SINGLE_BYTE = re.compile(r"^(?:cp|windows-?)12\d\d$|^(?:latin|iso-?8859|iso8859|koi8|mac|cp8|ascii|tis)", re.I)


def _mostly_gb18030(body: bytes) -> tuple[str, int] | None:
    """*body* as GB18030 when it is Chinese text but for a few invalid bytes: ``(text, invalid)``.

    With no charset declared, a GBK page with one stray byte is not strict GB18030, and a detector
    then picks a single-byte code page (cp1250 …) that turns every Chinese character into two
    Latin letters. Decoded as GB18030 such a page is Han characters all through."""
    text = body.decode("gb18030", errors="replace")
    bad = text.count("\ufffd")
    han = len(_HAN.findall(text))
    wide = sum(1 for ch in text if ord(ch) >= 0x80) - bad
    if 0 < bad and bad * 200 < len(body) and han >= 10 and han * 10 >= wide * 6:
        return text, bad
    return None


_BIG5_LABELS = {"big5", "big5-tw", "csbig5", "x-x-big5", "cp950", "ms950", "windows-950", "big5hkscs",
                "big5-hkscs"}
_CJK_DECODERS = ("gb18030", "cp950", "big5hkscs")  # the families told apart by the bytes
_FAMILY = {"gb18030": "GB18030", "cp950": "Big5", "big5hkscs": "Big5"}
_TITLE_RE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)
_TOP = frozenset()  # the most frequent Han characters, simplified and traditional (filled below)
# The traditional forms of the 100 in charset-normalizer's table that differ from their simplified
# form, as OpenCC's s2t writes them (tests/collectors/test_charset_matrix.py checks that it still
# does). Written out because building an s2t converter for 100 characters costs each collecting
# process 25 MB of heap that glibc keeps afterwards.
TOP_TRADITIONAL = "來個們動國學實對後從於時會樣沒爲現當發種經裏說這進過還開麼"


def _top_chars() -> frozenset[str]:
    """The 100 most frequent Chinese characters (charset-normalizer's table) in both scripts."""
    global _TOP
    if not _TOP:
        try:
            from charset_normalizer.constant import FREQUENCIES

            simple = list(FREQUENCIES.get("Chinese", []))
        except ImportError:  # pragma: no cover - charset-normalizer is a pinned dependency
            simple = []
        _TOP = frozenset(simple) | frozenset(TOP_TRADITIONAL)
    return _TOP


def _common(ch: str) -> bool:
    """A character a Chinese text is mostly made of: CJK punctuation or a level-1 Han character of
    GB2312 (3,755 simplified) or Big5 (5,401 traditional). A wrong CJK decoding yields kana,
    rare characters and Private-Use-Area code points instead."""
    o = ord(ch)
    if 0x3000 <= o <= 0x303F or 0xFF00 <= o <= 0xFFEF or 0x2010 <= o <= 0x2027 or o == 0xB7:
        return True
    if not 0x4E00 <= o <= 0x9FFF:
        return False
    for cs, lo, hi in (("gb2312", 0xB0, 0xD7), ("big5", 0xA4, 0xC6)):
        try:
            if lo <= ch.encode(cs)[0] <= hi:
                return True
        except UnicodeEncodeError:
            pass
    return False


def _flawed(ch: str) -> bool:
    o = ord(ch)
    return 0xE000 <= o <= 0xF8FF or o == 0xFFFD


def plausibility(text: str, limit: int = 3000) -> float:
    """How much *text* reads as Chinese: share of common characters among its non-ASCII ones, plus
    twice the share of the 100 most frequent, minus three times the share of Private-Use-Area and
    replacement characters. About 1.7 for real text in its right charset, below 0.7 for GBK read as
    Big5 or Big5 read as GBK; 1.0 for text with no non-ASCII character at all."""
    chars = [c for c in text if ord(c) >= 0x80 and not c.isspace()][:limit]
    if not chars:
        return 1.0
    top = _top_chars()
    common = sum(1 for c in chars if _common(c))
    frequent = sum(1 for c in chars if c in top)
    flawed = sum(1 for c in chars if _flawed(c))
    return (common + 2 * frequent - 3 * flawed) / len(chars)


def title_flaws(text: str) -> int:
    """Private-Use-Area and replacement characters inside the <title> elements of *text* (a page's
    title, a feed's channel and item titles): a decoding that yields them is wrong by definition."""
    return sum(1 for t in _TITLE_RE.findall(text[:500_000]) for c in t if _flawed(c))


@dataclass
class _Candidate:
    charset: str
    text: str
    strict: bool
    flaws: int  # in titles
    score: float


def _candidates(body: bytes, charsets: tuple[str, ...]) -> list[_Candidate]:
    out: list[_Candidate] = []
    for cs in dict.fromkeys(charsets):
        text = _strict(body, cs)
        strict = text is not None
        if text is None:
            loose = body.decode(cs, errors="replace")
            if loose.count("\ufffd") * 200 >= len(body):
                continue  # not a few stray bytes: this is not the charset
            text = loose
        out.append(_Candidate(cs, text, strict, title_flaws(text), plausibility(text)))
    return out


CJK_MIN_SCORE = 1.0  # below this no CJK decoding is taken on the bytes' word alone
SWITCH_MARGIN = 0.5  # how much better another CJK decoding must read to overrule a declaration


def _rank(c: _Candidate) -> tuple[bool, bool, float]:
    return (c.flaws == 0, c.strict, c.score)


def cjk_by_bytes(body: bytes) -> _Candidate | None:
    """The GB18030 or Big5 decoding the bytes support, or None when neither reads as Chinese."""
    found = [c for c in _candidates(body, _CJK_DECODERS) if c.strict and c.flaws == 0]
    if not found:
        return None
    best = max(found, key=_rank)
    return best if best.score >= CJK_MIN_SCORE else None


def _cjk_choice(body: bytes, declared: str) -> tuple[_Candidate | None, _Candidate | None]:
    """(the declared CJK decoding, a better one the bytes support or None)."""
    cands = _candidates(body, (declared, *_CJK_DECODERS))
    mine = next((c for c in cands if c.charset == declared), None)
    others = [c for c in cands if _FAMILY.get(c.charset) != _FAMILY.get(declared)]
    if not others:
        return mine, None
    best = max(others, key=_rank)
    if mine is None:
        return None, best if best.flaws == 0 else None
    if _rank(best)[:2] > _rank(mine)[:2] or (
            _rank(best)[:2] == _rank(mine)[:2] and best.score >= mine.score + SWITCH_MARGIN):
        return mine, best
    return mine, None


def _family(cs: str) -> str:
    return _FAMILY.get(cs, cs)


def decode_bytes(body: bytes, *, http_charset: str | None = None, forced: str | None = None,
                 sniff_meta: bool = True) -> Decoded:
    """Decode *body*; raise BinaryContent for binary files and DecodeError when nothing fits."""
    kind = looks_binary(body)
    if kind:
        raise BinaryContent(code="binary-content", params={"kind": kind, "bytes": len(body)})
    warnings: list[str] = []
    if forced:
        cs = normalize_label(forced)
        if cs is None:
            raise DecodeError(code="unknown-encoding", params={"encoding": forced})
        return Decoded(body.decode(cs, errors="replace"), cs, warnings)
    for bom, cs in _BOMS:
        if body.startswith(bom):
            return Decoded(body.decode(cs, errors="replace"), cs.replace("-sig", ""), warnings)
    high = _has_high_bytes(body)
    declared: list[tuple[str, str]] = []
    if http_charset:
        declared.append(("HTTP", http_charset))
    if sniff_meta:
        head = body[:2048]
        m = _XML_RE.search(head)
        where = "XML declaration" if m else "meta"
        m = m or _META_RE.search(head)
        if m:
            declared.append((where, m.group(1).decode("ascii", "replace")))
    if len(declared) == 2 and _is_weak(declared[0][1]) and not _is_weak(declared[1][1]) \
            and normalize_label(declared[1][1]):
        http, label, where = declared[0][1].strip().lower(), declared[1][1].lower(), declared[1][0]
        warnings.append(CharsetNote("server-default", f"HTTP says {http} (a server default), the document declares "
                                    f"{label} in its {where}: the document wins", http=http, declared=label,
                                    where=where))
        declared = declared[1:]
    for where, label in declared:
        cs = normalize_label(label)
        if cs is None:
            warnings.append(CharsetNote("unknown-label", f"unknown label {label!r} in {where} ignored", label=label,
                                        where=where))
            continue
        if not high:
            return Decoded(body.decode("ascii", errors="replace"), cs, warnings)
        utf8 = _strict(body, "utf-8")
        loose = _mostly_utf8(body) if utf8 is None else None
        if cs == "utf-8":
            if utf8 is not None:
                return Decoded(utf8, "utf-8", warnings)
            if loose:
                warnings.append(CharsetNote("utf8-invalid-bytes", f"UTF-8 (declared in {where}) with {loose[1]} "
                                            "invalid byte(s) replaced (stray bytes or cut off mid-character)",
                                            where=where, n=loose[1]))
                return Decoded(loose[0], "utf-8", warnings)
            gb = _strict(body, "gb18030")
            if gb is not None and _CJK_RE.search(gb):
                warnings.append(CharsetNote("declared-utf8-is-gb18030", f"declared utf-8 in {where}, bytes are GB18030",
                                            where=where))
                return Decoded(gb, "gb18030", warnings)
            warnings.append(CharsetNote("declared-utf8-invalid", f"declared utf-8 in {where}, bytes are not valid "
                                        "UTF-8", where=where))
            return Decoded(body.decode("utf-8", errors="replace"), "utf-8", warnings)
        if utf8 is not None:
            # Valid UTF-8 with high bytes is practically never GBK or Latin-1 by accident.
            warnings.append(CharsetNote("declared-is-utf8", f"declared {label.lower()} in {where}, bytes are UTF-8",
                                        declared=label.lower(), where=where))
            return Decoded(utf8, "utf-8", warnings)
        if loose:  # UTF-8 all the same, with a stray byte or cut off mid-character
            warnings.append(CharsetNote("declared-is-utf8-loose", f"declared {label.lower()} in {where}, bytes are "
                                        f"UTF-8 with {loose[1]} invalid byte(s) replaced", declared=label.lower(),
                                        where=where, n=loose[1]))
            return Decoded(loose[0], "utf-8", warnings)
        if cs in ("latin-1", "iso8859-1", "cp1252", "ascii"):
            cjk = cjk_by_bytes(body)
            if cjk is not None:
                warnings.append(CharsetNote("declared-is-cjk", f"declared {label.lower()} in {where}, bytes are "
                                            f"{_family(cjk.charset)}", declared=label.lower(), where=where,
                                            family=_family(cjk.charset)))
                return Decoded(cjk.text, cjk.charset, warnings)
        if _family(cs) in ("GB18030", "Big5"):
            mine, better = _cjk_choice(body, cs)
            if better is not None:
                facts = {"declared": label.lower(), "where": where, "family": _family(better.charset),
                         "declared_family": _family(cs)}
                if mine and mine.flaws:
                    code, facts["n"] = "cjk-flaws", mine.flaws
                    why = f"{mine.flaws} Private-Use-Area/replacement character(s) in titles"
                elif mine is None or not mine.strict:
                    code, why = "cjk-invalid", "invalid bytes"
                else:
                    code, why = "cjk-score", f"reads as Chinese {better.score:.1f} vs {mine.score:.1f}"
                    facts.update(score=round(better.score, 1), other=round(mine.score, 1))
                warnings.append(CharsetNote(code, f"declared {label.lower()} in {where}, bytes are "
                                            f"{_family(better.charset)} ({_family(cs)} gives {why})", **facts))
                if not better.strict:
                    n = better.text.count(chr(0xFFFD))
                    warnings.append(CharsetNote("replaced", f"{n} invalid byte(s) replaced", n=n))
                return Decoded(better.text, better.charset, warnings)
        text = _strict(body, cs)
        if text is not None:
            return Decoded(text, cs, warnings)
        warnings.append(CharsetNote("invalid-in-declared", f"bytes are invalid in declared {label.lower()} ({where})",
                                    declared=label.lower(), where=where))
        if cs == "gb18030":
            # A few stray bytes in an otherwise GBK page: keep the page, mark the loss.
            bad = body.decode(cs, errors="replace").count("\ufffd")
            if bad * 200 < len(body):
                return Decoded(body.decode(cs, errors="replace"), cs, warnings)
    if not high:
        return Decoded(body.decode("ascii", errors="replace"), "ascii", warnings)
    utf8 = _strict(body, "utf-8")
    if utf8 is not None:
        return Decoded(utf8, "utf-8", warnings)
    loose = _mostly_utf8(body)
    if loose:
        warnings.append(CharsetNote("utf8-loose", f"UTF-8 with {loose[1]} invalid byte(s) replaced (stray bytes or "
                                    "cut off mid-character)", n=loose[1]))
        return Decoded(loose[0], "utf-8", warnings)
    cjk = cjk_by_bytes(body)
    if cjk is not None:
        warnings.append(CharsetNote("undeclared-cjk", f"none declared, detected {_family(cjk.charset)} by the bytes",
                                    family=_family(cjk.charset)))
        return Decoded(cjk.text, cjk.charset, warnings)
    non_ascii = sum(1 for b in body[:65536] if b >= 0x80)
    if non_ascii >= MIN_DETECT_BYTES:
        best = charset_normalizer.from_bytes(body[:65536]).best()
        if best is not None and best.encoding:
            cs = normalize_label(best.encoding) or best.encoding
            if _SINGLE_BYTE.search(cs) and (gbk := _mostly_gb18030(body)):
                warnings.append(CharsetNote("undeclared-gb18030-detector", f"none declared, GB18030 with {gbk[1]} "
                                            f"invalid byte(s) replaced (a detector said {cs})", n=gbk[1], detector=cs))
                return Decoded(gbk[0], "gb18030", warnings)
            text = _strict(body, cs)
            if text is not None:
                warnings.append(CharsetNote("undeclared-detected", f"none declared, detected {cs}", charset=cs))
                return Decoded(text, cs, warnings)
    gb = _strict(body, "gb18030")
    if gb is not None:
        warnings.append(CharsetNote("undeclared-gb18030", "none declared, bytes decode as GB18030"))
        return Decoded(gb, "gb18030", warnings)
    if gbk := _mostly_gb18030(body):
        warnings.append(CharsetNote("undeclared-gb18030-loose", f"none declared, GB18030 with {gbk[1]} invalid "
                                    "byte(s) replaced", n=gbk[1]))
        return Decoded(gbk[0], "gb18030", warnings)
    text = body.decode("utf-8", errors="replace")
    if text.count("\ufffd") * 20 > len(text):
        raise DecodeError(code="undecodable")
    warnings.append(CharsetNote("undecodable-replaced", "undecodable bytes replaced"))
    return Decoded(text, "utf-8", warnings)
