"""Mojibake: GBK or UTF-8 bytes that were read as Latin-1/Windows-1252 upstream, repaired.

One repair, used where text is first read (the collectors' parsers); the normalizers trust the
collector's note (``MOJIBAKE_NOTE``) rather than repairing a second time.
"""

from __future__ import annotations

import re

__all__ = ["HAN_RE", "MOJIBAKE_NOTE", "repair_mojibake"]

MOJIBAKE_NOTE = "mojibake: GBK/UTF-8 text read as Latin-1 upstream was repaired"

_CP1252_BACK = {}
for _b in range(0x80, 0xA0):
    try:
        _CP1252_BACK[bytes([_b]).decode("cp1252")] = _b
    except UnicodeDecodeError:
        pass
_LATIN_RANGE = re.compile(
    r"[\u0080-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)
HAN_RE = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]")  # a Chinese character
_LATIN_RUN = re.compile(_LATIN_RANGE.pattern + "{2,}")


def _latin_bytes(s: str) -> bytes | None:
    """The bytes a Latin-1/Windows-1252 decoder turned into *s*; ``None`` if *s* was not that."""
    out = bytearray()
    for ch in s:
        o = ord(ch)
        if o < 0x100:
            out.append(o)
        elif ch in _CP1252_BACK:
            out.append(_CP1252_BACK[ch])
        else:
            return None
    return bytes(out)


def repair_mojibake(s: str) -> tuple[str, bool]:
    """Undo GBK (or UTF-8) bytes that were read as Latin-1/Windows-1252.

    ftfy's ``fix_encoding`` does not repair GBK read as Latin-1; re-encoding to the original bytes
    and decoding as GB18030 does. The repair is kept only when it yields Chinese text and the
    input held (almost) none. Returns ``(text, repaired)``.
    """
    if not s:
        return s, False
    latin = len(_LATIN_RANGE.findall(s))
    if latin < 4:
        return s, False
    han_before = len(HAN_RE.findall(s))
    if han_before > latin // 4:
        return s, False
    # A Chinese character is two (GBK) or three (UTF-8) high bytes: mojibake comes in runs, while
    # accented letters of European text stand alone (café, élève) and must not be "repaired".
    paired = sum(len(m) for m in _LATIN_RUN.findall(s))
    if paired < 0.8 * latin:
        return s, False
    raw = _latin_bytes(s)
    if raw is None:
        return s, False
    # Valid UTF-8 is a strong signal (GBK byte pairs rarely form it): try it strictly first.
    try:
        fixed = raw.decode("utf-8")
        if len(HAN_RE.findall(fixed)) > han_before:
            return fixed, True
    except UnicodeDecodeError:
        pass
    best = s
    try:
        fixed = raw.decode("gb18030")
    except UnicodeDecodeError:
        fixed = raw.decode("gb18030", errors="replace")
        if fixed.count("\ufffd") > max(1, len(fixed) // 200):
            return s, False
    han = len(HAN_RE.findall(fixed))
    if han > han_before and han * 2 >= latin // 2:
        best = fixed
    return best, best is not s
