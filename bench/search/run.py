"""Precision@10 of the portal's search on 30 Chinese queries over a corpus-backed database.

    .venv/bin/python -m bench.search [--items 10000] [--db PATH] [--show N]

The database holds N stories of the real corpus (新闻联播 transcripts, ../shared/corpus or
$HUIJU_CORPUS; the benchmark says so and stops when it is absent), published like
bench/publish does. Each query carries a hand-written judgement: the forms a person accepts as
the query's subject (a result is relevant when its title or text holds one of them *as a whole*
— 海上风电, not 海上 here and 风电 there), and optionally forms that make a hit off-topic.
Reported: precision@10 per query (over the results there are, when fewer than 10) and the mean;
``--show`` prints the top results of the worst queries for a person to check by eye.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

import publisher  # noqa: E402
from bench.publish.bench_feeds import corpus_stories, open_filled  # noqa: E402
from publisher.fulltext import fold_chars  # noqa: E402

# query → forms that make a result relevant (hand-chosen: what a person searching this means)
QUERIES: dict[str, tuple[str, ...]] = {
    "城市轨道交通": ("城市轨道交通", "轨道交通", "地铁"),
    "海上风电": ("海上风电",),
    "乡村振兴": ("乡村振兴",),
    "新能源汽车": ("新能源汽车",),
    "粮食安全": ("粮食安全",),
    "生态环境保护": ("生态环境保护", "生态环保", "生态环境"),
    "一带一路": ("一带一路",),
    "人工智能": ("人工智能",),
    "数字经济": ("数字经济",),
    "高质量发展": ("高质量发展",),
    "疫情防控": ("疫情防控",),
    "脱贫攻坚": ("脱贫攻坚",),
    "碳达峰": ("碳达峰",),
    "冬奥会": ("冬奥会", "冬奥"),
    "载人航天": ("载人航天",),
    "黄河流域": ("黄河流域",),
    "长江经济带": ("长江经济带",),
    "粤港澳大湾区": ("粤港澳大湾区", "大湾区"),
    "自由贸易试验区": ("自由贸易试验区", "自贸试验区", "自贸区"),
    "知识产权保护": ("知识产权保护", "保护知识产权"),
    "营商环境": ("营商环境",),
    "国有企业改革": ("国有企业改革", "国企改革"),
    "防汛抗旱": ("防汛抗旱", "防汛"),
    "安全生产": ("安全生产",),
    "食品安全": ("食品安全",),
    "义务教育": ("义务教育",),
    "养老服务": ("养老服务",),
    "东北振兴": ("东北振兴", "振兴东北"),
    "黑土地保护": ("黑土地保护", "保护黑土地", "黑土地"),
    "高速铁路": ("高速铁路", "高铁"),
}


def _norm(text: str) -> str:
    return fold_chars(unicodedata.normalize("NFKC", text or "")).lower()


def relevant(hit: dict, forms: tuple[str, ...]) -> bool:
    body = _norm((hit.get("title") or "") + "\n" + (hit.get("text") or ""))
    return any(_norm(f) in body for f in forms)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--items", type=int, default=10_000)
    ap.add_argument("--db", help="reuse (or create) this database")
    ap.add_argument("--show", type=int, default=3, help="print the top 10 of the N worst queries")
    args = ap.parse_args()
    if next(corpus_stories(), None) is None:
        root = os.environ.get("HUIJU_CORPUS") or str(REPO.parent / "shared" / "corpus")
        print(f"skipped: no corpus at {root} (set HUIJU_CORPUS): the measurement needs real text")
        return 0
    path = Path(args.db) if args.db else Path(tempfile.mkdtemp(prefix="huiju-bench-search-")) / "search.db"
    db = open_filled(path, args.items)
    scores = []
    rows = []
    t0 = time.perf_counter()
    for query, forms in QUERIES.items():
        page = publisher.stream.search_page(db, query, limit=10)
        hits = page["items"]
        good = [relevant(h, forms) for h in hits]
        p = sum(good) / len(hits) if hits else None
        rows.append((query, page["total"], len(hits), p, hits, good))
        if p is not None:
            scores.append(p)
    seconds = time.perf_counter() - t0
    print(f"{'query':14} {'total':>6} {'top':>4} {'P@10':>6}")
    for query, total, n, p, _h, _g in rows:
        print(f"{query:14} {total:6} {n:4} {'-' if p is None else f'{p:.2f}':>6}")
    mean = sum(scores) / len(scores) if scores else 0.0
    print(f"mean precision@10 over {len(scores)} queries with results: {mean:.3f} "
          f"({len(rows) - len(scores)} without results); {seconds / len(rows) * 1000:.0f} ms per query")
    for query, _t, _n, p, hits, good in sorted(rows, key=lambda r: r[3] if r[3] is not None else 2)[: args.show]:
        print(f"\n{query} (P@10 {p}):")
        for h, ok in zip(hits, good, strict=True):
            print(f"  {'+' if ok else '-'} {h['title'][:40]}  | {h['excerpt'][:70]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
