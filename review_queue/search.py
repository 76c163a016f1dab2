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
import sqlite_utils

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
    """Whether every word occurs in one of *texts* (folded here)."""
    return matches_folded(query_words, *(fold(t) for t in texts if t))


def matches_folded(query_words: Iterable[str], *folded: str | None) -> bool:
    """:func:`matches` over texts already folded."""
    haystack = "\n".join(t for t in folded if t)
    return all(w in haystack for w in query_words)


_FOLDED_MAX = 50_000  # item versions kept folded,
_FOLDED_MAX_CHARS = 8_000_000  # and characters in all (16-32 MB): whole bodies, so the count alone
_folded_chars = 0  # would let a year of queue searches keep hundreds of MB
_folded: dict[tuple[int, int | None, str | None, str | None], str] = {}


def folded_texts(db: sqlite_utils.Database, ids: list[int]) -> dict[int, str]:
    """Title and body as the reviewer will publish them (edits included), folded, by item id.

    Folding a thousand bodies costs more than a page view, so the folded text of each item
    version (and edit) is kept in this process; only items not seen before are read and folded.
    """
    global _folded_chars
    keys: dict[int, tuple[int, int | None, str | None, str | None]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for item_id, version, title, text in db.execute(
                f"SELECT item_id, version, edit_title, edit_text FROM reviews WHERE item_id IN "
                f"({', '.join('?' * len(chunk))})", chunk):
            keys[item_id] = (item_id, version, title, text)
    with _lock:
        missing = [i for i, k in keys.items() if k not in _folded]
    if missing:
        import normalizers

        fresh: dict[tuple[int, int | None, str | None, str | None], str] = {}
        for start in range(0, len(missing), 500):
            for item in normalizers.list_items(db, ids=missing[start:start + 500], bodies=True):
                key = keys[int(item["id"])]
                fresh[key] = fold(f"{key[2] or item.get('title') or ''}\n{key[3] or item.get('text') or ''}")
        size = sum(len(t) + len(k[3] or "") for k, t in fresh.items())  # an edited body is in its key
        with _lock:
            if len(_folded) + len(fresh) > _FOLDED_MAX or _folded_chars + size > _FOLDED_MAX_CHARS:
                _folded.clear()
                _folded_chars = 0
            _folded.update(fresh)
            _folded_chars += size
    with _lock:
        return {i: _folded.get(k, "") for i, k in keys.items()}
