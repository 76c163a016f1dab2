"""The collector's tables: per-source schedule and health, HTTP validators, seen links, the outbox.

``collected`` is the crash-safe outbox: an item is committed there before anything downstream
sees it, and ``pending`` hands rows on in id order. All access goes through one lock per
connection so worker threads can share a connection safely.
"""

from __future__ import annotations

import json
import logging
import random
import re
import threading
import weakref
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlite_utils

from collectors import observations
from collectors.http import CacheEntry
from collectors.model import CollectedItem
from collectors.notes import Note
from collectors.schedule import backoff_delay, next_check
from settings.model import CollectorSettings, Source
from store import migrate, transaction

__all__ = ["init", "StateStore", "iso", "parse_iso", "SourceState"]

log = logging.getLogger("huiju.collectors")


def _step1(db: sqlite_utils.Database) -> None:
    db.execute("""CREATE TABLE source_state (
        source_id TEXT PRIMARY KEY,
        next_check_at TEXT,
        error_count INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        last_error_at TEXT,
        last_attempt_at TEXT,
        last_success_at TEXT,
        last_new_at TEXT,
        last_warning TEXT,
        identity_rule TEXT,
        identity_note TEXT,
        last_duration REAL,
        last_bytes INTEGER,
        alerting INTEGER NOT NULL DEFAULT 0,
        backlog INTEGER NOT NULL DEFAULT 0
    )""")
    db.execute("""CREATE TABLE http_cache (
        url TEXT PRIMARY KEY,
        etag TEXT,
        last_modified TEXT,
        fresh_until REAL,
        checked_at TEXT
    )""")
    db.execute("""CREATE TABLE seen_links (
        source_id TEXT NOT NULL,
        url TEXT NOT NULL,
        identity TEXT NOT NULL,
        first_seen TEXT NOT NULL,
        checked_at TEXT NOT NULL,
        PRIMARY KEY (source_id, url)
    )""")
    db.execute("""CREATE TABLE collected (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        source_id TEXT NOT NULL,
        identity TEXT NOT NULL,
        version INTEGER NOT NULL,
        content_hash TEXT NOT NULL,
        payload TEXT NOT NULL,
        collected_at TEXT NOT NULL,
        UNIQUE (source_id, identity, version)
    )""")
    db.execute("CREATE INDEX collected_source_time ON collected (source_id, collected_at)")
    db.execute("CREATE INDEX seen_links_recheck ON seen_links (source_id, first_seen)")


def _step2(db: sqlite_utils.Database) -> None:
    # Checks in a row that downloaded a whole list and found nothing new (see idle_max).
    db.execute("ALTER TABLE source_state ADD COLUMN idle_checks INTEGER NOT NULL DEFAULT 0")
    # The title a list showed for a detail page: a new one there sends the page to a re-check at once.
    db.execute("ALTER TABLE seen_links ADD COLUMN list_title TEXT")


def _step3(db: sqlite_utils.Database) -> None:
    # Re-checks in a row that found the page gone (404/410, "page not found"): the second one
    # reports the page withdrawn upstream; any answer with the page resets it.
    db.execute("ALTER TABLE seen_links ADD COLUMN gone_count INTEGER NOT NULL DEFAULT 0")
    db.execute("CREATE INDEX seen_links_gone ON seen_links (source_id) WHERE gone_count = 1")


def _step4(db: sqlite_utils.Database) -> None:
    # When a URL last came back whole (200): validators older than a day are not sent, so a server
    # that answers 304 although its page changed cannot hide items for more than a day.
    db.execute("ALTER TABLE http_cache ADD COLUMN full_at TEXT")
    # Detail links that answer 404/410: after DEAD_AFTER tries they are not fetched again.
    db.execute("""CREATE TABLE dead_links (
        source_id TEXT NOT NULL,
        url TEXT NOT NULL,
        failures INTEGER NOT NULL,
        last_error TEXT,
        last_at TEXT NOT NULL,
        PRIMARY KEY (source_id, url)
    )""")


def _step5(db: sqlite_utils.Database) -> None:
    observations.step(db)  # every check kept for the site evaluation


