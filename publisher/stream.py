"""The published stream: what the portal shows, in order, with a sequence number as its cursor.

Every publish, correction and retraction appends one row to ``published``; ``seq`` only grows.
An item version enters the stream once: a second publish of the same item and version returns
the first row's seq (a unique index makes this hold across crashes and concurrent writers).
Everything happens inside the caller's transaction (``store.transaction`` nests as a savepoint),
so the pipeline can publish and mark the review done atomically.
"""

from __future__ import annotations

import html
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlite_utils

import store
from pages.times import SHANGHAI
from publisher import fulltext as search_index
from publisher.errors import InvalidEntry, StaleVersion, UnknownItem
from publisher.sanitize import clean_html, html_to_text, neutral_text, plain_text, safe_url, text_to_html

__all__ = [
    "ACTIONS",
    "Entry",
    "publish",
    "retract",
    "changes",
    "page",
    "deleted_entries",
    "oldest_deletion",
    "MAX_SEQ",
    "latest",
    "feed_entries",
    "iter_latest",
    "latest_seq",
    "item_seq",
    "parse_time",
    "guid",
    "public_view",
    "MAX_PAGE",
    "search",
    "search_page",
]

ACTIONS = ("publish", "correct", "retract")
MAX_PAGE = 500
MAX_SEQ = 2**63 - 1  # SQLite's largest integer: no cursor can be past it


@dataclass
class Entry:
    """One approved item version as the portal should show it.

    ``published_at`` is the original publish time (ISO 8601, +08:00) or None when the source
    gives none — it is kept None, never replaced by another time. ``action`` is the caller's
    intent; the stream records "correct" whenever an earlier version of the item is live and
    "publish" otherwise, so the portal can rely on it.
    """

    item_id: int
    version: int
    columns: list[str]
    title: str
    html: str
    text: str
    url: str
    source_id: str
    source_name: str
    published_at: str | None = None
    also_reported_by: list[dict[str, Any]] = field(default_factory=list)
    approved_by: str | None = None
    approved_at: str | None = None
    action: str = "publish"


def guid(item_id: int) -> str:
    """The stable identity of an item in every feed; corrections keep it."""
    return f"huiju:item:{item_id}"


def _now(now: datetime | None) -> datetime:
    now = now or datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError("now must carry a time zone")
    return now.astimezone(UTC)


def _utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def parse_time(value: str | None) -> datetime | None:
    """An ISO 8601 string as an aware datetime (no offset = Asia/Shanghai; a bare date = midnight)."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SHANGHAI)
    return moment


def _original_time(item_id: int, value: Any) -> tuple[str | None, str | None]:
    """(published_at as shown, UTC sort key); None stays None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=SHANGHAI)
        return moment.astimezone(SHANGHAI).isoformat(), _utc_text(moment)
    if isinstance(value, date):
        value = value.isoformat()
    if not isinstance(value, str):
        raise InvalidEntry(f"item {item_id}: published_at must be an ISO 8601 string or None")
    moment = parse_time(value)
    if moment is None:
        raise InvalidEntry(f"item {item_id}: published_at {value!r} is not an ISO 8601 time")
    shown = value.strip()
    if len(shown) > 10:  # a time, not just a date: shown in Asia/Shanghai with its offset
        shown = moment.astimezone(SHANGHAI).isoformat()
    return shown, _utc_text(moment)


