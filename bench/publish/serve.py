"""Serving the portal's feeds: Huiju's own server against nginx, side by side in one run.

    .venv/bin/python -m bench.publish [--items 10000] [--duration 10] [--connections 32] [--db PATH]

Builds (or reuses) a database of N published items (story text from the real corpus when
../shared/corpus or $HUIJU_CORPUS is there, else synthetic), writes the live static tree, then
starts on loopback ports: the daemon's app exactly as `run.py daemon` serves it (Granian with the
publisher's front for cached pages, 8 threads for the rest: pipeline/http_server.py), nginx (Debian's package) with a minimal static configuration over the same tree, and
nginx with the shipped deploy/nginx/huiju.conf. `wrk -t2 -cC -dD --latency` then asks each for
the same URLs: a full response (identity and gzip) and a revalidation answered 304. Printed:
req/s, p99 latency and the ratio to plain nginx. Needs `apt-get install nginx-light wrk`.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

import requests  # noqa: E402

import publisher  # noqa: E402
from bench.publish import nginx_local  # noqa: E402
from bench.publish.bench_feeds import open_filled  # noqa: E402
from pipeline.http_server import HttpServer  # noqa: E402
from pipeline.web import create_app  # noqa: E402
from settings import DEFAULT_COLUMNS, Config  # noqa: E402

PUBLIC = "https://portal.example.gov.cn"
URLS = ["/feeds/all.atom", "/feeds/city-news.rss", "/api/v1/columns"]

PLAIN_NGINX = """server {{
    listen 127.0.0.1:{port};
    root {root};
    etag on;
    gzip_static on;
    gzip on;
    gzip_types application/atom+xml application/rss+xml application/json;
    location /api/v1/columns {{ default_type application/json; }}
    types {{ application/atom+xml atom; application/rss+xml rss; application/feed+json json; }}
}}
"""


def wrk(url: str, *, headers: dict[str, str], duration: int, connections: int) -> dict[str, float]:
    """req/s and p99 (ms) of wrk against *url*."""
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency"]
    for k, v in headers.items():
        cmd += ["-H", f"{k}: {v}"]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, timeout=duration + 60).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    m = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    m50 = re.search(r"50%\s+([\d.]+)(us|ms|s)\b", out)
    units = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    scale = units[m.group(2)] if m else float("nan")
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    return {"rps": rps, "p99_ms": float(m.group(1)) * scale if m else float("nan"),
            "p50_ms": float(m50.group(1)) * units[m50.group(2)] if m50 else float("nan"),
            "bad": int(non2xx.group(1)) if non2xx else 0, "socket_errors": errors.group(0) if errors else ""}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--items", type=int, default=10_000)
    ap.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--db", help="reuse (or create) this database")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = ap.parse_args()
    for tool in ("wrk",):
        if not shutil.which(tool):
            print(f"error: {tool} is not installed (apt-get install wrk nginx-light)", file=sys.stderr)
            return 1
    if nginx_local.nginx_binary() is None:
        print("error: nginx is not installed (apt-get install nginx-light)", file=sys.stderr)
        return 1
    print("load average at the start:", " ".join(f"{x:.2f}" for x in os.getloadavg()), flush=True)
    tmp = Path(tempfile.mkdtemp(prefix="huiju-bench-serve-"))
    path = Path(args.db) if args.db else tmp / "bench.db"
    db = open_filled(path, args.items)
    config = Config(path="bench", columns={c.id: c for c in DEFAULT_COLUMNS}, sources=())
    tree = tmp / "static"
    publisher.sync_static(db, config, tree, base_url=PUBLIC)
    db.conn.close()

    app = create_app(str(path), config, public_url=PUBLIC)
    server = HttpServer(app, host="127.0.0.1", port=0, threads=8, front=publisher.cached_front(app))
    threading.Thread(target=server.run, daemon=True).start()
    daemon = f"http://127.0.0.1:{server.effective_port}"

    plain_port = nginx_local.free_port()
    plain_site = tmp / "plain.conf"
    plain_site.write_text(PLAIN_NGINX.format(port=plain_port, root=tree))
    rows: list[dict[str, object]] = []
    with nginx_local.running(tree, tmp / "nginx-shipped", daemon=daemon.removeprefix("http://"), workers=2,
                             extra=f"    include {plain_site};") as shipped:
        plain = f"http://127.0.0.1:{plain_port}"
        servers = {"nginx (plain static)": plain, "nginx (deploy/nginx/huiju.conf)": shipped,
                   "huiju daemon": daemon}
        for url in URLS:
            same = {name: requests.get(base + url, timeout=30).content for name, base in servers.items()}
            assert len(set(same.values())) == 1, f"{url}: the servers do not send the same bytes"
            size = len(same["nginx (plain static)"])
            for mode in ("full", "full gzip", "304"):
                for name, base in servers.items():
                    headers = {"Accept-Encoding": "gzip"} if mode == "full gzip" else {}
                    if mode == "304":
                        headers = {"If-None-Match": requests.get(base + url, timeout=30).headers["ETag"]}
                    r = wrk(base + url, headers=headers, duration=args.duration, connections=args.connections)
                    r["load1"] = os.getloadavg()[0]
                    rows.append({"url": url, "bytes": size, "mode": mode, "server": name, **r})
                    print(f"{url:22} {size:>8} B {mode:9} {name:34} {r['rps']:>10.0f} req/s  p50 {r['p50_ms']:6.2f} p99 {r['p99_ms']:7.2f} ms  load {r['load1']:.1f}"
                          + (f"  non-2xx/3xx {r['bad']}" if r["bad"] else ""), flush=True)
    server.close()
    print()
    print("load average at the end:", " ".join(f"{x:.2f}" for x in os.getloadavg()))
    print(f"{'url':22} {'mode':9} {'daemon/nginx':>13} {'shipped/nginx':>14} {'daemon p50 ms':>14} {'daemon p99 ms':>14}")
    for url in URLS:
        for mode in ("full", "full gzip", "304"):
            got = {r["server"]: r for r in rows if r["url"] == url and r["mode"] == mode}
            base = got["nginx (plain static)"]["rps"]
            print(f"{url:22} {mode:9} {got['huiju daemon']['rps'] / base:13.1%} "
                  f"{got['nginx (deploy/nginx/huiju.conf)']['rps'] / base:14.1%} "
                  f"{got['huiju daemon']['p50_ms']:14.2f} {got['huiju daemon']['p99_ms']:14.2f}")
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
