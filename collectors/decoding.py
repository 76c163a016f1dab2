"""Turn fetched bytes into text, trusting declarations only as far as the bytes agree.

Order: forced charset → HTTP header → BOM → <meta> in the first 2 KB → detection on enough bytes.
GB2312/GBK labels decode as GB18030 (a superset). A declaration that the bytes contradict (invalid
in the declared charset but valid UTF-8 — the classic "charset=gb2312" on a UTF-8 page) is caught
and reported as a warning. GBK text that was once read as Latin-1 (mojibake) is repaired.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

import charset_normalizer

from collectors.errors import BinaryContent, DecodeError
from pages.mojibake import HAN_RE as _HAN
from pages.mojibake import repair_mojibake

__all__ = ["Decoded", "decode_bytes", "normalize_label", "repair_mojibake", "looks_binary"]

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


def decode_bytes(body: bytes, *, http_charset: str | None = None, forced: str | None = None,
                 sniff_meta: bool = True) -> Decoded:
    """Decode *body*; raise BinaryContent for binary files and DecodeError when nothing fits."""
    kind = looks_binary(body)
    if kind:
        raise BinaryContent(f"binary content ({kind}, {len(body)} bytes), not a page")
    warnings: list[str] = []
    if forced:
        cs = normalize_label(forced)
        if cs is None:
            raise DecodeError(f"configured encoding {forced!r} is not a known charset")
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
    for where, label in declared:
        cs = normalize_label(label)
        if cs is None:
            warnings.append(f"charset: unknown label {label!r} in {where} ignored")
            continue
        if not high:
            return Decoded(body.decode("ascii", errors="replace"), cs, warnings)
        utf8 = _strict(body, "utf-8")
        loose = _mostly_utf8(body) if utf8 is None else None
        if cs == "utf-8":
            if utf8 is not None:
                return Decoded(utf8, "utf-8", warnings)
            if loose:
                warnings.append(f"charset: UTF-8 (declared in {where}) with {loose[1]} invalid byte(s) "
                                "replaced (stray bytes or cut off mid-character)")
                return Decoded(loose[0], "utf-8", warnings)
            gb = _strict(body, "gb18030")
            if gb is not None and _CJK_RE.search(gb):
                warnings.append(f"charset: declared utf-8 in {where}, bytes are GB18030")
                return Decoded(gb, "gb18030", warnings)
            warnings.append(f"charset: declared utf-8 in {where}, bytes are not valid UTF-8")
            return Decoded(body.decode("utf-8", errors="replace"), "utf-8", warnings)
        if utf8 is not None:
            # Valid UTF-8 with high bytes is practically never GBK or Latin-1 by accident.
            warnings.append(f"charset: declared {label.lower()} in {where}, bytes are UTF-8")
            return Decoded(utf8, "utf-8", warnings)
        if loose:  # UTF-8 all the same, with a stray byte or cut off mid-character
            warnings.append(f"charset: declared {label.lower()} in {where}, bytes are UTF-8 "
                            f"with {loose[1]} invalid byte(s) replaced")
            return Decoded(loose[0], "utf-8", warnings)
        if cs in ("latin-1", "iso8859-1", "cp1252", "ascii"):
            gb = _strict(body, "gb18030")
            if gb is not None and _CJK_RE.search(gb):
                warnings.append(f"charset: declared {label.lower()} in {where}, bytes are GB18030")
                return Decoded(gb, "gb18030", warnings)
        text = _strict(body, cs)
        if text is not None:
            return Decoded(text, cs, warnings)
        warnings.append(f"charset: bytes are invalid in declared {label.lower()} ({where})")
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
        warnings.append(f"charset: UTF-8 with {loose[1]} invalid byte(s) replaced (stray bytes or cut off "
                        "mid-character)")
        return Decoded(loose[0], "utf-8", warnings)
    non_ascii = sum(1 for b in body[:65536] if b >= 0x80)
    if non_ascii >= MIN_DETECT_BYTES:
        best = charset_normalizer.from_bytes(body[:65536]).best()
        if best is not None and best.encoding:
            cs = normalize_label(best.encoding) or best.encoding
            if _SINGLE_BYTE.search(cs) and (gbk := _mostly_gb18030(body)):
                warnings.append(f"charset: none declared, GB18030 with {gbk[1]} invalid byte(s) replaced "
                                f"(a detector said {cs})")
                return Decoded(gbk[0], "gb18030", warnings)
            text = _strict(body, cs)
            if text is not None:
                warnings.append(f"charset: none declared, detected {cs}")
                return Decoded(text, cs, warnings)
    gb = _strict(body, "gb18030")
    if gb is not None:
        warnings.append("charset: none declared, bytes decode as GB18030")
        return Decoded(gb, "gb18030", warnings)
    if gbk := _mostly_gb18030(body):
        warnings.append(f"charset: none declared, GB18030 with {gbk[1]} invalid byte(s) replaced")
        return Decoded(gbk[0], "gb18030", warnings)
    text = body.decode("utf-8", errors="replace")
    if text.count("\ufffd") * 20 > len(text):
        raise DecodeError("bytes decode in no known charset (not UTF-8, not GB18030)")
    warnings.append("charset: undecodable bytes replaced")
    return Decoded(text, "utf-8", warnings)