def _also_reported(item_id: int, value: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    seen: set[tuple[str, str | None]] = set()
    for other in value or []:
        if not isinstance(other, dict):
            raise InvalidEntry(f"item {item_id}: also_reported_by entries must be {{source_name, url}}")
        name = plain_text(str(other.get("source_name") or ""))
        url = safe_url(other.get("url"))
        if not name and not url:
            continue
        key = (name, url)
        if key not in seen:
            seen.add(key)
            out.append({"source_name": name or None, "url": url})
    return out


def _validated(entry: Entry) -> dict[str, Any]:
    """The row to store for *entry*, sanitized; raises InvalidEntry naming the problem."""
    if not isinstance(entry.item_id, int) or isinstance(entry.item_id, bool) or entry.item_id <= 0:
        raise InvalidEntry(f"item id {entry.item_id!r} is not a positive whole number")
    iid = entry.item_id
    if not isinstance(entry.version, int) or isinstance(entry.version, bool) or entry.version < 1:
        raise InvalidEntry(f"item {iid}: version {entry.version!r} is not a positive whole number")
    if entry.action not in ACTIONS:
        raise InvalidEntry(f"item {iid}: action {entry.action!r} is not one of {', '.join(ACTIONS)}")
    if isinstance(entry.columns, str) or not entry.columns:
        raise InvalidEntry(f"item {iid}: no column to publish into")
    columns = list(dict.fromkeys(c.strip() for c in entry.columns if isinstance(c, str) and c.strip()))
    if not columns:
        raise InvalidEntry(f"item {iid}: no column to publish into")
    url = safe_url(entry.url)
    if not url or not url.lower().startswith(("http://", "https://")):
        raise InvalidEntry(f"item {iid}: original url {entry.url!r} is not an http(s) link")
    title = plain_text(entry.title)
    if not title:
        raise InvalidEntry(f"item {iid}: title is empty")
    html = clean_html(entry.html, base=url)
    text = neutral_text(entry.text).strip()
    if not plain_text(html) and text:
        html = text_to_html(text)
    if not text:
        text = html_to_text(html)
    source_name = plain_text(entry.source_name) or plain_text(entry.source_id)
    if not source_name:
        raise InvalidEntry(f"item {iid}: no source name (来源)")
    published_at, published_utc = _original_time(iid, entry.published_at)
    return {
        "item_id": iid,
        "version": entry.version,
        "column_ids": json.dumps(columns, ensure_ascii=False),
        "title": title,
        "html": html,
        "text": text,
        "url": url,
        "source_id": entry.source_id,
        "source_name": source_name,
        "published_at": published_at,
        "published_utc": published_utc,
        "also_reported_by": json.dumps(_also_reported(iid, entry.also_reported_by), ensure_ascii=False),
        "approved_by": entry.approved_by,
        "approved_at": entry.approved_at,
    }


def _insert_row(conn: sqlite3.Connection, row: dict[str, Any]) -> int:
    names = list(row)
    cur = conn.execute(
        f"INSERT INTO published ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})",
        [row[n] for n in names],
    )
    return int(cur.lastrowid)


def _touch_columns(conn: sqlite3.Connection, seq: int, column_ids: list[str]) -> None:
    conn.executemany(
        "INSERT INTO published_change_columns (column_id, seq) VALUES (?, ?)",
        [(c, seq) for c in dict.fromkeys(column_ids)],
    )


def publish(db: sqlite_utils.Database, entry: Entry, *, now: datetime | None = None) -> int:
    """Append *entry* to the stream and return its seq; the same item+version again returns the first seq.

    A version older than the live one raises :class:`StaleVersion`; an entry that cannot be shown
    raises :class:`InvalidEntry`. ``action="retract"`` retracts the item instead.
    """
    if entry.action == "retract":
        return retract(db, entry.item_id, reason="retracted", now=now)
    row = _validated(entry)
    moment = _utc_text(_now(now))
    with store.transaction(db) as conn:
        done = conn.execute(
            "SELECT seq FROM published WHERE item_id = ? AND version = ? AND action <> 'retract'",
            [entry.item_id, entry.version],
        ).fetchone()
        if done:
            return int(done[0])
        state = conn.execute(
            "SELECT i.state, i.version, i.first_seq, p.column_ids FROM published_items i "
            "JOIN published p ON p.seq = i.last_seq WHERE i.item_id = ?",
            [entry.item_id],
        ).fetchone()
        live = state is not None and state[0] == "live"
        if state is not None and entry.version < state[1]:
            raise StaleVersion(
                f"item {entry.item_id}: version {entry.version} is older than published version {state[1]}"
            )
        row["action"] = "correct" if live else "publish"
        row["created_at"] = moment
        seq = _insert_row(conn, row)
        columns = json.loads(row["column_ids"])
        before = json.loads(state[3]) if live else []
        # A correction that moves the item out of a column must reach that column's readers too.
        _touch_columns(conn, seq, columns + [c for c in before if c not in columns])
        first_seq = state[2] if live else seq
        conn.execute(
            "INSERT INTO published_items (item_id, state, version, first_seq, last_seq, published_utc, updated_at) "
            "VALUES (?, 'live', ?, ?, ?, ?, ?) ON CONFLICT (item_id) DO UPDATE SET state = 'live', "
            "version = excluded.version, first_seq = excluded.first_seq, last_seq = excluded.last_seq, "
            "published_utc = excluded.published_utc, updated_at = excluded.updated_at",
            [entry.item_id, entry.version, first_seq, seq, row["published_utc"], moment],
        )
        gone = [c for c in before if c not in columns]
        if gone:
            conn.executemany(
                "DELETE FROM published_columns WHERE column_id = ? AND item_id = ?",
                [(c, entry.item_id) for c in gone],
            )
        conn.executemany(
            "INSERT INTO published_columns (column_id, item_id, first_seq, published_utc) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (column_id, item_id) DO UPDATE SET published_utc = excluded.published_utc",
            [(c, entry.item_id, first_seq, row["published_utc"]) for c in columns],
        )
        search_index.index_item(conn, entry.item_id, row["title"], row["text"])
    return seq


def retract(db: sqlite_utils.Database, item_id: int, *, reason: str, now: datetime | None = None) -> int:
    """Take an item off the portal: a ``retract`` row in the stream, out of feeds and search.

    Returns the retraction's seq; retracting an already retracted item returns the same seq.
    Raises :class:`UnknownItem` when the item was never published.
    """
    moment = _utc_text(_now(now))
    with store.transaction(db) as conn:
        state = conn.execute(
            "SELECT i.state, i.version, i.last_seq, p.column_ids, p.url, p.source_id, p.source_name "
            "FROM published_items i JOIN published p ON p.seq = i.last_seq WHERE i.item_id = ?",
            [item_id],
        ).fetchone()
        if state is None:
            raise UnknownItem(f"item {item_id} was never published")
        if state[0] == "retracted":
            return int(state[2])
        # The retraction names the item and its columns, but carries none of the retracted content.
        seq = _insert_row(
            conn,
            {
                "item_id": item_id,
                "version": state[1],
                "action": "retract",
                "column_ids": state[3],
                "url": state[4],
                "source_id": state[5],
                "source_name": state[6],
                "reason": plain_text(reason) or "retracted",
                "created_at": moment,
            },
        )
        _touch_columns(conn, seq, json.loads(state[3]))
        conn.execute(
            "UPDATE published_items SET state = 'retracted', last_seq = ?, updated_at = ? WHERE item_id = ?",
            [seq, moment, item_id],
        )
        conn.execute("DELETE FROM published_columns WHERE item_id = ?", [item_id])
        search_index.unindex_item(conn, item_id)
    return seq


_ROW = (
    "p.seq, p.item_id, p.version, p.action, p.column_ids, p.title, p.html, p.text, p.url, p.source_id, "
    "p.source_name, p.published_at, p.also_reported_by, p.approved_by, p.approved_at, p.reason, p.created_at"
)


def _row_dict(r: tuple) -> dict[str, Any]:
    columns = json.loads(r[4])
    return {
        "seq": r[0],
        "item_id": r[1],
        "guid": guid(r[1]),
        "version": r[2],
        "action": r[3],
        "column": columns[0] if columns else None,
        "columns": columns,
        "title": r[5],
        "html": r[6],
        "text": r[7],
        "url": r[8],
        "source_id": r[9],
        "source_name": r[10],
        "published_at": r[11],
        "also_reported_by": json.loads(r[12] or "[]"),
        "approved_by": r[13],
        "approved_at": r[14],
        "reason": r[15],
        "updated_at": r[16],
    }


def public_view(d: dict[str, Any]) -> dict[str, Any]:
    """What the public API and export show of a stream row: reviewers' names stay internal."""
    out = {k: v for k, v in d.items() if k not in ("approved_by", "approved_at")}
    if out.get("action") == "retract":
        for k in ("title", "html", "text", "published_at"):
            out.pop(k, None)
    return out


def _conn(db: sqlite_utils.Database) -> sqlite3.Connection:
    return db.conn


def _change_rows(db: sqlite_utils.Database, since: int, column: str | None, count: int) -> list[dict[str, Any]]:
    if column is None:
        rows = _conn(db).execute(
            f"SELECT {_ROW} FROM published p WHERE p.seq > ? ORDER BY p.seq LIMIT ?", [since, count]
        ).fetchall()
    else:
        rows = _conn(db).execute(
            f"SELECT {_ROW} FROM published_change_columns c JOIN published p ON p.seq = c.seq "
            "WHERE c.column_id = ? AND c.seq > ? ORDER BY c.seq LIMIT ?",
            [column, since, count],
        ).fetchall()
    return [_row_dict(r) for r in rows]


def _check_cursor(since: int, limit: int) -> int:
    if not isinstance(since, int) or isinstance(since, bool) or since < 0:
        raise ValueError("since must be a whole number >= 0")
    if since > MAX_SEQ:
        raise ValueError(f"since must be at most {MAX_SEQ}")
    return max(1, min(int(limit), MAX_PAGE))


def changes(
    db: sqlite_utils.Database, *, since: int = 0, column: str | None = None, limit: int = 100
) -> list[dict[str, Any]]:
    """Stream rows with seq > *since*, ascending: publishes, corrections and retractions.

    With *column*, the rows that concern that column — including a correction that moved the
    item out of it (its ``columns`` then no longer list the column: remove the item).
    At most :data:`MAX_PAGE` rows; use :func:`page` to know whether more remain.
    """
    return _change_rows(db, since, column, _check_cursor(since, limit))


def page(
    db: sqlite_utils.Database, *, since: int = 0, column: str | None = None, limit: int = 100
) -> tuple[list[dict[str, Any]], bool]:
    """(rows as :func:`changes` gives them, whether more rows remain after them) — at every limit."""
    limit = _check_cursor(since, limit)
    rows = _change_rows(db, since, column, limit + 1)  # one row past the page says whether more remain
    return rows[:limit], len(rows) > limit


def deleted_entries(
    db: sqlite_utils.Database, column: str | None, *, after: str, limit: int = 500
) -> list[dict[str, Any]]:
    """Items taken out of *column* (None = off the portal) at or after UTC time *after*, newest first.

    For all columns: retracted items whose retraction is that recent. For a column, also items a
    correction moved out of it — each at most once, and only while it is not back in the column.
    Each: ``guid``, ``item_id``, ``seq``, ``when`` (UTC), ``reason`` (the editor's, for a
    retraction; None for a move), ``action`` (retract | moved).
    """
    conn = _conn(db)
    if column is None:
        rows = conn.execute(
            "SELECT p.seq, p.item_id, p.created_at, p.reason, 'retract' FROM published p "
            "JOIN published_items i ON i.item_id = p.item_id AND i.last_seq = p.seq "
            "WHERE p.action = 'retract' AND p.created_at >= ? ORDER BY p.seq DESC LIMIT ?",
            [after, limit],
        ).fetchall()
    else:
        rows = conn.execute(
            "SELECT p.seq, p.item_id, p.created_at, p.reason, "
            "CASE WHEN p.action = 'retract' THEN 'retract' ELSE 'moved' END FROM published p "
            "JOIN published_change_columns c ON c.column_id = ? AND c.seq = p.seq "
            "WHERE p.action IN ('retract', 'correct') AND p.created_at >= ? "
            "AND p.seq = (SELECT max(p2.seq) FROM published p2 JOIN published_change_columns c2 "
            "             ON c2.column_id = c.column_id AND c2.seq = p2.seq WHERE p2.item_id = p.item_id) "
            "AND NOT EXISTS (SELECT 1 FROM published_columns m WHERE m.column_id = c.column_id "
            "                AND m.item_id = p.item_id) "
            "ORDER BY p.seq DESC LIMIT ?",
            [column, after, limit],
        ).fetchall()
    return [
        {"seq": r[0], "item_id": r[1], "guid": guid(r[1]), "when": r[2], "reason": r[3], "action": r[4]}
        for r in rows
    ]


def oldest_deletion(db: sqlite_utils.Database, *, after: str) -> str | None:
    """UTC time of the oldest stream row at or after *after* that took an item away (cache expiry)."""
    r = _conn(db).execute(
        "SELECT min(created_at) FROM published WHERE action IN ('retract', 'correct') AND created_at >= ?",
        [after],
    ).fetchone()
    return r[0] if r else None


# An item's latest state: its last stream row plus its ``state`` and ``first_seq`` (see _latest_dict).
_LATEST = f"SELECT {_ROW}, i.state, i.first_seq FROM published_items i JOIN published p ON p.seq = i.last_seq "


def _latest_dict(r: tuple) -> dict[str, Any]:
    d = _row_dict(r)
    d["state"], d["first_seq"] = r[-2], r[-1]
    return d


def latest(db: sqlite_utils.Database, item_id: int) -> dict[str, Any] | None:
    """The latest state of one item (its last stream row, plus ``state`` and ``first_seq``), or None."""
    r = _conn(db).execute(_LATEST + "WHERE i.item_id = ?", [item_id]).fetchone()
    return _latest_dict(r) if r is not None else None


def feed_entries(db: sqlite_utils.Database, column: str | None, limit: int = 50) -> list[dict[str, Any]]:
    """The latest version of each live item in *column* (None = all columns), newest publication first.

    Order is by first publication into the stream: a correction updates an entry in place
    rather than moving it to the top.
    """
    limit = max(1, int(limit))
    if column is None:
        rows = _conn(db).execute(
            _LATEST + "WHERE i.state = 'live' ORDER BY i.first_seq DESC LIMIT ?", [limit]
        ).fetchall()
    else:
        rows = _conn(db).execute(
            f"SELECT {_ROW}, i.state, i.first_seq FROM published_columns c "
            "JOIN published_items i ON i.item_id = c.item_id JOIN published p ON p.seq = i.last_seq "
            "WHERE c.column_id = ? ORDER BY c.first_seq DESC LIMIT ?",
            [column, limit],
        ).fetchall()
    return [_latest_dict(r) for r in rows]


def iter_latest(db: sqlite_utils.Database) -> Iterator[dict[str, Any]]:
    """The latest state of every item ever published, by item id (for the static export)."""
    for r in _conn(db).execute(_LATEST + "ORDER BY i.item_id"):
        yield _latest_dict(r)


def latest_seq(db: sqlite_utils.Database, column: str | None = None) -> tuple[int, str | None]:
    """(highest seq, its UTC time) among rows concerning *column* (None = all): the validator of a feed."""
    if column is None:
        r = _conn(db).execute(
            "SELECT seq, created_at FROM published ORDER BY seq DESC LIMIT 1"
        ).fetchone()
    else:
        r = _conn(db).execute(
            "SELECT c.seq, p.created_at FROM published_change_columns c JOIN published p ON p.seq = c.seq "
            "WHERE c.column_id = ? ORDER BY c.seq DESC LIMIT 1",
            [column],
        ).fetchone()
    return (int(r[0]), r[1]) if r else (0, None)


def item_seq(db: sqlite_utils.Database, item_id: int) -> tuple[int, str] | None:
    """(last seq, its UTC time) of one item, or None: the validator of /api/v1/items/{id}."""
    r = _conn(db).execute(
        "SELECT last_seq, updated_at FROM published_items WHERE item_id = ?", [item_id]
    ).fetchone()
    return (int(r[0]), r[1]) if r else None


def _marks(text: str, query: str) -> list[tuple[int, int]]:
    """Non-overlapping (start, end) spans of the query's words in *text* (folded alike), longest first.

    A compound word is marked whole where it occurs; its parts only where it does not.
    """
    folded = search_index.fold_chars(text).lower()
    runs = [search_index.fold_chars(c).lower() for c in (query or "").split()]
    words = sorted(set(runs) | set(search_index.query_words(query)), key=len, reverse=True)
    taken: list[tuple[int, int]] = []

    def add(word: str) -> bool:
        found = False
        at = folded.find(word)
        while at >= 0 and word:
            end = at + len(word)
            if all(end <= a or at >= b for a, b in taken):
                taken.append((at, end))
                found = True
            at = folded.find(word, end)
        return found

    for w in words:
        if not add(w):
            for part in search_index._cover(w) or []:
                add(part)
    return sorted(taken)


def _excerpt(text: str, query: str, width: int = 160) -> tuple[str, str]:
    """(plain excerpt, the same as HTML with <mark> around the matches) around the first match."""
    text = " ".join((text or "").split())
    spans = _marks(text, query)
    at = spans[0][0] if spans else 0
    start = max(0, at - width // 3)
    end = min(len(text), start + width)
    prefix, suffix = ("…" if start else ""), ("…" if end < len(text) else "")
    out, pos = [], start
    for a, b in spans:
        if b <= start or a >= end:
            continue
        a, b = max(a, start), min(b, end)
        out.append(html.escape(text[pos:a], quote=False))
        out.append("<mark>" + html.escape(text[a:b], quote=False) + "</mark>")
        pos = b
    out.append(html.escape(text[pos:end], quote=False))
    return prefix + text[start:end] + suffix, prefix + "".join(out) + suffix


def _day_start_utc(day: str) -> str:
    moment = datetime.fromisoformat(day).replace(tzinfo=SHANGHAI)
    return _utc_text(moment)


def search_page(
    db: sqlite_utils.Database, q: str, *, limit: int = 20, page: int = 1, column: str | None = None,
    date_from: str | None = None, date_to: str | None = None,
) -> dict[str, Any]:
    """One page of live items matching *q*, with the total: what a portal's search page shows.

    ``items``: the item's latest state plus ``score`` (bm25; lower is better), ``whole`` (every
    compound word matched as a whole), ``excerpt`` and ``excerpt_html`` (matches in ``<mark>``,
    everything else escaped). *date_from* / *date_to* (YYYY-MM-DD, Beijing days, inclusive)
    filter on the original publish time. Raises :class:`BadQuery`.
    """
    limit = max(1, min(int(limit), 100))
    page = max(1, int(page))
    if q and q.strip() and len(q.strip()) <= search_index.MAX_QUERY_CHARS and not search_index.query_words(q):
        # only punctuation or symbols: nothing can match (an answer, not an error, for a search page)
        return {"items": [], "total": 0, "page": page, "pages": 0, "limit": limit}
    utc_from = _day_start_utc(date_from) if date_from else None
    utc_before = _day_start_utc((date.fromisoformat(date_to) + timedelta(days=1)).isoformat()) if date_to else None
    hits, total = search_index.search_hits(
        _conn(db), q, limit=limit, offset=(page - 1) * limit, column=column, utc_from=utc_from,
        utc_before=utc_before)
    out = []
    for item_id, score, whole in hits:
        d = latest(db, item_id)
        if d is None or d["state"] != "live":
            continue
        d["score"] = round(score, 4)
        d["whole"] = whole
        d["excerpt"], d["excerpt_html"] = _excerpt(d["text"] or "", q)
        d["title_html"] = _excerpt(d["title"] or "", q, width=len(d["title"] or "") + 1)[1]
        out.append(d)
    return {"items": out, "total": total, "page": page, "pages": (total + limit - 1) // limit, "limit": limit}


def search(db: sqlite_utils.Database, q: str, *, limit: int = 20) -> list[dict[str, Any]]:
    """Live items matching *q* (Chinese-aware, see :mod:`publisher.fulltext`), best first.

    Each result is the item's latest state plus ``score`` (bm25; lower is better) and an
    ``excerpt`` around the match. Retracted items never appear. Raises :class:`BadQuery`.
    """
    return search_page(db, q, limit=limit)["items"]
