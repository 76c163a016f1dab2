"""The daemon's HTTP server: Granian (a Rust HTTP server) in one thread, a front for cached pages.

The portal polls the same few feed and API URLs all day; each is kept rendered as bytes by the
publisher (publisher/pages.py). A request for one of them is answered on the server's event loop
by the publisher's *front* (ETag/304, gzip/brotli, the same headers as the Flask views), without
a thread hop, a WSGI environ or Flask's routing. Everything else (the reviewer UI, health,
metrics, a page not rendered yet) goes to the Flask app, run on a pool of threads through a
small WSGI bridge (PEP 3333): same URLs, same headers, same sessions and CSRF.

Granian runs embedded (``granian.server.embed``, RSGI interface) in a thread with its own
asyncio loop, on a listening socket bound when the server is made, so the port is known at once
(port 0 picks a free one). :meth:`HttpServer.close` stops it: no new connection is accepted and
requests still in flight are cut, as the daemon's stop deadline wants.

The interface mirrors what the daemon had from waitress: ``effective_port``, ``run()`` (blocks,
for a thread) and ``close()``.
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from granian.constants import HTTPModes, Interfaces, TaskImpl
from granian.net import SocketHolder
from granian.server.embed import Server as _EmbeddedGranian

__all__ = ["HttpServer", "MAX_BODY_BYTES"]

log = logging.getLogger("huiju.http")

MAX_BODY_BYTES = 32 * 1024 * 1024  # a request body above this is refused (413); the desk's forms are small
Front = Callable[[dict[str, Any]], "tuple[int, list[tuple[str, str]], bytes] | None"]
_FRONT_PREFIXES = ("/feeds/", "/api/v1/")
_QUIET_LOGGING = {  # Granian's own log lines go through ours (huiju's handlers), errors only; incremental,
    "incremental": True,  # so that configuring it leaves the handlers already installed alone
    "handlers": {},
    "loggers": {
        "_granian": {"level": "ERROR", "propagate": True},
        "granian.access": {"level": "ERROR", "propagate": True},
    },
}
_REASONS = {200: "OK", 304: "Not Modified"}
# asyncio's tasks, not Granian's experimental Rust task (4-9 µs less CPU per cached 304 in a paired
# check): its task objects enter asyncio's registry half-made, so any other asyncio user in the process
# that lists tasks (asyncio.all_tasks: Playwright on exit, in the browser tests) fails with "Future
# object is not initialized" (docs/benchmarks.md, "the 304 path").
_TASKS = TaskImpl.asyncio


class _Granian(_EmbeddedGranian):
    """Granian's embedded server on a socket bound beforehand (so port 0 works and is known)."""

    def __init__(self, target: Any, holder: Any, **kwargs: Any) -> None:
        super().__init__(target, **kwargs)
        self._holder = holder

    def _init_shared_socket(self) -> None:
        self._ssp, self._shd = None, self._holder
        self._sfd = self._holder.get_fd()


