"""``python -m bench.dedup.corpus_pairs``: which stories of the real corpus the matcher puts together.

The 新闻联播 corpus is real text nobody on the team wrote, and it is full of look-alikes: the same
meeting of another week, the same announcement of another year, a follow-up in the words of the
first report, the day's 快讯 beside its full story. Every story of the chosen days is ingested as an
item of one site, in broadcast order, through the real ``normalizers.ingest``; every cluster that
ends up holding two or more stories is printed with its titles and days, to be read by hand (a
story told again the next day in the same words is one story; anything else is a false merge).
Needs only the corpus; no saved pages.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import store
from bench.dedup.dataset import SOURCES, bench_config, find_corpus
from bench.dedup.real import corpus_items
from normalizers import ingest, init


def together(days: list[str]) -> tuple[int, list[list[str]], float]:
    """(stories ingested, the groups of labels that share a cluster, CPU seconds)."""
    corpus = find_corpus()
    items = corpus_items(corpus, days)
    config = bench_config()
    started = time.process_time()
    with tempfile.TemporaryDirectory(prefix="bench-dedup-corpus-") as tmp:
        db = store.open_db(Path(tmp) / "corpus.db")
        init(db)
        for n, (_, item) in enumerate(items, start=1):
            with store.transaction(db):
                ingest(db, n, item, SOURCES[0], config)
        clusters = dict(db.conn.execute("SELECT collected_id, cluster FROM items").fetchall())
        db.conn.close()
    groups: dict[int, list[str]] = {}
    for n, (label, _) in enumerate(items, start=1):
        groups.setdefault(clusters[n], []).append(label)
    return len(items), [g for g in groups.values() if len(g) > 1], time.process_time() - started


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.dedup.corpus_pairs", description=__doc__.split("\n\n")[0])
    ap.add_argument("--from", dest="start", default="20220924", help="first corpus day (YYYYMMDD)")
    ap.add_argument("--to", dest="end", default="20260822", help="last corpus day (YYYYMMDD)")
    args = ap.parse_args(argv)
    days = sorted(p.stem for p in (find_corpus() / "xinwen-lianbo").glob("*.md") if args.start <= p.stem <= args.end)
    n, groups, cpu = together(days)
    print(f"corpus stories together: {n} stories of {len(days)} days ({days[0]}..{days[-1]}) ingested in "
          f"{cpu:.0f} s CPU; {len(groups)} clusters hold more than one story")
    for g in sorted(groups):
        print("  " + " | ".join(label[:60] for label in g))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
