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

__all__ = [
    "segment", "query_words", "match_expression", "whole_expression", "index_item", "unindex_item", "search_ids",
    "search_hits", "fold_chars", "MAX_QUERY_CHARS", "warm_up",
]

MAX_QUERY_CHARS = 200
TITLE_WEIGHT = 5.0  # a hit in the title counts five times a hit in the body

jieba.setLogLevel(logging.WARNING)


def warm_up() -> None:
    """Load jieba's default dictionary (about 70 MB, once per process) now, not at the first publish."""
    jieba.initialize()


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


def fold_chars(text: str) -> str:
    """*text* folded character by character (same length): positions found in it are positions in *text*."""
    out = []
    for ch in text:
        f = _fold(ch)
        out.append(f if len(f) == 1 else ch)
    return "".join(out)


def _cover(word: str) -> list[str] | None:
    """The longest search-mode parts of *word*, left to right, when they cover all of it; else None."""
    parts = {p for p in (t.strip() for t in jieba.cut_for_search(word)) if p != word and len(p) > 1 and _is_word(p)}
    cover: list[str] = []
    at = 0
    while at < len(word):
        here = max((p for p in parts if word.startswith(p, at)), key=len, default=None)
        if here is None:
            return None
        cover.append(here)
        at += len(here)
    return cover


def _words(query: str) -> list[str]:
    q = (query or "").strip()
    if not q:
        raise BadQuery("search query is empty")
    if len(q) > MAX_QUERY_CHARS:
        raise BadQuery(f"search query is longer than {MAX_QUERY_CHARS} characters")
    words = list(dict.fromkeys(query_words(q)))
    if not words:
        raise BadQuery("search query has no words (only punctuation or spaces)")
    return words


def whole_expression(query: str) -> str:
    """Like :func:`match_expression`, but each run of the query (text between spaces) must appear as a whole.

    jieba splits 海上风电 into 海上 + 风电 and 城市轨道交通 may be one word or three: "as a whole"
    means the run itself as one token, or its words' parts near each other (FTS5 NEAR over a
    few tokens, as search-mode segmentation puts sub-words between them) — never the parts
    scattered over the text: 海上风电 is not 海上运输 … 陆上风电.
    """
    _words(query)  # the same errors as match_expression
    groups = []
    for chunk in (query or "").split():
        words = list(dict.fromkeys(query_words(chunk)))
        if not words:
            continue
        tokens = [t for w in words for t in (_cover(w) or [w])]
        whole = _fold(chunk).strip()
        if len(tokens) == 1:
            groups.append(_quote(tokens[0]) if tokens[0] == whole else f"({_quote(whole)} OR {_quote(tokens[0])})")
        else:
            # tokens between the first and the last part: the middle parts, plus two search-mode sub-words
            near = f"NEAR({' '.join(_quote(t) for t in tokens)}, {len(tokens)})"
            groups.append(f"({_quote(whole)} OR {near})")
    return " AND ".join(groups)


def _word_group(word: str) -> str:
    """``"电子政务"`` or, when its search-mode parts cover every character, ``("电子政务" OR ("电子" AND "政务"))``.

    A text may segment a long word differently from the query, so the parts are accepted too —
    but only when together they cover the whole word: 哈尔滨 must not match on 哈尔 (齐齐哈尔).
    """
    cover = _cover(word)
    if cover is None:
        return _quote(word)
    return f"({_quote(word)} OR ({' AND '.join(_quote(p) for p in cover)}))"


def match_expression(query: str) -> str:
    """An FTS5 MATCH expression for *query*: every word must match, as itself or one of its parts.

    Each word of the precise segmentation must match (see :func:`_word_group`). Tokens are
    quoted: user input is never FTS5 syntax.
    """
    return " AND ".join(_word_group(word) for word in _words(query))


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


def search_hits(
    conn: sqlite3.Connection, query: str, *, limit: int, offset: int = 0, column: str | None = None,
    utc_from: str | None = None, utc_before: str | None = None,
) -> tuple[list[tuple[int, float, bool]], int]:
    """(page of (item id, bm25 score, whole-word match), total) of live items matching *query*.

    Items where every compound word appears as a whole come first, then the rest (parts of a
    word apart from each other), each group by bm25 with titles weighted. *column* and a
    UTC range of the original publish time (``utc_from`` inclusive, ``utc_before`` exclusive)
    filter; an undated item never matches a date range.
    """
    expr, whole = match_expression(query), whole_expression(query)
    where = ["published_fts MATCH ?", "i.state = 'live'"]
    filters: list[object] = []
    join = "CROSS JOIN published_items i ON i.item_id = f.rowid "  # CROSS: the FTS index drives (SQLite keeps the order)
    if column is not None:
        join += "CROSS JOIN published_columns c ON c.column_id = ? AND c.item_id = f.rowid "
    if utc_from is not None:
        where.append("i.published_utc >= ?")
        filters.append(utc_from)
    if utc_before is not None:
        where.append("i.published_utc < ?")
        filters.append(utc_before)
    sql_where = " AND ".join(where)
    head = [column] if column is not None else []

    def count(match: str) -> int:
        sql = f"SELECT count(*) FROM published_fts f {join} WHERE {sql_where}"
        return int(conn.execute(sql, [*head, match, *filters]).fetchone()[0])

    def rows(match: str, n: int, skip: int) -> list[tuple[int, float]]:
        sql = (f"SELECT f.rowid, bm25(published_fts, ?, 1.0) AS score FROM published_fts f {join} "
               f"WHERE {sql_where} ORDER BY score, f.rowid DESC LIMIT ? OFFSET ?")
        return [(r[0], r[1]) for r in conn.execute(sql, [TITLE_WEIGHT, *head, match, *filters, n, skip])]

    # Two tiers, each by bm25: the whole-word matches, then the rest ("A NOT B" in FTS5 terms).
    rest = f"({expr}) NOT ({whole})"
    try:
        total, wholes = count(expr), count(whole)
        out = [(i, s, True) for i, s in rows(whole, limit, offset)] if offset < wholes else []
        if len(out) < limit:
            out += [(i, s, False) for i, s in rows(rest, limit - len(out), max(0, offset - wholes))]
    except sqlite3.OperationalError as exc:
        raise BadQuery(f"search query cannot be run: {exc}") from None
    return out, total
