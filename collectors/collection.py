"""One collection pass: fetch each source's list, fetch unseen detail pages, store new items.

A source's failure is recorded on its own row (error count, one-line reason, backoff) and never
touches another source or any stored item. Sources run concurrently on a bounded pool with a
per-host cap; a source never runs twice at once.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlite_utils

from collectors.decoding import decode_bytes, looks_binary
from collectors.errors import BinaryContent, CollectError, FetchError, NotAList, ParseError
from collectors.http import CacheEntry, Fetcher, HostLimiter, Response
from collectors.identity import RULES, canonical_link, choose_rule, identity_of
from collectors.model import CollectedItem
from collectors.parsers import (
    Entry,
    guess_json_spec,
    load_json,
    looks_like_feed,
    looks_like_json,
    next_page_url,
    parse_detail,
    parse_feed,
    parse_json,
    parse_list,
)
from collectors.parsers.titles import cut_shared
from collectors.state import DEAD_AFTER, StateStore, iso
from collectors.withdrawal import gone_status, not_found_page, redirected_away
from pages.times import SHANGHAI
from settings.model import CollectorSettings, Source

__all__ = ["SourceResult", "Gathered", "gather", "collect", "collect_source", "backoff_delay", "check_interval",
           "RunningSet"]

log = logging.getLogger("huiju.collectors")

MAX_DETAILS_PER_RUN = 200
CATCH_UP_PAGES = 10  # list pages read past max_pages while every item on them is new
RECHECKS_PER_RUN = 10
DETAIL_PARALLEL = 4  # detail pages of one source fetched at once (the per-host cap bounds the total)
INCOMPLETE_RETRY = 300  # seconds: a run that left detail pages behind (budget, deadline) goes on this soon


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
    duration: float = 0.0
    bytes: int = 0
    requests: int = 0
    not_modified: int = 0  # answers 304 (or skipped as still fresh by Cache-Control)
    withdrawn: int = 0  # pages reported gone upstream (a version with ``withdrawn`` set)
    warnings: list[str] = field(default_factory=list)
    skipped: bool = False  # already running elsewhere


@dataclass
class Gathered:
    """Items built from one source, plus what must be remembered only if they are stored."""

    items: list[tuple[CollectedItem, str | None]]  # (item, link to mark seen)
    unchanged_list: bool = False
    validators: list[tuple[str, CacheEntry]] = field(default_factory=list)
    identity_rule: str | None = None
    identity_note: str | None = None
    warnings: list[str] = field(default_factory=list)
    detail_failures: int = 0
    detail_attempts: int = 0
    first_detail_error: str | None = None
    rechecked: list[tuple[str, str]] = field(default_factory=list)  # (url, identity) fetched, same content
    incomplete: bool = False  # detail pages left for the next run (budget reached)
    list_titles: dict[str, str] = field(default_factory=dict)  # canonical link → title on the list
    retitled: list[tuple[str, str]] = field(default_factory=list)  # (url, identity) re-checked for it
    retitle_later: set[str] = field(default_factory=set)  # retitled past this run's re-check budget
    weak_titles: set[str] = field(default_factory=set)  # re-checked pages titled by their <title> tag only
    dead: list[tuple[str, str]] = field(default_factory=list)  # (url, error): detail links answering 404/410
    throttled: float | None = None  # a detail page answered 429/503: Retry-After (0 = none given)
    revalidated: set[str] = field(default_factory=set)  # URLs answered 304 (their validators still hold)
    # re-checked pages that look gone upstream: (url, identity, why, the page as now built or None)
    gone: list[tuple[str, str, str, CollectedItem | None]] = field(default_factory=list)


def backoff_delay(errors: int, settings: CollectorSettings, retry_after: float | None = None,
                  rng: random.Random | None = None) -> float:
    """Exponential backoff with jitter, capped; Retry-After wins when longer (up to the cap)."""
    r = rng or random
    delay = min(settings.backoff_cap, settings.backoff_base * (2 ** max(0, errors - 1)))
    delay *= 1 + r.uniform(-settings.jitter, settings.jitter)
    delay = min(settings.backoff_cap, delay)
    if retry_after is not None:
        delay = max(delay, min(retry_after, settings.backoff_cap))
    return max(1.0, delay)


class RunningSet:
    """Source ids currently being collected (process-wide): a source never runs twice at once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ids: set[str] = set()

    def claim(self, key: str) -> bool:
        with self._lock:
            if key in self._ids:
                return False
            self._ids.add(key)
            return True

    def release(self, key: str) -> None:
        with self._lock:
            self._ids.discard(key)

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._ids


