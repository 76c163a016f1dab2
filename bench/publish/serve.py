"""Serving the portal's feeds: Huiju's own server against nginx, side by side in one run.

    .venv/bin/python -m bench.publish [--items 10000] [--duration 10] [--connections 32] [--db PATH]

Builds (or reuses) a database of N published items (story text from the real corpus when
../shared/corpus or $HUIJU_CORPUS is there, else synthetic), writes the live static tree, then
starts on loopback ports: the daemon's app exactly as `run.py daemon` serves it (Granian with the
publisher's front for cached pages, 8 threads for the rest: pipeline/http_server.py), and one
nginx (Debian's package) with three server blocks over the same tree: a minimal static
configuration ("plain"), the same with the headers Huiju's contract requires of every answer
(charset, Cache-Control, CORS, Vary: "plain + headers"), and the shipped deploy/nginx/huiju.conf.
`wrk -t2 -cC -dD --latency` then asks each for the same URLs: a full response (identity and gzip)
and a revalidation answered 304 (checked to be one before timing).

The machine is shared, so each (URL, mode) is measured in --rounds rounds, the servers in a new
random order each round, and two figures are kept per run: req/s (what a client sees; it moves
with the other load) and the server's own CPU time per request (the nginx workers' or the bench
process's utime+stime over the run divided by the requests answered; it hardly moves with the
other load). Printed: median and range of each over the rounds and the ratios to plain nginx.
Needs `apt-get install nginx-light wrk`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import statistics
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

# What a plain nginx serving a portal's JSON API must send too: the contract's headers, nothing else.
CONTRACT_HEADERS = """    charset utf-8;
    charset_types application/rss+xml application/atom+xml application/feed+json application/json;
    gzip_vary on;
    add_header Cache-Control "public, max-age=60" always;
    add_header Access-Control-Allow-Origin "*" always;
    add_header Access-Control-Expose-Headers "ETag, Last-Modified, X-Huiju-Epoch" always;
"""
PLAIN = "nginx (plain static)"
PLAIN_HEADERS = "nginx (plain + contract headers)"
SHIPPED = "nginx (deploy/nginx/huiju.conf)"
DAEMON = "huiju daemon"
MODES = ("full", "full gzip", "304")


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
    done = re.search(r"(\d+) requests in", out)
    return {"rps": rps, "requests": int(done.group(1)) if done else 0, "p99_ms": float(m.group(1)) * scale if m else float("nan"),
            "p50_ms": float(m50.group(1)) * units[m50.group(2)] if m50 else float("nan"),
            "bad": int(non2xx.group(1)) if non2xx else 0, "socket_errors": errors.group(0) if errors else ""}


def children_cpu(master: int) -> float:
    """utime+stime in seconds of the processes whose parent is *master* (nginx's workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def own_cpu() -> float:
    """utime+stime in seconds of this process: the daemon's threads (the bench itself waits on wrk)."""
    use = resource.getrusage(resource.RUSAGE_SELF)
    return use.ru_utime + use.ru_stime


def request_headers(base: str, url: str, mode: str) -> dict[str, str]:
    """The headers wrk sends in *mode*; for 304 the ETag of the very representation wrk asks for."""
    if mode == "full gzip":
        return {"Accept-Encoding": "gzip"}
    if mode == "full":
        return {}
    # wrk sends no Accept-Encoding: nginx's identity file has its own ETag (not the .gz twin's)
    tag = requests.get(base + url, headers={"Accept-Encoding": "identity"}, timeout=30).headers["ETag"]
    check = requests.get(base + url, headers={"If-None-Match": tag, "Accept-Encoding": ""}, timeout=30)
    assert check.status_code == 304, f"{base}{url}: If-None-Match {tag} answered {check.status_code}, not 304"
    return {"If-None-Match": tag}


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):9.0f} [{min(values):.0f}–{max(values):.0f}]"