def _step6(db: sqlite_utils.Database) -> None:
    # The last error's stable code and facts (JSON), when it has them: the command line words it
    # in the operator's language (last_error stays the English line).
    db.execute("ALTER TABLE source_state ADD COLUMN last_error_code TEXT")
    db.execute("ALTER TABLE source_state ADD COLUMN last_error_params TEXT")


def _step7(db: sqlite_utils.Database) -> None:
    # Why the identity rule moved, as facts (JSON: code and params of identity.rule_note): the command
    # line and the log word them in the operator's language (identity_note stays the English line).
    db.execute("ALTER TABLE source_state ADD COLUMN identity_note_facts TEXT")


def _step8(db: sqlite_utils.Database) -> None:
    # The last warning's code and facts (JSON), when it has them (collectors.notes.Note): `sources`
    # words it in the operator's language (last_warning stays the English line).
    db.execute("ALTER TABLE source_state ADD COLUMN last_warning_facts TEXT")


DEAD_AFTER = 3  # tries of a detail link answering 404/410 before it is given up
REVALIDATE_FULL = timedelta(days=1)  # validators are dropped once a day (see _step4)


def init(db: sqlite_utils.Database) -> None:
    """Create or upgrade the collector's tables (source_state, http_cache, seen_links, collected,
    dead_links, observations, observation_days)."""
    from collectors import misses

    with _lock_for(db):  # worker threads may share this connection
        migrate(db, "collectors", [_step1, _step2, _step3, _step4, _step5, _step6, _step7, _step8])
        misses.init(db)


def iso(dt: datetime) -> str:
    """Machine times are stored as ISO 8601 UTC with seconds, so they compare as strings."""
    return dt.astimezone(UTC).isoformat(timespec="seconds")


def parse_iso(s: str | None) -> datetime | None:
    if not s:
        return None
    dt = datetime.fromisoformat(s)
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


