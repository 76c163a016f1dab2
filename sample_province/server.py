"""The HTTP side: one threaded server on 127.0.0.1 serving every site under ``/{site_id}/``.

Each request is one thread (slow, hanging and trickling responses never block other sites);
latency and faults wait on the province's stop event, so stopping ends them at once.
"""

from __future__ import annotations

import hashlib
import json
import logging
import socket
import struct
import threading
import time
from collections import deque
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from sample_province.catalog import Site
from sample_province.faults import Fault
from sample_province.render import (
    encode,
    render_challenge,
    render_detail,
    render_forbidden,
    render_home,
    render_index,
    render_list,
    render_not_found,
    render_pdf,
)
from sample_province.sources import to_toml
from sample_province.urls import match_list, page_size

if TYPE_CHECKING:
    from sample_province.province import Province

log = logging.getLogger("sample_province")
COOKIE = "__jsluid_h"


class Counters:
    """Requests, bytes, statuses and concurrency per site, plus a bounded request log."""

    def __init__(self, log_size: int = 200_000) -> None:
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._active = 0
        self.sites: dict[str, dict[str, Any]] = {}
        self.log: deque[dict[str, Any]] = deque(maxlen=log_size)

    def enter(self, site: str) -> None:
        with self._lock:
            c = self.sites.setdefault(site, {"requests": 0, "bytes": 0, "active": 0, "max_concurrent": 0,
                                             "statuses": {}})
            c["requests"] += 1
            c["active"] += 1
            self._active += 1
            c["max_concurrent"] = max(c["max_concurrent"], c["active"])

    def leave(self, site: str, path: str, status: int, nbytes: int, fault: str | None) -> None:
        with self._lock:
            c = self.sites[site]
            c["active"] -= 1
            self._active -= 1
            c["bytes"] += nbytes
            c["statuses"][status] = c["statuses"].get(status, 0) + 1
            self.log.append({"time": time.time(), "site": site, "path": path, "status": status,
                             "bytes": nbytes, "fault": fault})
            if not self._active:
                self._idle.notify_all()

    def settle(self, timeout: float) -> bool:
        """Wait up to *timeout* s until no request is in flight; False if some still are.

        A client holds its whole response a moment before the server thread records it, so a
        test that reads the counters right after its requests returned waits here first.
        """
        with self._idle:
            return self._idle.wait_for(lambda: not self._active, timeout)

    def snapshot(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            return {k: {**v, "statuses": dict(v["statuses"])} for k, v in self.sites.items()}

    def reset(self) -> None:
        with self._lock:
            self.log.clear()
            for v in self.sites.values():
                v.update(requests=0, bytes=0, max_concurrent=v["active"], statuses={})


class _Abort(Exception):
    """The response was cut off on purpose (reset, hang, truncation): nothing more to send."""


class Exchange:
    """One request/response, with the bookkeeping the counters need."""

    def __init__(self, h: BaseHTTPRequestHandler, head: bool) -> None:
        self.h = h
        self.head = head
        self.status = 0
        self.sent = 0
        parts = urlsplit(h.path)
        self.path = parts.path
        self.query = dict(parse_qsl(parts.query))
        self.raw_query = parts.query

    def send_head(self, status: int, length: int, ctype: str, headers: dict[str, str] | None = None) -> None:
        """The status line and headers announcing a body of *length* bytes (faults may send less)."""
        h = self.h
        self.status = status
        h.send_response(status)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(length))
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.end_headers()

    def send(self, status: int, body: bytes, ctype: str, headers: dict[str, str] | None = None) -> None:
        self.send_head(status, len(body), ctype, headers)
        if not self.head and status != 304:
            self.h.wfile.write(body)
            self.sent += len(body)


def _http_date(t: datetime) -> str:
    return format_datetime(t.astimezone(UTC).replace(microsecond=0), usegmt=True)


