"""One source's run: fetch its list, fetch unseen detail pages and re-checks (``gather``), store
what was found (``recording.record_run``) and record the outcome on its row (``collect_source``).

A source's failure is recorded on its own row (error count, one-line reason, backoff) and never
touches another source or any stored item. The pass over many sources at once is in ``running``.
"""

from __future__ import annotations

import logging
import random
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

from collectors.decoding import CharsetNote, decode_bytes, looks_binary
from collectors.entry_checks import entry_notes, screen_links, settle_link_problems
from collectors.errors import BinaryContent, Cancelled, CollectError, FetchError, NotAList, ParseError
from collectors.http import Fetcher, HostLimiter, Response, StopSignal
from collectors.identity import RULES, canonical_link, choose_rule, identity_of
from collectors.misses import Miss, replace_misses
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
from collectors.recording import Gathered, SourceResult, observed, record_run
from collectors.state import StateStore, iso
from collectors.withdrawal import gone_status, not_found_page, redirected_away
from settings.model import CollectorSettings, Source

__all__ = ["gather", "collect_source", "guess_type"]

log = logging.getLogger("huiju.collectors")

MAX_DETAILS_PER_RUN = 200
CATCH_UP_PAGES = 10  # list pages read past max_pages while every item on them is new
RECHECKS_PER_RUN = 10
DETAIL_PARALLEL = 4  # detail pages of one source fetched at once (the per-host cap bounds the total)


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
    said = list(dict.fromkeys(warnings + entry.warnings))
    return CollectedItem(
        source_id=source.id, identity=identity, identity_rule=rule, url=entry.url, title=entry.title,
        html=entry.html, published=entry.published, list_date=entry.list_date, meta=dict(entry.meta),
        attachments=list(entry.attachments), bylines=list(entry.bylines), story=entry.story, page_read=True,
        fetched_at=iso(now), charset=charset, warnings=said, dates=list(entry.dates),
        charset_note=next((w.facts for w in said if isinstance(w, CharsetNote)), None))


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
        raise ParseError(code="empty-body", params={"url": first.url})
    if first.cut_from:
        g.misses.append(_cut_miss(first))
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
                    if all_new and not isinstance(exc, Cancelled):  # catching up: its items are unseen
                        g.misses.append(Miss.of("list-page-failed", nxt, page=page, error=str(exc),
                                                error_code=exc.code, error_params=exc.params))
                break
        if source.type == "rss":
            kind = looks_binary(resp.content)
            if kind:
                raise BinaryContent(code="binary-feed", params={"kind": kind, "bytes": len(resp.content)})
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
                        raise NotAList(code="feed-not-html-list") from None
                    raise
        found = screen_links(found)
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
        g.misses.append(Miss.of("burst", source.url, pages=pages_read))
        g.warnings.append(g.misses[-1].detail)
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
    needs_detail = source.type == "html" or (source.type == "json" and not source.json.get("body")
                                             and not any(e.has_body for e in entries))
    # An entry whose link could not be read is kept without it or skipped, and named (entry_checks).
    linked = {id(e) for e in entries if e.url or "_link_problem" not in e.meta}
    entries, notes = settle_link_problems(entries, needs_detail=needs_detail)
    g.warnings += notes
    # A truncated or malformed answer is no evidence that a source's guids are broken: the rule
    # only moves on a well-formed list, and then stays moved. Nor is a link taken away above.
    rule, note = choose_rule([] if malformed else [e for e in entries if id(e) in linked], identity_rule,
                             has_guids=source.type in ("rss", "json"))
    g.identity_rule, g.identity_note = rule, note
    if note:
        g.warnings.append(f"identity: {note}")
    known = seen([e.url for e in entries if e.url]) if needs_detail else set()
    if not needs_detail:  # links are remembered only for detail pages: "all new" is no evidence here
        g.misses = [m for m in g.misses if m.kind != "burst"]
        g.warnings = [w for w in g.warnings if not w.startswith("every item on the ")]
    if needs_detail:
        g.detail_links = [e.url for e in entries if e.url]
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
        g.warnings += entry_notes(e)
        ident, used = _identity(e, rule, shared)
        g.items.append((_item(source, e, ident, used, now, e.meta.pop("_charset", None) or charset,
                              warns), canonical_link(e.url) if needs_detail else None))
    for url, known_identity in rechecks or []:
        if deadline and time.monotonic() > deadline:
            break
        e = Entry(url=url, title=g.list_titles.get(canonical_link(url), ""))  # the list's, if it shows it
        try:
            resp = fetcher.get(url, conditional=True)
        except Cancelled:
            break  # the daemon is stopping: the re-check waits for the next run
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


def _cut_miss(resp: Response) -> Miss:
    return Miss.of("page-cut", resp.url, url=resp.url, bytes=resp.cut_from, parsed=len(resp.content))


