"""What ``clean_item`` costs on a typical story.

    python -m bench.routing.clean_cost [--stories 300] [--min 1800] [--max 2600]

Takes real stories of the given body length from the corpus (``$HUIJU_CORPUS`` or
``../shared/corpus``), wraps each as a department page gives it (a 【龙江动态】 title with a site
suffix, a 来源 line, a 责任编辑 line, a meta PubDate), and times ``clean_item`` (best of 3 per
story, after a warm-up).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _corpus() -> Path | None:
    """The corpus's xinwen-lianbo/ folder, found as the tests find it ($HUIJU_CORPUS, $HUIJU_SHARED, ../shared)."""
    from sample_province.corpus import find_corpus

    c = find_corpus()
    return c / "xinwen-lianbo" if c is not None else None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m bench.routing.clean_cost", description=__doc__.split("\n\n")[0]
    )
    ap.add_argument("--stories", type=int, default=300)
    ap.add_argument("--min", type=int, default=1800, help="shortest body (characters of HTML)")
    ap.add_argument("--max", type=int, default=2600, help="longest body (characters of HTML)")
    args = ap.parse_args(argv)
    root = _corpus()
    if root is None:
        print("bench.routing.clean_cost: corpus not found (set HUIJU_CORPUS)", file=sys.stderr)
        return 2

    from collectors.model import CollectedItem
    from normalizers.document import clean_item
    from settings.model import Source

    src = Source(
        id="dept",
        name="黑龙江省人民政府",
        kind="department",
        type="html",
        url="https://www.hlj.gov.cn/",
        column="department-news",
    )
    items = []
    for day in sorted(root.glob("*.md")):
        _, _, detail = day.read_text(encoding="utf-8").partition("## 详细新闻")
        for chunk in detail.split("\n### ")[1:]:
            title, _, body = chunk.partition("\n")
            if args.min <= len(body) <= args.max:
                items.append(
                    CollectedItem(
                        source_id="dept",
                        identity=str(len(items)),
                        identity_rule="link",
                        url="https://www.hlj.gov.cn/hlj/c107/202501/c00_1.shtml",
                        title=f"【龙江动态】{title.strip()}_黑龙江省人民政府",
                        html=f"<p>来源：新华社</p>{body}<p>（责任编辑：张三）</p>",
                        published="2025-01-01 09:30",
                        meta={"PubDate": "2025-01-01 09:30"},
                    )
                )
        if len(items) >= args.stories:
            break
    if not items:
        print("bench.routing.clean_cost: no story of that length", file=sys.stderr)
        return 2
    for it in items[:20]:
        clean_item(it, src)
    times, chars = [], 0
    for it in items:
        best = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            doc = clean_item(it, src)
            best = min(best, time.perf_counter() - t0)
        times.append(best)
        chars += len(doc.text)
    times.sort()
    n = len(times)
    print(
        f"{n} stories, mean cleaned text {chars / n:.0f} characters: clean_item median "
        f"{times[n // 2] * 1000:.2f} ms, p95 {times[int(n * 0.95)] * 1000:.2f} ms, max {times[-1] * 1000:.2f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