@dataclass
class SourceState:
    """One ``source_state`` row (Miniflux keeps its feeds' schedule the same way: plain columns,
    no job store), with one method per event of a run that changes it."""

    source_id: str
    next_check_at: str | None = None
    error_count: int = 0
    last_error: str | None = None
    last_error_at: str | None = None
    last_attempt_at: str | None = None
    last_success_at: str | None = None
    last_new_at: str | None = None
    last_warning: str | None = None
    identity_rule: str | None = None
    identity_note: str | None = None
    last_duration: float | None = None
    last_bytes: int | None = None
    alerting: int = 0
    backlog: int = 0  # detail pages were left behind last run: scan every list page next time
    idle_checks: int = 0  # whole-list downloads in a row that brought nothing new
    last_error_code: str | None = None  # collectors.errors.ENGLISH's code of last_error, if it has one
    last_error_params: str | None = None  # its facts, JSON
    identity_note_facts: str | None = None  # identity_note's code and params, JSON
    last_warning_facts: str | None = None  # last_warning's code and params (collectors.notes.Note), JSON

    # collect_source only says what happened; the bookkeeping (counters, alerting, the next
    # check) is written once, here.
    def record_attempt(self, now: datetime) -> None:
        self.last_attempt_at = iso(now)

    def record_success(self, now: datetime, settings: CollectorSettings, *, new: bool, changed: bool,
                       list_whole: bool, backlog: bool, warnings: list[str], identity_rule: str | None,
                       identity_note: Note | None) -> None:
        """A run that worked: the error count ends, the identity rule moves if the run moved it.

        *list_whole*: the server sent the list (no 304, not still fresh); when it held nothing
        new or changed and nothing was left behind (*backlog*), the check cost full price for
        nothing and counts towards relaxing the interval (see ``schedule.check_interval``).
        """
        self.backlog = int(backlog)
        if identity_rule:
            if identity_rule != self.identity_rule and identity_note:
                self.identity_note = str(identity_note)
                self.identity_note_facts = json.dumps(identity_note.facts)
                log.warning("来源 %(source)s 的条目身份：%(note)s", {"source": self.source_id, "note": str(identity_note)},
                            extra={"words": {"note": ("identity", identity_note.code, identity_note.params)}})
            self.identity_rule = identity_rule
        if self.error_count >= settings.alert_failures:
            log.warning("来源 %(source)s 在 %(n)d 次失败后恢复", {"source": self.source_id, "n": self.error_count})
        self.error_count = 0
        self.last_success_at = iso(now)
        if new:
            self.last_new_at = iso(now)
        self.last_warning = warnings[-1][:300] if warnings else None
        last = warnings[-1] if warnings else None
        self.last_warning_facts = json.dumps(last.facts, ensure_ascii=False) if isinstance(last, Note) else None
        idle = list_whole and not (new or changed or backlog)
        self.idle_checks = self.idle_checks + 1 if idle else 0
        self.alerting = int(self.error_count >= settings.alert_failures)

    def schedule_next(self, source: Source, settings: CollectorSettings, now: datetime,
                      rng: random.Random | None = None, *, throttled: float | None = None,
                      incomplete: bool = False) -> None:
        """After a success: the next check by the schedule policy (see ``schedule.next_check``)."""
        self.next_check_at = iso(next_check(source, settings, now, rng, idle_checks=self.idle_checks,
                                            throttled=throttled, incomplete=incomplete))

    def record_failure(self, now: datetime, settings: CollectorSettings, error: str | None, *,
                       retry_after: float | None = None, rng: random.Random | None = None,
                       cause: str | None = None, code: str | None = None, params: dict | None = None) -> float:
        """A run that failed: one more error in a row, the next try after a backoff; returns its delay."""
        self.error_count += 1
        self.last_error = error
        self.last_error_code = code
        self.last_error_params = json.dumps(params, ensure_ascii=False) if code else None
        self.last_error_at = iso(now)
        delay = backoff_delay(self.error_count, settings, retry_after, rng)
        self.next_check_at = iso(now + timedelta(seconds=delay))
        level = logging.ERROR if self.error_count >= settings.alert_failures else logging.WARNING
        log.log(level, "来源 %(source)s 失败（连续 %(n)d 次，%(delay).0f 秒后再试）：%(error)s",
                {"source": self.source_id, "n": self.error_count, "delay": delay, "error": error},
                extra={"cause": cause, "words": {"error": ("collect", code, params)}})
        self.alerting = int(self.error_count >= settings.alert_failures)
        return delay

    def record_cost(self, duration: float, nbytes: int) -> None:
        """What the run cost (``run.py sources`` shows it; the next pass starts long runs first)."""
        self.last_duration = round(duration, 3)
        self.last_bytes = nbytes


_NOT_WORDS = re.compile(r"[\d\W_]+")


def _words(title: str) -> str:
    """A title without digits, spaces and punctuation: what a retitle changes, a counter does not."""
    return _NOT_WORDS.sub("", title).lower()


# One lock per open database (store.open_db makes one Database per connection); an entry goes
# with its Database, so a daemon opening a connection per pass or request keeps none of them.
_LOCKS: weakref.WeakKeyDictionary[sqlite_utils.Database, threading.RLock] = weakref.WeakKeyDictionary()
_LOCKS_GUARD = threading.Lock()


def _lock_for(db: sqlite_utils.Database) -> threading.RLock:
    with _LOCKS_GUARD:
        lock = _LOCKS.get(db)
        if lock is None:
            lock = _LOCKS[db] = threading.RLock()
        return lock