class HttpServer:
    """Serve *app* (WSGI) on host:port; *front* answers cached pages first (None = ask the app)."""

    def __init__(self, app: Callable, *, host: str = "127.0.0.1", port: int = 0, threads: int = 8,
                 front: Front | None = None, backlog: int = 1024) -> None:
        self.app = app
        self.front = front
        self.host = host
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._socket = socket.socket(family, socket.SOCK_STREAM)
        try:  # bound here: a port in use is an OSError (EADDRINUSE) the caller can name
            self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self._socket.bind((host, port))
            self._socket.listen(backlog)
            self._socket.setblocking(False)
        except OSError:
            self._socket.close()
            raise
        self.effective_port: int = self._socket.getsockname()[1]
        self._fd = self._socket.detach()  # Granian owns the socket from here (and closes it)
        self._holder = SocketHolder(self._fd, False, backlog)
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="web")
        self._granian = _Granian(self, self._holder, address=host, port=self.effective_port,
                                 interface=Interfaces.RSGI, http=HTTPModes.http1, websockets=False,
                                 backlog=backlog, log_dictconfig=_QUIET_LOGGING, log_level="error",
                                 task_impl=_TASKS)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._started = threading.Event()
        self._closed = threading.Event()
        self._done = threading.Event()
        server_port = str(self.effective_port)
        self._base_environ = {
            "SCRIPT_NAME": "", "SERVER_NAME": host, "SERVER_PORT": server_port,
            "SERVER_SOFTWARE": "huiju", "GATEWAY_INTERFACE": "CGI/1.1",
            "wsgi.version": (1, 0), "wsgi.errors": sys.stderr, "wsgi.multithread": True,
            "wsgi.multiprocess": False, "wsgi.run_once": False, "wsgi.input_terminated": True,
        }

    # -- running ----------------------------------------------------------------------------
    def run(self) -> None:
        """Serve until :meth:`close` (blocks; run it in a thread)."""
        if self._closed.is_set():
            return
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            asyncio.set_event_loop(loop)
            loop.call_soon(self._started.set)
            loop.run_until_complete(self._granian.serve())
        finally:
            self._done.set()
            self._started.set()
            try:
                loop.run_until_complete(loop.shutdown_asyncgens())
            finally:
                asyncio.set_event_loop(None)
                loop.close()

    def close(self, timeout: float = 2.0, *, wait_threads: bool = True) -> bool:
        """Stop accepting and answering; return when the server thread ended or *timeout* (all the
        waits together) passed: True when it ended. Granian's own wait for open connections is
        never waited for past *timeout* (the daemon's stop deadline). *wait_threads*: also let
        Granian's native threads end (up to 1 s), needed only when the interpreter exits normally
        next (a process ended by ``os._exit`` need not)."""
        end = time.monotonic() + timeout
        self._closed.set()
        loop = self._loop
        if loop is not None and not self._done.is_set():
            self._started.wait(max(0.0, end - time.monotonic()))
            try:
                loop.call_soon_threadsafe(self._granian.stop)
            except RuntimeError:  # the loop already closed
                pass
            self._done.wait(max(0.0, end - time.monotonic()))
            if wait_threads:
                _wait_native_threads(deadline=min(end, time.monotonic() + 1.0))
        self._pool.shutdown(wait=False, cancel_futures=True)
        if loop is None:  # never served: nobody else will close the listening socket
            try:
                os.close(self._fd)
            except OSError:
                pass
        return loop is None or self._done.is_set()

    # -- RSGI -------------------------------------------------------------------------------
    async def __rsgi__(self, scope: Any, proto: Any) -> None:
        method = scope.method
        path = scope.path
        headers = scope.headers
        if self.front is not None and method in ("GET", "HEAD") and path.startswith(_FRONT_PREFIXES):
            small = {
                "REQUEST_METHOD": method, "PATH_INFO": _wsgi_path(path), "QUERY_STRING": scope.query_string,
                "HTTP_HOST": headers.get("host"), "wsgi.url_scheme": scope.scheme,
                "SERVER_NAME": self.host, "SERVER_PORT": self._base_environ["SERVER_PORT"],
                "HTTP_IF_NONE_MATCH": headers.get("if-none-match"),
                "HTTP_IF_MODIFIED_SINCE": headers.get("if-modified-since"),
                "HTTP_ACCEPT_ENCODING": headers.get("accept-encoding"),
            }
            try:
                answer = self.front(small)
            except Exception:  # noqa: BLE001 - the app answers instead (its error pages, 503)
                log.debug("front failed for %s; the app answers", path, exc_info=True)
                answer = None
            if answer is not None:
                status, out, body = answer
                proto.response_bytes(status, out, body)
                return
        body = b""
        if path.startswith(_FRONT_PREFIXES):
            pass  # the portal's routes are read-only and take no body: never read, the views answer (405 JSON)
        elif (length := headers.get("content-length")) and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
            proto.response_bytes(413 if length.isdigit() else 400, [("Content-Type", "text/plain; charset=utf-8")],
                                 b"request body too large\n" if length.isdigit() else b"bad Content-Length\n")
            return
        elif length or headers.get("transfer-encoding"):
            chunks, size = [], 0
            async for chunk in proto:
                size += len(chunk)
                if size > MAX_BODY_BYTES:
                    proto.response_bytes(413, [("Content-Type", "text/plain; charset=utf-8")],
                                         b"request body too large\n")
                    return
                chunks.append(chunk)
            body = b"".join(chunks)
        environ = self._environ(scope, body)
        try:
            status, out, payload = await asyncio.get_running_loop().run_in_executor(self._pool, self._call_app,
                                                                                    environ)
        except RuntimeError:  # the pool was shut down: the server is closing
            return
        proto.response_bytes(status, out, payload)

    def _environ(self, scope: Any, body: bytes) -> dict[str, Any]:
        """The PEP 3333 environ of one request."""
        environ = dict(self._base_environ)
        client_host, _, client_port = scope.client.rpartition(":")
        environ.update({
            "REQUEST_METHOD": scope.method, "PATH_INFO": _wsgi_path(scope.path),
            "QUERY_STRING": scope.query_string, "SERVER_PROTOCOL": f"HTTP/{scope.http_version}",
            "REMOTE_ADDR": client_host.strip("[]"), "REMOTE_PORT": client_port,
            "wsgi.url_scheme": scope.scheme, "wsgi.input": io.BytesIO(body),
        })
        body_length = str(len(body))
        for name, value in scope.headers.items():
            if "_" in name:  # X_Forwarded_For would pose as X-Forwarded-For in the environ (as waitress does)
                continue
            key = name.upper().replace("-", "_")
            if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                environ[key] = body_length if key == "CONTENT_LENGTH" else value  # what wsgi.input holds
                continue
            key = "HTTP_" + key
            if key in environ:  # repeated header: one value, comma-joined (cookies with "; ")
                environ[key] += ("; " if key == "HTTP_COOKIE" else ", ") + value
            else:
                environ[key] = value
        return environ

    def _call_app(self, environ: dict[str, Any]) -> tuple[int, list[tuple[str, str]], bytes]:
        """Run the WSGI app on a pool thread; the whole body is gathered there."""
        started: list[Any] = []

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable:
            if exc_info and started:
                raise exc_info[1].with_traceback(exc_info[2])
            started[:] = [status, headers]
            return chunks.append

        chunks: list[bytes] = []
        try:
            result: Iterable[bytes] = self.app(environ, start_response)
            try:
                for chunk in result:
                    if chunk:
                        chunks.append(chunk)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
        except Exception:  # noqa: BLE001 - Flask answers its own errors; this is a bug below it
            log.exception("网页服务：答复 %(method)s %(path)s 时出现未处理的错误",
                          {"method": environ.get("REQUEST_METHOD"), "path": environ.get("PATH_INFO")})
            return 500, [("Content-Type", "text/plain; charset=utf-8")], b"internal server error\n"
        status = int(started[0].split(" ", 1)[0]) if started else 500
        return status, list(started[1]) if started else [], b"".join(chunks)


def _wsgi_path(path: str) -> str:
    """PATH_INFO as PEP 3333 wants it: the decoded path's bytes, read as latin-1."""
    return path if path.isascii() else path.encode("utf-8", "surrogateescape").decode("latin-1")


def _native_threads() -> set[str]:
    """Threads of this process that Python did not start (Granian's Rust runtime), by thread id."""
    try:
        tasks = set(os.listdir("/proc/self/task"))
    except OSError:  # not Linux: nothing to wait for
        return set()
    python = {str(t.native_id) for t in threading.enumerate()}
    return tasks - python


def _wait_native_threads(deadline: float) -> None:
    """Let Granian's runtime threads end after a stop: one still running while the interpreter
    exits would touch Python after finalization and abort the process (exit 134, not 0)."""
    pending = _native_threads()
    while pending and time.monotonic() < deadline:
        time.sleep(0.01)
        pending &= _native_threads()
