"""Per-item cost of ingest with N items already stored (10,000 vs 1,000,000).

Ingesting a million items one by one would take hours, so the history is pre-filled in bulk:
each stored item is a random mix of 4–8 real corpus sentences (comparison keys), its MinHash
signature the element-wise minimum of its sentences' signatures (exactly the MinHash of the union
of the sentences' shingles; the few shingles spanning two sentences are left out), written
straight into the normalizers' tables (items, clusters, dedup_docs, dedup_lsh — the same rows
ingest writes). Then real items (originals and re-posts) go through the real ``ingest``: the real
band lookups on the full index, the real verification reading stored keys, the real writes.
"""

from __future__ import annotations

import random
import re
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

import store
from bench.dedup.dataset import LabelledItem, Story, bench_config
from normalizers import clean_item, ingest, init
from normalizers.clusters import document_fingerprint, lsh_keys
from normalizers.keys import comparison_key, key_digest, minhash, shingles

__all__ = ["ScaleRun", "prefill", "measure"]

_SENTENCE = re.compile(r"(?<=[。！？])")


def _sentence_pool(stories: list[Story], limit: int, rng: random.Random) -> tuple[list[str], list[list[int]]]:
    keys: list[str] = []
    for s in stories:
        for p in s.paragraphs:
            for sent in _SENTENCE.split(p):
                k = comparison_key(sent)
                if len(k) >= 12:
                    keys.append(k)
    rng.shuffle(keys)
    keys = keys[:limit]
    return keys, [minhash(shingles(k)) for k in keys]


def prefill(db: sqlite_utils.Database, n: int, stories: list[Story], *, seed: int = 1,
            pool: int = 400_000, chunk: int = 50_000) -> float:
    """Store *n* synthetic items built from real sentences; returns the seconds it took."""
    t0 = time.perf_counter()
    rng = random.Random(seed)
    keys, sigs = _sentence_pool(stories, pool, rng)
    now = "2025-01-01T00:00:00+00:00"
    conn = db.conn
    conn.execute("CREATE TEMP TABLE lsh_fill (key INTEGER, item_id INTEGER)")
    start = (conn.execute("SELECT COALESCE(MAX(id), 0) FROM items").fetchone()[0]) + 1
    for base in range(0, n, chunk):
        items, docs, clusters, lsh = [], [], [], []
        for j in range(base, min(n, base + chunk)):
            item_id = start + j
            picks = rng.sample(range(len(keys)), rng.randint(4, 8))
            body = "".join(keys[p] for p in picks)
            sig = list(map(min, zip(*(sigs[p] for p in picks), strict=True)))
            title = keys[picks[0]][:24]
            day = f"2024-{1 + j % 12:02d}-{1 + j % 28:02d}T10:00:00+08:00"
            items.append((item_id, "history", f"h{item_id}", title, body, f"https://history.example/{item_id}",
                          f"https://history.example/{item_id}", day, "city-news", item_id, now, now))
            clusters.append((item_id, item_id, now, now))
            docs.append((item_id, "history", 50, title, body, key_digest(title), key_digest(body)))
            lsh.extend((k, item_id) for k in lsh_keys(sig, body))
        with store.transaction(db):
            conn.executemany(
                'INSERT INTO items (id, source, identity, title, text, url, canonical_url, published_at, "column", '
                "cluster, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", items)
            conn.executemany("INSERT INTO clusters (id, representative_id, created_at, updated_at) VALUES (?,?,?,?)",
                             clusters)
            conn.executemany("INSERT INTO dedup_docs (item_id, source, rank, title_key, body_key, title_digest, "
                             "body_digest) VALUES (?,?,?,?,?,?,?)", docs)
            conn.executemany("INSERT INTO lsh_fill (key, item_id) VALUES (?, ?)", lsh)
    with store.transaction(db):
        conn.execute("INSERT OR IGNORE INTO dedup_lsh (key, item_id) SELECT key, item_id FROM lsh_fill "
                     "ORDER BY key, item_id")
        conn.execute("DROP TABLE lsh_fill")
    conn.execute("ANALYZE")
    return time.perf_counter() - t0


@dataclass
class ScaleRun:
    stored: int
    prefill_seconds: float
    probes: int
    lookup_ms_mean: float  # fingerprint + candidate lookup + verification only (read-only pass)
    lookup_ms_median: float
    ingest_ms_mean: float  # full ingest: clean_item + route + cluster + store, one transaction each
    ingest_ms_median: float
    ingest_ms_p95: float
    ingest_cpu_ms_mean: float  # CPU time per item (robust to other load on the machine)
    db_bytes: int


def measure(db_path: Path, n: int, stories: list[Story], probes: list[LabelledItem]) -> ScaleRun:
    """Pre-fill *n* items at *db_path*, then time the real lookup and the real ingest of *probes*."""
    from normalizers.clusters import find_matches

    for f in db_path.parent.glob(db_path.name + "*"):
        f.unlink()
    db = store.open_db(db_path)
    init(db)
    fill = prefill(db, n, stories)
    config = bench_config()
    # Warm up once (jieba's dictionary, OpenCC, SQLite statement cache) outside the timing.
    ingest(db, 10**12, probes[0].item, probes[0].source, config)
    docs = [clean_item(li.item, li.source) for li in probes[1:]]
    lookups = []
    for li, doc in zip(probes[1:], docs, strict=True):
        t0 = time.perf_counter()
        fp = document_fingerprint(doc)
        find_matches(db, fp, source=li.source.id, canonical_url=doc.canonical_url, published_at=doc.published_at)
        lookups.append(time.perf_counter() - t0)
    costs = []
    c0 = time.process_time()
    for cid, li in enumerate(probes[1:], start=1):
        t0 = time.perf_counter()
        with store.transaction(db):
            ingest(db, cid, li.item, li.source, config)
        costs.append(time.perf_counter() - t0)
    cpu = time.process_time() - c0
    db.conn.close()
    size = sum(f.stat().st_size for f in db_path.parent.glob(db_path.name + "*"))
    costs.sort()
    return ScaleRun(
        stored=n,
        prefill_seconds=fill,
        probes=len(costs),
        lookup_ms_mean=statistics.fmean(lookups) * 1e3,
        lookup_ms_median=statistics.median(lookups) * 1e3,
        ingest_ms_mean=statistics.fmean(costs) * 1e3,
        ingest_ms_median=statistics.median(costs) * 1e3,
        ingest_ms_p95=costs[int(0.95 * (len(costs) - 1))] * 1e3,
        ingest_cpu_ms_mean=cpu / len(costs) * 1e3,
        db_bytes=size,
    )
