"""Rendered pages kept as bytes: each feed and API page is rendered once per change of the stream.

A portal polls the same few URLs all day, and they change only when something is published.
So a response is rendered once, kept with its ETag (a hash of the bytes), Last-Modified and
its gzip / brotli variants (made on first demand), and every later request is a dictionary
lookup plus one cheap check that the stream did not move: the stream's *generation* — its
epoch and highest seq, read on a connection each serving thread keeps open. A page that also
ages with the clock (the freshness catalog, a feed whose deletion window moves) carries the
time until which it holds.

:class:`FastPath` answers cached pages before Flask is involved (it wraps the app's WSGI
callable when the blueprint is registered); everything else — and every miss — goes through
the Flask views, which render and store.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlite_utils
from werkzeug.http import http_date, parse_date, parse_etags

import store

try:  # brotli is a pinned dependency; a deployment without its wheel still serves gzip
    import brotli
except ImportError:  # pragma: no cover - depends on the platform's wheels
    brotli = None

__all__ = ["Page", "PageCache", "FastPath", "answer_cached", "Generation", "respond", "CACHE_CONTROL", "MIN_COMPRESS"]

CACHE_CONTROL = "public, max-age=60"
MIN_COMPRESS = 512  # bytes: smaller bodies are sent as they are
MAX_PAGES = 2048  # pages kept per process (least recently used go first)
MAX_PAGE_BYTES = 8 * 1024 * 1024
# bytes kept per process, pages and their compressed variants: a crawler walking every cursor and
# query must not make the cache hold MAX_PAGES large pages (least recently used go first)
MAX_CACHE_BYTES = 64 * 1024 * 1024

Generation = tuple[str, int]  # (epoch, highest seq)

CORS = [
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Expose-Headers", "ETag, Last-Modified, X-Huiju-Epoch"),
]


@dataclass
class Page:
    """One rendered response and its validators."""

    body: bytes
    content_type: str
    last_modified: datetime | None
    generation: Generation
    valid_until: float | None = None  # wall-clock time after which it must be rendered again
    etag: str = ""
    _variants: dict[str, bytes] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        if not self.etag:
            self.etag = hashlib.blake2b(self.body, digest_size=12).hexdigest()
        self._modified_at = self.last_modified.replace(microsecond=0) if self.last_modified else None
        if self._modified_at is not None:
            self._shown = http_date(self._modified_at)
            self._shown_early = http_date(self._modified_at.timestamp() - 1)
            self._shown_from = self._modified_at.timestamp() + 1
        self._tag = f'"{self.etag}"'
        # the answers' header lists, built once per Last-Modified shown: (shown, headers) for the
        # 304 and per coding for the 200; a request copies one instead of building it
        self._heads: dict[str, tuple[str | None, list[tuple[str, str]]]] = {}

    def last_modified_header(self) -> str | None:
        """Last-Modified as sent: one second early while the second of the change still runs.

        Another change may land in that same second; a client whose If-Modified-Since says that
        second would then miss it. Comparisons use the true time (see :func:`respond`).
        """
        if self._modified_at is None:
            return None
        return self._shown_early if time.time() < self._shown_from else self._shown

    def size(self) -> int:
        """Bytes held: the body and the variants made so far."""
        return len(self.body) + sum(len(v) for v in list(self._variants.values()))

    def variant(self, coding: str) -> bytes:
        """The body in *coding* (identity, gzip, br), compressed once and kept."""
        if coding == "identity":
            return self.body
        got = self._variants.get(coding)
        if got is None:
            with self._lock:
                got = self._variants.get(coding)
                if got is None:
                    if coding == "br":
                        got = brotli.compress(self.body, quality=9)
                    else:
                        got = gzip.compress(self.body, compresslevel=6, mtime=0)
                    self._variants[coding] = got
        return got


_CODINGS: dict[str, str] = {}  # Accept-Encoding as sent -> its best coding: clients send a few distinct values
_MAX_CODINGS = 256


def _coding(accept: str, size: int) -> str:
    """The best encoding the client accepts: br, then gzip, else identity (q=0 refuses)."""
    if size < MIN_COMPRESS or not accept:
        return "identity"
    got = _CODINGS.get(accept)
    if got is None:
        if len(_CODINGS) >= _MAX_CODINGS:  # a client sending ever new values must not grow it
            _CODINGS.clear()
        got = _CODINGS[accept] = _best_coding(accept)
    return got


def _best_coding(accept: str) -> str:
    """Parse Accept-Encoding (q-values, "*") into the coding to send."""
    offered: dict[str, float] = {}
    for part in accept.lower().split(","):
        name, _, params = part.strip().partition(";")
        q = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                q = float(params[2:])
            except ValueError:
                q = 0.0
        offered[name.strip()] = q
    star = offered.get("*", 0.0)
    if brotli is not None and offered.get("br", star) > 0:
        return "br"
    if offered.get("gzip", offered.get("x-gzip", star)) > 0:
        return "gzip"
    return "identity"


def respond(page: Page, method: str, if_none_match: str | None, if_modified_since: str | None,
            accept_encoding: str | None) -> tuple[int, list[tuple[str, str]], bytes]:
    """(status, headers, body) for *page*: 304 when the client's copy is current, else the bytes.

    If-None-Match takes precedence over If-Modified-Since (RFC 9110). The ETag is the same for
    every encoding of the body, so a gzip and a brotli client revalidate the same tag; a
    weak comparison is used, as for GET it should be.
    """
    shown = page.last_modified_header()
    fresh = False
    if if_none_match:  # the client's copy of the tag as sent (the common case), else parsed: lists, W/
        fresh = if_none_match == page._tag or parse_etags(if_none_match).contains_weak(page.etag)
    elif if_modified_since and page._modified_at is not None:
        since = parse_date(if_modified_since)
        fresh = since is not None and page._modified_at <= since
    if fresh:
        return 304, list(_heads(page, "", shown)), b""
    coding = _coding(accept_encoding or "", len(page.body))
    body = page.variant(coding)
    return 200, list(_heads(page, coding, shown)), (b"" if method == "HEAD" else body)


def _heads(page: Page, coding: str, shown: str | None) -> list[tuple[str, str]]:
    """The headers of *page*'s answer in *coding* ("" for the 304), kept while *shown* holds."""
    kept = page._heads.get(coding)
    if kept is not None and kept[0] == shown:
        return kept[1]
    headers = [("ETag", page._tag), ("Cache-Control", CACHE_CONTROL), ("Vary", "Accept-Encoding"), *CORS]
    if shown:
        headers.append(("Last-Modified", shown))
    headers.append(("X-Huiju-Epoch", page.generation[0]))
    if coding:
        headers.append(("Content-Type", page.content_type))
        if coding != "identity":
            headers.append(("Content-Encoding", coding))
        headers.append(("Content-Length", str(len(page.variant(coding)))))
    page._heads[coding] = (shown, headers)
    return headers