RUNNING = RunningSet()


def _decode(resp: Response, source: Source) -> tuple[str, str, list[str]]:
    d = decode_bytes(resp.content, http_charset=resp.charset, forced=source.encoding)
    return d.text, d.charset, d.warnings


def guess_type(resp: Response) -> str:
    """rss, json or html from what the server sent (probe without --type)."""
    if looks_binary(resp.content):
        return "html"  # decode will name the binary format
    if looks_like_json(resp.content, resp.content_type):
        return "json"
    if looks_like_feed(resp.content, resp.content_type) and b"<html" not in resp.content[:2048].lower():
        return "rss"
    return "html"


def _item(source: Source, entry: Entry, identity: str, rule: str, now: datetime, charset: str | None,
          warnings: list[str]) -> CollectedItem:
    return CollectedItem(
        source_id=source.id, identity=identity, identity_rule=rule, url=entry.url, title=entry.title,
        html=entry.html, published=entry.published, list_date=entry.list_date, meta=dict(entry.meta),
        attachments=list(entry.attachments), bylines=list(entry.bylines), story=entry.story, page_read=True,
        fetched_at=iso(now), charset=charset,
        warnings=list(dict.fromkeys(warnings + entry.warnings)), dates=list(entry.dates))


def _fetch_list(source: Source, fetcher: Fetcher, g: Gathered, *, conditional: bool,
                seen: Callable[[list[str]], set[str]], full_scan: bool = False,
                catch_up: bool = False) -> tuple[list[Entry], str | None, list[str]] | None:
    """All list pages' entries, or None when the first page is unchanged (304 / still fresh).

    Pages are read up to ``max_pages`` while they hold anything new. With *catch_up* (a source
    visited before), a page on which every item is new means more were published since the last
    check than a page holds: further pages are read, up to CATCH_UP_PAGES, until a known item shows
    that nothing in between was missed.
    """
    first = fetcher.get(source.url, conditional=conditional,
                        accept="application/json" if source.type == "json" else None)
    g.validators.append((source.url, first.cache))  # a 304 may bring a new max-age or ETag too
    if first.not_modified:
        g.unchanged_list = True
        g.revalidated.add(source.url)
        return None
    if not first.content.strip():
        raise ParseError(f"empty body at {first.url}")
    entries: list[Entry] = []
    charset: str | None = None
    warns: list[str] = []
    resp = first
    root: Any = None
    visited = {source.url, first.url}
    last_page = max(1, source.max_pages)
    all_new = False
    pages_read = 0
    for page in range(1, max(last_page, CATCH_UP_PAGES if catch_up else 0) + 1):
        if page > last_page and not all_new:
            break
        if page > 1:
            nxt = None
            if source.type == "json":
                param = source.json.get("page_param")
                if param:
                    nxt = _with_param(source.url, param, page)
            else:
                nxt = (next_page_url(root, resp.url, page, source.list.get("next"), source.url)
                       if root is not None else None)
            if not nxt or nxt in visited:
                break
            visited.add(nxt)
            try:
                resp = fetcher.get(nxt, conditional=False)
            except FetchError as exc:
                if exc.status not in (404, 410):  # past the last page is not worth a warning
                    g.warnings.append(f"list page {page}: {exc}")
                break
        if source.type == "rss":
            kind = looks_binary(resp.content)
            if kind:
                raise BinaryContent(f"binary content ({kind}, {len(resp.content)} bytes), not a feed")
            headers = dict(resp.headers)
            if source.encoding:  # a feed known to lie about its charset
                headers["content-type"] = f"application/xml; charset={source.encoding}"
            found, w = parse_feed(resp.content, headers, resp.url)
            charset = "feed"
            warns += w
        else:
            text, charset, w = _decode(resp, source)
            warns += w
            if source.type == "json":
                data = load_json(text)
                spec = source.json or guess_json_spec(data)
                try:
                    found = parse_json(data, resp.url, spec)
                except NotAList:
                    if page > 1:
                        break
                    raise
            else:
                try:
                    found, root = parse_list(text, resp.url, source.list)
                except ParseError as exc:
                    if page > 1:
                        g.warnings.append(f"list page {page}: {exc}")
                        break
                    if text.lstrip()[:200].lower().startswith(("<?xml", "<rss", "<feed")):
                        raise NotAList("the page is an RSS/Atom feed, not an HTML list (use type rss)") from None
                    raise
        entries += found
        if not found:
            break  # an empty page: no point asking for the next one
        urls = set(e.url for e in found if e.url)
        known = seen(list(urls)) if urls else set()
        if not full_scan and urls and not (urls - known):
            break  # everything on this page is known: older pages are too
        all_new = bool(urls) and not known
        pages_read = page
        if source.type == "rss":
            break
    # No known item anywhere in what could be read (the page limit or the list's own end came
    # first): stories published between the last check and the oldest one read were not seen.
    if catch_up and all_new:
        g.warnings.append(f"every item on the {pages_read} list page(s) read was new: older ones may have been "
                          "missed (check more often or raise max_pages)")
    return entries, charset, list(dict.fromkeys(warns))


