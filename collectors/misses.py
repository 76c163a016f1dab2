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

import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlite_utils

from store import migrate, transaction

__all__ = ["KINDS", "DETAILS", "Miss", "grouped", "init", "replace_misses", "current", "totals", "prune"]

log = logging.getLogger("huiju.collectors")

KINDS = {
    "burst": "every item on the list pages read was new: older ones may have been skipped",
    "list-page-failed": "a further list page failed while catching up: items on it may have been skipped",
    "detail-given-up": "a detail link answered 404/410 three times and was given up",
    "all-details-dead": "every detail link of the list answered 404/410",
    "page-cut": "a page longer than [collector] parse_max_bytes was parsed on its beginning only",
}


# kind -> its one-line English detail from the miss's facts (``params``, JSON-able, kept with it), so
# that the command line can say it in the operator's language (pipeline.wording MISS_DETAILS). A fact that is
# itself a collection failure comes with its code: ``error`` with ``error_code``/``error_params``,
# ``first`` with ``first_code``/``first_params`` (collectors.errors).
DETAILS = {
    "burst": "every item on the %(pages)s list page(s) read was new: older ones may have been missed "
             "(check more often or raise max_pages)",
    "list-page-failed": "list page %(page)s: %(error)s",
    "detail-given-up": "detail page %(url)s answered %(status)s %(times)s times: given up (the list links to a page "
                       "that does not exist)",
    "all-details-dead": "all %(n)s detail links of the list answered 404/410; first: detail page %(page)s: %(first)s",
    "page-cut": "page of %(bytes)s bytes at %(url)s: only its first %(parsed)s were parsed ([collector] parse_max_bytes)",
}


@dataclass(frozen=True)
class Miss:
    """One possible miss: its kind (a key of KINDS), the URL concerned, a one-line detail (English,
    from DETAILS) and the facts it is made of."""

    kind: str
    url: str
    detail: str
    run_at: str | None = None
    params: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, kind: str, url: str, /, **params: Any) -> Miss:
        """A miss of *kind* at *url*, its detail worded from *params* (DETAILS; a fact may be a URL too)."""
        return cls(kind, url, DETAILS[kind] % grouped(params), params=params)


def grouped(params: dict[str, Any]) -> dict[str, Any]:
    """*params* with each whole number written with thousands separators (4,120,133 bytes), as shown."""
    return {k: f"{v:,}" if isinstance(v, int) and not isinstance(v, bool) else v for k, v in params.items()}


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


def _step2(db: sqlite_utils.Database) -> None:
    db.execute("ALTER TABLE source_misses ADD COLUMN params TEXT")  # the detail's facts, JSON (older rows: NULL)


def init(db: sqlite_utils.Database) -> None:
    """Create the misses tables (source_misses, source_miss_totals)."""
    migrate(db, "collectors_misses", [_step1, _step2])


def replace_misses(db: sqlite_utils.Database, source_id: str, run_at: str, misses: list[Miss]) -> None:
    """A successful check's misses replace the source's earlier ones; each new one is logged once."""
    with transaction(db):
        db.execute("DELETE FROM source_misses WHERE source_id = ?", [source_id])
        for m in misses:
            db.execute("INSERT INTO source_misses (source_id, run_at, kind, url, detail, params) VALUES (?,?,?,?,?,?)",
                       [source_id, run_at, m.kind, m.url, m.detail[:300],
                        json.dumps(m.params, ensure_ascii=False, default=str) if m.params else None])
            db.execute("INSERT INTO source_miss_totals (source_id, kind, total) VALUES (?,?,1) "
                       "ON CONFLICT(source_id, kind) DO UPDATE SET total = total + 1", [source_id, m.kind])
    for m in misses:
        log.warning("来源 %(source)s：可能漏采（%(kind)s）：%(detail)s",
                    {"source": source_id, "kind": m.kind, "detail": m.detail},
                    extra={"source": source_id, "cause": f"miss-{m.kind}",
                           "words": {"detail": ("miss", m.kind, m.params)}})


def current(db: sqlite_utils.Database) -> dict[str, list[Miss]]:
    """Source id → the misses of its last successful check that had any."""
    out: dict[str, list[Miss]] = {}
    for sid, run_at, kind, url, detail, params in db.execute(
            "SELECT source_id, run_at, kind, url, detail, params FROM source_misses ORDER BY rowid").fetchall():
        out.setdefault(sid, []).append(Miss(kind, url, detail, run_at, json.loads(params) if params else {}))
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
