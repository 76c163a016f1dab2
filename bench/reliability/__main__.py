"""python -m bench.reliability [kills|stop|month|bigpage]… [--rounds N] [--days N] [--page-mb N] [--trials N] [--load N]"""

from __future__ import annotations

import argparse
import json
import sys

from bench.reliability import scenarios


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.reliability", description=__doc__)
    ap.add_argument("which", nargs="*", metavar="SCENARIO", help=f"some of: {', '.join(scenarios.ALL)} (default all)")
    ap.add_argument("--rounds", type=int, default=20, help="kill -9 rounds (kills)")
    ap.add_argument("--days", type=int, default=30, help="simulated days (month)")
    ap.add_argument("--speed", type=float, default=8640.0, help="simulated seconds per real second (month)")
    ap.add_argument("--warmup-days", type=int, default=3,
                    help="month: simulated days before memory counts as warm (the first round and jieba's load)")
    ap.add_argument("--arena-max", type=int, default=2,
                    help="month: MALLOC_ARENA_MAX for the daemon, as the systemd unit sets it (0 = glibc's default)")
    ap.add_argument("--trace", metavar="DIR", help="month: run the daemon under tracemalloc, a sample per simulated day "
                    "into DIR (RSS, traced, SQLite's and glibc's heap) and the lines that grew (slower)")
    ap.add_argument("--trials", type=int, default=3, help="stop: SIGTERM trials")
    ap.add_argument("--load", type=int, default=0, metavar="N",
                    help="stop: N CPU burners (a Python loop each) running through the trials, ended after them")
    ap.add_argument("--stop-timeout", type=float, default=10.0, help="stop: the daemon's [daemon] stop_timeout")
    ap.add_argument("--logs", metavar="DIR", help="stop: keep each trial's daemon log here (default a new temporary "
                    "folder, named in the result)")
    ap.add_argument("--page-mb", type=int, default=50, help="size of the big page (bigpage)")
    ap.add_argument("--unbounded", action="store_true", help="bigpage: also measure with parse_max_bytes = 0")
    args = ap.parse_args(argv)
    unknown = [w for w in args.which if w not in scenarios.ALL]
    if unknown:
        ap.error(f"unknown scenario {unknown[0]!r} (known: {', '.join(scenarios.ALL)})")
    results = {}
    for name in args.which or scenarios.ALL:
        print(f"== {name}", flush=True)
        results[name] = scenarios.ALL[name](args)
        print(json.dumps(results[name], ensure_ascii=False, indent=1), flush=True)
    ok = all(r.get("pass", True) for r in results.values())
    print("PASS" if ok else "FAIL", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
