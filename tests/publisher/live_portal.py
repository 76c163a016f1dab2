"""A populated database and the real app on 127.0.0.1, served as the daemon serves it, for tests that speak HTTP."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import publisher
import store
from pipeline.http_server import HttpServer
from pipeline.web import create_app
from settings import DEFAULT_COLUMNS, Config
from tests.publisher.conftest import make_entry

COLUMNS = [c.id for c in DEFAULT_COLUMNS]


def populate(path: Path, items: int = 120) -> Config:
    """*items* items over every column: corrections, a move, retractions with reasons, undated items."""
    db = store.open_db(path)
    publisher.init(db)
    now = datetime.now(UTC)
    with store.transaction(db):
        for i in range(1, items + 1):
            col = COLUMNS[i % len(COLUMNS)]
            publisher.publish(db, make_entry(
                i, columns=[col], title=f"哈尔滨市推进城市轨道交通建设（{i}）" if i % 3 else f"海上风电项目通报{i}",
                published_at=None if i % 17 == 0 else (now - timedelta(days=items - i)).isoformat()),
                now=now - timedelta(days=items - i, minutes=5))
        for i in range(1, items, 10):
            publisher.publish(db, make_entry(i, version=2, columns=[COLUMNS[(i + 1) % len(COLUMNS)]],
                                             title=f"更正：第{i}条"), now=now - timedelta(minutes=4))
        for i in range(5, items, 25):
            publisher.retract(db, i, reason=f"撤稿原因{i}", now=now - timedelta(minutes=3))
    db.conn.close()
    return Config(path="test.toml", columns={c.id: c for c in DEFAULT_COLUMNS}, sources=())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(path: Path, config: Config, *, threads: int = 4, public_url: str = "") -> Iterator[str]:
    """The daemon's app for *path* on 127.0.0.1, on the daemon's server and front; yields its base URL."""
    app = create_app(str(path), config, public_url=public_url)
    server = HttpServer(app, host="127.0.0.1", port=0, threads=threads, front=publisher.cached_front(app))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.close()
        thread.join(5)
