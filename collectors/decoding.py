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
_HIGH_LATIN_RE = re.compile(r"[\u0080-\u00ff]")
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
        m = _XML_RE.search(head) or _META_RE.search(head)
        if m:
            declared.append(("meta", m.group(1).decode("ascii", "replace")))
    for where, label in declared:
        cs = normalize_label(label)
        if cs is None:
            warnings.append(f"charset: unknown label {label!r} in {where} ignored")
            continue
        if not high:
            return Decoded(body.decode("ascii", errors="replace"), cs, warnings)
        utf8 = _strict(body, "utf-8")
        if cs == "utf-8":
            if utf8 is not None:
                return Decoded(utf8, "utf-8", warnings)
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
    non_ascii = sum(1 for b in body[:65536] if b >= 0x80)
    if non_ascii >= MIN_DETECT_BYTES:
        best = charset_normalizer.from_bytes(body[:65536]).best()
        if best is not None and best.encoding:
            cs = normalize_label(best.encoding) or best.encoding
            text = _strict(body, cs)
            if text is not None:
                warnings.append(f"charset: none declared, detected {cs}")
                return Decoded(text, cs, warnings)
    gb = _strict(body, "gb18030")
    if gb is not None:
        warnings.append("charset: none declared, bytes decode as GB18030")
        return Decoded(gb, "gb18030", warnings)
    text = body.decode("utf-8", errors="replace")
    if text.count("\ufffd") * 20 > len(text):
        raise DecodeError("bytes decode in no known charset (not UTF-8, not GB18030)")
    warnings.append("charset: undecodable bytes replaced")
    return Decoded(text, "utf-8", warnings)


def repair_mojibake(text: str) -> tuple[str, bool]:
    """Repair GBK bytes that were read as Latin-1 somewhere upstream (ÕþÎñ… → 政务…).

    Only text with no CJK and many Latin-1 high characters is tried, and the repair is kept
    only when it yields CJK text; clean text is returned unchanged.
    """
    if not text or _CJK_RE.search(text):
        return text, False
    highs = len(_HIGH_LATIN_RE.findall(text))
    if highs < 2 or highs * 4 < len(text.strip()) * 1:
        return text, False
    for cs in ("gb18030", "utf-8"):
        try:
            fixed = text.encode("latin-1").decode(cs)
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if _CJK_RE.search(fixed):
            return fixed, True
    return text, False
