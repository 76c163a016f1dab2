"""Why items were put together: each cluster member beside the item under review.

For every other member of the item's story: how alike the two bodies are (0–100, on the folded
text, as the queue's search folds it), the longest passage they share (highlighted in the
member's text), and a side-by-side diff of the two, paragraph by paragraph. And the items of
other stories that may be this one's (normalizers.possible_matches: a summary quoting two of its
sentences, a card with its own lead), with the passage they share, for an editor to merge or
leave. Read-only: the clusters themselves are the normalizers'.
"""

from __future__ import annotations

import difflib
from html import escape
from typing import Any

import sqlite_utils
from markupsafe import Markup
from rapidfuzz import fuzz

import normalizers
from review_queue import actions
from review_queue.search import fold

SHARED_CONTEXT = 60  # characters shown either side of the shared passage


def _text(item: dict[str, Any]) -> str:
    return (item.get("text") or "").strip()


def shared_passage(a: str, b: str) -> tuple[int, int]:
    """(start, length) in *b* of the longest passage *b* shares with *a* (0, 0 if none)."""
    m = difflib.SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
    return (m.b, m.size) if m.size else (0, 0)


def highlighted(text: str, start: int, length: int) -> Markup:
    """The shared passage of *text* in <mark>, with a little context either side, escaped."""
    if not length:
        return Markup("")
    lo, hi = max(0, start - SHARED_CONTEXT), min(len(text), start + length + SHARED_CONTEXT)
    return Markup("{}{}<mark>{}</mark>{}{}").format(
        "…" if lo else "", text[lo:start], text[start:start + length], text[start + length:hi],
        "…" if hi < len(text) else "")


def side_by_side(a: str, b: str, a_label: str, b_label: str) -> Markup:
    """A two-column diff of two bodies, one row per paragraph (difflib escapes the text)."""
    table = difflib.HtmlDiff(wrapcolumn=36).make_table(
        a.splitlines() or [""], b.splitlines() or [""], escape(a_label), escape(b_label), context=True, numlines=1)
    return Markup(table)  # safe: HtmlDiff escapes &, < and > of both texts


def _beside(base: str, base_folded: str, other: dict[str, Any],
            states: dict[int, str]) -> tuple[dict[str, Any], str, str]:
    """What both lists show of another item beside the one under review (source, time, state, the
    longest passage they share), and its text, as stored and folded."""
    text = _text(other)
    folded = fold(text)
    # found on the folded texts (a traditional-character or full-width re-post shares as much),
    # shown in the other item's own characters where folding kept the length
    start, length = shared_passage(base_folded, folded) if len(folded) == len(text) else shared_passage(base, text)
    other_id = actions.member_id(other)
    return {
        "id": other_id, "source": other.get("source"), "title": other.get("title"), "url": other.get("url"),
        "published_at": other.get("published_at"), "state": states.get(other_id),
        "shared": highlighted(text, start, length), "shared_chars": length,
    }, text, folded


def explain(db: sqlite_utils.Database, item_id: int) -> list[dict[str, Any]]:
    """The other members of *item_id*'s cluster, most alike first, each with source, time, state,
    score, shared passage and diff against *item_id*."""
    item = normalizers.get_item(db, item_id)
    if item is None or item.get("cluster") is None:
        return []
    others = [actions.member_id(m) for m in normalizers.cluster_members(db, item["cluster"])
              if actions.member_id(m) != item_id]
    if not others:
        return []
    states = actions.states(db, others)
    base = _text(item)
    base_folded = fold(base)
    out = []
    for other in normalizers.list_items(db, ids=others, bodies=True):
        shown, text, folded = _beside(base, base_folded, other, states)
        out.append(shown | {
            "score": round(fuzz.ratio(base_folded, folded)),
            "title_score": round(fuzz.ratio(fold(item.get("title") or ""), fold(other.get("title") or ""))),
            "diff": side_by_side(base, text, f"#{item_id}", f"#{shown['id']}"),
        })
    out.sort(key=lambda m: (-m["score"], m["id"]))
    return out


def possible(db: sqlite_utils.Database, item_id: int) -> list[dict[str, Any]]:
    """Items of other stories that share a stretch of *item_id*'s text though the matcher kept them
    apart, most of the shorter text first: source, time, state, the share of the shorter text
    (0–100) and the longest passage they share."""
    item = normalizers.get_item(db, item_id)
    found = normalizers.possible_matches(db, item_id) if item is not None else []
    if not found:
        return []
    ids = [m.item_id for m in found]
    states = actions.states(db, ids)
    items = {actions.member_id(o): o for o in normalizers.list_items(db, ids=ids, bodies=True)}
    base = _text(item)
    base_folded = fold(base)
    return [_beside(base, base_folded, items[m.item_id], states)[0] | {"share": round(100 * m.containment)}
            for m in found if m.item_id in items]
