"""``python -m bench.charsets``: the charset case matrix, collected through the real collector.

Prints, per family and kind, how many cells had every title right, then each wrong cell.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict

from bench.charsets.matrix import HEADERS, run_matrix


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.charsets", description=__doc__)
    ap.add_argument("--json", action="store_true", help="print every cell as JSON")
    args = ap.parse_args(argv)
    done = run_matrix()
    if args.json:
        print(json.dumps([{"cell": c.name, "right": c.right, "charset": c.charset, "notes": c.notes,
                           "error": c.error, "got": c.got} for c in done], ensure_ascii=False, indent=1))
        return 0 if all(c.right for c in done) else 1
    table: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for c in done:
        t = table[(c.family, c.kind)]
        t[0] += c.right
        t[1] += 1
    print(f"{'family':8} {'kind':5} right/cells  (declared/undeclared × headers {', '.join(HEADERS)})")
    for (family, kind), (ok, n) in table.items():
        print(f"{family:8} {kind:5} {ok}/{n}")
    right = sum(c.right for c in done)
    titles = sum(len(c.titles) for c in done)
    good_titles = sum(len(set(c.got) & {" ".join(t.split()) for t in c.titles}) for c in done)
    print(f"cells right: {right}/{len(done)}; titles right: {good_titles}/{titles} "
          f"({100 * good_titles / titles:.1f} %)")
    for c in done:
        if not c.right:
            print(f"  wrong: {c.name}: charset {c.charset} {c.error or c.got} {c.notes}", file=sys.stderr)
    return 0 if right == len(done) else 1


if __name__ == "__main__":
    raise SystemExit(main())
