"""Polite HTTP: timeouts everywhere, a body cap, manual redirects, conditional GET, per-host caps.

Every request has a connect timeout, a read timeout and a wall-clock limit for the whole body
(a server that trickles bytes forever cannot hold a worker). Redirects are followed by hand so a
loop is named as one. Validators (ETag, Last-Modified) and Cache-Control freshness come from a
cache lookup the caller supplies, so probe can fetch without any database.
"""

from __future__ import annotations

import email.utils
import http.client
import re
import socket
import threading
import time
import weakref
import zlib
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC
from urllib.parse import SplitResult, urljoin, urlsplit

import requests
import urllib3
import urllib3.connection

from collectors.errors import Cancelled, FetchError, RedirectLoop, Timeout, TooLarge
from settings.model import CollectorSettings, Source

__all__ = ["Response", "CacheEntry", "HostLimiter", "Fetcher", "StopSignal", "host_of", "parse_retry_after"]

_CHUNK = 16384
_MAX_AGE_RE = re.compile(r"max-age\s*=\s*(\d+)", re.I)
# anti-bot pages (瑞数, 加速乐 …) set a cookie from script and reload: nothing behind them for us
_CHALLENGE_RE = re.compile(rb"document\.cookie\s*=|__jsl_clearance|eval\(function\(p,a,c,k,e|\$_ts\s*=", re.I)


@dataclass
class CacheEntry:
    """What we remember about one URL for conditional GET."""

    etag: str | None = None
    last_modified: str | None = None
    fresh_until: float | None = None  # epoch seconds; Cache-Control max-age


@dataclass
class Response:
    """A fetched URL: the final URL after redirects, status, headers, body and byte count."""

    url: str
    status: int
    headers: dict[str, str]
    content: bytes = b""
    not_modified: bool = False  # 304, or still fresh by Cache-Control (then ``requested`` is False)
    requested: bool = True
    wire_bytes: int = 0  # body + headers as received, for the steady-state bandwidth figure
    cache: CacheEntry = field(default_factory=CacheEntry)
    cut_from: int | None = None  # the whole body's size when only its first parse_max_bytes were kept

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def charset(self) -> str | None:
        m = re.search(r"charset\s*=\s*[\"']?([^;\"'\s]+)", self.headers.get("content-type", ""), re.I)
        return m.group(1) if m else None


def host_of(url: str) -> str:
    """The host:port a request goes to — the unit of the per-host concurrency cap."""
    parts = urlsplit(url)
    return parts.netloc.lower()


