"""What one source's run found (``Gathered``) and did (``SourceResult``), and ``record_run``: the one
call that writes what was found into the collector's tables.

``gather`` fetches and parses without storing anything (``probe`` shares it); what it found is
remembered only by ``record_run``, in an order that never loses an item: each item is committed
to the outbox before its link is marked seen, and a list's validators are kept only when nothing
was left behind, so that a 304 never hides an item.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from collectors.errors import FetchError
from collectors.http import CacheEntry
from collectors.misses import Miss
from collectors.model import CollectedItem
from collectors.notes import Note
from collectors.observations import Observation
from collectors.state import DEAD_AFTER, StateStore, iso
from settings.model import Source

__all__ = ["Gathered", "SourceResult", "observed", "record_run"]

log = logging.getLogger("huiju.collectors")


@dataclass
class SourceResult:
    """What one source's run did."""

    source_id: str
    ok: bool
    new: int = 0
    versions: int = 0
    unchanged: int = 0
    error: str | None = None  # one line
    error_kind: str | None = None  # the CollectError subclass name, e.g. "Timeout"
    error_code: str | None = None  # the condition's stable code, when it has one (collectors.errors.ENGLISH)
    error_params: dict | None = None  # its facts (the command line words the code with them)
    duration: float = 0.0
    bytes: int = 0
    requests: int = 0
    not_modified: int = 0  # answers 304 (or skipped as still fresh by Cache-Control)
    withdrawn: int = 0  # pages reported gone upstream (a version with ``withdrawn`` set)
    warnings: list[str] = field(default_factory=list)
    skipped: bool = False  # already running elsewhere
    state_error: str | None = None  # the source's row could not be saved (locked database, full disk)
    misses: list[Miss] = field(default_factory=list)  # stories this run may have skipped (collectors.misses)


@dataclass
class Gathered:
    """Items built from one source, plus what must be remembered only if they are stored."""

    items: list[tuple[CollectedItem, str | None]]  # (item, link to mark seen)
    unchanged_list: bool = False
    validators: list[tuple[str, CacheEntry]] = field(default_factory=list)
    identity_rule: str | None = None
    identity_note: Note | None = None
    warnings: list[str] = field(default_factory=list)
    detail_failures: int = 0
    detail_attempts: int = 0
    first_detail_error: str | None = None
    first_detail: dict[str, Any] = field(default_factory=dict)  # its facts: page, first (+ first_code/_params)
    first_dead: dict[str, Any] = field(default_factory=dict)  # the first 404/410 answer's: first (+ code, params)
    rechecked: list[tuple[str, str]] = field(default_factory=list)  # (url, identity) fetched, same content
    incomplete: bool = False  # detail pages left for the next run (budget reached)
    list_titles: dict[str, str] = field(default_factory=dict)  # canonical link → title on the list
    retitled: list[tuple[str, str]] = field(default_factory=list)  # (url, identity) re-checked for it
    retitle_later: set[str] = field(default_factory=set)  # retitled past this run's re-check budget
    weak_titles: set[str] = field(default_factory=set)  # re-checked pages titled by their <title> tag only
    dead: list[tuple[str, str]] = field(default_factory=list)  # (url, error): detail links answering 404/410
    detail_links: list[str] = field(default_factory=list)  # the list's links to detail pages
    throttled: float | None = None  # a detail page answered 429/503: Retry-After (0 = none given)
    revalidated: set[str] = field(default_factory=set)  # URLs answered 304 (their validators still hold)
    # re-checked pages that look gone upstream: (url, identity, why, the page as now built or None)
    gone: list[tuple[str, str, str, CollectedItem | None]] = field(default_factory=list)
    misses: list[Miss] = field(default_factory=list)  # stories that may have been skipped