def _with_param(url: str, param: str, value: int) -> str:
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    p = urlsplit(url)
    q = [(k, v) for k, v in parse_qsl(p.query, keep_blank_values=True) if k != param]
    q.append((param, str(value)))
    return urlunsplit(p._replace(query=urlencode(q)))


def gather(source: Source, fetcher: Fetcher, *, now: datetime, seen: Callable[[list[str]], set[str]],
           identity_rule: str | None = None, rechecks: list[tuple[str, str]] | None = None, conditional: bool = True,
           deadline: float | None = None, detail_limit: int = MAX_DETAILS_PER_RUN,
           full_scan: bool = False, catch_up: bool = False,
           retitled: Callable[[dict[str, str]], list[tuple[str, str]]] | None = None) -> Gathered:
    """Fetch and parse one source without storing anything (collect and probe share it).

    *retitled* maps the titles the list shows for known pages to those (url, identity) whose
    title changed since the last visit: they are re-checked now, whatever their re-check time.
    """
    g = Gathered(items=[])
    seen = _by_either_spelling(seen)
    if source.cookie_bootstrap:
        try:
            fetcher.bootstrap(source.cookie_bootstrap)
        except FetchError as exc:
            raise type(exc)(f"cookie bootstrap failed: {exc}") from None
    listed = _fetch_list(source, fetcher, g, conditional=conditional and not full_scan, seen=seen,
                         full_scan=full_scan, catch_up=catch_up)
    entries: list[Entry] = []
    charset: str | None = None
    warns: list[str] = []
    if listed is not None:
        entries, charset, warns = listed
        entries = _distinct(entries)
        g.warnings += warns
    malformed = any(w.startswith("feed: malformed") for w in warns)
    # A truncated or malformed answer is no evidence that a source's guids are broken: the rule
    # only moves on a well-formed list, and then stays moved.
    rule, note = choose_rule([] if malformed else entries, identity_rule,
                             has_guids=source.type in ("rss", "json"))
    g.identity_rule, g.identity_note = rule, note
    if note:
        g.warnings.append(f"identity: {note}")
    needs_detail = source.type == "html" or (source.type == "json" and not source.json.get("body")
                                             and not any(e.has_body for e in entries))
    known = seen([e.url for e in entries if e.url]) if needs_detail else set()
    if needs_detail:
        g.list_titles = {canonical_link(e.url): e.title for e in entries if e.url and e.title}
        if retitled is not None and known:
            due = {u for u, _ in rechecks or []}
            changed = [r for r in retitled({canonical_link(e.url): e.title for e in entries
                                            if e.url in known and e.title}) if r[0] not in due]
            g.retitled = changed[:RECHECKS_PER_RUN]
            g.retitle_later = {u for u, _ in changed[RECHECKS_PER_RUN:]}
            rechecks = [*(rechecks or []), *g.retitled]
    budget_hit = False
    todo: list[Entry] = []
    keep: list[Entry] = []
    for e in entries:
        if needs_detail and e.url:
            if e.url in known:
                continue
            if len(todo) >= detail_limit:
                budget_hit = True
                continue
            todo.append(e)
        keep.append(e)
    fetched = _fetch_details(source, fetcher, todo, g, deadline)
    by_tag = [e for e in todo if id(e) in fetched and e.title_from == "page-title"]
    if len(by_tag) >= 2:  # titles only the <title> tag gave: cut what the site's pages all repeat
        for e, title in zip(by_tag, cut_shared([e.title for e in by_tag]), strict=True):
            e.title = title
    if len(fetched) < len(todo) - g.detail_failures:
        budget_hit = True
    ready = [e for e in keep if not (needs_detail and e.url and id(e) not in fetched)]
    shared = {r: _shared_keys(ready, r) for r in RULES[RULES.index(rule):-1]}
    for e in ready:
        ident, used = _identity(e, rule, shared)
        g.items.append((_item(source, e, ident, used, now, e.meta.pop("_charset", None) or charset,
                              warns), canonical_link(e.url) if needs_detail else None))
    for url, known_identity in rechecks or []:
        if deadline and time.monotonic() > deadline:
            break
        e = Entry(url=url, title=g.list_titles.get(canonical_link(url), ""))  # the list's, if it shows it
        try:
            resp = fetcher.get(url, conditional=True)
        except FetchError as exc:
            if why := gone_status(exc.status):
                g.gone.append((url, known_identity, why, None))
            else:  # a server error or timeout is no news about the page: not asked again every run
                g.rechecked.append((url, known_identity))
            continue
        except CollectError:
            g.rechecked.append((url, known_identity))
            continue
        if resp.not_modified:
            g.rechecked.append((url, known_identity))
            continue
        if why := redirected_away(url, resp.url):
            g.gone.append((url, known_identity, why, None))
            continue
        g.validators.append((url, resp.cache))
        try:
            page = _apply_detail(source, resp, e)
        except CollectError:
            continue
        charset = e.meta.pop("_charset", None)
        item = _item(source, e, known_identity, rule, now, charset, []) if e.title else None
        if _weak_title(e.title, e.title_from):  # the stored title (the list's) stands: see collect_source
            g.weak_titles.add(url)
        if why := not_found_page(page, e.title, e.html):
            g.gone.append((url, known_identity, why, item))  # unless it is the story as stored
        elif item is not None:
            g.items.append((item, url))
    if budget_hit:
        g.incomplete = True
        g.warnings.append("detail pages left for the next run (time or count budget reached)")
    return g