def _cut_note(resp: Response) -> str:
    return _cut_miss(resp).detail


def _apply_detail(source: Source, resp: Response, e: Entry) -> str:
    """Fill *e* from its detail page; returns the decoded page."""
    text, cs, w = _decode(resp, source)
    if resp.cut_from:
        w = [*w, _cut_note(resp)]
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
            if resp.cut_from:
                with lock:
                    g.misses.append(_cut_miss(resp))
        except Cancelled:
            return  # the daemon is stopping: left for the next run, not a failure
        except CollectError as exc:
            status = getattr(exc, "status", None)
            with lock:
                g.detail_failures += 1
                if g.first_detail_error is None:
                    g.first_detail_error = f"detail page {e.url}: {exc}"
                    g.first_detail = {"page": e.url, "first": str(exc), "first_code": exc.code,
                                      "first_params": exc.params}
                if gone_status(status):  # the same answers that make a known page "gone"
                    g.dead.append((e.url, str(exc)))
                    if not g.first_dead:
                        g.first_dead = {"first": str(exc), "first_code": exc.code, "first_params": exc.params}
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


def collect_source(store: StateStore, source: Source, settings: CollectorSettings, limiter: HostLimiter,
                   *, now: datetime, rng: random.Random | None = None, recheck_all: bool = False,
                   stop: StopSignal | None = None) -> SourceResult:
    """Run one source and record the outcome on its row; never raises for a source's own failure.

    With *stop* set (the daemon stopping) no further request goes out; what was fetched is stored.

    *recheck_all* re-checks every detail page still in its correction window now (an operator
    told that a site corrected a story), not only those whose re-check time has come.
    """
    start = time.monotonic()
    st = store.state(source.id)
    st.record_attempt(now)
    clock_offset = now.timestamp() - time.time()
    # the list URL is fetched whole once a day whatever its 304s say (a server can answer 304 wrongly)
    fetcher = Fetcher(settings, limiter, source=source,
                      cache=lambda url: store.cache_lookup(url, now if url == source.url else None),
                      clock=lambda: time.time() + clock_offset, stop=stop)
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
            raise FetchError(code="details-failed", params={"n": g.detail_attempts, **g.first_detail},
                             retry_after=g.throttled or None)
        backlog = record_run(store, source, g, now, result, rechecks=rechecks)
        result.ok = True
        result.warnings = g.warnings
        result.misses = g.misses
        st.record_success(now, settings, new=bool(result.new), changed=bool(result.versions),
                          list_whole=not g.unchanged_list, backlog=backlog, warnings=g.warnings,
                          identity_rule=g.identity_rule, identity_note=g.identity_note)
        st.schedule_next(source, settings, now, rng, throttled=g.throttled, incomplete=g.incomplete)
    except CollectError as exc:
        result.error = str(exc)
        result.error_kind = type(exc).__name__
        result.error_code, result.error_params = exc.code, (exc.params if exc.code else None)
        retry_after = getattr(exc, "retry_after", None)
    except sqlite3.Error as exc:  # a locked database or a full disk: routine, named, no traceback
        result.error = f"cannot store what was fetched: {' '.join(str(exc).split())[:200]}"
        result.error_kind = "DatabaseError"
    except Exception as exc:  # a bug or an unexpected library error must not stop the other sources
        result.error = f"unexpected {type(exc).__name__}: {' '.join(str(exc).split())[:200]}"
        result.error_kind = "InternalError"
        log.exception("来源 %(source)s：意外错误", {"source": source.id})
    finally:
        fetcher.close()
    if result.error_kind == "Cancelled":  # stopping is not the source's failure: due again at the next start
        log.info("来源 %(source)s：读到列表之前已停止（守护进程正在停止）", {"source": source.id})
    elif not result.ok:
        st.record_failure(now, settings, result.error, retry_after=retry_after, rng=rng, cause=result.error_kind,
                          code=result.error_code, params=result.error_params)
    result.duration = time.monotonic() - start
    result.bytes = fetcher.bytes
    result.requests = fetcher.requests
    result.not_modified = fetcher.not_modified
    st.record_cost(result.duration, result.bytes)
    try:
        if result.ok or result.misses:  # this check's misses replace the last successful one's
            with store.lock:
                replace_misses(store.db, source.id, iso(now), result.misses)
        store.record_observation(observed(source.id, now, result, fetcher.first))
        store.save_state(st)
    except Exception as exc:  # noqa: BLE001 - the database being busy must not stop the other sources
        log.error("来源 %(source)s：无法记录状态：%(error)s", {"source": source.id, "error": exc},
                  extra={"cause": type(exc).__name__})
        result.state_error = " ".join(str(exc).split())[:200]
        if result.ok:
            result.warnings.append(f"state not recorded: {exc}")
    return result
