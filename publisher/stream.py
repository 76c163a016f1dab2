"""The published stream: what the portal shows, in order, with a sequence number as its cursor.

Every publish, correction and retraction appends one row to ``published``; ``seq`` only grows.
An item version enters the stream once: a second publish of the same item and version returns
the first row's seq (a unique index makes this hold across crashes and concurrent writers).
Everything happens inside the caller's transaction (``store.transaction`` nests as a savepoint),
so the pipeline can publish and mark the review done atomically.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
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
]

ACTIONS = ("publish", "correct", "retract")
MAX_PAGE = 500


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


def changes(
    db: sqlite_utils.Database, *, since: int = 0, column: str | None = None, limit: int = 100
) -> list[dict[str, Any]]:
    """Stream rows with seq > *since*, ascending: publishes, corrections and retractions.

    With *column*, the rows that concern that column — including a correction that moved the
    item out of it (its ``columns`` then no longer list the column: remove the item).
    """
    if not isinstance(since, int) or since < 0:
        raise ValueError("since must be a whole number >= 0")
    limit = max(1, min(int(limit), MAX_PAGE))
    if column is None:
        rows = _conn(db).execute(
            f"SELECT {_ROW} FROM published p WHERE p.seq > ? ORDER BY p.seq LIMIT ?", [since, limit]
        ).fetchall()
    else:
        rows = _conn(db).execute(
            f"SELECT {_ROW} FROM published_change_columns c JOIN published p ON p.seq = c.seq "
            "WHERE c.column_id = ? AND c.seq > ? ORDER BY c.seq LIMIT ?",
            [column, since, limit],
        ).fetchall()
    return [_row_dict(r) for r in rows]


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


def _excerpt(text: str, query: str, width: int = 160) -> str:
    """A window of *text* around the first query word found in it."""
    text = " ".join((text or "").split())
    words = sorted({w for w in query.split() if w}, key=len, reverse=True)
    at = -1
    for w in words + [w for w in search_index.query_words(query) if w not in words]:
        at = text.find(w)
        if at >= 0:
            break
    start = max(0, at - width // 3) if at >= 0 else 0
    piece = text[start : start + width]
    return ("…" if start else "") + piece + ("…" if start + width < len(text) else "")


def search(db: sqlite_utils.Database, q: str, *, limit: int = 20) -> list[dict[str, Any]]:
    """Live items matching *q* (Chinese-aware, see :mod:`publisher.fulltext`), best first.

    Each result is the item's latest state plus ``score`` (bm25; lower is better) and an
    ``excerpt`` around the match. Retracted items never appear. Raises :class:`BadQuery`.
    """
    limit = max(1, min(int(limit), 100))
    out = []
    for item_id, score in search_index.search_ids(_conn(db), q, limit):
        d = latest(db, item_id)
        if d is None or d["state"] != "live":
            continue
        d["score"] = round(score, 4)
        d["excerpt"] = _excerpt(d["text"] or "", q)
        out.append(d)
    return out
