"""Column routing: which catalog column an item goes to, and which topic columns (专题) it joins.

An item starts in its source's default column. Rules from schedules.toml (``[[rules]]``, see
``settings.RoutingRule``) are tried in file order: the first matching ``route`` rule replaces the
column; every matching ``topic`` rule adds a topic column. Body keywords are looked for in the
text and in the 来源 line (printed with the body). Keywords match whole jieba words, so
``工业`` does not fire inside ``老工业基地``; rule keywords are added to jieba's dictionary so
that they always segment as one word. Every decision is explained in ``Routing.reasons``.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from normalizers.document import Document
from settings.model import Column, RoutingRule, Source

__all__ = ["Routing", "route", "tokens", "warm_up"]

# Only the first this many characters of a body are segmented: a rule that needs more to fire
# is not a routing rule, and segmentation is the cost of routing (~150k chars/s).
MAX_ROUTING_CHARS = 20_000
# Characters jieba keeps together in one token; keywords with others are matched as substrings.
_TOKEN_CHARS = re.compile(r"[\u4E00-\u9FD5a-zA-Z0-9+#&._%\-]+")

_lock = threading.Lock()
_tokenizer: Any = None
_added: set[str] = set()


@dataclass
class Routing:
    """Where an item goes: its column, topic columns it also joins, and why."""

    column: str
    topics: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)


def _jieba(words: Iterable[str] = ()) -> Any:
    """The process's one jieba tokenizer, loaded on first use, with *words* in its dictionary."""
    global _tokenizer
    new = [w for w in words if w and w not in _added]
    if _tokenizer is not None and not new:
        return _tokenizer
    with _lock:
        if _tokenizer is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            tk = jieba.Tokenizer()
            tk.initialize()
            _tokenizer = tk
        for w in new:
            if w not in _added and _TOKEN_CHARS.fullmatch(w):
                _tokenizer.add_word(w)
            _added.add(w)
    return _tokenizer


def warm_up() -> None:
    """Load jieba's dictionary now rather than at the first ingest.

    It is the largest thing a daemon holds (about 70 MB, once per process, never growing after:
    rule keywords are the only words added); loading it at start puts that cost, and its second
    or two, before the daemon says it is ready instead of into its first pipeline pass.
    """
    _jieba()


def tokens(text: str, keywords: Iterable[str] = ()) -> list[str]:
    """jieba words of *text* (lower-cased), with *keywords* guaranteed to segment as words.

    Without jieba's HMM: it only guesses words the dictionary lacks, out of runs of single
    characters, and every keyword is in the dictionary, so the words a rule can match are the same;
    without the HMM's Viterbi pass ingest takes 4–5 % less CPU (bench.dedup, paired runs)."""
    tk = _jieba(keywords)
    return [t.lower() for t in tk.lcut(text[: MAX_ROUTING_CHARS + 200], HMM=False) if t.strip()]


@lru_cache(maxsize=256)
def _regex(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except re.error:
        return None


def _count(kw: str, counts: Counter[str], raw: str) -> int:
    k = kw.lower()
    if _TOKEN_CHARS.fullmatch(kw):
        return counts.get(k, 0)
    return raw.lower().count(k)


def _columns(columns: Mapping[str, Column] | Sequence[Column] | None) -> dict[str, Column]:
    if columns is None:
        return {}
    if isinstance(columns, Mapping):
        return dict(columns)
    return {c.id: c for c in columns}


def _keyword_hits(
    rule: RoutingRule, title: str, text: str, tc: Counter[str], bc: Counter[str]
) -> tuple[int, list[str]]:
    """Title keywords count 2 each; body keywords count each occurrence, 2 when in the title."""
    hits = 0
    seen: list[str] = []
    for kw in rule.title_any:
        if _count(kw, tc, title):
            hits += 2
            seen.append(f"title:{kw}")
    for kw in rule.body_any:
        in_title = _count(kw, tc, title)
        n = _count(kw, bc, text)
        if in_title:
            hits += 2
            seen.append(f"title:{kw}")
        if n:
            hits += n
            seen.append(f"body:{kw}×{n}")
    return hits, seen


def route(
    doc: Document,
    source: Source,
    rules: Sequence[RoutingRule],
    columns: Mapping[str, Column] | Sequence[Column] | None = None,
) -> Routing:
    """The column and topic columns for *doc* collected from *source*.

    A rule matches when every criterion it states holds: source id in ``sources``, source kind in
    ``kinds``, ``url_pattern`` found in the URL, and keyword hits ≥ ``min_hits``. A rule stating
    no criterion never matches. Rules naming a column not in *columns* are ignored (and said so).
    """
    cols = _columns(columns)
    result = Routing(column=source.column, reasons=[f"default column {source.column} of source {source.id}"])
    if not rules:
        return result
    keywords = [kw for r in rules for kw in (*r.title_any, *r.body_any)]
    needs_words = any(r.title_any or r.body_any for r in rules)
    tc: Counter[str] = Counter()
    bc: Counter[str] = Counter()
    # The 来源 line is printed with the body on the page: it counts as body text for rules.
    body = doc.text[:MAX_ROUTING_CHARS] + ("\n" + doc.source_line if doc.source_line else "")
    if needs_words:
        tc = Counter(tokens(doc.title, keywords))
        bc = Counter(tokens(body, keywords))

    routed = False
    for i, rule in enumerate(rules, start=1):
        label = f"rule {i} ({rule.action} → {rule.column})"
        if not (rule.sources or rule.kinds or rule.url_pattern or rule.title_any or rule.body_any):
            continue
        if cols and rule.column not in cols:
            result.reasons.append(f"{label} ignored: no column {rule.column}")
            continue
        if rule.action == "route" and routed:
            continue
        why: list[str] = []
        if rule.sources:
            if source.id not in rule.sources:
                continue
            why.append(f"source {source.id}")
        if rule.kinds:
            if source.kind not in rule.kinds:
                continue
            why.append(f"kind {source.kind}")
        if rule.url_pattern:
            rx = _regex(rule.url_pattern)
            if rx is None:
                result.reasons.append(f"{label} ignored: bad url_pattern")
                continue
            if not rx.search(doc.url or ""):
                continue
            why.append("url")
        if rule.title_any or rule.body_any:
            hits, seen = _keyword_hits(rule, doc.title, body, tc, bc)
            need = max(rule.min_hits, 1)
            if hits < need:
                continue
            why.append(f"{hits} keyword hits ≥ {need} ({', '.join(seen[:6])})")
        if rule.action == "topic":
            if rule.column != result.column and rule.column not in result.topics:
                result.topics.append(rule.column)
                result.reasons.append(f"{label}: {'; '.join(why)}")
        else:
            routed = True
            result.topics = [t for t in result.topics if t != rule.column]
            result.column = rule.column
            result.reasons.append(f"{label}: {'; '.join(why)}")
    return result