def _by_either_spelling(seen: Callable[[list[str]], set[str]]) -> Callable[[list[str]], set[str]]:
    """*seen* that also knows a link by its canonical spelling: a list that stamps every link with
    a cache-buster (?_t=…, ?timestamp=…) or a tracking parameter links known pages under a new
    address at each visit, and they must not all be fetched again (links are remembered
    canonically from now on; links remembered as listed before still count)."""
    def known(urls: list[str]) -> set[str]:
        spelled = {u: canonical_link(u) for u in urls}
        found = seen(list(dict.fromkeys([*urls, *spelled.values()])))
        return {u for u, c in spelled.items() if u in found or c in found}

    return known


def _distinct(entries: list[Entry]) -> list[Entry]:
    """Each entry once: a feed repeating its top story, or a list linking one page twice (once with
    tracking parameters), lists one item twice. Such a repeat is no evidence that the source's
    keys are broken (which would move it to the hash rule for good, where a corrected title
    makes a new item), and storing it twice would flip its versions back and forth."""
    seen: set[tuple[str, str, str]] = set()
    out: list[Entry] = []
    for e in entries:
        if not (e.guid or e.url):
            out.append(e)
            continue
        key = (e.guid or "", canonical_link(e.url), e.title)
        if key in seen:
            continue
        seen.add(key)
        out.append(e)
    return out


def _shared_keys(entries: list[Entry], rule: str) -> set[str]:
    """Keys under *rule* that several different entries of one fetch carry."""
    counts = Counter(identity_of(e, rule) for e in entries)
    return {k for k, n in counts.items() if k and n > 1}


def _identity(e: Entry, rule: str, shared: dict[str, set[str]] | None = None) -> tuple[str, str]:
    """The entry's identity under *rule*; an entry lacking that key, or sharing it with other
    entries of the same fetch (a few repeated guids among many good ones), falls to the next rule
    alone: two different entries must never be stored as versions of one item. All entries
    sharing a key fall, so the outcome does not depend on their order in the list."""
    for r in RULES[RULES.index(rule):]:
        ident = identity_of(e, r)
        if ident and (r == "hash" or ident not in (shared or {}).get(r, ())):
            return ident, r
    raise AssertionError("the hash rule always yields an identity")