class App:
    """Routing and behaviour of every site; one instance per province."""

    def __init__(self, province: Province) -> None:
        self.p = province

    # ------------------------------------------------------------------ entry
    def handle(self, h: BaseHTTPRequestHandler, head: bool = False) -> None:
        x = Exchange(h, head)
        segs = x.path.split("/")
        site = self.p.site_by_id.get(segs[1]) if len(segs) > 1 else None
        key = site.id if site else "_province"
        self.p.counters.enter(key)
        fault: Fault | None = None
        try:
            if site is None:
                self._province_page(x)
                return
            if self.p.latency_ms and self.p.stop_event.wait(self.p.latency_ms / 1000):
                raise _Abort
            fault = self.p.faults.pick(site.id)
            self._site(x, site, fault)
        except _Abort:
            h.close_connection = True
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            h.close_connection = True
        except Exception:  # a bug here must not kill the server thread silently
            log.exception("示例省份：提供 %(path)s 时出错", {"path": h.path})
            if not x.status:
                try:
                    x.send(500, b"internal error", "text/plain")
                except OSError:
                    pass
            h.close_connection = True
        finally:
            self.p.counters.leave(key, x.path, x.status, x.sent, str(fault) if fault else None)

    def _province_page(self, x: Exchange) -> None:
        now = self.p.now()
        if x.path == "/":
            counts = self.p.world.counts(now)
            body, ctype = encode(None, render_index(self.p.sites, self.p.url, now, counts), "html")
            x.send(200, body, ctype)
        elif x.path == "/_truth.json":
            x.send(200, json.dumps(self.p.truth(), ensure_ascii=False).encode("utf-8"),
                   "application/json; charset=utf-8")
        elif x.path == "/_sources.json":
            x.send(200, json.dumps(self.p.sources(), ensure_ascii=False).encode("utf-8"),
                   "application/json; charset=utf-8")
        elif x.path == "/_sources.toml":
            x.send(200, to_toml(self.p.sources()).encode("utf-8"), "text/plain; charset=utf-8")
        else:
            x.send(404, render_not_found(None).encode("utf-8"), "text/html; charset=utf-8")

    # ------------------------------------------------------------------ one site
    def _site(self, x: Exchange, site: Site, fault: Fault | None) -> None:
        kind = fault.kind if fault else None
        if kind in ("500", "503", "503-retry-after", "429"):
            status = 429 if kind == "429" else int(kind[:3])
            headers = {"Retry-After": f"{fault.value:g}"} if kind in ("503-retry-after", "429") else {}
            text = {500: "500 Internal Server Error", 503: "503 Service Temporarily Unavailable",
                    429: "429 Too Many Requests"}[status]
            x.send(status, f"<html><head><title>{text}</title></head><body><center><h1>{text}</h1></center>"
                           f"<hr><center>nginx</center></body></html>".encode(), "text/html", headers)
            return
        if kind == "reset":
            self._reset(x)
        if kind == "hang":
            self.p.stop_event.wait(fault.value)
            raise _Abort
        if kind == "redirect-loop":
            loop = x.query.get("_loop") == "1"
            q = "&".join(p for p in x.raw_query.split("&") if p and p != "_loop=1")
            target = x.path + ("?" + q if q else "") if loop else x.path + "?" + (q + "&" if q else "") + "_loop=1"
            x.send(302, b"", "text/html", {"Location": target})
            return
        if kind == "slow-first-byte" and self.p.stop_event.wait(fault.value):
            raise _Abort
        if kind == "huge":
            self._huge(x, site, int(fault.value))
            return
        if site.cookie and not self._has_cookie(x, site):
            body, ctype = encode(site, render_challenge(site), "html")
            x.send(200, body, ctype, {"Set-Cookie": f"{COOKIE}={self.p.cookie_value(site)}; Path=/{site.id}/; "
                                                    "HttpOnly", "Cache-Control": "no-store"})
            return
        if site.referer and not self._referer_ok(x, site):
            body, ctype = encode(site, render_forbidden(site), "html")
            x.send(403, body, ctype)
            return
        # a frozen site shows the world as it was at the fault's time (nothing, for a bare "frozen")
        frozen_at = datetime.fromtimestamp(fault.value, UTC) if kind == "frozen" else None
        if x.path.endswith(".pdf"):
            self._attachment(x, site, kind, frozen_at)
            return
        page = self._content(x, site, detail_fault=(kind == "404-detail"), frozen_at=frozen_at)
        if page is None:
            body, ctype = encode(site, render_not_found(site), "html")
            x.send(404, body, ctype)
            return
        text, pkind, changed = page
        body, ctype = encode(site, text, pkind)
        if kind == "malformed":
            body = _malform(body, pkind)
        if kind == "wrong-content-type":
            ctype = {"html": "application/octet-stream", "xml": "text/html; charset=utf-8",
                     "json": "text/html"}[pkind]
        headers: dict[str, str] = {"Server": "nginx", "X-Frame-Options": "SAMEORIGIN"}
        if site.validators:
            etag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
            lm = _http_date(changed)
            headers.update({"ETag": etag, "Last-Modified": lm})
            if self._not_modified(x, etag, changed):
                x.send(304, b"", ctype, headers)
                return
        else:
            headers["Cache-Control"] = "no-cache"
        if kind == "truncated":
            self._truncated(x, body, ctype, headers)
        if kind == "trickle":
            self._trickle(x, body, ctype, headers, fault.value)
            return
        x.send(200, body, ctype, headers)

    def _content(self, x: Exchange, site: Site, detail_fault: bool,
                 frozen_at: datetime | None = None) -> tuple[str, str, datetime] | None:
        """(text, kind, last change) of the page at this path, or None for 404."""
        now = self.p.now() if frozen_at is None else min(self.p.now(), frozen_at)
        world = self.p.world
        hit = match_list(site, x.path, x.query)
        if hit is not None:
            ch, page = hit
            items = world.listed(site, ch, now)
            size = page_size(site, ch, x.query)
            pages = max(1, -(-len(items) // size))
            if ch.template in ("rss", "atom", "xinhua"):
                shown = items[:size]
            else:
                shown = items[(page - 1) * size: page * size]
                if page > pages:
                    if ch.template in ("json", "portal-json"):
                        shown = []
                    else:
                        return None
            text, pkind = render_list(site, ch, shown, page, pages, len(items), size, now)
            return text, pkind, world.last_change(site, ch, now)
        if x.path in (f"/{site.id}", f"/{site.id}/", f"/{site.id}/index.html"):
            latest = {ch.key: world.listed(site, ch, now)[:8] for ch in site.channels}
            changed = max((world.last_change(site, ch, now) for ch in site.channels), default=now)
            return render_home(site, latest), "html", changed
        item = world.find(x.path, now)
        if item is None or item.site.id != site.id or item.deleted(now) or detail_fault:
            return None
        related = [r for r in world.listed(site, item.channel, now)[:6] if r.no != item.no]
        return render_detail(site, item, related, now), "html", item.changed_at(now)

    def _attachment(self, x: Exchange, site: Site, kind: str | None, frozen_at: datetime | None = None) -> None:
        """A policy document's PDF attachment (404 once the document is deleted)."""
        now = self.p.now()
        self.p.world.ensure(now)
        if frozen_at is not None:
            now = min(now, frozen_at)
        item = self.p.world.attachments.get(x.path)
        if item is None or item.site.id != site.id or item.released > now or item.deleted(now) or \
                kind == "404-detail":
            body, ctype = encode(site, render_not_found(site), "html")
            x.send(404, body, ctype)
            return
        x.send(200, render_pdf(item), "application/pdf",
               {"Content-Disposition": f'inline; filename="P0{item.released:%Y%m%d}{item.no}.pdf"'})

    # ------------------------------------------------------------------ behaviours
    def _has_cookie(self, x: Exchange, site: Site) -> bool:
        raw = x.h.headers.get("Cookie", "")
        want = f"{COOKIE}={self.p.cookie_value(site)}"
        return any(part.strip() == want for part in raw.split(";"))

    def _referer_ok(self, x: Exchange, site: Site) -> bool:
        ref = x.h.headers.get("Referer")
        if not ref:
            return False
        parts = urlsplit(ref)
        if parts.netloc != x.h.headers.get("Host", ""):
            return False
        return parts.path == "/" or parts.path.startswith(f"/{site.id}/")

    def _not_modified(self, x: Exchange, etag: str, changed: datetime) -> bool:
        inm = x.h.headers.get("If-None-Match")
        if inm is not None:
            return etag in [t.strip() for t in inm.split(",")] or inm.strip() == "*"
        ims = x.h.headers.get("If-Modified-Since")
        if ims:
            try:
                since = parsedate_to_datetime(ims)
            except (TypeError, ValueError):
                return False
            if since.tzinfo is None:
                since = since.replace(tzinfo=UTC)
            return changed.replace(microsecond=0) <= since
        return False

    def _reset(self, x: Exchange) -> None:
        sock = x.h.connection
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()
        except OSError:
            pass
        raise _Abort

    def _truncated(self, x: Exchange, body: bytes, ctype: str, headers: dict[str, str]) -> None:
        x.send_head(200, len(body), ctype, headers)
        if not x.head:
            half = body[: len(body) // 2]
            x.h.wfile.write(half)
            x.sent += len(half)
        raise _Abort

    def _trickle(self, x: Exchange, body: bytes, ctype: str, headers: dict[str, str], delay: float) -> None:
        x.send_head(200, len(body), ctype, headers)
        if x.head:
            return
        h = x.h
        for i in range(0, len(body), 64):
            h.wfile.write(body[i: i + 64])
            x.sent += len(body[i: i + 64])
            if i + 64 < len(body) and self.p.stop_event.wait(delay):
                raise _Abort

    def _huge(self, x: Exchange, site: Site, size: int) -> None:
        """Stream ``size`` bytes of an HTML page without Content-Length, never holding it in memory."""
        h = x.h
        x.status = 200
        h.send_response(200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        h.send_header("Connection", "close")
        h.end_headers()
        h.close_connection = True
        if x.head:
            return
        head = (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{site.name}</title></head><body>'
                '<ul class="list">').encode()
        block = ("<!-- " + "数据加载中" * 400 + " -->\n").encode() * 8
        h.wfile.write(head)
        x.sent += len(head)
        while x.sent < size:
            if self.p.stop_event.is_set():
                raise _Abort
            chunk = block[: size - x.sent]
            h.wfile.write(chunk)
            x.sent += len(chunk)


def _malform(body: bytes, kind: str) -> bytes:
    """Break a page the way real servers do: unescaped &, unclosed tags, stray bytes, cut JSON."""
    if kind == "xml":
        body = body.replace(b"</channel>", b"").replace(b"</feed>", b"")
        body = body.replace(b"<title>", b"<title>R&D \x0b", 3)
        return body + b"<item><title>unclosed"
    if kind == "json":
        return b"\xef\xbb\xbf" + body.rstrip(b"}") + b",}"
    body = body.replace(b"</li>", b"", 5).replace(b"</div>", b"", 3).replace(b"</ul>", b"<ul>", 1)
    return body.replace(b"<body>", b"<body>\n<div <p>&copy & \xff\xfe </span></td>", 1)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "nginx"
    sys_version = ""
    timeout = 120  # an idle keep-alive connection is closed after this long

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self.server.app.handle(self)  # type: ignore[attr-defined]

    def do_HEAD(self) -> None:  # noqa: N802
        self.server.app.handle(self, head=True)  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        log.debug("%s " + format, self.address_string(), *args)


class ProvinceServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024
    allow_reuse_address = True

    def __init__(self, port: int, app: App) -> None:
        self.app = app
        super().__init__(("127.0.0.1", port), _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("sample province: connection error from %s", client_address, exc_info=True)
