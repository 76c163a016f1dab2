"""Possible misses: stories a check may have skipped, recorded per source and run.

A collector can know that it may have missed something without knowing what: a burst longer
than the list pages it read (every item new, no known one reached), a list page past the first
that failed while it was catching up, a detail link given up after answering 404/410 three
times, a list whose every detail link answered 404/410. Each such event is logged once, kept
here for the source until its next successful check (which replaces them with its own), shown in
``run.py sources`` and counted in ``/metrics`` (current ones, and a total per kind that never
goes down).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlite_utils

from store import migrate, transaction

__all__ = ["KINDS", "Miss", "init", "replace_misses", "current", "totals", "prune"]

log = logging.getLogger("huiju.collectors")

KINDS = {
    "burst": "every item on the list pages read was new: older ones may have been skipped",
    "list-page-failed": "a further list page failed while catching up: items on it may have been skipped",
    "detail-given-up": "a detail link answered 404/410 three times and was given up",
    "all-details-dead": "every detail link of the list answered 404/410",
    "page-cut": "a page longer than [collector] parse_max_bytes was parsed on its beginning only",
}


@dataclass(frozen=True)
class Miss:
    """One possible miss: its kind (a key of KINDS), the URL concerned and a one-line detail."""

    kind: str
    url: str
    detail: str
    run_at: str | None = None


def _step1(db: sqlite_utils.Database) -> None:
    db.execute("""CREATE TABLE source_misses (
        source_id TEXT NOT NULL,
        run_at TEXT NOT NULL,
        kind TEXT NOT NULL,
        url TEXT NOT NULL,
        detail TEXT NOT NULL
    )""")
    db.execute("CREATE INDEX source_misses_source ON source_misses (source_id)")
    db.execute("""CREATE TABLE source_miss_totals (
        source_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        total INTEGER NOT NULL,
        PRIMARY KEY (source_id, kind)
    )""")


def init(db: sqlite_utils.Database) -> None:
    """Create the misses tables (source_misses, source_miss_totals)."""
    migrate(db, "collectors_misses", [_step1])


def replace_misses(db: sqlite_utils.Database, source_id: str, run_at: str, misses: list[Miss]) -> None:
    """A successful check's misses replace the source's earlier ones; each new one is logged once."""
    with transaction(db):
        db.execute("DELETE FROM source_misses WHERE source_id = ?", [source_id])
        for m in misses:
            db.execute("INSERT INTO source_misses (source_id, run_at, kind, url, detail) VALUES (?,?,?,?,?)",
                       [source_id, run_at, m.kind, m.url, m.detail[:300]])
            db.execute("INSERT INTO source_miss_totals (source_id, kind, total) VALUES (?,?,1) "
                       "ON CONFLICT(source_id, kind) DO UPDATE SET total = total + 1", [source_id, m.kind])
    for m in misses:
        log.warning("来源 %(source)s：可能漏采（%(kind)s）：%(detail)s",
                    {"source": source_id, "kind": m.kind, "detail": m.detail},
                    extra={"source": source_id, "cause": f"miss-{m.kind}"})


def current(db: sqlite_utils.Database) -> dict[str, list[Miss]]:
    """Source id → the misses of its last successful check that had any."""
    out: dict[str, list[Miss]] = {}
    for sid, run_at, kind, url, detail in db.execute(
            "SELECT source_id, run_at, kind, url, detail FROM source_misses ORDER BY rowid").fetchall():
        out.setdefault(sid, []).append(Miss(kind, url, detail, run_at))
    return out


def totals(db: sqlite_utils.Database) -> dict[tuple[str, str], int]:
    """(source id, kind) → misses recorded since the database was made (a counter)."""
    return {(r[0], r[1]): int(r[2]) for r in db.execute(
        "SELECT source_id, kind, total FROM source_miss_totals").fetchall()}


def prune(db: sqlite_utils.Database, before: datetime, *, dry_run: bool = False) -> int:
    """Misses recorded before *before* (a source not checked successfully for that long)."""
    cutoff = before.astimezone(UTC).isoformat(timespec="seconds")
    if dry_run:
        return int(db.execute("SELECT count(*) FROM source_misses WHERE run_at < ?", [cutoff]).fetchone()[0])
    with transaction(db):
        return db.execute("DELETE FROM source_misses WHERE run_at < ?", [cutoff]).rowcount
