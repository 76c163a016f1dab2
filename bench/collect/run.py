"""bench/collect: one full collection cycle over 1,000 sample-province sites that answer after 200 ms.

Reports (a) the wall time of one full cycle against the limit requests × latency ÷ concurrency
(and sites × latency ÷ concurrency), (b) a plain sequential requests loop over the same list
URLs, (c) the bytes of a second, unchanged cycle against the first — both an immediate second
pass over every source and the daemon's steady state on simulated time, where lists that must be
downloaded whole relax towards idle_max — and the collector's peak memory. The province runs in
its own process so its memory is not counted.

    .venv/bin/python bench/collect/run.py [--sites 1000] [--latency-ms 200] [--concurrency 50] [--workers N]
                                          [--sequential all|N] [--history DAYS]
                                          [--steady-hours H] [--json]
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
import threading
import time
from concurrent.futures import ThreadPoolExecutor
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


def _steady_state(db_path: Path, sources: list, settings: CollectorSettings, *, window_s: int,
                  step_s: int = 120, warmup_step_s: int = 4 * 3600) -> dict:
    """The daemon on simulated time over an unchanged province: what one check interval costs.

    The dispatcher runs due sources as ``run.py daemon`` does. A warm-up first lets the transients
    of the first cycle end: idle lists relax towards ``idle_max``, and the first cycle's detail
    pages have their re-checks for corrections (``detail_recheck_hours``); it runs in coarse steps
    and its bytes are reported apart. Then the window, in *step_s* steps: bytes per check interval
    = for each source, the bytes it cost in the window × its interval ÷ the window.
    """
    from datetime import UTC, datetime, timedelta

    warmup_s = max(settings.idle_max, settings.detail_recheck_hours * 3600) + warmup_step_s
    d = collectors.Dispatcher(db_path, sources, settings)
    per_source: dict[str, int] = {}
    checks = warm_bytes = warm_checks = 0
    t0 = datetime.now(UTC) + timedelta(seconds=1)
    started = time.perf_counter()
    try:
        t = 0
        while t <= warmup_s + window_s:
            d.run_due(t0 + timedelta(seconds=t))
            d.wait()
            for r in d.drain_results():
                if t > warmup_s:
                    per_source[r.source_id] = per_source.get(r.source_id, 0) + r.bytes
                    checks += 1
                else:
                    warm_bytes += r.bytes
                    warm_checks += 1
            t += warmup_step_s if t < warmup_s else step_s
        relaxed = sum(h.relaxed for h in collectors.health(d.db, sources, settings=settings,
                                                            now=t0 + timedelta(seconds=t)))
    finally:
        d.shutdown()
    interval = {s.id: s.interval for s in sources}
    per_cycle = sum(b * interval[sid] / window_s for sid, b in per_source.items())
    return {"warmup_s": warmup_s, "warmup_checks": warm_checks, "warmup_bytes": warm_bytes,
            "window_s": window_s, "step_s": step_s, "checks": checks,
            "bytes": sum(per_source.values()), "bytes_per_cycle": round(per_cycle),
            "sources_relaxed": relaxed, "wall_s": round(time.perf_counter() - started, 1)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sites", type=int, default=1000)
    ap.add_argument("--latency-ms", type=int, default=200)
    ap.add_argument("--concurrency", type=int, default=50,
                    help="requests in flight at most (the per-host cap: every sample site is on one host)")
    ap.add_argument("--workers", type=int, default=None,
                    help="sources in progress at once (default twice --concurrency, so that parsing and "
                         "storing overlap the requests in flight)")
    ap.add_argument("--history", type=int, default=7,
                    help="simulated days released before the first cycle (a week: lists show a real backlog)")
    ap.add_argument("--sequential", default="200",
                    help="'all' to time the sequential loop over every URL, or N URLs to time and extrapolate")
    ap.add_argument("--steady-hours", type=float, default=8.0,
                    help="simulated hours of the daemon over the unchanged province, measured after a "
                         "warm-up past idle_max and detail_recheck_hours (0 to skip)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    proc, url = _start_province(args.sites, args.latency_ms, args.history)
    try:
        defs = requests.get(url + "/_sources.json", timeout=60).json()
        defs = defs["sources"] if isinstance(defs, dict) else defs
        sources = [source_from_dict(d) for d in defs]
        lat = args.latency_ms / 1000
        workers = args.workers or 2 * args.concurrency
        settings = CollectorSettings(workers=workers, per_host=args.concurrency, read_timeout=30,
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
            steady = (_steady_state(Path(tmp) / "bench.db", sources, settings,
                                    window_s=int(args.steady_hours * 3600)) if args.steady_hours > 0 else None)
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
        # The ceiling this machine and server allow: a bare pool of --concurrency threads, each
        # with its own session, GETting every list URL once (no parsing, no storing).
        local = threading.local()

        def bare_get(u: str) -> None:
            sess_ = getattr(local, "s", None) or requests.Session()
            local.s = sess_
            try:
                sess_.get(u, timeout=30).content  # noqa: B018
            except requests.RequestException:
                pass

        t0 = time.perf_counter()
        with ThreadPoolExecutor(args.concurrency) as pool:
            list(pool.map(bare_get, urls))
        bare_wall = time.perf_counter() - t0
        seq_full = seq_elapsed * len(urls) / n_seq
        limit_requests = req1 * lat / args.concurrency
        limit_sites = len(sources) * lat / args.concurrency
        # The same comparison for the sequential loop: it fetches one URL per source, so compare
        # it with the collector's second cycle too (one list request per source, no new details).
        report = {
            "machine": f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}",
            "sites": args.sites, "sources": len(sources), "latency_ms": args.latency_ms,
            "concurrency": args.concurrency, "workers": workers,
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
            "bare_pool": {"wall_s": round(bare_wall, 2), "requests": len(urls),
                          "efficiency_vs_limit": round(limit_sites / bare_wall, 3)},
            "speedup_vs_sequential": round(seq_full / wall1, 1),
            "speedup_cycle2_vs_sequential": round(seq_full / wall2, 1),
            "steady_state": steady,
            "bytes_ratio_steady_state": round(steady["bytes_per_cycle"] / bytes1, 4) if steady and bytes1 else None,
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
              f"concurrency {args.concurrency} requests in flight, {workers} workers")
        print(f"(a) cycle 1: {c1['wall_s']} s for {c1['requests']} requests, {c1['items_new']} items; "
              f"limit {report['limit_requests_s']} s → {report['efficiency_vs_request_limit']:.0%} of the limit "
              f"(sites-only limit {report['limit_sites_s']} s)")
        print(f"    cycle 1 CPU {c1['cpu_s']} s; slowest sources {c1['slowest_sources']}")
        print(f"    cycle 2: {c2['wall_s']} s (CPU {c2['cpu_s']} s) for {c2['requests']} requests → "
              f"{c2['efficiency_vs_request_limit']:.0%} of its limit")
        bare = report["bare_pool"]
        print(f"    for reference, a bare pool of {args.concurrency} requests threads GETting the {bare['requests']} list "
              f"URLs once: {bare['wall_s']} s → {bare['efficiency_vs_limit']:.0%} of its limit")
        seq = report["sequential"]
        print(f"(b) sequential requests loop over the {len(sources)} list URLs: {seq['full_loop_s']} s"
              f"{' (extrapolated from ' + str(seq['urls_timed']) + ')' if seq['extrapolated'] else ''} → "
              f"cycle 1 is {report['speedup_vs_sequential']}× faster, cycle 2 {report['speedup_cycle2_vs_sequential']}×")
        print(f"(c) bytes: cycle 1 {c1['bytes']:,}, cycle 2 {c2['bytes']:,} → "
              f"{report['bytes_ratio_cycle2_vs_cycle1']:.1%}; cycle 2 had {c2['answered_304']} answers 304; "
              f"{c2['bytes_from_sources_without_validators']:,} bytes came from sources that send no validators; "
              f"sources with validators: {report['bytes_ratio_sources_with_validators']:.1%}")
        if steady:
            print(f"    steady state (the daemon on simulated time, {steady['window_s'] / 3600:g} h after "
                  f"{steady['warmup_s'] / 3600:g} h of warm-up, nothing changing): {steady['checks']} checks, "
                  f"{steady['bytes_per_cycle']:,} bytes per check interval → "
                  f"{report['bytes_ratio_steady_state']:.1%} of cycle 1; {steady['sources_relaxed']} sources "
                  f"relaxed towards idle_max ({settings.idle_max} s); the warm-up cost {steady['warmup_bytes']:,} "
                  f"bytes in {steady['warmup_checks']} checks (re-checks of cycle 1's detail pages included)")
        print(f"collector peak RSS: {report['collector_peak_rss_mb']} MB; items stored {report['stored_items']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