def _weak_title(title: str, title_from: str | None) -> bool:
    """A title only the page's <title> tag gave, or a short heading (a column name over every
    page may be one): the list's title is better."""
    return title_from == "page-title" or (title_from == "heading" and len(title) < 8)


def _page_title_wins(listed: str, d: Any) -> bool:
    """Whether the detail page's title replaces the one the list showed."""
    if not d.title or not listed:
        return bool(d.title)
    if d.title_from == "page-title":  # unless the list cut it short ("关于开展…的...") and the tag has it whole
        cut = listed.rstrip(" .…．")
        return cut != listed and len(cut) >= 4 and d.title.startswith(cut)
    return not _weak_title(d.title, d.title_from) or d.title in listed


def _apply_detail(source: Source, resp: Response, e: Entry) -> str:
    """Fill *e* from its detail page; returns the decoded page."""
    text, cs, w = _decode(resp, source)
    d = parse_detail(text, resp.url, source.detail, site_names=(source.name, source.name.split("·")[0]))
    if _page_title_wins(e.title, d):
        e.title, e.title_from = d.title, d.title_from
    e.published = d.published or e.published
    e.dates = d.dates
    e.html = d.html
    e.meta.update(d.meta)
    e.meta["_charset"] = cs
    e.attachments = d.attachments
    e.bylines, e.story = d.bylines, d.story
    e.warnings += w + d.warnings
    if d.canonical and canonical_link(d.canonical) != canonical_link(e.url):
        e.meta.setdefault("canonical", d.canonical)
    return text


def _fetch_details(source: Source, fetcher: Fetcher, todo: list[Entry], g: Gathered,
                   deadline: float | None) -> set[int]:
    """Fetch detail pages a few at a time (the per-host cap still applies); ids of entries filled."""
    done: set[int] = set()
    lock = threading.Lock()

    def one(e: Entry) -> None:
        if deadline and time.monotonic() > deadline or g.throttled is not None:
            return  # left for the next run (a server that asked us to slow down is not pressed)
        with lock:
            g.detail_attempts += 1
        try:
            resp = fetcher.get(e.url, conditional=False)
            _apply_detail(source, resp, e)
        except CollectError as exc:
            status = getattr(exc, "status", None)
            with lock:
                g.detail_failures += 1
                if g.first_detail_error is None:
                    g.first_detail_error = f"detail page {e.url}: {exc}"
                if gone_status(status):  # the same answers that make a known page "gone"
                    g.dead.append((e.url, str(exc)))
                elif status in (429, 503):
                    g.throttled = max(g.throttled or 0.0, getattr(exc, "retry_after", None) or 0.0)
            return
        with lock:
            done.add(id(e))

    if len(todo) <= 1 or DETAIL_PARALLEL <= 1:
        for e in todo:
            one(e)
        return done
    with ThreadPoolExecutor(max_workers=min(DETAIL_PARALLEL, len(todo)), thread_name_prefix="detail") as pool:
        list(pool.map(one, todo))
    return done


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
            log.warning("source %s: page withdrawn upstream: %s", source.id, note)
    return reported


