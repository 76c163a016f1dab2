"""Text search over the queue: every word of the query in the title or the body, Chinese-aware.

Chinese has no spaces, so a word is matched as a substring of the folded text, not as a token:
full-width forms folded (NFKC), traditional characters folded to simplified (OpenCC t2s), case
folded, the same on both sides — 哈爾濱 finds 哈尔滨, ＡＰＰ finds app. Several words separated
by spaces must all match.
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Iterable

import opencc

MAX_QUERY_CHARS = 200
_lock = threading.Lock()
_t2s: opencc.OpenCC | None = None


def fold(text: str) -> str:
    """*text* in the form both sides are compared in."""
    global _t2s
    with _lock:
        if _t2s is None:
            _t2s = opencc.OpenCC("t2s")
        folded = _t2s.convert(unicodedata.normalize("NFKC", text or ""))
    return folded.casefold()


def words(query: str) -> list[str]:
    """The query's words, folded (at most MAX_QUERY_CHARS characters are read)."""
    return [w for w in fold((query or "")[:MAX_QUERY_CHARS]).split() if w]


def matches(query_words: Iterable[str], *texts: str | None) -> bool:
    """Whether every word occurs in one of *texts* (already folded or not: they are folded here)."""
    haystack = "\n".join(fold(t) for t in texts if t)
    return all(w in haystack for w in query_words)
