"""Flags a reviewer sees on a document: odd input is kept and labelled, never dropped.

Each flag names one condition; ``FLAGS`` documents them all (the review UI can show the text).
"""

from __future__ import annotations

import re

__all__ = ["FLAGS", "TINY_BODY_CHARS", "SCRIPT_HEAVY_RATIO", "mixed_script", "script_heavy"]

FLAGS: dict[str, str] = {
    "empty-body": "the source gave no body text (or nothing but markup)",
    "title-only": "the body held nothing but the title",
    "title-missing": "the source gave no title; the first line of the text stands in for it",
    "tiny-body": "the body text is shorter than 20 characters",
    "huge-body": "the body was cut at the display limit (normalizers.text.MAX_TEXT_CHARS characters)",
    "mixed-script": "letters of scripts other than Chinese and Latin appear (possible garbling)",
    "mojibake-repaired": "GBK/UTF-8 bytes read as Latin-1 were repaired; check the text",
    "markup-recovered": "the markup was too broken or deep to parse; the text was kept without its formatting",
    "script-heavy": "most of the input was script or style, little text",
    "date-unknown": "no publish time could be read; none was invented",
    "date-future": "the publish time is more than a day in the future",
    "date-disagreement": "the date shown on the page and a meta tag differ by more than a day; the shown one was used",
    "no-web-address": "the source gave no http(s) address for the item; the portal cannot link to it",
}

TINY_BODY_CHARS = 20
SCRIPT_HEAVY_RATIO = 0.5
MIXED_SCRIPT_MIN = 3

# Letters of scripts that do not belong in Chinese government news (Latin and Han do; Greek
# letters appear in formulas, so they are left out). Kana/Hangul appear in garbled GBK/Shift-JIS.
_FOREIGN = re.compile(
    r"[\u00c0-\u00ff\u0100-\u024f\u0400-\u04ff\u0590-\u05ff\u0600-\u06ff\u0e00-\u0e7f"
    r"\u0900-\u097f\u3040-\u30ff\uac00-\ud7af\u1100-\u11ff]"
)


def mixed_script(text: str) -> bool:
    """Whether Chinese text carries letters of other scripts (Cyrillic, Arabic, kana, Latin-1
    accents …) — what garbled decoding or pasted foreign text looks like."""
    if not text:
        return False
    return len(_FOREIGN.findall(text)) >= MIXED_SCRIPT_MIN


def script_heavy(script_chars: int, input_chars: int, text_chars: int) -> bool:
    """Whether the input was mostly script/style and yielded little text."""
    if input_chars < 200:
        return False
    return script_chars / input_chars >= SCRIPT_HEAVY_RATIO and text_chars < script_chars