class PageCache:
    """Rendered pages by (path, query, base URL), valid for one stream generation."""

    def __init__(self, db_path: str, *, max_pages: int = MAX_PAGES, max_bytes: int = MAX_CACHE_BYTES) -> None:
        self.db_path = db_path
        self.max_pages = max_pages
        self.max_bytes = max_bytes  # checked at each render (variants made since count then)
        self._pages: OrderedDict[tuple[str, str, str], Page] = OrderedDict()
        self._lock = threading.Lock()
        self._render_locks: dict[tuple[str, str, str], threading.Lock] = {}
        self._local = threading.local()
        self.renders = 0  # pages rendered by this process (tests and the benchmark read it)

    # -- the stream's generation, cheaply ---------------------------------------------------
    def _connection(self) -> sqlite_utils.Database:
        """This thread's open connection; reopened when the file was replaced (a restore by mv)."""
        try:
            st = os.stat(self.db_path)
            ident = (st.st_dev, st.st_ino)
        except OSError:
            ident = None
        db = getattr(self._local, "db", None)
        if db is None or self._local.ident != ident:
            if db is not None:
                db.conn.close()
            self._local.db = None
            db = store.open_db(self.db_path, readonly=True)
            self._local.db, self._local.ident = db, ident
        return db

    def generation(self) -> Generation:
        """(epoch, highest seq) as stored now: one indexed read on a kept connection."""
        row = self._connection().conn.execute(
            "SELECT (SELECT epoch FROM published_stream WHERE id = 1), (SELECT coalesce(max(seq), 0) FROM published)"
        ).fetchone()
        return (row[0] or "", int(row[1]))

    # -- pages ------------------------------------------------------------------------------
    def get(self, key: tuple[str, str, str], generation: Generation) -> Page | None:
        page = self._pages.get(key)
        if page is None or page.generation != generation:
            return None
        if page.valid_until is not None and time.time() >= page.valid_until:
            return None
        return page

    def put(self, key: tuple[str, str, str], page: Page) -> None:
        if len(page.body) > MAX_PAGE_BYTES:
            return
        with self._lock:
            self._pages[key] = page
            self._pages.move_to_end(key)
            held = sum(p.size() for p in self._pages.values())
            while len(self._pages) > self.max_pages or (held > self.max_bytes and len(self._pages) > 1):
                held -= self._pages.popitem(last=False)[1].size()

    def held_bytes(self) -> int:
        """Bytes the cache holds now (pages and their variants)."""
        with self._lock:
            return sum(p.size() for p in self._pages.values())

    def get_or_render(self, key: tuple[str, str, str], generation: Generation,
                      render: Callable[[], Page]) -> Page:
        """The cached page, or render it once (concurrent requests for it wait for that render)."""
        page = self.get(key, generation)
        if page is not None:
            return page
        with self._lock:
            lock = self._render_locks.setdefault(key, threading.Lock())
        try:
            with lock:
                page = self.get(key, generation)
                if page is None:
                    page = render()
                    self.renders += 1
                    self.put(key, page)
        finally:
            with self._lock:
                self._render_locks.pop(key, None)
        return page

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()


