"""The traditional → simplified fold: one OpenCC ``t2s`` converter per process.

Hong Kong, Macao and Taiwan re-posts write 黑龍江 for 黑龙江; matching (comparison keys) and search
(the publisher's index) fold both spellings to one. Display text is never folded.
"""

from __future__ import annotations

import threading

import opencc

__all__ = ["to_simplified"]

_converter: opencc.OpenCC | None = None
_lock = threading.Lock()


def to_simplified(text: str) -> str:
    """*text* in simplified characters (creating the converter costs milliseconds: done once)."""
    global _converter
    with _lock:
        if _converter is None:
            _converter = opencc.OpenCC("t2s")
        return _converter.convert(text)
