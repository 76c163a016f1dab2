"""A tiny threaded HTTP server for collector tests: routes as data, faults on demand, a request log."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering
    trickle: float | None = None  # seconds between single bytes of the body (a page that never finishes)
    etag: str | None = None  # answer 304 to a matching If-None-Match
    last_modified: str | None = None
    chunked_size: int | None = None  # stream this many bytes without Content-Length
    handler: Callable[[BaseHTTPRequestHandler], Route] | None = None


@dataclass
class Hit:
    path: str
    headers: dict[str, str]
    at: float


class FakeWeb:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: list[Hit] = []
        self.lock = threading.Lock()
        self.active = 0
        self.max_active = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                outer._serve(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def route(self, path: str, body: bytes | str = b"", **kw: object) -> Route:
        if isinstance(body, str):
            body = body.encode("utf-8")
        r = Route(body=body, **kw)  # type: ignore[arg-type]
        self.routes[path] = r
        return r

    def count(self, path: str) -> int:
        with self.lock:
            return sum(1 for h in self.hits if h.path == path)

    def _serve(self, h: BaseHTTPRequestHandler) -> None:
        full = h.path
        path = urlsplit(full).path
        with self.lock:
            self.hits.append(Hit(full, {k.lower(): v for k, v in h.headers.items()}, time.monotonic()))
            self.active += 1
            self.max_active = max(self.max_active, self.active)
        answering = False  # a request is active until its answer starts: once the client has read it,
        # its next request may arrive before this thread runs again, and must not count as overlapping
        try:
            r = self.routes.get(full) or self.routes.get(path)
            if r is not None and r.handler is not None:
                r = r.handler(h)
            if r is not None and r.delay:
                time.sleep(r.delay)
            with self.lock:
                self.active -= 1
                answering = True
            if r is None:
                self._send(h, 404, {"Content-Type": "text/plain"}, b"not found")
                return
            inm = h.headers.get("If-None-Match")
            ims = h.headers.get("If-Modified-Since")
            if (r.etag and inm == r.etag) or (r.last_modified and ims == r.last_modified and not r.etag):
                hd = {"ETag": r.etag} if r.etag else {}
                self._send(h, 304, hd, b"")
                return
            headers = {"Content-Type": "text/html; charset=utf-8", **r.headers}
            if r.etag:
                headers["ETag"] = r.etag
            if r.last_modified:
                headers["Last-Modified"] = r.last_modified
            if r.chunked_size is not None:
                h.send_response(r.status)
                for k, v in headers.items():
                    h.send_header(k, v)
                h.send_header("Connection", "close")
                h.end_headers()
                block = b"x" * 65536
                sent = 0
                try:
                    while sent < r.chunked_size:
                        h.wfile.write(block)
                        sent += len(block)
                except OSError:
                    pass
                return
            if r.trickle is not None:
                h.send_response(r.status)
                for k, v in headers.items():
                    h.send_header(k, v)
                h.send_header("Content-Length", str(len(r.body) + 100_000))
                h.end_headers()
                try:
                    for i in range(len(r.body) + 100_000):
                        h.wfile.write(r.body[i:i + 1] or b" ")
                        h.wfile.flush()
                        time.sleep(r.trickle)
                except OSError:
                    pass
                return
            self._send(h, r.status, headers, r.body)
        finally:
            if not answering:
                with self.lock:
                    self.active -= 1

    @staticmethod
    def _send(h: BaseHTTPRequestHandler, status: int, headers: dict[str, str], body: bytes) -> None:
        try:
            h.send_response(status)
            for k, v in headers.items():
                h.send_header(k, v)
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            if body:
                h.wfile.write(body)
        except OSError:
            pass

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
