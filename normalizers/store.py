"""The normalizers' tables: items, their versions, clusters, the dedup index, tombstones, ingest log.

``ingest`` is the one writer: it cleans a collected item (``clean_item``), routes it to a column
(``route``), finds its cluster and stores it — idempotently per ``collected_id`` and inside the
caller's transaction (it nests as a savepoint), so that a crash never leaves half an item.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import sqlite_utils

import store
from normalizers.clusters import MIN_BODY_CHARS, Fingerprint, Match, find_matches, fingerprint, lsh_keys
from normalizers.document import Document, clean_item
from normalizers.keys import minhash, shingles
from normalizers.routing import route
from normalizers.urls import canonical_url
from pages.item import CollectedItem
from settings.model import Config, Source

__all__ = [
    "IngestResult",
    "UnknownItem",
    "init",
    "ingest",
    "last_ingested",
    "get_item",
    "list_items",
    "cluster_members",
    "tombstone",
    "is_tombstoned",
]

KINDS = ("new", "version", "unchanged", "tombstoned")


class UnknownItem(Exception):
    """No stored item has this id."""


@dataclass
class IngestResult:
    """What ``ingest`` did with one collected item, for review_queue.submit."""

    item_id: int
    kind: str  # new | version | unchanged | tombstoned | withdrawn | restored
    version: int
    cluster_id: int
    representative_id: int
    is_representative: bool
    column: str | None
    topics: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)


# --- schema -------------------------------------------------------------------------------------
def _step1(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE items (
            id INTEGER PRIMARY KEY,
            source TEXT NOT NULL,
            identity TEXT NOT NULL,
            version INTEGER NOT NULL DEFAULT 1,
            title TEXT NOT NULL DEFAULT '',
            text TEXT NOT NULL DEFAULT '',
            html TEXT NOT NULL DEFAULT '',
            url TEXT NOT NULL DEFAULT '',
            canonical_url TEXT NOT NULL DEFAULT '',
            published_at TEXT,
            date_origin TEXT,
            source_line TEXT,
            author TEXT,
            reporter TEXT,
            editor TEXT,
            attachments TEXT NOT NULL DEFAULT '[]',
            keywords TEXT NOT NULL DEFAULT '[]',
            "column" TEXT,
            topics TEXT NOT NULL DEFAULT '[]',
            cluster INTEGER,
            flags TEXT NOT NULL DEFAULT '[]',
            content_hash TEXT NOT NULL DEFAULT '',
            collected_id INTEGER,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (source, identity)
        )"""
    )
    db.execute("CREATE INDEX items_cluster ON items (cluster)")
    db.execute("CREATE INDEX items_canonical_url ON items (canonical_url)")
    db.execute(
        """CREATE TABLE item_versions (
            item_id INTEGER NOT NULL,
            version INTEGER NOT NULL,
            title TEXT NOT NULL,
            text TEXT NOT NULL,
            html TEXT NOT NULL,
            url TEXT NOT NULL,
            canonical_url TEXT NOT NULL,
            published_at TEXT,
            content_hash TEXT NOT NULL,
            collected_id INTEGER,
            created_at TEXT NOT NULL,
            PRIMARY KEY (item_id, version)
        )"""
    )
    db.execute(
        """CREATE TABLE clusters (
            id INTEGER PRIMARY KEY,
            representative_id INTEGER,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )"""
    )
    # Matching data per item: comparison keys (never shown), digests for exact lookups, source rank.
    db.execute(
        """CREATE TABLE dedup_docs (
            item_id INTEGER PRIMARY KEY,
            source TEXT NOT NULL,
            rank INTEGER NOT NULL,
            title_key TEXT NOT NULL,
            body_key TEXT NOT NULL,
            title_digest TEXT,
            body_digest TEXT
        )"""
    )
    db.execute("CREATE INDEX dedup_docs_title ON dedup_docs (source, title_digest)")
    # MinHash-LSH: one row per (band, value); key = band << 32 | value. Read newest first, bounded.
    db.execute(
        "CREATE TABLE dedup_lsh (key INTEGER NOT NULL, item_id INTEGER NOT NULL, "
        "PRIMARY KEY (key, item_id)) WITHOUT ROWID"
    )
    db.execute(
        """CREATE TABLE tombstones (
            item_id INTEGER PRIMARY KEY,
            source TEXT NOT NULL,
            identity TEXT NOT NULL,
            reason TEXT NOT NULL,
            created_at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX tombstones_identity ON tombstones (source, identity)")
    db.execute(
        """CREATE TABLE ingest_log (
            collected_id INTEGER PRIMARY KEY,
            item_id INTEGER NOT NULL,
            kind TEXT NOT NULL,
            version INTEGER NOT NULL,
            created_at TEXT NOT NULL
        )"""
    )


def _step2(db: sqlite_utils.Database) -> None:
    """Collected rows whose ingest keeps failing: counted, then quarantined, never lost."""
    db.execute(
        """CREATE TABLE ingest_failures (
            collected_id INTEGER PRIMARY KEY,
            source TEXT NOT NULL,
            attempts INTEGER NOT NULL,
            last_error TEXT NOT NULL,
            first_failed_at TEXT NOT NULL,
            last_failed_at TEXT NOT NULL,
            quarantined INTEGER NOT NULL DEFAULT 0
        )"""
    )


def _step3(db: sqlite_utils.Database) -> None:
    """Why and when the source took the page down (NULL while it is up): see ``ingest``."""
    db.execute("ALTER TABLE items ADD COLUMN withdrawn TEXT")
    db.execute("ALTER TABLE items ADD COLUMN withdrawn_at TEXT")


def init(db: sqlite_utils.Database) -> None:
    """Create or upgrade the normalizers' tables."""
    store.migrate(db, "normalizers", [_step1, _step2, _step3])


# --- helpers --------------------------------------------------------------------------------------
def _now_iso(now: datetime | None) -> str:
    t = now or datetime.now(UTC)
    if t.tzinfo is None:
        t = t.replace(tzinfo=UTC)
    return t.astimezone(UTC).isoformat(timespec="seconds")


def _flags(doc: Document, fp: Fingerprint) -> list[str]:
    """The cleaner's flags plus what matching noticed (kept and flagged, never dropped)."""
    flags = list(doc.flags)
    if fp.truncated and "key-truncated" not in flags:
        flags.append("key-truncated")  # matched on the first MAX_KEY_CHARS key characters only
    return flags


def _route(doc: Document, source: Source, config: Config) -> tuple[str | None, list[str]]:
    routed = route(doc, source, config.rules, config.columns)
    return routed.column, list(routed.topics)


def _representative(db: sqlite_utils.Database, cluster_id: int) -> int | None:
    """Most authoritative member (lowest source rank), then the earliest published, then the oldest."""
    row = db.conn.execute(
        "SELECT i.id FROM items i LEFT JOIN dedup_docs d ON d.item_id = i.id WHERE i.cluster = ? "
        "ORDER BY COALESCE(d.rank, 1000000), i.published_at IS NULL, i.published_at, i.id LIMIT 1",
        [cluster_id],
    ).fetchone()
    return row[0] if row else None


def _refresh_cluster(db: sqlite_utils.Database, cluster_id: int, now_iso: str) -> None:
    rep = _representative(db, cluster_id)
    if rep is None:
        db.conn.execute("DELETE FROM clusters WHERE id = ?", [cluster_id])
    else:
        db.conn.execute(
            "UPDATE clusters SET representative_id = ?, updated_at = ? WHERE id = ?",
            [rep, now_iso, cluster_id],
        )


def _new_cluster(db: sqlite_utils.Database, now_iso: str) -> int:
    cur = db.conn.execute(
        "INSERT INTO clusters (representative_id, created_at, updated_at) VALUES (NULL, ?, ?)",
        [now_iso, now_iso],
    )
    return int(cur.lastrowid)


def _index(db: sqlite_utils.Database, item_id: int, fp: Fingerprint, source: Source) -> None:
    db.conn.execute(
        "INSERT OR REPLACE INTO dedup_docs (item_id, source, rank, title_key, body_key, title_digest, body_digest) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [item_id, source.id, source.rank, fp.title_key, fp.body_key, fp.title_digest, fp.body_digest],
    )
    if fp.signature:
        db.conn.executemany(
            "INSERT OR IGNORE INTO dedup_lsh (key, item_id) VALUES (?, ?)",
            [(k, item_id) for k in lsh_keys(fp.signature)],
        )


def _unindex(db: sqlite_utils.Database, item_id: int) -> None:
    row = db.conn.execute(
        "SELECT title_key, body_key FROM dedup_docs WHERE item_id = ?", [item_id]
    ).fetchone()
    if row is None:
        return
    body_key = row[1]
    if len(body_key) >= MIN_BODY_CHARS:
        old = minhash(shingles(body_key))
        db.conn.executemany(
            "DELETE FROM dedup_lsh WHERE key = ? AND item_id = ?", [(k, item_id) for k in lsh_keys(old)]
        )
    db.conn.execute("DELETE FROM dedup_docs WHERE item_id = ?", [item_id])


def _place(
    db: sqlite_utils.Database, item_id: int, matches: list[Match], current: int | None, now_iso: str
) -> int:
    """Put an item into the cluster of its matches (merging the clusters they span), or its own."""
    clusters: list[int] = []
    for m in matches:
        if m.cluster_id is not None and m.cluster_id not in clusters:
            clusters.append(m.cluster_id)
    if current is not None and current in clusters:
        target = current
    elif clusters:
        target = clusters[0]
    elif current is not None:
        alone = (
            db.conn.execute(
                "SELECT count(*) FROM items WHERE cluster = ? AND id != ?", [current, item_id]
            ).fetchone()[0]
            == 0
        )
        target = current if alone else _new_cluster(db, now_iso)
    else:
        target = _new_cluster(db, now_iso)
    db.conn.execute("UPDATE items SET cluster = ? WHERE id = ?", [target, item_id])
    touched = {target}
    for other in clusters:
        if other != target:
            db.conn.execute("UPDATE items SET cluster = ? WHERE cluster = ?", [target, other])
            touched.add(other)
    if current is not None:
        touched.add(current)
    for c in touched:
        _refresh_cluster(db, c, now_iso)
    return target


def _doc_row(doc: Document) -> dict[str, Any]:
    return {
        "title": doc.title,
        "text": doc.text,
        "html": doc.html,
        "url": doc.url,
        "canonical_url": doc.canonical_url,
        "published_at": doc.published_at,
        "date_origin": doc.date_origin,
        "source_line": doc.source_line,
        "author": doc.author,
        "reporter": doc.reporter,
        "editor": doc.editor,
        "attachments": json.dumps(doc.attachments, ensure_ascii=False),
        "keywords": json.dumps(doc.keywords, ensure_ascii=False),
    }


def _result(db: sqlite_utils.Database, item_id: int, kind: str) -> IngestResult:
    row = db.conn.execute(
        'SELECT i.version, i.cluster, c.representative_id, i."column", i.topics, i.flags '
        "FROM items i LEFT JOIN clusters c ON c.id = i.cluster WHERE i.id = ?",
        [item_id],
    ).fetchone()
    if row is None:
        raise UnknownItem(f"item {item_id}: not stored")
    version, cluster, rep, column, topics, flags = row
    return IngestResult(
        item_id=item_id,
        kind=kind,
        version=version,
        cluster_id=cluster,
        representative_id=rep,
        is_representative=rep == item_id,
        column=column,
        topics=json.loads(topics),
        flags=json.loads(flags),
    )


def _is_web_address(s: str) -> bool:
    return s[:8].lower().startswith(("http://", "https://"))


def _respelled(db: sqlite_utils.Database, source_id: str, item: CollectedItem) -> tuple | None:
    """The stored item of this source whose identity is the same page spelled differently
    (http/https, index.html, tracking parameters), or None.

    A site moving to https respells every guid and link it publishes; a story it corrects at
    the same time must stay a version of what was published, not become a second story.
    Identities that are not addresses, and hash identities (the source's links proved
    unreliable), are never matched; neither are pages that differ by their #anchor.
    """
    if item.identity_rule == "hash" or not _is_web_address(item.identity):
        return None
    key, url = canonical_url(item.identity), urlsplit(item.url)
    rows = db.conn.execute(
        "SELECT id, content_hash, version, cluster, identity, url FROM items WHERE source = ? AND canonical_url = ?",
        [source_id, canonical_url(item.url)],
    ).fetchall()
    same = [r[:4] for r in rows if _is_web_address(r[4]) and canonical_url(r[4]) == key
            and urlsplit(r[4]).fragment == urlsplit(item.identity).fragment
            and urlsplit(r[5]).fragment == url.fragment]
    return same[0] if len(same) == 1 else None


def _tombstoned_ids(db: sqlite_utils.Database, ids: list[int]) -> set[int]:
    if not ids:
        return set()
    marks = ",".join("?" * len(ids))
    return {r[0] for r in db.conn.execute(f"SELECT item_id FROM tombstones WHERE item_id IN ({marks})", ids)}


# --- ingest -----------------------------------------------------------------------------------------
def ingest(
    db: sqlite_utils.Database,
    collected_id: int,
    item: CollectedItem,
    source: Source,
    config: Config,
    *,
    now: datetime | None = None,
) -> IngestResult:
    """Clean, route, cluster and store one collected item; the same ``collected_id`` twice is a no-op.

    kind is "new" (a new identity), "version" (same source and identity, changed content: the
    old text stays in item_versions), "unchanged" (same content again), "tombstoned" (the
    identity, or a near-duplicate from the same source, was rejected or retracted before),
    "withdrawn" (the source took the page down; the text stays as it was) or "restored" (the
    page is back as it was; a page back with other text is a "version").
    """
    with store.transaction(db):
        logged = db.conn.execute(
            "SELECT item_id, kind FROM ingest_log WHERE collected_id = ?", [collected_id]
        ).fetchone()
        if logged is not None:
            return _result(db, logged[0], logged[1])
        now_iso = _now_iso(now)
        existing = db.conn.execute(
            "SELECT id, content_hash, version, cluster FROM items WHERE source = ? AND identity = ?",
            [source.id, item.identity],
        ).fetchone() or _respelled(db, source.id, item)
        if existing is not None:
            item_id, old_hash, version, cluster = existing
            was_withdrawn = db.conn.execute("SELECT withdrawn FROM items WHERE id = ?", [item_id]).fetchone()[0]
            if _tombstoned_ids(db, [item_id]):
                kind = "tombstoned"
            elif item.withdrawn:
                kind = "unchanged" if was_withdrawn else "withdrawn"
            elif old_hash == item.content_hash:
                kind = "restored" if was_withdrawn else "unchanged"
            else:
                kind = "version"
                _new_version(db, collected_id, item, source, config, item_id, version, cluster, now, now_iso)
            if kind == "withdrawn":
                _set_withdrawn(db, item_id, item.withdrawn, now_iso)
            elif was_withdrawn and kind in ("restored", "version"):
                _set_withdrawn(db, item_id, None, None)
        else:
            item_id, kind = _new_item(db, collected_id, item, source, config, now, now_iso)
            if item.withdrawn:  # first met already gone (its earlier rows were lost): say so
                _set_withdrawn(db, item_id, item.withdrawn, now_iso)
        result = _result(db, item_id, kind)
        db.conn.execute(
            "INSERT INTO ingest_log (collected_id, item_id, kind, version, created_at) VALUES (?, ?, ?, ?, ?)",
            [collected_id, item_id, kind, result.version, now_iso],
        )
        return result


def _set_withdrawn(db: sqlite_utils.Database, item_id: int, why: str | None, at: str | None) -> None:
    db.conn.execute("UPDATE items SET withdrawn = ?, withdrawn_at = ? WHERE id = ?", [why, at, item_id])


def _clean(item: CollectedItem, source: Source, config: Config, now: datetime | None):
    doc = clean_item(item, source, now=now)
    fp = fingerprint(doc.title, doc.text)
    column, topics = _route(doc, source, config)
    return doc, fp, column, topics


def _new_item(
    db: sqlite_utils.Database,
    collected_id: int,
    item: CollectedItem,
    source: Source,
    config: Config,
    now: datetime | None,
    now_iso: str,
) -> tuple[int, str]:
    doc, fp, column, topics = _clean(item, source, config, now)
    flags = _flags(doc, fp)
    matches = find_matches(
        db, fp, source=source.id, canonical_url=doc.canonical_url, published_at=doc.published_at
    )
    dead = _tombstoned_ids(db, [m.item_id for m in matches if m.source == source.id])
    kind = "tombstoned" if dead else "new"
    if dead:
        flags.append("tombstoned")
        matches = [m for m in matches if m.item_id in dead][:1]
    row = _doc_row(doc)
    row.update(
        source=source.id,
        identity=item.identity,
        version=1,
        column=column,
        topics=json.dumps(topics, ensure_ascii=False),
        flags=json.dumps(flags, ensure_ascii=False),
        content_hash=item.content_hash,
        collected_id=collected_id,
        created_at=now_iso,
        updated_at=now_iso,
    )
    cols = ", ".join(f'"{c}"' for c in row)
    cur = db.conn.execute(
        f"INSERT INTO items ({cols}) VALUES ({', '.join('?' * len(row))})", list(row.values())
    )
    item_id = int(cur.lastrowid)
    _index(db, item_id, fp, source)
    _place(db, item_id, matches, None, now_iso)
    if dead:
        db.conn.execute(
            "INSERT INTO tombstones (item_id, source, identity, reason, created_at) VALUES (?, ?, ?, ?, ?)",
            [item_id, source.id, item.identity, f"duplicate of tombstoned item {min(dead)}", now_iso],
        )
    return item_id, kind


def _new_version(
    db: sqlite_utils.Database,
    collected_id: int,
    item: CollectedItem,
    source: Source,
    config: Config,
    item_id: int,
    version: int,
    cluster: int | None,
    now: datetime | None,
    now_iso: str,
) -> None:
    db.conn.execute(
        "INSERT OR REPLACE INTO item_versions (item_id, version, title, text, html, url, canonical_url, "
        "published_at, content_hash, collected_id, created_at) "
        "SELECT id, version, title, text, html, url, canonical_url, published_at, content_hash, collected_id, "
        "updated_at FROM items WHERE id = ?",
        [item_id],
    )
    doc, fp, column, topics = _clean(item, source, config, now)
    flags = _flags(doc, fp)
    row = _doc_row(doc)
    row.update(
        version=version + 1,
        column=column,
        topics=json.dumps(topics, ensure_ascii=False),
        flags=json.dumps(flags, ensure_ascii=False),
        content_hash=item.content_hash,
        collected_id=collected_id,
        updated_at=now_iso,
    )
    sets = ", ".join(f'"{c}" = ?' for c in row)
    db.conn.execute(f"UPDATE items SET {sets} WHERE id = ?", [*row.values(), item_id])
    _unindex(db, item_id)
    matches = find_matches(
        db,
        fp,
        source=source.id,
        canonical_url=doc.canonical_url,
        published_at=doc.published_at,
        exclude=item_id,
    )
    _index(db, item_id, fp, source)
    _place(db, item_id, matches, cluster, now_iso)


# --- reads ---------------------------------------------------------------------------------------------
_JSON_FIELDS = ("attachments", "keywords", "topics", "flags")
_COLUMNS = (
    "id, source, identity, version, title, text, html, url, canonical_url, published_at, date_origin, "
    'source_line, author, reporter, editor, attachments, keywords, "column", topics, cluster, flags, '
    "content_hash, collected_id, created_at, updated_at, withdrawn, withdrawn_at"
)


def _row_dict(cursor_description: Any, row: tuple) -> dict[str, Any]:
    d = {desc[0]: value for desc, value in zip(cursor_description, row, strict=True)}
    for f in _JSON_FIELDS:
        d[f] = json.loads(d[f]) if d[f] else []
    return d


def get_item(db: sqlite_utils.Database, item_id: int) -> dict[str, Any] | None:
    """All stored fields of one item (JSON fields decoded), or None."""
    cur = db.conn.execute(f"SELECT {_COLUMNS} FROM items WHERE id = ?", [item_id])
    row = cur.fetchone()
    return _row_dict(cur.description, row) if row else None


# Everything but the body (text, html): what listings of thousands of items need.
_SUMMARY_COLUMNS = _COLUMNS.replace(" text, html,", "")


def list_items(
    db: sqlite_utils.Database, *, limit: int | None = None, ids: list[int] | None = None,
    bodies: bool = True,
) -> list[dict[str, Any]]:
    """Stored items, newest first; only *ids* if given; at most *limit*.

    ``bodies=False`` leaves out ``text`` and ``html`` (listings: a body is ~10 kB, a row without it ~1 kB).
    """
    sql = f"SELECT {_COLUMNS if bodies else _SUMMARY_COLUMNS} FROM items"
    params: list[Any] = []
    if ids is not None:
        if not ids:
            return []
        sql += f" WHERE id IN ({','.join('?' * len(ids))})"
        params += list(ids)
    sql += " ORDER BY id DESC"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(int(limit))
    cur = db.conn.execute(sql, params)
    return [_row_dict(cur.description, r) for r in cur.fetchall()]


def cluster_members(db: sqlite_utils.Database, cluster_id: int) -> list[dict[str, Any]]:
    """The items of one story, representative first, then by authority and publish time ("also reported by")."""
    rep = db.conn.execute("SELECT representative_id FROM clusters WHERE id = ?", [cluster_id]).fetchone()
    rep_id = rep[0] if rep else None
    rows = db.conn.execute(
        "SELECT i.id, i.source, i.title, i.url, i.published_at FROM items i "
        "LEFT JOIN dedup_docs d ON d.item_id = i.id WHERE i.cluster = ? "
        "ORDER BY i.id != ?, COALESCE(d.rank, 1000000), i.published_at IS NULL, i.published_at, i.id",
        [cluster_id, rep_id if rep_id is not None else -1],
    ).fetchall()
    return [{"item_id": r[0], "source": r[1], "title": r[2], "url": r[3], "published_at": r[4]} for r in rows]


# --- tombstones ------------------------------------------------------------------------------------
def tombstone(db: sqlite_utils.Database, item_id: int, reason: str, *, now: datetime | None = None) -> None:
    """Mark a rejected or retracted item so that it, and same-source re-posts of it, never return."""
    with store.transaction(db):
        row = db.conn.execute("SELECT source, identity, flags FROM items WHERE id = ?", [item_id]).fetchone()
        if row is None:
            raise UnknownItem(f"item {item_id}: not stored")
        now_iso = _now_iso(now)
        db.conn.execute(
            "INSERT INTO tombstones (item_id, source, identity, reason, created_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(item_id) DO UPDATE SET reason = excluded.reason",
            [item_id, row[0], row[1], reason, now_iso],
        )
        flags = json.loads(row[2] or "[]")
        if "tombstoned" not in flags:
            flags.append("tombstoned")
            db.conn.execute(
                "UPDATE items SET flags = ?, updated_at = ? WHERE id = ?",
                [json.dumps(flags, ensure_ascii=False), now_iso, item_id],
            )


def is_tombstoned(db: sqlite_utils.Database, item_id: int) -> bool:
    """Whether the item was rejected or retracted for good."""
    return db.conn.execute("SELECT 1 FROM tombstones WHERE item_id = ?", [item_id]).fetchone() is not None


def last_ingested(db: sqlite_utils.Database) -> int:
    """The highest collected_id done so far (0 before the first): the pipeline's cursor.

    Done means ingested, or quarantined after repeated failures (see :func:`record_failure`).
    """
    row = db.conn.execute(
        "SELECT MAX(m) FROM (SELECT MAX(collected_id) AS m FROM ingest_log "
        "UNION ALL SELECT MAX(collected_id) FROM ingest_failures WHERE quarantined = 1)"
    ).fetchone()
    return int(row[0] or 0)


QUARANTINE_AFTER = 3


def record_failure(db: sqlite_utils.Database, collected_id: int, source_id: str, error: str, *,
                   quarantine_after: int = QUARANTINE_AFTER, now: datetime | None = None) -> bool:
    """Count one failed ingest of a collected row; return True once it is quarantined.

    A row that fails every time would otherwise hold the cursor and stop every row behind it,
    from every source. After *quarantine_after* attempts it is set aside: kept in `collected`,
    listed by :func:`failed_ingests` (and so in /healthz and /metrics), never silently dropped.
    """
    at = _now_iso(now)
    db.conn.execute(
        "INSERT INTO ingest_failures (collected_id, source, attempts, last_error, first_failed_at, last_failed_at) "
        "VALUES (?, ?, 1, ?, ?, ?) ON CONFLICT(collected_id) DO UPDATE SET attempts = attempts + 1, "
        "last_error = excluded.last_error, last_failed_at = excluded.last_failed_at",
        [collected_id, source_id, error[:500], at, at],
    )
    attempts = db.conn.execute("SELECT attempts FROM ingest_failures WHERE collected_id = ?",
                               [collected_id]).fetchone()[0]
    if attempts >= quarantine_after:
        db.conn.execute("UPDATE ingest_failures SET quarantined = 1 WHERE collected_id = ?", [collected_id])
        return True
    return False


def failed_ingests(db: sqlite_utils.Database, *, quarantined_only: bool = True) -> list[dict[str, Any]]:
    """Collected rows set aside after repeated ingest failures, oldest first, with the last error."""
    sql = "SELECT * FROM ingest_failures" + (" WHERE quarantined = 1" if quarantined_only else "")
    cur = db.conn.execute(sql + " ORDER BY collected_id")
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
