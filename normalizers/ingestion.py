"""Ingest, the one writer of the normalizers' tables: a collected item is cleaned
(``clean_item``), routed to a column (``route``), placed in its story cluster and stored —
idempotently per ``collected_id`` and inside the caller's transaction (it nests as a savepoint),
so that a crash never leaves half an item.

Also here: the other writes, each of which ingest must obey later — ``tombstone`` (a rejected
or retracted item, and same-source re-posts of it, never return) and ``record_failure`` (a
collected row that keeps failing is counted, then set aside instead of holding the cursor).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import sqlite_utils

import store
from normalizers.cluster_rules import constrain
from normalizers.clusters import (
    MIN_BODY_CHARS,
    Fingerprint,
    Match,
    document_fingerprint,
    find_matches,
    lsh_keys,
)
from normalizers.document import Document, clean_item
from normalizers.errors import UnknownItem
from normalizers.keys import minhash, shingles
from normalizers.routing import route
from normalizers.urls import canonical_url
from pages.item import CollectedItem
from settings.model import Config, Source

__all__ = ["IngestResult", "KINDS", "ingest", "tombstone", "record_failure", "QUARANTINE_AFTER"]

KINDS = ("new", "version", "unchanged", "tombstoned")


@dataclass
class IngestResult:
    """What ``ingest`` did with one collected item, and what review_queue.submit needs of the item
    as stored (so that it need not read the item back)."""

    item_id: int
    kind: str  # new | version | unchanged | tombstoned | withdrawn | restored
    version: int
    cluster_id: int
    representative_id: int
    is_representative: bool
    column: str | None
    topics: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    title: str | None = None  # the item's title, text and address as stored
    text: str | None = None
    url: str | None = None
    withdrawn: str | None = None  # why the source took the page down (None while it is up)


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


EXCERPT_SHARE = 0.5  # a member under half the cluster's fullest text is an excerpt or a cut copy


def _representative(db: sqlite_utils.Database, cluster_id: int) -> int | None:
    """The fuller members first (an excerpt or 导读 quoting the opening never stands for the story
    while the whole text is there), then the most authoritative (lowest source rank), then the
    earliest published, then the oldest."""
    row = db.conn.execute(
        "SELECT i.id FROM items i LEFT JOIN dedup_docs d ON d.item_id = i.id WHERE i.cluster = ? "
        "ORDER BY COALESCE(length(d.body_key), 0) < ? * (SELECT COALESCE(max(length(d2.body_key)), 0) "
        "FROM items i2 JOIN dedup_docs d2 ON d2.item_id = i2.id WHERE i2.cluster = ?), "
        "COALESCE(d.rank, 1000000), i.published_at IS NULL, i.published_at, i.id LIMIT 1",
        [cluster_id, EXCERPT_SHARE, cluster_id],
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
            [(k, item_id) for k in lsh_keys(fp.signature, fp.body_key)],
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
            "DELETE FROM dedup_lsh WHERE key = ? AND item_id = ?",
            [(k, item_id) for k in lsh_keys(old, body_key)],
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
    clusters = constrain(db, item_id, clusters)  # a person's splits and merges hold
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
    """The item as stored now, with what the review workflow needs (one read, in the transaction)."""
    row = db.conn.execute(
        'SELECT i.version, i.cluster, c.representative_id, i."column", i.topics, i.flags, '
        "i.title, i.text, i.url, i.withdrawn "
        "FROM items i LEFT JOIN clusters c ON c.id = i.cluster WHERE i.id = ?",
        [item_id],
    ).fetchone()
    if row is None:
        raise UnknownItem(f"item {item_id}: not stored")
    version, cluster, rep, column, topics, flags, title, text, url, withdrawn = row
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
        title=title,
        text=text,
        url=url,
        withdrawn=withdrawn,
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
    fp = document_fingerprint(doc)
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


# --- tombstones and failures ----------------------------------------------------------------------
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