def live_tree(tmp: Path, db: str | None, items: int) -> tuple[Path, Config, Path]:
    """(database, config, static tree): *db* reused or filled with *items* items, its live tree under *tmp*."""
    path = Path(db) if db else tmp / "bench.db"
    filled = open_filled(path, items)
    config = Config(path="bench", columns={c.id: c for c in DEFAULT_COLUMNS}, sources=())
    tree = tmp / "static"
    publisher.sync_static(filled, config, tree, base_url=PUBLIC)
    filled.conn.close()
    return path, config, tree


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--items", type=int, default=10_000)
    ap.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    ap.add_argument("--rounds", type=int, default=3, help="alternating runs per URL, mode and server")
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
    path, config, tree = live_tree(tmp, args.db, args.items)

    app = create_app(str(path), config, public_url=PUBLIC)
    server = HttpServer(app, host="127.0.0.1", port=0, threads=8, front=publisher.cached_front(app))
    threading.Thread(target=server.run, daemon=True).start()
    daemon = f"http://127.0.0.1:{server.effective_port}"

    plain_port, headers_port = nginx_local.free_port(), nginx_local.free_port()
    plain_site = tmp / "plain.conf"
    plain_site.write_text(PLAIN_NGINX.format(port=plain_port, root=tree)
                          + PLAIN_NGINX.format(port=headers_port, root=tree).replace(
                              "    etag on;\n", "    etag on;\n" + CONTRACT_HEADERS))
    rows: list[dict[str, object]] = []
    prefix = tmp / "nginx-shipped"
    with nginx_local.running(tree, prefix, daemon=daemon.removeprefix("http://"), workers=2,
                             extra=f"    include {plain_site};") as shipped:
        master = int((prefix / "nginx.pid").read_text())
        servers = {PLAIN: f"http://127.0.0.1:{plain_port}", PLAIN_HEADERS: f"http://127.0.0.1:{headers_port}",
                   SHIPPED: shipped, DAEMON: daemon}
        for url in URLS:
            same = {name: requests.get(base + url, timeout=30).content for name, base in servers.items()}
            assert len(set(same.values())) == 1, f"{url}: the servers do not send the same bytes"
            size = len(same[PLAIN])
            for mode in MODES:
                sent = {name: request_headers(base, url, mode) for name, base in servers.items()}
                for round_no in range(args.rounds):
                    order = list(servers)
                    random.shuffle(order)
                    for name in order:
                        cpu = own_cpu if name == DAEMON else (lambda: children_cpu(master))
                        before = cpu()
                        r = wrk(servers[name] + url, headers=sent[name], duration=args.duration,
                                connections=args.connections)
                        r["cpu_us"] = (cpu() - before) / max(r["requests"], 1) * 1e6
                        r["load1"] = os.getloadavg()[0]
                        rows.append({"url": url, "bytes": size, "mode": mode, "server": name,
                                     "round": round_no, **r})
                        print(f"{url:22} {size:>8} B {mode:9} {name:34} {r['rps']:>8.0f} req/s "
                              f"{r['cpu_us']:6.1f} µs CPU/req  p50 {r['p50_ms']:6.2f} p99 {r['p99_ms']:7.2f} ms"
                              f"  load {r['load1']:.1f}" + (f"  non-2xx/3xx {r['bad']}" if r["bad"] else ""),
                              flush=True)
    server.close()
    print()
    print("load average at the end:", " ".join(f"{x:.2f}" for x in os.getloadavg()))
    print("median [min–max] over the rounds; ratios of medians to plain nginx")
    for url in URLS:
        for mode in MODES:
            got = {name: [r for r in rows if r["url"] == url and r["mode"] == mode and r["server"] == name]
                   for name in (PLAIN, PLAIN_HEADERS, SHIPPED, DAEMON)}
            rps = {name: [r["rps"] for r in runs] for name, runs in got.items()}
            cpu = {name: [r["cpu_us"] for r in runs] for name, runs in got.items()}
            base_rps, base_cpu = statistics.median(rps[PLAIN]), statistics.median(cpu[PLAIN])
            print(f"{url} {mode}")
            for name in got:
                p99 = statistics.median(r["p99_ms"] for r in got[name])
                print(f"  {name:34} req/s {spread(rps[name])} ({statistics.median(rps[name]) / base_rps:6.1%})"
                      f"  CPU µs/req {statistics.median(cpu[name]):6.1f} [{min(cpu[name]):.1f}–{max(cpu[name]):.1f}]"
                      f" ({statistics.median(cpu[name]) / base_cpu:6.1%})  p99 {p99:.2f} ms")
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
