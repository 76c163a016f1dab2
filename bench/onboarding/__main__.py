"""``python -m bench.onboarding``: lists right, details right and dates right with no selectors,
on the labelled real pages (tests/collectors/real) and on every sample-province template.

    python -m bench.onboarding                 # both parts, a table per part and the totals
    python -m bench.onboarding --json          # the same for machines
    python -m bench.onboarding -v              # every page that is not right, and why
    python -m bench.onboarding fetch [--mirrors DIR]   # bring the real pages (see realset.py)

Figures are recorded by hand, with the machine and the command, in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bench.onboarding import realset
from bench.onboarding.run import run_province, run_real


def main(argv: list[str]) -> int:
    if argv[:1] == ["fetch"]:
        ap = argparse.ArgumentParser(prog="python -m bench.onboarding fetch")
        ap.add_argument("--mirrors", type=Path, help="a directory of bare git mirrors (owner+name/repo)")
        a = ap.parse_args(argv[1:])
        present, errors = realset.fetch(a.mirrors)
        for e in errors:
            print(e, file=sys.stderr)
        print(f"{present} of {len(realset.cases())} real pages present in {realset.pages_dir()}")
        return 1 if errors else 0
    ap = argparse.ArgumentParser(prog="python -m bench.onboarding")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--no-province", action="store_true", help="only the real pages")
    a = ap.parse_args(argv)
    report = {"real": run_real()}
    if not a.no_province:
        report["province"] = run_province()
    if a.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
        return 0
    for part, r in report.items():
        print(f"== {part}: {r['what']}")
        for k in ("lists", "details"):
            s = r[k]
            if not s["pages"]:
                print(f"  {k}: no pages ({s.get('skipped', 0)} absent: run `python -m bench.onboarding fetch`)")
                continue
            line = f"  {k:8s} right {s['right']}/{s['pages']} = {s['right'] / s['pages']:.0%}"
            if k == "lists":
                line += (f"   dates right {s['dates_right']}/{s['pages']}   silent wrong {s['silent_wrong']}"
                         f"   sites {s['sites']}")
            else:
                line += (f"   title {s['title']}  date {s['date']}  first {s['first']}  last {s['last']}"
                         f"   sites {s['sites']}")
            if s.get("skipped"):
                line += f"   ({s['skipped']} absent)"
            print(line)
            if a.verbose:
                for w in s["wrong"]:
                    print("     ✗", w)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
