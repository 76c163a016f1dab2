"""Polite HTTP: timeouts everywhere, a body cap, manual redirects, conditional GET, per-host caps.

Every request has a connect timeout, a read timeout and a wall-clock limit for the whole body
(a server that trickles bytes forever cannot hold a worker). Redirects are followed by hand so a
loop is named as one. Validators (ETag, Last-Modified) and Cache-Control freshness come from a
cache lookup the caller supplies, so probe can fetch without any database.
"""

from __future__ import annotations

import email.utils
import re
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC
from urllib.parse import urljoin, urlsplit

import requests
import urllib3

from collectors.errors import FetchError, RedirectLoop, Timeout, TooLarge
from settings.model import CollectorSettings, Source

__all__ = ["Response", "CacheEntry", "HostLimiter", "Fetcher", "host_of", "parse_retry_after"]

_CHUNK = 16384
_MAX_AGE_RE = re.compile(r"max-age\s*=\s*(\d+)", re.I)


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


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Retry-After as seconds from now (delta-seconds or an HTTP date); None if absent/invalid."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
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


CacheLookup = Callable[[str], CacheEntry | None]


class Fetcher:
    """Fetch URLs for one source run: its own session (cookies), headers, Referer."""

    def __init__(self, settings: CollectorSettings, limiter: HostLimiter, *,
                 source: Source | None = None, cache: CacheLookup | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self.limiter = limiter
        self.cache = cache
        self.clock = clock
        self.session = requests.Session()
        self.session.headers["User-Agent"] = settings.user_agent
        self.session.headers["Accept-Language"] = "zh-CN,zh;q=0.9"
        self.session.headers["Accept-Encoding"] = "gzip, deflate"
        if source is not None:
            self.session.headers.update(source.headers or {})
            if source.referer:
                self.session.headers["Referer"] = source.referer
        self.bytes = 0
        self.requests = 0
        self.not_modified = 0
        self._count_lock = threading.Lock()

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
        seen: list[str] = []
        current = url
        if params:
            req = requests.Request("GET", url, params=params).prepare()
            current = req.url or url
        for _hop in range(self.settings.max_redirects + 1):
            if current in seen:
                raise RedirectLoop(f"redirect loop: {current} redirects back to itself after {len(seen)} hops")
            seen.append(current)
            status, resp_headers, body, wire = self._one(current, headers)
            if status in (301, 302, 303, 307, 308):
                loc = resp_headers.get("location")
                if not loc:
                    raise FetchError(f"HTTP {status} redirect without a Location header at {current}",
                                     status=status)
                current = urljoin(current, loc)
                continue
            return self._finish(url, current, status, resp_headers, body, wire, entry)
        raise RedirectLoop(f"more than {self.settings.max_redirects} redirects starting at {url}")

    def _one(self, url: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes, int]:
        s = self.settings
        if urlsplit(url).scheme not in ("http", "https"):
            raise FetchError(f"unsupported URL scheme in {url!r}")
        with self.limiter.slot(url):
            start = time.monotonic()
            try:
                resp = self.session.get(url, headers=headers, stream=True, allow_redirects=False,
                                        timeout=(s.connect_timeout, s.read_timeout))
            except requests.exceptions.ConnectTimeout:
                raise Timeout(f"connect timeout after {s.connect_timeout:g}s to {host_of(url)}") from None
            except requests.exceptions.ReadTimeout:
                raise Timeout(f"no response within {s.read_timeout:g}s from {host_of(url)}") from None
            except requests.exceptions.TooManyRedirects:
                raise RedirectLoop(f"too many redirects at {url}") from None
            except requests.exceptions.ConnectionError as exc:
                raise FetchError(f"cannot connect to {host_of(url)}: {_short(exc)}") from None
            except requests.exceptions.RequestException as exc:
                raise FetchError(f"request to {url} failed: {_short(exc)}") from None
            with self._count_lock:
                self.requests += 1
            try:
                rh = {k.lower(): v for k, v in resp.headers.items()}
                wire = sum(len(k) + len(v) + 4 for k, v in rh.items()) + 15
                if resp.status_code in (301, 302, 303, 307, 308, 304):
                    return resp.status_code, rh, b"", wire
                length = rh.get("content-length", "")
                if length.isdigit() and int(length) > s.max_body_bytes:
                    raise TooLarge(f"body of {int(length):,} bytes exceeds the {s.max_body_bytes:,}-byte limit "
                                   f"at {url}")
                chunks: list[bytes] = []
                size = 0
                try:
                    # read1 returns whatever one socket read gave: a server trickling a byte at a
                    # time cannot keep us inside one blocking read past the wall-clock limit.
                    for chunk in _chunks(resp):
                        size += len(chunk)
                        if size > s.max_body_bytes:
                            raise TooLarge(f"body exceeds the {s.max_body_bytes:,}-byte limit at {url}")
                        if time.monotonic() - start > s.total_timeout:
                            raise Timeout(f"response not finished after {s.total_timeout:g}s at {url}")
                        chunks.append(chunk)
                except (urllib3.exceptions.ReadTimeoutError, TimeoutError):
                    raise Timeout(f"body stalled for {s.read_timeout:g}s at {url}") from None
                except (urllib3.exceptions.HTTPError, OSError) as exc:
                    raise FetchError(f"connection broken while reading {url}: {_short(exc)}") from None
                except requests.exceptions.ConnectionError as exc:
                    if "timed out" in str(exc).lower() or "timeout" in type(exc).__name__.lower():
                        raise Timeout(f"body stalled for {s.read_timeout:g}s at {url}") from None
                    raise FetchError(f"connection broken while reading {url}: {_short(exc)}") from None
                except requests.exceptions.RequestException as exc:
                    raise FetchError(f"error while reading {url}: {_short(exc)}") from None
                if time.monotonic() - start > s.total_timeout:
                    raise Timeout(f"response not finished after {s.total_timeout:g}s at {url}")
                body = b"".join(chunks)
                try:  # bytes as they came over the wire (compressed), not as decoded
                    on_wire = int(resp.raw.tell())
                except (AttributeError, TypeError, ValueError):
                    on_wire = len(body)
                return resp.status_code, rh, body, wire + (on_wire or len(body))
            finally:
                resp.close()

    def _finish(self, url: str, final: str, status: int, headers: dict[str, str], body: bytes, wire: int,
                entry: CacheEntry | None) -> Response:
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
            hint = f", retry after {retry:.0f}s" if retry is not None else ""
            raise FetchError(f"HTTP {status} at {final}{hint}", status=status, retry_after=retry)
        if status >= 300 or status < 200:
            raise FetchError(f"unexpected HTTP {status} at {final}", status=status)
        cache = CacheEntry(headers.get("etag"), headers.get("last-modified"), self._fresh_until(headers))
        return Response(final, status, headers, body, wire_bytes=wire, cache=cache)

    def _fresh_until(self, headers: dict[str, str]) -> float | None:
        cc = headers.get("cache-control", "")
        if "no-store" in cc or "no-cache" in cc:
            return None
        m = _MAX_AGE_RE.search(cc)
        if not m:
            return None
        # Honour max-age, but never let a server silence a source longer than the backoff cap.
        age = min(int(m.group(1)), self.settings.backoff_cap)
        return self.clock() + age if age > 0 else None


def _chunks(resp: requests.Response):
    raw = resp.raw
    while True:
        data = raw.read1(_CHUNK, decode_content=True)
        if not data:
            return
        yield data


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
    return " ".join(text.split())[:160]


def http_date(ts: float) -> str:
    return email.utils.formatdate(ts, usegmt=True)