def record_run(store: StateStore, source: Source, g: Gathered, now: datetime, result: SourceResult, *,
               rechecks: list[tuple[str, str]]) -> bool:
    """Store what *g* found and count it on *result*; returns whether detail pages were left
    behind (the source's ``backlog``: every list page is read next time).

    *rechecks* are the known pages (url, identity) the run was asked to look at again.
    Warnings about given-up links, throttling and failed detail pages are added to ``g.warnings``.
    """
    _store_items(store, source, g, now, result, {u for u, _ in rechecks} | {u for u, _ in g.retitled})
    for url, ident in g.rechecked:
        store.touch_seen(source.id, url, ident, now)
    result.withdrawn = _report_gone(store, source, g.gone, now, result)
    if g.list_titles:
        # A retitled page not re-checked this run (budget, deadline) keeps its old title on
        # record, so the change still sends it to a re-check next time.
        done = {u for u, _ in g.rechecked} | {u for _, u in g.items if u} | {u for u, *_ in g.gone}
        later = g.retitle_later | {u for u, _ in g.retitled if u not in done}
        store.note_list_titles(source.id, {u: t for u, t in g.list_titles.items() if u not in later})
    # A detail link answering 404/410 is tried DEAD_AFTER times (a list may show a link before
    # its page exists), then given up: it no longer holds the source's validators back.
    given_up = 0
    for url, error in g.dead:
        if store.note_dead(source.id, url, error, now) >= DEAD_AFTER:
            given_up += 1
            g.misses.append(Miss.of("detail-given-up", url, url=url, status=error.split(" at ")[0], times=DEAD_AFTER))
            g.warnings.append(g.misses[-1].detail)
    if g.detail_links and not g.items and _every_link_dead(store, source.id, g):
        # a list none of whose links leads to a page is broken (a moved site, a changed template):
        # a failure of the source, never "ok" with nothing collected; one dead link among good ones
        # is the list's slip and only a warning
        if g.detail_attempts:  # links that never answered are unseen, not a burst: one miss says what happened
            g.misses = [m for m in g.misses if m.kind != "burst"]
            g.misses.append(Miss.of("all-details-dead", source.url, n=g.detail_attempts, **g.first_detail))
        result.misses = g.misses  # recorded although the run fails: the operator sees why nothing came
        links = list(dict.fromkeys(g.detail_links))
        if g.dead:
            raise FetchError(code="details-dead", params={"n": len(links), **g.first_dead})
        raise FetchError(code="details-dead-given-up", params={"n": len(links), "page": links[0], "times": DEAD_AFTER})
    # Validators are kept only when nothing was left behind, so a 304 never hides an item.
    backlog = bool(g.detail_failures - given_up or g.incomplete or g.throttled is not None)
    if not backlog:
        for url, entry in g.validators:
            store.save_cache(url, entry, now, whole=url not in g.revalidated)
    if g.throttled is not None:
        g.warnings.append("detail pages: the server asked to slow down (HTTP 429/503); the rest wait for "
                          "the next check" + (f" in {g.throttled:.0f}s (Retry-After)" if g.throttled else ""))
    if g.detail_failures:
        g.warnings.append(f"{g.detail_failures} of {g.detail_attempts} detail pages failed; "
                          f"first: {g.first_detail_error}")
    item_notes = [w for w in g.warnings if w.startswith("item ")]
    if item_notes:  # `sources` shows the last warning: say there that items were kept or skipped
        g.warnings.append(Note("items-kept-or-skipped", f"{len(item_notes)} item(s) kept without what could not be "
                               f"read, or skipped; first: {item_notes[0]}", n=len(item_notes), first=item_notes[0]))
    return backlog


def observed(source_id: str, now: datetime, result: SourceResult,
             first: tuple[int | None, int | None, int] | None) -> Observation:
    """The run as one check for the site evaluation: the list page's answer (*first*: status, ms
    to first byte, ms in total), not the run's, which a broken detail page may fail."""
    if first is None:
        # no request was made: the list was still fresh (Cache-Control), or the run failed before one
        outcome = "cached" if result.ok else "failed"
        return Observation(source_id, iso(now), outcome, None, None, None, result.bytes, result.new,
                           None if result.ok else result.error_kind)
    status, ttfb, total = first
    opened = status is not None and 200 <= status < 400
    return Observation(source_id, iso(now), "ok" if opened else "failed", status, ttfb, total, result.bytes,
                       result.new, None if opened else (result.error_kind or "FetchError"))


def _store_items(store: StateStore, source: Source, g: Gathered, now: datetime, result: SourceResult,
                 recheck_urls: set[str]) -> None:
    """Each item into the outbox (committed one by one), counted as new, a version or unchanged.

    A re-checked page keeps what only its list showed (date, address, a better title).
    """
    for item, seen_url in g.items:
        if seen_url in recheck_urls:
            prev = store.latest(source.id, item.identity)
            if prev is not None:
                item.list_date = item.list_date or prev.list_date
                item.published = item.published or prev.published
                item.url = prev.url or item.url
                if seen_url in g.weak_titles and prev.title:
                    item.title = prev.title  # not a correction: the re-check had no list to read
        outcome = store.store_item(item, now, seen_url)
        if outcome == "new":
            result.new += 1
        elif outcome == "version":
            result.versions += 1
        else:
            result.unchanged += 1


def _every_link_dead(store: StateStore, source_id: str, g: Gathered) -> bool:
    """Whether every detail link on the list answers 404/410: now, or given up before (one query)."""
    dead_now = {u for u, _ in g.dead}
    rest = [u for u in dict.fromkeys(g.detail_links) if u not in dead_now]
    if not rest:
        return True
    known_dead = store.dead(source_id, rest)
    return all(u in known_dead for u in rest)


def _report_gone(store: StateStore, source: Source, gone: list[tuple[str, str, str, CollectedItem | None]],
                 now: datetime, result: SourceResult) -> int:
    """Count each gone-looking page; the second time in a row, hand on a version saying it was
    withdrawn upstream (once). Returns how many were reported this run."""
    reported = 0
    for url, ident, why, page in gone:
        prev = store.latest(source.id, ident)
        if page is not None and prev is not None and not prev.withdrawn and prev.content_hash == page.content_hash:
            store.touch_seen(source.id, url, ident, now)  # the stored story itself has those words
            result.unchanged += 1
            continue
        if store.note_gone(source.id, url, now) != 2 or prev is None or prev.withdrawn:
            continue
        note = f"{why} at {url} (2 checks in a row)"
        if store.store_item(replace(prev, withdrawn=note, fetched_at=iso(now), warnings=[]), now) == "version":
            reported += 1
            log.warning("来源 %(source)s：页面 %(url)s 已被来源撤下（连续 2 次检查都是 %(why)s）",
                        {"source": source.id, "url": url, "why": why})
    return reported
