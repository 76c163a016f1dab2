"""Run every benchmark once, in order, with its default settings, and print what each reports.

    python -m bench                # all: collect, dedup, dedup-real, charsets, routing, publish, checks,
                                   # reliability (about 12 min more), serve, search, onboarding, details
    python -m bench dedup routing  # only these

Figures are recorded by hand, with the machine and the command, in docs/benchmarks.md.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCHES = {
    "collect": [sys.executable, "-m", "bench.collect"],
    "dedup": [sys.executable, "-m", "bench.dedup"],
    "dedup-real": [sys.executable, "-m", "bench.dedup.real"],  # says so and stops when the pages are absent
    "charsets": [sys.executable, "-m", "bench.charsets"],
    "routing": [sys.executable, "-m", "bench.routing"],
    "publish": [sys.executable, str(REPO / "bench" / "publish" / "bench_feeds.py")],
    "checks": [sys.executable, "-m", "bench.checks"],
    "reliability": [sys.executable, "-m", "bench.reliability"],
    "serve": [sys.executable, "-m", "bench.publish"],  # daemon vs nginx (needs nginx-light and wrk)
    "search": [sys.executable, "-m", "bench.search"],  # precision@10 (needs the corpus)
    "onboarding": [sys.executable, "-m", "bench.onboarding"],
    "details": [sys.executable, "-m", "bench.details"],  # detail-page reading, CPU per page
}


def main(argv: list[str]) -> int:
    names = argv or list(BENCHES)
    unknown = [n for n in names if n not in BENCHES]
    if unknown:
        print(f"unknown benchmark {unknown[0]!r} (known: {', '.join(BENCHES)})", file=sys.stderr)
        return 2
    failed = []
    for name in names:
        print(f"== bench.{name}: {' '.join(BENCHES[name][1:])}", flush=True)
        started = time.monotonic()
        rc = subprocess.call(BENCHES[name], cwd=REPO)
        print(f"== bench.{name}: exit {rc} after {time.monotonic() - started:.0f} s\n", flush=True)
        if rc:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