def collect_source(store: StateStore, source: Source, settings: CollectorSettings, limiter: HostLimiter,
                   *, now: datetime, rng: random.Random | None = None, recheck_all: bool = False) -> SourceResult:
    """Run one source and record the outcome on its row; never raises for a source's own failure.

    *recheck_all* re-checks every detail page still in its correction window now (an operator
    told that a site corrected a story), not only those whose re-check time has come.
    """
    start = time.monotonic()
    st = store.state(source.id)
    st.last_attempt_at = iso(now)
    clock_offset = now.timestamp() - time.time()
    # the list URL is fetched whole once a day whatever its 304s say (a server can answer 304 wrongly)
    fetcher = Fetcher(settings, limiter, source=source,
                      cache=lambda url: store.cache_lookup(url, now if url == source.url else None),
                      clock=lambda: time.time() + clock_offset)
    result = SourceResult(source.id, ok=False)
    retry_after = None
    try:
        # The first re-check after 1/16 of the window (3 h of 48), then at doubling ages.
        gap = timedelta(seconds=max(source.interval, settings.detail_recheck_hours * 3600 / 16))
        rechecks = (store.recheck_candidates(source.id, now, settings.detail_recheck_hours,
                                             timedelta(0) if recheck_all else gap,
                                             MAX_DETAILS_PER_RUN if recheck_all else RECHECKS_PER_RUN)
                    if source.type != "rss" else [])
        g = gather(source, fetcher, now=now, seen=lambda urls: store.seen(source.id, urls) | store.dead(source.id, urls),
                   identity_rule=st.identity_rule, rechecks=rechecks,
                   deadline=start + max(settings.total_timeout * 4, 30.0), detail_limit=MAX_DETAILS_PER_RUN,
                   full_scan=bool(st.backlog),
                   catch_up=st.last_success_at is not None,
                   retitled=lambda titles: store.retitled(source.id, titles))
        if g.detail_attempts and g.detail_failures == g.detail_attempts and not g.items and len(g.dead) < \
                g.detail_failures:  # links that do not exist are the list's fault, not the source's
            raise FetchError(f"all {g.detail_attempts} detail pages failed; first: {g.first_detail_error}",
                             retry_after=g.throttled or None)
        recheck_urls = {u for u, _ in rechecks} | {u for u, _ in g.retitled}
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
                g.warnings.append(f"detail page {url} answered {error.split(' at ')[0]} {DEAD_AFTER} times: "
                                  "given up (the list links to a page that does not exist)")
        # Validators are kept only when nothing was left behind, so a 304 never hides an item.
        st.backlog = int(bool(g.detail_failures - given_up or g.incomplete or g.throttled is not None))
        if not st.backlog:
            for url, entry in g.validators:
                store.save_cache(url, entry, now, whole=url not in g.revalidated)
        if g.throttled is not None:
            g.warnings.append("detail pages: the server asked to slow down (HTTP 429/503); the rest wait for "
                              "the next check" + (f" in {g.throttled:.0f}s (Retry-After)" if g.throttled else ""))
        if g.detail_failures:
            g.warnings.append(f"{g.detail_failures} of {g.detail_attempts} detail pages failed; "
                              f"first: {g.first_detail_error}")
        result.ok = True
        result.warnings = g.warnings
        if g.identity_rule:
            if g.identity_rule != st.identity_rule and g.identity_note:
                st.identity_note = g.identity_note
                log.warning("source %s: %s", source.id, g.identity_note)
            st.identity_rule = g.identity_rule
        if st.error_count >= settings.alert_failures:
            log.warning("source %s recovered after %d failures", source.id, st.error_count)
        st.error_count = 0
        st.last_success_at = iso(now)
        if result.new:
            st.last_new_at = iso(now)
        st.last_warning = g.warnings[-1][:300] if g.warnings else None
        # A list the server had to send whole (no 304, not fresh) and that held nothing new cost
        # full price for nothing: such sources relax towards idle_max until something new comes.
        idle = not g.unchanged_list and not (result.new or result.versions or st.backlog)
        st.idle_checks = st.idle_checks + 1 if idle else 0
        st.next_check_at = iso(next_regular_check(source, settings, now, rng, idle_checks=st.idle_checks))
        if g.throttled is not None:  # not before the server said, nor before a backoff step (capped)
            pause = min(max(g.throttled, settings.backoff_base), settings.backoff_cap)
            st.next_check_at = max(st.next_check_at, iso(now + timedelta(seconds=pause)))
        elif g.incomplete and source.cron is None:  # detail pages left behind: go on soon, not in an hour
            st.next_check_at = min(st.next_check_at, iso(now + timedelta(seconds=INCOMPLETE_RETRY)))
    except CollectError as exc:
        result.error = str(exc)
        result.error_kind = type(exc).__name__
        retry_after = getattr(exc, "retry_after", None)
    except Exception as exc:  # a bug or an unexpected library error must not stop the other sources
        result.error = f"unexpected {type(exc).__name__}: {' '.join(str(exc).split())[:200]}"
        result.error_kind = "InternalError"
        log.exception("source %s: unexpected error", source.id)
    finally:
        fetcher.close()
    if not result.ok:
        st.error_count += 1
        st.last_error = result.error
        st.last_error_at = iso(now)
        delay = backoff_delay(st.error_count, settings, retry_after, rng)
        st.next_check_at = iso(now + timedelta(seconds=delay))
        level = logging.ERROR if st.error_count >= settings.alert_failures else logging.WARNING
        log.log(level, "source %s failed (%d in a row, next try in %.0fs): %s", source.id, st.error_count,
                delay, result.error)
    st.alerting = int(st.error_count >= settings.alert_failures)
    result.duration = time.monotonic() - start
    result.bytes = fetcher.bytes
    result.requests = fetcher.requests
    result.not_modified = fetcher.not_modified
    st.last_duration = round(result.duration, 3)
    st.last_bytes = result.bytes
    try:
        store.save_state(st)
    except Exception as exc:  # noqa: BLE001 - the database being busy must not stop the other sources
        log.error("source %s: cannot record its state: %s", source.id, exc)
        if result.ok:
            result.warnings.append(f"state not recorded: {exc}")
    return result


