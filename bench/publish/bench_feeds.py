"""Cost of what the portal polls all day, on a database with N published items (default 10,000).

Measures: publishing (sanitize + jieba index + stream rows), a conditional feed request
answered 304, full feed renders (RSS/Atom/JSON Feed, column and all), an API page of 500
changes, one item, the column catalog, a search, and the static export.

    .venv/bin/python bench/publish/bench_feeds.py [--items 10000] [--repeat 200] [--db PATH]

Story text comes from the real corpus when it is present (../shared/corpus or $HUIJU_CORPUS),
else from a synthetic generator; the figures printed say which.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

import flask  # noqa: E402

import publisher  # noqa: E402
import store  # noqa: E402
from settings import DEFAULT_COLUMNS, Config  # noqa: E402

NEWS = ["longjiang-news", "gov-affairs", "department-news", "city-news"]
POLICY = ["laws", "gov-documents", "notices"]
TOPICS = ["topic-old-industrial-base", "topic-e-government"]


def corpus_stories() -> Iterator[tuple[str, str]]:
    from sample_province.corpus import find_corpus  # $HUIJU_CORPUS, $HUIJU_SHARED or ../shared

    root = find_corpus()
    if root is None:
        return
    folder = root / "xinwen-lianbo"
    for path in sorted(folder.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        _, _, detail = text.partition("## 详细新闻")
        for block in detail.split("\n### ")[1:]:
            title, _, body = block.partition("\n")
            if title.strip() and body.strip():
                yield title.strip(), body.strip()


def synthetic_stories() -> Iterator[tuple[str, str]]:
    rnd = random.Random(7)
    words = ["哈尔滨", "齐齐哈尔", "牡丹江", "佳木斯", "大庆", "会议", "部署", "推进", "营商环境", "老工业基地",
             "振兴", "电子政务", "供暖", "安全生产", "乡村振兴", "冰雪经济", "项目建设", "民生", "改革", "落实"]
    n = 0
    while True:
        n += 1
        title = "".join(rnd.choice(words) for _ in range(5)) + f"（{n}）"
        body = "".join(f"<p>{''.join(rnd.choice(words) for _ in range(30))}。</p>" for _ in range(4))
        yield title, body


def fill(db, items: int) -> tuple[float, str]:
    stories = corpus_stories()
    first = next(stories, None)
    kind = "real corpus (新闻联播)" if first else "synthetic"
    source = (lambda: iter([first, *stories]))() if first else synthetic_stories()
    rnd = random.Random(11)
    start_day = datetime(2025, 1, 1, 9, 0, tzinfo=UTC)
    t0 = time.perf_counter()
    i = 0
    batch = 200
    while i < items:
        with store.transaction(db):
            for _ in range(min(batch, items - i)):
                i += 1
                try:
                    title, body = next(source)
                except StopIteration:
                    source = synthetic_stories()
                    title, body = next(source)
                body = body[:1500]
                text = re.sub(r"<[^>]+>", "\n", body)
                column = rnd.choice(NEWS + POLICY)
                cols = [column] + ([rnd.choice(TOPICS)] if rnd.random() < 0.1 else [])
                publisher.publish(db, publisher.Entry(
                    item_id=i, version=1, columns=cols, title=title, html=body, text=text,
                    url=f"https://www.example.gov.cn/{column}/{i}.shtml", source_id="bench",
                    source_name="黑龙江省人民政府",
                    published_at=(start_day + timedelta(hours=i)).astimezone().isoformat()
                    if i % 20 else None,
                    also_reported_by=[], approved_by="bench", approved_at=None, action="publish"))
    return time.perf_counter() - t0, kind


def open_filled(path: Path, items: int):
    """The database at *path* with at least *items* published items (filled now if it has none)."""
    db = store.open_db(path)
    publisher.init(db)
    have = db.conn.execute("SELECT count(*) FROM published_items").fetchone()[0]
    if have < items:
        if have:
            sys.exit(f"{path}: holds {have} items, fewer than --items {items}; use a fresh --db")
        seconds, kind = fill(db, items)
        print(f"published {items} items ({kind}) in {seconds:.1f} s = {items / seconds:.0f} items/s "
              "(sanitize + jieba index + stream rows, 200 per transaction)")
    return db


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    samples.sort()
    return statistics.median(samples) * 1000, samples[int(len(samples) * 0.95) - 1] * 1000


def row_over_socket(app: flask.Flask, row: Callable[..., None]) -> None:
    """The same requests through waitress on 127.0.0.1 with keep-alive (what the portal sees)."""
    import socket
    import threading

    import requests
    from waitress.server import create_server

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = create_server(app, host="127.0.0.1", port=port, threads=4)
    threading.Thread(target=server.run, daemon=True).start()
    session = requests.Session()
    base = f"http://127.0.0.1:{port}"
    try:
        for url in ("/feeds/city-news.rss", "/api/v1/items?since=0&limit=100"):
            etag = session.get(base + url, timeout=10).headers["ETag"]

            def conditional(url: str = url, etag: str = etag) -> None:
                assert session.get(base + url, headers={"If-None-Match": etag}, timeout=10).status_code == 304

            def full(url: str = url) -> None:
                assert session.get(base + url, timeout=10).status_code == 200

            row(f"waitress+requests 304 {url}", conditional)
            row(f"waitress+requests 200 {url}", full)
    finally:
        server.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--items", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=200)
    ap.add_argument("--db", help="reuse (or create) this database instead of a temporary one")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="huiju-bench-")
    path = Path(args.db) if args.db else Path(tmp) / "bench.db"
    db = open_filled(path, args.items)
    config = Config(path="bench", columns={c.id: c for c in DEFAULT_COLUMNS}, sources=())
    app = flask.Flask("bench")
    app.config.update(HUIJU_DB=str(path), HUIJU_CONFIG=config, HUIJU_PUBLIC_URL="https://portal.example")
    app.register_blueprint(publisher.create_blueprint())
    client = app.test_client()
    base = "https://portal.example"

    print(f"database: {path} ({path.stat().st_size / 1e6:.1f} MB), {args.items} items, repeat {args.repeat}")
    print(f"{'measurement':64} {'median ms':>10} {'p95 ms':>8}")

    def row(name: str, fn: Callable[[], object], repeat: int = args.repeat) -> None:
        med, p95 = timed(fn, repeat)
        print(f"{name:64} {med:10.2f} {p95:8.2f}")

    for url in ("/feeds/city-news.rss", "/feeds/all.atom", "/api/v1/items?since=0&limit=500"):
        etag = client.get(url).headers["ETag"]

        def conditional(url: str = url, etag: str = etag) -> None:
            resp = client.get(url, headers={"If-None-Match": etag})
            assert resp.status_code == 304

        row(f"HTTP 304 (If-None-Match) {url}", conditional)
    for url in ("/feeds/city-news.rss", "/feeds/city-news.atom", "/feeds/city-news.json", "/feeds/all.rss",
                "/api/v1/items?since=0&limit=500", f"/api/v1/items?column=city-news&since={args.items // 2}&limit=100",
                f"/api/v1/items/{args.items // 2}", "/api/v1/columns", "/api/v1/search?q=哈尔滨"):
        def full(url: str = url) -> None:
            resp = client.get(url)
            assert resp.status_code == 200, (url, resp.status_code)

        row(f"HTTP 200 full render {url}", full, max(10, args.repeat // 4))
    row_over_socket(app, row)
    row("render_rss(city-news), 50 entries, no HTTP", lambda: publisher.render_rss(db, config, "city-news", base))
    row("freshness() over 9 columns", lambda: publisher.freshness(db, config.columns))
    row("export() whole static tree", lambda: publisher.export(db, config, Path(tmp) / "site", base_url=base), 3)


if __name__ == "__main__":
    main()
