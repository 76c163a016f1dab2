"""Invisible characters: what is removed or turned into plain space in display text.

Only invisible damage is repaired here; visible characters (full-width punctuation, curly
quotes, full-width digits) stay exactly as published.
"""

from __future__ import annotations

import re

__all__ = ["INVISIBLE", "clean_line", "strip_invisible"]

# Removed outright: BOM, zero-width and bidi controls, soft hyphen, C0/C1 controls but \t \n \r,
# surrogates and the noncharacters U+FFFE/U+FFFF.
INVISIBLE: dict[int, str | None] = dict.fromkeys(
    [
        0xFEFF,
        0x00AD,
        0x034F,
        0x061C,
        0x180E,
        *range(0x200B, 0x2010),
        *range(0x202A, 0x202F),
        *range(0x2060, 0x2070),
        *range(0x00, 0x09),
        0x0B,
        0x0C,
        *range(0x0E, 0x20),
        0x7F,
        *range(0x80, 0xA0),
        *range(0xD800, 0xE000),
        0xFFFE,  # noncharacters: invalid in XML (lxml refuses them), never text
        0xFFFF,
    ],
    None,
)
# Become a plain space (then runs collapse): nbsp, ideographic space, typographic spaces, tabs.
INVISIBLE.update(dict.fromkeys([0x09, 0xA0, 0x3000, 0x1680, *range(0x2000, 0x200B), 0x202F, 0x205F], " "))
# Line and paragraph separators, carriage returns, NEL: new lines.
INVISIBLE.update({0x2028: "\n", 0x2029: "\n", 0x0D: "\n", 0x85: "\n"})

_SPACES = re.compile(r"[ \t\r\f\v\n]+")


def strip_invisible(s: str) -> str:
    """*s* with invisible characters removed or made spaces; line breaks kept."""
    return s.translate(INVISIBLE)


def clean_line(s: str) -> str:
    """One line of display text: invisible characters gone, space runs collapsed, ends stripped."""
    return _SPACES.sub(" ", s.translate(INVISIBLE)).strip()