def check_interval(source: Source, settings: CollectorSettings, idle_checks: int = 0) -> int:
    """Seconds between regular checks: the source's own interval, doubled for each whole-list
    download in a row that brought nothing new, up to ``idle_max``.

    A server that answers conditional GETs costs a few hundred bytes per unchanged check and keeps
    its interval; one that sends no validators costs its whole list page every time, and most
    county and department lists change a few times a day. Cron schedules are the operator's
    explicit times and are never relaxed.
    """
    base = source.interval
    cap = settings.idle_max if source.idle_max is None else source.idle_max
    if source.cron or idle_checks <= 0 or cap <= base:
        return base
    return int(min(cap, base * 2 ** min(idle_checks, 30)))


def next_regular_check(source: Source, settings: CollectorSettings, now: datetime,
                       rng: random.Random | None = None, *, idle_checks: int = 0) -> datetime:
    """After a success: the next cron time (Asia/Shanghai), or the interval with jitter."""
    r = rng or random
    if source.cron:
        from apscheduler.triggers.cron import CronTrigger

        try:
            trigger = CronTrigger.from_crontab(source.cron, timezone=SHANGHAI)
            nxt = trigger.get_next_fire_time(None, now + timedelta(seconds=1))  # never "now" again
            if nxt is not None:
                return nxt.astimezone(UTC)
        except ValueError:
            log.warning("source %s: invalid cron %r, using every %ds", source.id, source.cron, source.interval)
    delay = check_interval(source, settings, idle_checks) * (1 + r.uniform(-settings.jitter, settings.jitter))
    return now + timedelta(seconds=max(1.0, delay))


def _now(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    return now if now.tzinfo else now.replace(tzinfo=UTC)


def run_one(store: StateStore, source: Source, settings: CollectorSettings, limiter: HostLimiter,
            now: datetime | None, running: RunningSet = RUNNING, key_prefix: str = "",
            rng: random.Random | None = None, recheck_all: bool = False) -> SourceResult:
    key = key_prefix + source.id
    if not running.claim(key):
        return SourceResult(source.id, ok=False, error="already running", skipped=True)
    try:
        return collect_source(store, source, settings, limiter, now=_now(now), rng=rng, recheck_all=recheck_all)
    finally:
        running.release(key)


def collect(db: sqlite_utils.Database, sources: Any, settings: CollectorSettings | None = None, *,
            now: datetime | None = None, recheck_all: bool = False) -> list[SourceResult]:
    """One pass over *sources* now, concurrently; returns one result per source in the given order.

    *recheck_all*: also re-check every detail page still in its correction window, now.
    """
    from collectors.state import init

    settings = settings or CollectorSettings()
    init(db)
    store = StateStore(db)
    sources = [s for s in sources if s.enabled]
    if not sources:
        return []
    limiter = HostLimiter(settings.per_host)
    prefix = f"{db_key(db)}:"
    # Longest-running sources first (by their last run): the pass ends with short ones, not with
    # one slow source started last.
    states = store.states()
    order = sorted(sources, key=lambda s: -(states[s.id].last_duration or 0.0) if s.id in states else 0.0)
    with ThreadPoolExecutor(max_workers=max(1, min(settings.workers, len(sources))),
                            thread_name_prefix="collect") as pool:
        futures = {s.id: pool.submit(run_one, store, s, settings, limiter, now, RUNNING, prefix, None, recheck_all)
                   for s in order}
        return [futures[s.id].result() for s in sources]


def db_key(db: sqlite_utils.Database) -> str:
    """The database file (sources are unique per database, not per process)."""
    try:
        row = db.execute("PRAGMA database_list").fetchone()
        return row[2] or f"mem{id(db.conn)}"
    except Exception:  # noqa: BLE001 - a closed connection still needs a key
        return f"mem{id(db.conn)}"