class StateStore:
    """All collector reads and writes, serialised per connection (worker threads share one)."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self.lock = _lock_for(db)

    def _q(self, sql: str, params: list[Any] | tuple = ()) -> list[tuple]:
        with self.lock:
            return self.db.execute(sql, list(params)).fetchall()

    # -- http cache
    def cache_lookup(self, url: str, now: datetime | None = None) -> CacheEntry | None:
        """What to send to revalidate *url*; at *now*, validators of a page not received whole for
        a day are left out (one full download a day, whatever the server's 304s say)."""
        rows = self._q("SELECT etag, last_modified, fresh_until, full_at FROM http_cache WHERE url = ?", [url])
        if not rows:
            return None
        etag, last_modified, fresh_until, full_at = rows[0]
        full = parse_iso(full_at)
        if now is not None and (full is None or now - full >= REVALIDATE_FULL):
            return CacheEntry(None, None, fresh_until)
        return CacheEntry(etag, last_modified, fresh_until)

    def save_cache(self, url: str, entry: CacheEntry, now: datetime, *, whole: bool = True) -> None:
        """Remember *url*'s validators; *whole*: the page itself came (200), not a 304."""
        if not (entry.etag or entry.last_modified or entry.fresh_until):
            return
        with self.lock, transaction(self.db):
            self.db.execute(
                "INSERT INTO http_cache (url, etag, last_modified, fresh_until, checked_at, full_at) "
                "VALUES (?,?,?,?,?,?) "
                "ON CONFLICT(url) DO UPDATE SET etag=excluded.etag, last_modified=excluded.last_modified, "
                "fresh_until=excluded.fresh_until, checked_at=excluded.checked_at, "
                "full_at=coalesce(excluded.full_at, http_cache.full_at)",
                [url, entry.etag, entry.last_modified, entry.fresh_until, iso(now), iso(now) if whole else None])

    # -- detail links that do not exist
    def _urls_among(self, table_and_filter: str, params: list[Any], urls: list[str]) -> set[str]:
        """The *urls* with a row in ``SELECT url FROM {table_and_filter} AND url IN (…)``, 500 at a time."""
        out: set[str] = set()
        for i in range(0, len(urls), 500):
            chunk = urls[i:i + 500]
            marks = ",".join("?" for _ in chunk)
            out.update(r[0] for r in self._q(f"SELECT url FROM {table_and_filter} AND url IN ({marks})",
                                             [*params, *chunk]))
        return out

    def dead(self, source_id: str, urls: list[str]) -> set[str]:
        """Those of *urls* given up after DEAD_AFTER answers of 404/410."""
        return self._urls_among("dead_links WHERE source_id = ? AND failures >= ?", [source_id, DEAD_AFTER], urls)

    def note_dead(self, source_id: str, url: str, error: str, now: datetime) -> int:
        """One more 404/410 from a detail link; returns how many so far."""
        with self.lock, transaction(self.db):
            self.db.execute(
                "INSERT INTO dead_links (source_id, url, failures, last_error, last_at) VALUES (?,?,1,?,?) "
                "ON CONFLICT(source_id, url) DO UPDATE SET failures = failures + 1, "
                "last_error = excluded.last_error, last_at = excluded.last_at", [source_id, url, error, iso(now)])
            row = self.db.execute("SELECT failures FROM dead_links WHERE source_id = ? AND url = ?",
                                  [source_id, url]).fetchone()
        return int(row[0])

    # -- observations (site evaluation)
    def record_observation(self, obs: observations.Observation) -> None:
        """Keep one check of a source (see collectors/observations.py)."""
        with self.lock:
            observations.insert(self.db, obs)

    # -- source state
    def state(self, source_id: str) -> SourceState:
        """The source's row, or a fresh one for a source never run."""
        with self.lock:
            cur = self.db.execute("SELECT * FROM source_state WHERE source_id = ?", [source_id])
            row = cur.fetchone()
            if row is None:
                return SourceState(source_id)
            names = [d[0] for d in cur.description]
        return SourceState(**dict(zip(names, row, strict=True)))

    def states(self) -> dict[str, SourceState]:
        """Every source's row by id, in one query (the dispatcher and health read all of them)."""
        with self.lock:
            cur = self.db.execute("SELECT * FROM source_state")
            names = [d[0] for d in cur.description]
            rows = cur.fetchall()
        return {r[0]: SourceState(**dict(zip(names, r, strict=True))) for r in rows}

    def save_state(self, st: SourceState) -> None:
        """Write the whole row at once, committed: a run's outcome is recorded in one step."""
        data = dict(st.__dict__)
        cols = ", ".join(data)
        marks = ", ".join("?" for _ in data)
        updates = ", ".join(f"{k}=excluded.{k}" for k in data if k != "source_id")
        with self.lock, transaction(self.db):
            self.db.execute(f"INSERT INTO source_state ({cols}) VALUES ({marks}) "
                            f"ON CONFLICT(source_id) DO UPDATE SET {updates}", list(data.values()))

    def schedule_first(self, source_ids: list[str], when: dict[str, datetime]) -> None:
        """Give sources never seen before a first check time (spread by the caller's jitter)."""
        with self.lock, transaction(self.db):
            for sid in source_ids:
                self.db.execute("INSERT INTO source_state (source_id, next_check_at) VALUES (?, ?) "
                                "ON CONFLICT(source_id) DO NOTHING", [sid, iso(when[sid])])

    # -- seen links
    def seen(self, source_id: str, urls: list[str]) -> set[str]:
        return self._urls_among("seen_links WHERE source_id = ?", [source_id], urls)

    def recheck_candidates(self, source_id: str, now: datetime, window_hours: int, min_gap: timedelta,
                           limit: int) -> list[tuple[str, str]]:
        """Recent detail pages (url, identity) due for a re-check, to catch upstream corrections.

        A page is re-checked for *window_hours* after it was first seen, each time after a gap as
        long as the time it had been known at the last check (at least *min_gap*): corrections come
        early, so the checks are dense at first and sparse later (at 3, 6, 12, 24 and 48 hours with
        a 3 h minimum, not one per interval), and the last check at the end of the window whatever
        the rounds' rhythm (a check at 36 h is followed by one at 48 h, not by none). The age counts
        from first sight, not from the date the site shows, so a page edited soon after Huiju first
        met it is seen whatever its date.

        A page found gone once comes first, after *min_gap* whatever its age: the second look
        decides whether it is reported withdrawn upstream.
        """
        confirm = [(r[0], r[1]) for r in self._q(
            "SELECT url, identity FROM seen_links WHERE source_id = ? AND gone_count = 1 "
            "AND (julianday(?) - julianday(checked_at)) * 86400 + 1 >= ? ORDER BY checked_at LIMIT ?",
            [source_id, iso(now), min_gap.total_seconds(), limit])]
        if len(confirm) >= limit:
            return confirm
        window = window_hours * 3600
        return confirm + [(r[0], r[1]) for r in self._q(
            # first_seen bounds the index range; a page late for its last check (a stopped daemon)
            # still gets it
            "SELECT url, identity FROM seen_links WHERE source_id = ? AND first_seen >= ? "
            "AND (julianday(checked_at) - julianday(first_seen)) * 86400 < ? "
            "AND (julianday(?) - julianday(checked_at)) * 86400 + 1 >= "  # + 1 s: julianday rounding
            "max(?, min((julianday(checked_at) - julianday(first_seen)) * 86400, "
            "? - (julianday(checked_at) - julianday(first_seen)) * 86400)) "
            "AND gone_count != 1 ORDER BY checked_at LIMIT ?",
            [source_id, iso(now - timedelta(hours=window_hours * 2)), window - 1, iso(now),
             min_gap.total_seconds(), window, limit - len(confirm)])]

    def retitled(self, source_id: str, titles: dict[str, str]) -> list[tuple[str, str]]:
        """Known pages (url, identity) whose list now shows other words in the title than last time.

        Digits, spaces and punctuation are not compared: a view count inside the link must not
        send a page to a re-check at every visit.
        """
        out: list[tuple[str, str]] = []
        urls = list(titles)
        for i in range(0, len(urls), 500):
            chunk = urls[i:i + 500]
            marks = ",".join("?" for _ in chunk)
            out += [(r[0], r[1]) for r in self._q(
                f"SELECT url, identity, list_title FROM seen_links WHERE source_id = ? AND url IN ({marks})",
                [source_id, *chunk]) if r[2] is not None and _words(r[2]) != _words(titles[r[0]])]
        return out

    def note_list_titles(self, source_id: str, titles: dict[str, str]) -> None:
        """Remember the title each known page has on the list (see ``retitled``)."""
        with self.lock, transaction(self.db):
            self.db.conn.executemany(
                "UPDATE seen_links SET list_title = ? WHERE source_id = ? AND url = ? "
                "AND list_title IS NOT ?", [(t, source_id, u, t) for u, t in titles.items()])

    def touch_seen(self, source_id: str, url: str, identity: str, now: datetime) -> None:
        with self.lock, transaction(self.db):
            self._upsert_seen(source_id, url, identity, now)

    def _upsert_seen(self, source_id: str, url: str, identity: str, now: datetime) -> None:
        self.db.execute(
            "INSERT INTO seen_links (source_id, url, identity, first_seen, checked_at) VALUES (?,?,?,?,?) "
            "ON CONFLICT(source_id, url) DO UPDATE SET checked_at = excluded.checked_at, gone_count = 0",
            [source_id, url, identity, iso(now), iso(now)])

    def note_gone(self, source_id: str, url: str, now: datetime) -> int:
        """Count one more re-check in a row that found *url* gone; returns the count (0: unknown link)."""
        with self.lock, transaction(self.db):
            self.db.execute("UPDATE seen_links SET gone_count = gone_count + 1, checked_at = ? "
                            "WHERE source_id = ? AND url = ?", [iso(now), source_id, url])
            row = self.db.execute("SELECT gone_count FROM seen_links WHERE source_id = ? AND url = ?",
                                  [source_id, url]).fetchone()
        return int(row[0]) if row else 0

    # -- the outbox
    def store_item(self, item: CollectedItem, now: datetime, seen_url: str | None = None) -> str:
        """Store *item* as a new item or a new version, committed before return.

        Returns "new", "version" or "unchanged".
        """
        h = item.content_hash
        with self.lock, transaction(self.db):
            row = self.db.execute(
                "SELECT version, content_hash FROM collected WHERE source_id = ? AND identity = ? "
                "ORDER BY version DESC LIMIT 1", [item.source_id, item.identity]).fetchone()
            if row is not None and row[1] == h:
                outcome = "unchanged"
            else:
                version = 1 if row is None else row[0] + 1
                self.db.execute(
                    "INSERT INTO collected (source_id, identity, version, content_hash, payload, collected_at) "
                    "VALUES (?,?,?,?,?,?)",
                    [item.source_id, item.identity, version, h, item.to_json(), iso(now)])
                outcome = "new" if row is None else "version"
            if seen_url:
                self._upsert_seen(item.source_id, seen_url, item.identity, now)
        return outcome

    def latest(self, source_id: str, identity: str) -> CollectedItem | None:
        rows = self._q("SELECT payload FROM collected WHERE source_id = ? AND identity = ? "
                       "ORDER BY version DESC LIMIT 1", [source_id, identity])
        return CollectedItem.from_json(rows[0][0]) if rows else None

    def pending(self, after_id: int, limit: int) -> list[tuple[int, CollectedItem]]:
        rows = self._q("SELECT id, payload FROM collected WHERE id > ? ORDER BY id LIMIT ?", [after_id, limit])
        return [(r[0], CollectedItem.from_json(r[1])) for r in rows]

    def count_pending(self, after_id: int, limit: int) -> int:
        rows = self._q("SELECT count(*) FROM (SELECT 1 FROM collected WHERE id > ? LIMIT ?)", [after_id, limit])
        return int(rows[0][0])

    def last_charset(self, source_id: str) -> tuple[str | None, str | None, dict[str, Any] | None]:
        """(charset, the decoder's note on it, that note's code and facts) of the source's latest item."""
        rows = self._q("SELECT payload FROM collected WHERE source_id = ? ORDER BY collected_at DESC, id DESC LIMIT 1",
                       [source_id])
        if not rows:
            return None, None, None
        item = CollectedItem.from_json(rows[0][0])
        return item.charset, next((w for w in item.warnings if w.startswith("charset:")), None), item.charset_note

    def items_since(self, since: datetime) -> dict[str, int]:
        return {r[0]: r[1] for r in self._q(
            "SELECT source_id, count(*) FROM collected WHERE collected_at >= ? GROUP BY source_id", [iso(since)])}

    def new_times(self, source_id: str, since: datetime) -> list[str]:
        """Distinct times at which new (version 1) items arrived: the source's rhythm."""
        return [r[0] for r in self._q(
            "SELECT DISTINCT collected_at FROM collected WHERE source_id = ? AND version = 1 "
            "AND collected_at >= ? ORDER BY collected_at", [source_id, iso(since)])]
