"""Chinese-aware full-text search over what the portal shows.

Chinese has no spaces, so SQLite's tokenizer alone would see a whole sentence as one token.
Text is pre-segmented with jieba in search mode (long words plus their shorter parts:
哈尔滨市 → 哈尔滨 / 哈尔滨市), traditional characters folded to simplified (OpenCC t2s) and
full-width forms folded (NFKC), at index time and at query time alike; FTS5 ranks with bm25.
"""

from __future__ import annotations

import logging
import sqlite3
import unicodedata

import jieba

from pages.fold import to_simplified
from publisher.errors import BadQuery

__all__ = ["segment", "query_words", "match_expression", "index_item", "unindex_item", "search_ids", "MAX_QUERY_CHARS"]

MAX_QUERY_CHARS = 200
TITLE_WEIGHT = 5.0  # a hit in the title counts five times a hit in the body

jieba.setLogLevel(logging.WARNING)


def _fold(text: str) -> str:
    folded = to_simplified(unicodedata.normalize("NFKC", text))
    return folded.lower()


def _is_word(token: str) -> bool:
    return any(ch.isalnum() for ch in token)


def segment(text: str) -> str:
    """Search-mode tokens of *text* joined by spaces: what FTS5 indexes."""
    if not text:
        return ""
    return " ".join(t for t in (s.strip() for s in jieba.cut_for_search(_fold(text))) if _is_word(t))


def query_words(query: str) -> list[str]:
    """The words of *query* (precise segmentation, folded), for highlighting and excerpts."""
    return [w for w in (t.strip() for t in jieba.cut(_fold(query or ""))) if _is_word(w)]


def _quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def _word_group(word: str) -> str:
    """``"电子政务"`` or, when its search-mode parts cover every character, ``("电子政务" OR ("电子" AND "政务"))``.

    A text may segment a long word differently from the query, so the parts are accepted too —
    but only when together they cover the whole word: 哈尔滨 must not match on 哈尔 (齐齐哈尔).
    """
    parts = {p for p in (t.strip() for t in jieba.cut_for_search(word)) if p != word and len(p) > 1 and _is_word(p)}
    cover: list[str] = []
    at = 0
    while at < len(word):  # left to right, the longest part starting at each position
        here = max((p for p in parts if word.startswith(p, at)), key=len, default=None)
        if here is None:
            return _quote(word)
        cover.append(here)
        at += len(here)
    return f"({_quote(word)} OR ({' AND '.join(_quote(p) for p in cover)}))"


def match_expression(query: str) -> str:
    """An FTS5 MATCH expression for *query*: every word must match, as itself or one of its parts.

    Each word of the precise segmentation must match (see :func:`_word_group`). Tokens are
    quoted: user input is never FTS5 syntax.
    """
    q = (query or "").strip()
    if not q:
        raise BadQuery("search query is empty")
    if len(q) > MAX_QUERY_CHARS:
        raise BadQuery(f"search query is longer than {MAX_QUERY_CHARS} characters")
    groups: list[str] = []
    seen: set[str] = set()
    for word in query_words(q):
        if word in seen:
            continue
        seen.add(word)
        groups.append(_word_group(word))
    if not groups:
        raise BadQuery("search query has no words (only punctuation or spaces)")
    return " AND ".join(groups)


def index_item(conn: sqlite3.Connection, item_id: int, title: str, text: str) -> None:
    """(Re)index the live version of one item; call inside the publishing transaction."""
    conn.execute("DELETE FROM published_fts WHERE rowid = ?", [item_id])
    conn.execute(
        "INSERT INTO published_fts (rowid, title, body) VALUES (?, ?, ?)",
        [item_id, segment(title), segment(text)],
    )


def unindex_item(conn: sqlite3.Connection, item_id: int) -> None:
    """Remove a retracted item from the index."""
    conn.execute("DELETE FROM published_fts WHERE rowid = ?", [item_id])


def search_ids(conn: sqlite3.Connection, query: str, limit: int) -> list[tuple[int, float]]:
    """(item id, bm25 score) of live items matching *query*, best first (lower score = better)."""
    expr = match_expression(query)
    try:
        rows = conn.execute(
            "SELECT f.rowid, bm25(published_fts, ?, 1.0) AS score FROM published_fts f "
            "JOIN published_items i ON i.item_id = f.rowid "
            "WHERE published_fts MATCH ? AND i.state = 'live' ORDER BY score, f.rowid DESC LIMIT ?",
            [TITLE_WEIGHT, expr, limit],
        ).fetchall()
    except sqlite3.OperationalError as exc:
        raise BadQuery(f"search query cannot be run: {exc}") from None
    return [(r[0], r[1]) for r in rows]