def base_url(environ: dict[str, Any], public_url: str) -> str:
    """The absolute base of links: ``[web] public_url``, else the request's scheme and host."""
    if public_url:
        return public_url.rstrip("/")
    host = environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME', 'localhost')}:{environ.get('SERVER_PORT', '80')}"
    return f"{environ.get('wsgi.url_scheme', 'http')}://{host}"


def cache_key(environ: dict[str, Any], public_url: str) -> tuple[str, str, str]:
    path = environ.get("PATH_INFO", "")
    if isinstance(path, str) and not path.isascii():  # WSGI gives latin-1 decoded bytes; keep them as they came
        path = path.encode("latin-1", "replace").decode("utf-8", "replace")
    return path, environ.get("QUERY_STRING", ""), base_url(environ, public_url)


def answer_cached(cache: PageCache | None, public_url: str,
                  environ: dict[str, Any]) -> tuple[int, list[tuple[str, str]], bytes] | None:
    """(status, headers, body) of a GET/HEAD for a page held in *cache*, else None (ask the views).

    *environ* needs only REQUEST_METHOD, PATH_INFO, QUERY_STRING, the Host (HTTP_HOST, or
    SERVER_NAME/PORT and wsgi.url_scheme) and the conditional and Accept-Encoding headers: the
    daemon's HTTP server (pipeline/http_server.py) calls this on its event loop before any WSGI
    environ is made. Any trouble reading the stream's generation is None too: the view answers
    it (503 and the like).
    """
    method = environ.get("REQUEST_METHOD")
    if cache is None or method not in ("GET", "HEAD") or not environ.get("PATH_INFO", "").startswith(
            FastPath.PREFIXES):
        return None
    try:
        page = cache.get(cache_key(environ, public_url), cache.generation())
    except Exception:  # noqa: BLE001 - any trouble: let the Flask view answer (503 etc.)
        return None
    if page is None:
        return None
    return respond(page, method, environ.get("HTTP_IF_NONE_MATCH"), environ.get("HTTP_IF_MODIFIED_SINCE"),
                   environ.get("HTTP_ACCEPT_ENCODING"))


class FastPath:
    """WSGI middleware: GET/HEAD of a cached feed or API page is answered without Flask."""

    PREFIXES = ("/feeds/", "/api/v1/")

    def __init__(self, app: Callable, cache: Callable[[], PageCache | None], public_url: Callable[[], str]) -> None:
        self.app = app
        self.cache = cache
        self.public_url = public_url

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        answer = answer_cached(self.cache(), self.public_url(), environ)
        if answer is not None:
            status, headers, body = answer
            start_response("304 Not Modified" if status == 304 else "200 OK", headers)
            return [body]
        return self.app(environ, start_response)
