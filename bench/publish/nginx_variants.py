"""Where an nginx configuration spends its time: the shipped one with one thing changed at a time.

    .venv/bin/python -m bench.publish.nginx_variants [--url /api/v1/columns] [--rounds 3] [--duration 3]

Serves the live static tree of bench/publish's database from one nginx with a server block per
variant: the minimal "plain" configuration, plain with the contract's headers, the shipped
deploy/nginx/huiju.conf, and the shipped one without open_file_cache, with try_files in place of
error_page, without its add_header lines, without charset, without gzip_vary, without the
bookkeeping regex location. wrk asks each for the same URL (identity, gzip, 304) in rounds, the
variants in a new random order each round; the figure is nginx's own CPU time per request
(median and range), which the machine's other load hardly moves, beside req/s.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

import requests  # noqa: E402

from bench.publish import nginx_local  # noqa: E402
from bench.publish.serve import (  # noqa: E402
    CONTRACT_HEADERS,
    MODES,
    PLAIN_NGINX,
    children_cpu,
    live_tree,
    request_headers,
    wrk,
)


def variants(root: Path, ports: list[int]) -> dict[str, str]:
    """Server blocks by name, each on its own port of *ports*."""
    shipped = re.sub(r"(?m)^\s*#.*\n", "", nginx_local.site_config(root, 0, "127.0.0.1:9"))
    shipped = shipped.split("server {", 1)[1].rsplit("}", 1)[0]  # the server block, without upstream
    shipped = "server {" + re.sub(r"listen 127\.0\.0\.1:0;", "listen 127.0.0.1:{port};", shipped) + "}\n"
    shipped = re.sub(r"(?m)^.*proxy_pass.*\n", "    return 502;\n", shipped)  # no upstream block here
    plain = PLAIN_NGINX.replace("{{", "{").replace("}}", "}").replace("{root}", str(root))
    no_cache = re.sub(r"(?m)^\s*open_file_cache.*\n", "", shipped)
    out = {
        "plain": plain,
        "plain + contract headers": plain.replace("    etag on;\n", "    etag on;\n" + CONTRACT_HEADERS),
        "shipped": shipped,
        "shipped − open_file_cache": no_cache,
        "shipped − open_file_cache, try_files for error_page": re.sub(
            r"error_page 404 405 = @daemon;(.*)", r"try_files $uri @daemon;", no_cache),
        "shipped − add_header": re.sub(r"(?m)^\s*add_header.*\n", "", shipped),
        "shipped − charset": re.sub(r"(?m)^\s*charset(_types)? .*\n", "", shipped),
        "shipped − gzip_vary": shipped.replace("    gzip_vary on;\n", ""),
        "shipped − bookkeeping regex": re.sub(r"(?m)^\s*location ~ /\\\.huiju-.*\n", "", shipped),
    }
    return {name: text.replace("{port}", str(port)) for (name, text), port in zip(out.items(), ports, strict=False)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", default="/api/v1/columns")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--duration", type=int, default=3, help="seconds per wrk run")
    ap.add_argument("--items", type=int, default=10_000)
    ap.add_argument("--db", help="reuse (or create) this database")
    args = ap.parse_args()
    print("load average at the start:", " ".join(f"{x:.2f}" for x in os.getloadavg()), flush=True)
    tmp = Path(tempfile.mkdtemp(prefix="huiju-bench-variants-"))
    _db, _config, tree = live_tree(tmp, args.db, args.items)
    ports = [nginx_local.free_port() for _ in range(9)]
    blocks = variants(tree, ports)
    site = tmp / "variants.conf"
    site.write_text("".join(blocks.values()))
    prefix = tmp / "nginx"
    with nginx_local.running(tree, prefix, workers=2, extra=f"    include {site};"):
        master = int((prefix / "nginx.pid").read_text())
        bases = {name: f"http://127.0.0.1:{port}" for name, port in zip(blocks, ports, strict=False)}
        bodies = {requests.get(b + args.url, headers={"Accept-Encoding": "identity"}, timeout=30).content
                  for b in bases.values()}
        assert len(bodies) == 1, "the variants do not send the same bytes"
        got: dict[tuple[str, str], list[tuple[float, float]]] = {}
        for mode in MODES:
            sent = {name: request_headers(b, args.url, mode) for name, b in bases.items()}
            for _ in range(args.rounds):
                order = list(bases)
                random.shuffle(order)
                for name in order:
                    before = children_cpu(master)
                    r = wrk(bases[name] + args.url, headers=sent[name], duration=args.duration, connections=32)
                    assert not r["bad"], f"{name}: {r['bad']} answers were not 2xx/3xx"
                    cpu = (children_cpu(master) - before) / max(r["requests"], 1) * 1e6
                    got.setdefault((name, mode), []).append((r["rps"], cpu))
            print(f"{mode} done, load {os.getloadavg()[0]:.1f}", flush=True)
    print("load average at the end:", " ".join(f"{x:.2f}" for x in os.getloadavg()))
    print(f"{args.url}: nginx CPU µs per request, median [min–max] of {args.rounds} rounds (ratio to plain); req/s median")
    for mode in MODES:
        base = statistics.median(c for _, c in got[("plain", mode)])
        print(mode)
        for name in blocks:
            cpu = [c for _, c in got[(name, mode)]]
            rps = statistics.median(r for r, _ in got[(name, mode)])
            print(f"  {name:52} {statistics.median(cpu):6.1f} [{min(cpu):.1f}–{max(cpu):.1f}] "
                  f"({statistics.median(cpu) / base:6.1%})  {rps:8.0f} req/s")
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
