"""bench/collect: one full collection cycle over 1,000 sample-province sites that answer after 200 ms.

Reports (a) the wall time of one full cycle against the limit requests × latency ÷ concurrency
(and sites × latency ÷ concurrency), (b) a plain sequential requests loop over the same list
URLs, (c) the bytes of a second, unchanged cycle against the first, and the collector's peak
memory. The province runs in its own process so its memory is not counted.

    .venv/bin/python bench/collect/run.py [--sites 1000] [--latency-ms 200] [--concurrency 50]
                                          [--sequential all|N] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

import collectors  # noqa: E402
from settings.loader import source_from_dict  # noqa: E402
from settings.model import CollectorSettings  # noqa: E402
from store import open_db  # noqa: E402


def _free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def _start_province(sites: int, latency_ms: int, history: int) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "sample_province", "--port", str(port), "--sites", str(sites), "--latency-ms",
         str(latency_ms), "--speed", "0", "--history", str(history)],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if requests.get(url + "/_sources.json", timeout=30).ok:
                return proc, url
        except requests.RequestException:
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit("bench: the sample province did not start")




def _ratio(first: list, second: list) -> float | None:
    """Cycle-2 bytes over cycle-1 bytes for the sources whose servers answer conditional GETs."""
    with_validators = {r.source_id for r in second if r.not_modified}
    b1 = sum(r.bytes for r in first if r.source_id in with_validators)
    b2 = sum(r.bytes for r in second if r.source_id in with_validators)
    return round(b2 / b1, 4) if b1 else None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sites", type=int, default=1000)
    ap.add_argument("--latency-ms", type=int, default=200)
    ap.add_argument("--concurrency", type=int, default=50)
    ap.add_argument("--history", type=int, default=1, help="simulated days released before the cycle")
    ap.add_argument("--sequential", default="200",
                    help="'all' to time the sequential loop over every URL, or N URLs to time and extrapolate")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    proc, url = _start_province(args.sites, args.latency_ms, args.history)
    try:
        defs = requests.get(url + "/_sources.json", timeout=60).json()
        defs = defs["sources"] if isinstance(defs, dict) else defs
        sources = [source_from_dict(d) for d in defs]
        lat = args.latency_ms / 1000
        settings = CollectorSettings(workers=args.concurrency, per_host=args.concurrency, read_timeout=30,
                                     total_timeout=60)
        with tempfile.TemporaryDirectory() as tmp:
            db = open_db(Path(tmp) / "bench.db")
            collectors.init(db)
            c0, t0 = time.process_time(), time.perf_counter()
            first = collectors.collect(db, sources, settings)
            wall1, cpu1 = time.perf_counter() - t0, time.process_time() - c0
            c0, t0 = time.process_time(), time.perf_counter()
            second = collectors.collect(db, sources, settings)
            wall2, cpu2 = time.perf_counter() - t0, time.process_time() - c0
            stored = len(collectors.pending(db, 0, limit=10_000_000))
            db.conn.close()
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        req1 = sum(r.requests for r in first)
        bytes1 = sum(r.bytes for r in first)
        bytes2 = sum(r.bytes for r in second)
        urls = [s.url for s in sources]
        n_seq = len(urls) if args.sequential == "all" else min(len(urls), int(args.sequential))
        sess = requests.Session()
        t0 = time.perf_counter()
        for u in urls[:n_seq]:
            try:
                r = sess.get(u, timeout=30)
                r.content  # noqa: B018 - the loop must read the bodies too
            except requests.RequestException:
                pass
        seq_elapsed = time.perf_counter() - t0
        seq_full = seq_elapsed * len(urls) / n_seq
        limit_requests = req1 * lat / args.concurrency
        limit_sites = len(sources) * lat / args.concurrency
        # The same comparison for the sequential loop: it fetches one URL per source, so compare
        # it with the collector's second cycle too (one list request per source, no new details).
        report = {
            "machine": f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}",
            "sites": args.sites, "sources": len(sources), "latency_ms": args.latency_ms,
            "concurrency": args.concurrency,
            "cycle1": {"wall_s": round(wall1, 2), "cpu_s": round(cpu1, 2),
                       "slowest_sources": [(r.source_id, round(r.duration, 2), r.requests)
                                           for r in sorted(first, key=lambda r: -r.duration)[:3]], "requests": req1, "items_new": sum(r.new for r in first),
                       "failed_sources": sum(not r.ok for r in first), "bytes": bytes1},
            "limit_requests_s": round(limit_requests, 2),
            "efficiency_vs_request_limit": round(limit_requests / wall1, 3),
            "limit_sites_s": round(limit_sites, 2),
            "cycle2": {"wall_s": round(wall2, 2), "cpu_s": round(cpu2, 2), "requests": sum(r.requests for r in second),
                       "answered_304": sum(r.not_modified for r in second),
                       "bytes_from_sources_with_validators": sum(r.bytes for r in second if r.not_modified),
                       "bytes_from_sources_without_validators": sum(r.bytes for r in second if not r.not_modified),
                       "items_new": sum(r.new for r in second), "bytes": bytes2,
                       "efficiency_vs_request_limit": round(sum(r.requests for r in second) * lat
                                                            / args.concurrency / wall2, 3)},
            "bytes_ratio_cycle2_vs_cycle1": round(bytes2 / bytes1, 4) if bytes1 else None,
            "bytes_ratio_sources_with_validators": _ratio(first, second),
            "sequential": {"urls_timed": n_seq, "elapsed_s": round(seq_elapsed, 2),
                           "full_loop_s": round(seq_full, 2), "extrapolated": n_seq < len(urls)},
            "speedup_vs_sequential": round(seq_full / wall1, 1),
            "speedup_cycle2_vs_sequential": round(seq_full / wall2, 1),
            "stored_items": stored,
            "collector_peak_rss_mb": round(peak_mb, 1),
        }
    finally:
        proc.terminate()
        proc.wait(10)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        c1, c2 = report["cycle1"], report["cycle2"]
        print(f"machine: {report['machine']}")
        print(f"{report['sources']} sources on {args.sites} sites, {args.latency_ms} ms latency, "
              f"concurrency {args.concurrency}")
        print(f"(a) cycle 1: {c1['wall_s']} s for {c1['requests']} requests, {c1['items_new']} items; "
              f"limit {report['limit_requests_s']} s → {report['efficiency_vs_request_limit']:.0%} of the limit "
              f"(sites-only limit {report['limit_sites_s']} s)")
        print(f"    cycle 1 CPU {c1['cpu_s']} s; slowest sources {c1['slowest_sources']}")
        print(f"    cycle 2: {c2['wall_s']} s (CPU {c2['cpu_s']} s) for {c2['requests']} requests → "
              f"{c2['efficiency_vs_request_limit']:.0%} of its limit")
        seq = report["sequential"]
        print(f"(b) sequential requests loop over the {len(sources)} list URLs: {seq['full_loop_s']} s"
              f"{' (extrapolated from ' + str(seq['urls_timed']) + ')' if seq['extrapolated'] else ''} → "
              f"cycle 1 is {report['speedup_vs_sequential']}× faster, cycle 2 {report['speedup_cycle2_vs_sequential']}×")
        print(f"(c) bytes: cycle 1 {c1['bytes']:,}, cycle 2 {c2['bytes']:,} → "
              f"{report['bytes_ratio_cycle2_vs_cycle1']:.1%}; cycle 2 had {c2['answered_304']} answers 304; "
              f"{c2['bytes_from_sources_without_validators']:,} bytes came from sources that send no validators; "
              f"sources with validators: {report['bytes_ratio_sources_with_validators']:.1%}")
        print(f"collector peak RSS: {report['collector_peak_rss_mb']} MB; items stored {report['stored_items']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
