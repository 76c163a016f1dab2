"""The site-evaluation benchmark: a year of checks for 1,000 sources.

    python -m bench.evaluation [--sources 1000] [--per-day 24] [--days 365] [--items-per-day 5] [--json]

Writes a year of synthetic checks (``--per-day`` a source a day, with failures, slow answers and
a few sources down for days) through the collector's own writer, month by month, running the
daily compaction after each month as the daemon would, so the tables hold what a year of running
leaves behind: 30 days raw, the rest one row per source and day. The last month also gets
``--items-per-day`` items per source in the normalizers' tables (clustered, some re-posts) and
review rows for them. Then it times ``evaluation.evaluate`` for the last full month (raw checks)
and for a month eleven months back (daily rows), and measures the observation tables' size with
SQLite's dbstat. Targets (issue #15): evaluate a month in under 10 s; the tables under 200 MB.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import evaluation
import pipeline
import store
from collectors import observations
from collectors.state import StateStore
from settings.loader import DEFAULT_COLUMNS
from settings.model import Config, EvaluationSettings, Source

KINDS = ("city", "county", "department")


SITE_COLUMNS = ("city-news", "notices", "gov-documents")  # each website: a news list and two policy lists


def _sources(n: int) -> tuple[Source, ...]:
    """Three lists per website (one host each), the site's kind by website."""
    return tuple(Source(id=f"s{i:04d}", name=f"站点{i // 3:04d}·栏目{i % 3}", kind=KINDS[(i // 3) % 3], type="html",
                        url=f"http://w{i // 3:04d}.example.gov.cn/c{i % 3}/list.html", column=SITE_COLUMNS[i % 3])
                 for i in range(n))


def _checks(st: StateStore, sources: tuple[Source, ...], day: date, per_day: int, rng: random.Random) -> int:
    """One day of checks for every source (tuples straight to the collector's table: a year is 8.8
    million rows, and building an Observation for each would time Python, not the tables)."""
    start = datetime(day.year, day.month, day.day, tzinfo=evaluation.BEIJING)
    step = 1440 // per_day
    slots = [(start + timedelta(minutes=n * step)).astimezone(UTC) for n in range(per_day)]
    days = [observations.beijing_day(t.isoformat()) for t in slots]
    rows = []
    for i, src in enumerate(sources):
        down = i % 50 == 0 and day.day in (3, 4, 5)  # 2 % of sources down three days a month
        times = [(t + timedelta(seconds=i)).isoformat(timespec="seconds") for t in slots]
        for at, bj_day in zip(times, days, strict=True):
            r = rng.random()
            if down or r < 0.02:
                rows.append((src.id, bj_day, at, "failed", 500, 30, 31, 0, 0, "FetchError"))
            else:
                total = 16_000 if r < 0.03 else 80 + int(r * 1900)
                rows.append((src.id, bj_day, at, "ok", 200, total // 3, total, 20_000 + int(r * 70_000), int(r > 0.8), None))
    with st.lock, store.transaction(st.db):
        st.db.conn.executemany(
            "INSERT INTO observations (source_id, day, at, outcome, status, ttfb_ms, total_ms, bytes, new_items, "
            "error_kind) VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
    return len(rows)


def _items(db, sources: tuple[Source, ...], first: date, days: int, per_day: int, rng: random.Random) -> int:
    """Normalizer items and review rows for the month, as the pipeline leaves them (a third are
    re-posts joining another source's cluster)."""
    items, reviews, clusters = [], [], []
    item_id = 0
    for d in range(days):
        day = datetime(first.year, first.month, first.day, tzinfo=evaluation.BEIJING) + timedelta(days=d)
        for src in sources:
            for _ in range(per_day):
                item_id += 1
                pub = day + timedelta(minutes=rng.randrange(7 * 60, 22 * 60))
                got = pub + timedelta(minutes=rng.randrange(5, 240))
                cluster = item_id if rng.random() > 0.33 or item_id < 10 else rng.randrange(max(1, item_id - 500),
                                                                                          item_id)
                if cluster == item_id:
                    clusters.append((item_id, item_id, got.isoformat(), got.isoformat()))
                items.append((item_id, src.id, f"i{item_id}", pub.isoformat(timespec="seconds"),
                              got.astimezone(UTC).isoformat(timespec="seconds"), cluster))
                state = rng.choice(("published", "published", "rejected", "duplicate", "pending"))
                reviews.append((item_id, state, src.id, cluster, got.astimezone(UTC).isoformat(timespec="seconds"),
                                (got + timedelta(minutes=30)).astimezone(UTC).isoformat(timespec="seconds")
                                if state == "published" else None))
    with store.transaction(db):
        db.conn.executemany("INSERT INTO clusters (id, representative_id, created_at, updated_at) VALUES (?,?,?,?)",
                            clusters)
        db.conn.executemany("INSERT INTO items (id, source, identity, published_at, created_at, updated_at, cluster) "
                            "VALUES (?,?,?,?,?,?5,?6)", [(*r[:5], r[5]) for r in items])
        db.conn.executemany("INSERT INTO reviews (item_id, state, source, cluster_id, submitted_at, updated_at, "
                            "published_at) VALUES (?,?,?,?,?5,?5,?6)", reviews)
    return len(items)


def _table_bytes(db) -> dict[str, int]:
    rows = db.execute("SELECT name, sum(pgsize) FROM dbstat WHERE name IN "
                      "('observations', 'observations_day', 'observation_days', "
                      "'sqlite_autoindex_observation_days_1') GROUP BY name").fetchall()
    return {r[0]: int(r[1]) for r in rows}


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.evaluation", description=__doc__.split("\n\n")[0])
    ap.add_argument("--sources", type=int, default=1000)
    ap.add_argument("--per-day", type=int, default=24)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--items-per-day", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    rng = random.Random(15)
    sources = _sources(args.sources)
    config = Config(path="bench", columns={c.id: c for c in DEFAULT_COLUMNS}, sources=sources,
                    evaluation=EvaluationSettings())
    now = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)  # 1 March, 14:00 Beijing: February is the last full month
    first_day = (now.astimezone(evaluation.BEIJING) - timedelta(days=args.days)).date()
    with tempfile.TemporaryDirectory(prefix="huiju-bench-eval-") as tmp:
        db = store.open_db(str(Path(tmp) / "h.db"))
        pipeline.init_all(db)
        st = StateStore(db)
        t0 = time.monotonic()
        checks = 0
        for d in range(args.days):
            day = first_day + timedelta(days=d)
            checks += _checks(st, sources, day, args.per_day, rng)
            if day.day == 1 or d == args.days - 1:  # the daily job, run here once a month
                evaluation.compact_observations(db, config, datetime(day.year, day.month, day.day, 20, tzinfo=UTC))
        evaluation.compact_observations(db, config, now)
        write_s = time.monotonic() - t0
        month = evaluation.period_bounds(None, None, now)
        n_items = _items(db, sources, month.first, (month.last - month.first).days + 1, args.items_per_day, rng)
        db.execute("VACUUM")
        sizes = _table_bytes(db)
        raw_rows = db.execute("SELECT count(*) FROM observations").fetchone()[0]
        day_rows = db.execute("SELECT count(*) FROM observation_days").fetchone()[0]
        t1 = time.monotonic()
        report = evaluation.evaluate(db, config, now=now)
        last_month_s = time.monotonic() - t1
        old = month.first.replace(year=month.first.year - 1, month=4) if month.first.month < 4 else \
            month.first.replace(month=month.first.month - 10)
        t2 = time.monotonic()
        evaluation.evaluate(db, config, old, None, now=now)
        old_month_s = time.monotonic() - t2
        t3 = time.monotonic()
        evaluation.write_report(report, Path(tmp) / "out", pdf=False)
        html_s = time.monotonic() - t3
        db.close()
    out = {
        "sources": args.sources, "checks_written": checks, "write_s": round(write_s, 1),
        "raw_rows": raw_rows, "daily_rows": day_rows, "items_last_month": n_items,
        "observation_tables_mb": round(sum(sizes.values()) / 1e6, 1), "tables": sizes,
        "evaluate_last_month_s": round(last_month_s, 2), "evaluate_old_month_s": round(old_month_s, 2),
        "write_json_html_s": round(html_s, 2),
        "ranked": sum(1 for s in report["sites"] if s["rank"] is not None),
        "vetoed": sum(1 for s in report["sites"] if s["vetoes"]),
        "websites": len(report["websites"]),
    }
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=1))
    else:
        for k, v in out.items():
            print(f"{k:24} {v}")
        ok = out["evaluate_last_month_s"] < 10 and out["observation_tables_mb"] < 200
        print("targets (month < 10 s, tables < 200 MB):", "met" if ok else "NOT met")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
