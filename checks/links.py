"""Links in an item's body: their schemes at once, their answers (404/410) by a separate pass.

The pass is off the ingest path: it checks addresses not checked within ``link_recheck_days``,
one request at a time with a timeout and the collectors' User-Agent, at most ``links_per_pass``
a pass and two per host, and stores each answer; items linking to an address that answered
404 or 410 get a LINK-DEAD finding, which closes when the address answers again.
"""

from __future__ import annotations

import logging
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html import unescape
from urllib.parse import urljoin, urlsplit

import requests
import sqlite_utils

import store
from checks.findings import iso_now

log = logging.getLogger("huiju.checks")

__all__ = ["LinkPass", "body_links", "dead_links", "record_links", "run_link_pass"]

GONE = (404, 410)
_HREF = re.compile(r"""<a\b[^>]*?\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
HARMLESS_SCHEMES = ("http", "https", "mailto", "tel")  # tel/mailto are not web pages, and not dead
PER_HOST = 2


def body_links(html: str, base: str = "") -> list[str]:
    """The addresses the body's <a href> point to, resolved against *base*, once each, in order."""
    out: list[str] = []
    for m in _HREF.finditer(html or ""):
        raw = unescape(next(g for g in m.groups() if g is not None)).strip()
        if not raw or raw.startswith("#"):
            continue
        scheme = urlsplit(raw).scheme.lower()
        url = raw if scheme else (urljoin(base, raw) if base else raw)
        if url not in out:
            out.append(url)
    return out


def scheme_of(url: str) -> str:
    return urlsplit(url).scheme.lower()


def record_links(db: sqlite_utils.Database, item_id: int, links: Iterable[str]) -> None:
    """Keep the links of *item_id*'s current body (replacing those of its earlier versions)."""
    db.execute("DELETE FROM check_item_links WHERE item_id = ?", [item_id])
    db.conn.executemany("INSERT OR IGNORE INTO check_item_links (item_id, url) VALUES (?, ?)",
                   [(item_id, u) for u in links])


def stored_links(db: sqlite_utils.Database, item_id: int) -> list[str]:
    return [r[0] for r in db.execute("SELECT url FROM check_item_links WHERE item_id = ? ORDER BY rowid",
                                     [item_id])]


def dead_links(db: sqlite_utils.Database, urls: Iterable[str]) -> dict[str, int]:
    """Of *urls*, those whose last check answered 404/410, with the status."""
    urls = list(urls)
    out: dict[str, int] = {}
    for s in range(0, len(urls), 500):
        chunk = urls[s:s + 500]
        for url, status in db.execute(
                f"SELECT url, status FROM check_links WHERE url IN ({', '.join('?' for _ in chunk)})", chunk):
            if status in GONE:
                out[url] = status
    return out


@dataclass
class LinkPass:
    checked: int = 0
    dead: int = 0
    errors: int = 0
    items: set[int] = field(default_factory=set)  # items whose link findings may have changed


Fetch = Callable[[str, float, str], tuple[int | None, str | None]]


def http_status(url: str, timeout: float, user_agent: str) -> tuple[int | None, str | None]:
    """What *url* answers: (status, None), or (None, one-line error). HEAD first, GET if refused."""
    headers = {"User-Agent": user_agent}
    try:
        with requests.head(url, timeout=timeout, allow_redirects=True, headers=headers) as r:
            status = r.status_code
        if status in (403, 405, 501):  # servers that refuse HEAD: ask properly, read nothing
            with requests.get(url, timeout=timeout, allow_redirects=True, headers=headers, stream=True) as r:
                status = r.status_code
        return status, None
    except requests.RequestException as exc:
        return None, f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"


def due_links(db: sqlite_utils.Database, *, limit: int, recheck_days: int, now: datetime | None = None) -> list[str]:
    """http(s) links of stored items never checked or last checked before the re-check window."""
    cutoff = iso_now((now or datetime.now(UTC)) - timedelta(days=recheck_days))
    rows = db.execute(
        "SELECT l.url FROM check_item_links l LEFT JOIN check_links c ON c.url = l.url "
        "WHERE (l.url LIKE 'http://%' OR l.url LIKE 'https://%') AND (c.url IS NULL OR c.checked_at < ?) "
        "GROUP BY l.url ORDER BY c.checked_at IS NOT NULL, c.checked_at, MIN(l.rowid) LIMIT ?",
        [cutoff, limit * 4]).fetchall()
    per_host: Counter[str] = Counter()
    out: list[str] = []
    for (url,) in rows:
        host = urlsplit(url).hostname or ""
        if per_host[host] >= PER_HOST:
            continue
        per_host[host] += 1
        out.append(url)
        if len(out) >= limit:
            break
    return out


def run_link_pass(db: sqlite_utils.Database, *, limit: int, timeout: float, recheck_days: int,
                  user_agent: str, now: datetime | None = None, fetch: Fetch | None = None,
                  budget_seconds: float | None = None) -> LinkPass:
    """Check the links that are due, one at a time; store what each answered."""
    fetch = fetch or http_status
    stats = LinkPass()
    started = time.monotonic()
    for url in due_links(db, limit=limit, recheck_days=recheck_days, now=now):
        if budget_seconds is not None and time.monotonic() - started > budget_seconds:
            break
        status, error = fetch(url, timeout, user_agent)
        before = db.execute("SELECT status FROM check_links WHERE url = ?", [url]).fetchone()
        if error is not None and before is not None:
            status = before[0]  # a timeout or a refused connection is no evidence: the last answer stands
        with store.transaction(db):
            db.execute("INSERT INTO check_links (url, status, error, checked_at) VALUES (?, ?, ?, ?) "
                       "ON CONFLICT(url) DO UPDATE SET status = excluded.status, error = excluded.error, "
                       "checked_at = excluded.checked_at", [url, status, error, iso_now(now)])
        stats.checked += 1
        stats.dead += status in GONE
        stats.errors += error is not None
        was_dead = before is not None and before[0] in GONE
        if (status in GONE) != was_dead:
            stats.items.update(r[0] for r in db.execute("SELECT item_id FROM check_item_links WHERE url = ?",
                                                        [url]))
        if error:
            log.info("链接检查 %(url)s：%(error)s", {"url": url, "error": error})
    return stats