def _whole_number(value: str | None) -> int | None:
    """A header's value as a whole number of ASCII digits, else None (str.isdigit alone accepts '²')."""
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() else None


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Retry-After as seconds from now (delta-seconds or an HTTP date); None if absent/invalid."""
    if not value:
        return None
    value = value.strip()
    if (seconds := _whole_number(value)) is not None:
        return float(seconds)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    base = now if now is not None else time.time()
    return max(0.0, when.timestamp() - base)


class HostLimiter:
    """At most *per_host* requests in flight to one host:port, across all workers."""

    def __init__(self, per_host: int) -> None:
        self.per_host = max(1, per_host)
        self._lock = threading.Lock()
        self._sems: dict[str, threading.BoundedSemaphore] = {}

    @contextmanager
    def slot(self, url: str):
        host = host_of(url)
        with self._lock:
            sem = self._sems.get(host)
            if sem is None:
                sem = self._sems[host] = threading.BoundedSemaphore(self.per_host)
        sem.acquire()
        try:
            yield
        finally:
            sem.release()


class StopSignal:
    """A stop request shared by every fetcher of one daemon.

    Once ``set()``, no fetcher sends another request (each raises :class:`Cancelled` instead);
    ``abort()`` then cuts the requests still in flight by shutting their sockets down, so a
    worker blocked on a server that never answers returns at the stop deadline, not after
    its read timeout.
    """

    def __init__(self) -> None:
        self._event = threading.Event()
        self.aborted = False
        self._lock = threading.Lock()
        self._sockets: weakref.WeakSet[socket.socket] = weakref.WeakSet()

    def set(self) -> None:
        self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()

    def register(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.add(sock)
        if self.aborted:  # connected after the cut: cut it too
            _cut(sock)

    def abort(self) -> int:
        """Cut every open connection; returns how many were cut."""
        self._event.set()
        self.aborted = True
        with self._lock:
            socks = list(self._sockets)
        for sock in socks:
            _cut(sock)
        return len(socks)


def _cut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:  # already closed
        pass


# The StopSignal of the request being made on this thread: a connection opened for it registers
# its socket there (urllib3 makes connections deep inside requests, out of Fetcher's reach).
_current = threading.local()


def _register_socket(conn: urllib3.connection.HTTPConnection) -> None:
    stop = getattr(_current, "stop", None)
    sock = getattr(conn, "sock", None)
    if stop is not None and sock is not None:
        stop.register(sock)


class _TrackedHTTPConnection(urllib3.connection.HTTPConnection):
    def connect(self) -> None:
        super().connect()
        _register_socket(self)


class _TrackedHTTPSConnection(urllib3.connection.HTTPSConnection):
    def connect(self) -> None:
        super().connect()
        _register_socket(self)


class _TrackedAdapter(requests.adapters.HTTPAdapter):
    """An adapter whose connections register their sockets with the current StopSignal."""

    def init_poolmanager(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003 - requests' signature
        super().init_poolmanager(*args, **kwargs)
        pools = dict(self.poolmanager.pool_classes_by_scheme)
        pools["http"] = type("TrackedHTTPPool", (pools["http"],), {"ConnectionCls": _TrackedHTTPConnection})
        pools["https"] = type("TrackedHTTPSPool", (pools["https"],), {"ConnectionCls": _TrackedHTTPSConnection})
        self.poolmanager.pool_classes_by_scheme = pools


CacheLookup = Callable[[str], CacheEntry | None]


class Fetcher:
    """Fetch URLs for one source run: its own session (cookies), headers, Referer."""

    def __init__(self, settings: CollectorSettings, limiter: HostLimiter, *,
                 source: Source | None = None, cache: CacheLookup | None = None,
                 clock: Callable[[], float] = time.time, stop: StopSignal | None = None) -> None:
        self.settings = settings
        self.limiter = limiter
        self.cache = cache
        self.clock = clock
        self.stop = stop
        self.session = _Session()
        if stop is not None:
            adapter = _TrackedAdapter()
            self.session.mount("http://", adapter)
            self.session.mount("https://", adapter)
        self.session.headers["User-Agent"] = settings.user_agent
        self.session.headers["Accept-Language"] = "zh-CN,zh;q=0.9"
        self.session.headers["Accept-Encoding"] = "gzip, deflate"
        # The source's own headers (credentials, cookies, custom tokens) are meant for its host:
        # a redirect to another host gets none of them (see _hop_headers).
        self._private: set[str] = {"authorization", "proxy-authorization", "cookie"}
        if source is not None:
            self.session.headers.update(source.headers or {})
            self._private.update(k.lower() for k in (source.headers or {})
                                 if k.lower() not in ("user-agent", "referer") and not k.lower().startswith("accept"))
            if source.referer:
                self.session.headers["Referer"] = source.referer
        self.bytes = 0
        self.requests = 0
        self.not_modified = 0
        self._count_lock = threading.Lock()
        # The run's first request (the list page a visitor opens): status, ms to first byte, ms in
        # total; kept as the source's observation for the site evaluation (collectors/observations.py).
        self.first: tuple[int | None, int | None, int] | None = None
        self._ttfb = threading.local()

    def close(self) -> None:
        self.session.close()

    def bootstrap(self, url: str) -> None:
        """GET *url* once to pick up session cookies (cookie challenge, jsessionid)."""
        self.get(url, conditional=False)

    def get(self, url: str, *, conditional: bool = True, params: dict[str, str] | None = None,
            accept: str | None = None) -> Response:
        """GET *url* following up to ``max_redirects`` redirects; raise a FetchError subclass on failure."""
        entry = self.cache(url) if (conditional and self.cache) else None
        if entry and entry.fresh_until and entry.fresh_until > self.clock():
            with self._count_lock:
                self.not_modified += 1
            return Response(url, 304, {}, b"", not_modified=True, requested=False, cache=entry)
        headers: dict[str, str] = {}
        if accept:
            headers["Accept"] = accept
        if entry:
            if entry.etag:
                headers["If-None-Match"] = entry.etag
            if entry.last_modified:
                headers["If-Modified-Since"] = entry.last_modified
        # URL -> the session cookies when it was requested. Coming back to a URL is a loop only if no
        # cookie changed since the last visit: a 302 to itself (or via ;jsessionid=) that sets
        # JSESSIONID is a session handshake. max_redirects bounds everything regardless.
        seen: dict[str, object] = {}
        current = url
        if params:
            req = requests.Request("GET", url, params=params).prepare()
            current = req.url or url
        origin = urlsplit(current)
        t0 = time.monotonic()
        for hop in range(self.settings.max_redirects + 1):
            cookies = self._cookie_state()
            if current in seen and seen[current] == cookies:
                raise RedirectLoop(code="redirect-loop", params={"url": current, "hops": hop})
            seen[current] = cookies
            try:
                status, resp_headers, body, wire, cut = self._one(current, self._hop_headers(headers, origin, current))
            except FetchError as exc:
                self._note_first(getattr(exc, "status", None), t0)
                raise
            if status not in (301, 302, 303, 307, 308):
                self._note_first(status, t0)
            if status in (301, 302, 303, 307, 308):
                loc = resp_headers.get("location")
                if not loc:
                    raise FetchError(code="redirect-no-location", params={"status": status, "url": current},
                                     status=status)
                current = _redirect_target(current, loc, status)
                continue
            return self._finish(url, current, status, resp_headers, body, wire, entry, cut)
        raise RedirectLoop(code="too-many-redirects", params={"limit": self.settings.max_redirects, "url": url})

    def _note_first(self, status: int | None, t0: float) -> None:
        with self._count_lock:
            if self.first is None:
                total = int((time.monotonic() - t0) * 1000)
                self.first = (status, getattr(self._ttfb, "ms", None), total)

    def _cookie_state(self) -> object:
        try:
            return tuple(sorted((c.domain, c.path, c.name, c.value or "") for c in self.session.cookies))
        except RuntimeError:  # another worker changed the jar while we looked: count it as changed
            return object()

    def _hop_headers(self, headers: dict[str, str | None], origin: SplitResult,
                     current: str) -> dict[str, str | None]:
        """Per-request headers for one hop: off the source's host, drop its private headers.

        A None value removes a session header for this request (requests' merge rule). The
        Referer is cut to its origin across hosts and dropped on an https -> http downgrade, as
        browsers do by default.
        """
        target = urlsplit(current)
        if _same_host(origin, target):
            return headers
        out = dict(headers)
        for key in self._private:
            out[key] = None
        ref = self.session.headers.get("Referer")
        if ref:
            r = urlsplit(ref)
            out["Referer"] = (None if not r.netloc or (r.scheme == "https" and target.scheme != "https")
                              else f"{r.scheme}://{r.netloc}/")
        return out

    def _one(self, url: str, headers: dict[str, str | None]) -> tuple[int, dict[str, str], bytes, int, int | None]:
        if self.stop is None:
            return self._request(url, headers)
        if self.stop.is_set():
            raise Cancelled(f"stopping: {url} not requested")
        _current.stop = self.stop
        try:
            return self._request(url, headers)
        except FetchError as exc:
            if self.stop.aborted and not isinstance(exc, Cancelled):
                raise Cancelled(f"stopping: request to {url} cut at the stop deadline") from None
            raise
        finally:
            _current.stop = None

    def _request(self, url: str, headers: dict[str, str | None]) -> tuple[int, dict[str, str], bytes, int, int | None]:
        s = self.settings
        if urlsplit(url).scheme not in ("http", "https"):
            raise FetchError(code="unsupported-scheme", params={"url": url})
        with self.limiter.slot(url):
            if self.stop is not None and self.stop.is_set():  # waited for a host slot while stopping
                raise Cancelled(f"stopping: {url} not requested")
            start = time.monotonic()
            try:
                resp = self.session.get(url, headers=headers, stream=True, allow_redirects=False,
                                        timeout=(s.connect_timeout, s.read_timeout))
            except requests.exceptions.ConnectTimeout:
                raise Timeout(code="connect-timeout", params={"seconds": s.connect_timeout, "host": host_of(url)}) from None
            except requests.exceptions.ReadTimeout:
                raise Timeout(code="read-timeout", params={"seconds": s.read_timeout, "host": host_of(url)}) from None
            except requests.exceptions.TooManyRedirects:
                raise RedirectLoop(code="redirects-at", params={"url": url}) from None
            except requests.exceptions.ConnectionError as exc:
                if _not_http(exc):  # the connection worked; what came back is not an HTTP response
                    raise FetchError(code="not-http", params={"url": url}) from None
                raise FetchError(code="cannot-connect", params={"host": host_of(url), "detail": _short(exc)}) from None
            except requests.exceptions.RequestException as exc:
                raise FetchError(code="request-failed", params={"url": url, "detail": _short(exc)}) from None
            self._ttfb.ms = int((time.monotonic() - start) * 1000)
            with self._count_lock:
                self.requests += 1
            try:
                rh = {k.lower(): v for k, v in resp.headers.items()}
                wire = sum(len(k) + len(v) + 4 for k, v in rh.items()) + 15
                if resp.status_code in (301, 302, 303, 307, 308, 304):
                    return resp.status_code, rh, b"", wire, None
                length = _whole_number(rh.get("content-length"))
                if length is not None and length > s.max_body_bytes:
                    raise TooLarge(code="too-large-declared", params={"bytes": length, "limit": s.max_body_bytes,
                                                                   "url": url})
                chunks: list[bytes] = []
                size = 0
                # Memory per worker stays bounded whatever max_body_bytes allows: past parse_max_bytes
                # the body is read to its end (for its size and validity) but not kept.
                keep = max(1, s.parse_max_bytes) if s.parse_max_bytes else None
                kept = 0
                # gzip/deflate are decoded here, not by urllib3, so a stream that stops before its
                # end is seen as truncated instead of silently giving a cut page.
                codings = _codings(rh.get("content-encoding", ""))
                decoder = _Decoder(codings, url, s.max_body_bytes) if codings else None
                chunked = "chunked" in rh.get("transfer-encoding", "").lower()
                try:
                    # read1 returns whatever one socket read gave: a server trickling a byte at a
                    # time cannot keep us inside one blocking read past the wall-clock limit.
                    for raw_chunk in _chunks(resp, decode=codings is None):
                        chunk = decoder.feed(raw_chunk) if decoder else raw_chunk
                        size += len(chunk)
                        if size > s.max_body_bytes:
                            raise TooLarge(code="too-large", params={"limit": s.max_body_bytes, "url": url})
                        if time.monotonic() - start > s.total_timeout:
                            raise Timeout(code="response-unfinished", params={"seconds": s.total_timeout, "url": url})
                        if keep is None or kept + len(chunk) <= keep:
                            chunks.append(chunk)
                            kept += len(chunk)
                        elif kept < keep:
                            chunks.append(chunk[:keep - kept])
                            kept = keep
                except (urllib3.exceptions.ReadTimeoutError, TimeoutError):
                    raise Timeout(code="body-stalled", params={"seconds": s.read_timeout, "url": url}) from None
                except urllib3.exceptions.DecodeError:
                    raise FetchError(code="undecodable-encoding", params={
                        "coding": rh.get("content-encoding", "").strip().lower(), "url": url}) from None
                except (urllib3.exceptions.HTTPError, OSError) as exc:
                    if chunked and _find(exc, (http.client.IncompleteRead,)) and "more expected" not in str(exc):
                        raise FetchError(code="malformed-chunked", params={"url": url}) from None
                    raise FetchError(code="connection-broken", params={"url": url, "detail": _short(exc)}) from None
                except requests.exceptions.ConnectionError as exc:
                    if "timed out" in str(exc).lower() or "timeout" in type(exc).__name__.lower():
                        raise Timeout(code="body-stalled", params={"seconds": s.read_timeout, "url": url}) from None
                    raise FetchError(code="connection-broken", params={"url": url, "detail": _short(exc)}) from None
                except requests.exceptions.RequestException as exc:
                    raise FetchError(code="read-error", params={"url": url, "detail": _short(exc)}) from None
                if decoder:  # its layers stop at max_body_bytes themselves
                    tail = decoder.finish()
                    size += len(tail)
                    if keep is None or kept + len(tail) <= keep:
                        chunks.append(tail)
                    elif kept < keep:
                        chunks.append(tail[:keep - kept])
                if time.monotonic() - start > s.total_timeout:
                    raise Timeout(code="response-unfinished", params={"seconds": s.total_timeout, "url": url})
                body = b"".join(chunks)
                del chunks
                cut = None
                if keep is not None and size > keep:
                    cut = size
                    body = body[:max(body.rfind(b"<"), 0)] or body  # at a tag: no character or tag cut in two
                try:  # bytes as they came over the wire (compressed), not as decoded
                    on_wire = int(resp.raw.tell())
                except (AttributeError, TypeError, ValueError):
                    on_wire = len(body)
                return resp.status_code, rh, body, wire + (on_wire or len(body)), cut
            finally:
                resp.close()

    def _finish(self, url: str, final: str, status: int, headers: dict[str, str], body: bytes, wire: int,
                entry: CacheEntry | None, cut: int | None = None) -> Response:
        with self._count_lock:
            self.bytes += wire
            if status == 304:
                self.not_modified += 1
        if status == 304:
            cache = CacheEntry(headers.get("etag") or (entry.etag if entry else None),
                               headers.get("last-modified") or (entry.last_modified if entry else None),
                               self._fresh_until(headers))
            return Response(final, 304, headers, b"", not_modified=True, wire_bytes=wire, cache=cache)
        if status >= 400:
            retry = parse_retry_after(headers.get("retry-after"), self.clock())
            challenge = status in (403, 412, 521) and bool(_CHALLENGE_RE.search(body[:16384]))
            raise FetchError(code="http-status", params={"status": status, "url": final, "retry": retry,
                                                         "challenge": challenge}, status=status, retry_after=retry)
        if status >= 300 or status < 200:
            raise FetchError(code="http-unexpected", params={"status": status, "url": final}, status=status)
        cache = CacheEntry(headers.get("etag"), headers.get("last-modified"), self._fresh_until(headers))
        return Response(final, status, headers, body, wire_bytes=wire, cache=cache, cut_from=cut)

    def _fresh_until(self, headers: dict[str, str]) -> float | None:
        cc = headers.get("cache-control", "")
        if "no-store" in cc or "no-cache" in cc:
            return None
        m = _MAX_AGE_RE.search(cc)
        if not m:
            return None
        # A cached copy from an intermediary is already Age seconds old: it stays fresh for
        # max-age - Age. (s-maxage is for shared caches; we are a private one.)
        already = _whole_number(headers.get("age")) or 0
        # Honour max-age, but never let a server silence a source longer than the backoff cap.
        age = min(int(m.group(1)) - already, self.settings.backoff_cap)
        return self.clock() + age if age > 0 else None


class _Session(requests.Session):
    """A session that leaves redirects to Fetcher.get.

    With ``allow_redirects=False`` requests still parses the Location to prepare a next request
    (``Response.next``), and a malformed one (``http://[::1``) raised a bare ValueError there.
    """

    def get_redirect_target(self, resp):  # noqa: ANN001, ANN201 - requests' signature
        return None


def _same_host(a: SplitResult, b: SplitResult) -> bool:
    """Same host and port, allowing the http -> https upgrade on default ports (as requests does)."""
    if (a.hostname or "").lower() != (b.hostname or "").lower():
        return False
    default = {"http": 80, "https": 443}
    try:
        pa, pb = a.port or default.get(a.scheme), b.port or default.get(b.scheme)
    except ValueError:
        return False
    if a.scheme == b.scheme:
        return pa == pb
    return a.scheme == "http" and b.scheme == "https" and pa == 80 and pb == 443


def _redirect_target(current: str, location: str, status: int) -> str:
    """The absolute, percent-encoded URL a Location header points to, or a one-line FetchError."""
    try:  # headers arrive latin-1 decoded; a raw UTF-8 path (/新闻/列表.html) round-trips to text
        location = location.encode("latin-1").decode("utf-8")
    except UnicodeError:
        pass
    location = location.strip()
    shown = " ".join(location.split())[:120]
    try:
        loc = urlsplit(location)
        target = urljoin(current, location)
        parts = urlsplit(target)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise FetchError(code="invalid-redirect", params={"address": shown, "url": current}, status=status) from None
    if (location.startswith("//") or loc.scheme in ("http", "https")) and not loc.hostname:
        raise FetchError(code="invalid-redirect", params={"address": shown, "url": current}, status=status)
    return requests.utils.requote_uri(target)


def _codings(header: str) -> list[str] | None:
    """The Content-Encoding layers we decode ourselves (gzip, deflate), in the order applied.

    [] when there is nothing to undo; None when another coding is involved (left to urllib3).
    """
    layers = [c.strip().lower() for c in header.split(",") if c.strip()]
    layers = [c for c in layers if c != "identity"]
    if all(c in ("gzip", "x-gzip", "deflate") for c in layers):
        return layers
    return None


class _Layer:
    """Undo one gzip or deflate layer, knowing whether its stream reached its end."""

    def __init__(self, coding: str, url: str, limit: int) -> None:
        self.coding = coding
        self.limit = limit  # output cap: a gzip bomb (or gzip of a gzip bomb) never inflates past it
        self.total = 0
        self.name = "deflate" if coding == "deflate" else "gzip"
        self.url = url
        self.obj = self._new(zlib.MAX_WBITS)
        self.head = b""  # input before any output, to retry deflate as raw (no zlib header)
        self.raw_tried = self.name == "gzip"
        self.got_input = False
        self.members = 0  # complete gzip members seen
        self.out_now = 0  # output of the current member
        self.ignore_rest = False

    def _new(self, wbits: int):  # noqa: ANN202
        return zlib.decompressobj(16 + wbits if self.name == "gzip" else wbits)

    def feed(self, data: bytes) -> bytes:
        if not data or self.ignore_rest:
            return b""
        self.got_input = True
        out: list[bytes] = []
        while data:
            if not self.out_now and not self.members:
                self.head += data
            try:
                piece = self.obj.decompress(data, self.limit - self.total + 1)
            except zlib.error:
                if not self.raw_tried and not self.out_now:
                    self.raw_tried = True  # "deflate" sent as a raw deflate stream, as some servers do
                    self.obj = zlib.decompressobj(-zlib.MAX_WBITS)
                    data, self.head = self.head, b""
                    continue
                if self.members:  # junk after a complete gzip member: ignored, as urllib3 does
                    self.ignore_rest = True
                    break
                if not self.out_now:
                    raise FetchError(code="not-compressed", params={"layer": self.name, "coding": self.coding,
                                                                    "url": self.url}) from None
                raise FetchError(code="compressed-corrupt", params={"layer": self.name, "url": self.url}) from None
            out.append(piece)
            self._count(len(piece))
            data = b""
            if self.obj.eof:
                rest = self.obj.unused_data
                if self.name == "gzip":
                    self.members += 1
                    self.out_now = 0
                    self.obj = self._new(zlib.MAX_WBITS)
                    data = rest
                elif rest:
                    self.ignore_rest = True
        return b"".join(out)

    def _count(self, n: int) -> None:
        self.out_now += n
        self.total += n
        if self.total > self.limit:
            raise TooLarge(code="too-large", params={"limit": self.limit, "url": self.url})

    def finish(self) -> bytes:
        if not self.got_input or self.ignore_rest:
            return b""
        tail = self.obj.flush(self.limit - self.total + 1)
        self._count(len(tail))
        fresh_member = self.members and not self.out_now and not self.obj.eof
        if self.obj.eof or fresh_member:  # a gzip stream may end right after a complete member
            return tail
        raise FetchError(code="compressed-truncated", params={"layer": self.name, "url": self.url})


class _Decoder:
    """Undo Content-Encoding layers in reverse order of application."""

    def __init__(self, codings: list[str], url: str, limit: int) -> None:
        self.layers = [_Layer(c, url, limit) for c in reversed(codings)]

    def feed(self, data: bytes) -> bytes:
        for layer in self.layers:
            data = layer.feed(data)
        return data

    def finish(self) -> bytes:
        out = b""
        for layer in self.layers:
            out = layer.feed(out) + layer.finish() if out else layer.finish()
        return out


def _chunks(resp: requests.Response, *, decode: bool = True):
    raw = resp.raw
    while True:
        data = raw.read1(_CHUNK, decode_content=decode)
        if not data:
            return
        yield data


def _find(exc: BaseException, types: tuple[type[BaseException], ...]) -> BaseException | None:
    """The first exception of *types* in *exc*, its args, cause or context (requests nests them)."""
    todo: list[object] = [exc]
    seen: set[int] = set()
    while todo:
        e = todo.pop()
        if not isinstance(e, BaseException) or id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, types):
            return e
        todo.extend(e.args)
        todo.extend((e.__cause__, e.__context__))
    return None


def _not_http(exc: BaseException) -> bool:
    """True when the server answered with something that is not an HTTP status line."""
    bad = _find(exc, (http.client.BadStatusLine,))
    return bad is not None and not isinstance(bad, http.client.RemoteDisconnected)


def _short(exc: BaseException) -> str:
    text = str(exc)
    m = re.search(r"IncompleteRead\((\d+) bytes read, (\d+) more expected", text)
    if m:
        return f"body truncated after {m.group(1)} bytes, {m.group(2)} more were announced"
    for needle, said in (("Connection reset", "connection reset by peer"), ("Connection refused", "connection refused"),
                         ("RemoteDisconnected", "server closed the connection without answering"),
                         ("Name or service not known", "host name not found"),
                         ("CERTIFICATE_VERIFY_FAILED", "TLS certificate not trusted")):
        if needle in text:
            return said
    m = re.search(r"\] ([^\]\)'\"]+)", text)
    if m:
        text = m.group(1)
    elif "Connection refused" in text:
        text = "connection refused"
    elif text.startswith("("):  # requests/urllib3 wrap as ('Connection broken: …', Inner(…)): say the inner one
        inner: BaseException = exc
        while inner.args and isinstance(inner.args[-1], BaseException):
            inner = inner.args[-1]
        text = str(inner) if inner is not exc and not str(inner).startswith("(") else text.strip("()")
        text = re.sub(r"['\"]", "", text) or type(inner).__name__
    return " ".join(text.split())[:160]


def http_date(ts: float) -> str:
    return email.utils.formatdate(ts, usegmt=True)
