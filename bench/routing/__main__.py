"""Column-routing benchmark against the sample province's ground truth.

    python -m bench.routing [--days 7] [--seed 1] [--rules demo.toml] [--json]

Releases a simulated week, fetches every released item's detail page from the province (with the
collectors package's decoding and detail parser, as the daemon does), runs
``normalizers.clean_item`` and ``normalizers.route`` with the proposed rules, and reports the
share of items whose column, and whose topic columns, match the truth. The default-column
baseline (no rules) is reported beside it so that each rule's worth is visible.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
DEFAULT_RULES = REPO / "demo.toml"  # the rules the demo runs with


class BenchError(Exception):
    """The benchmark cannot run (a package missing, a bad rules file)."""


def _load_rules(path: Path) -> tuple[Any, ...]:
    import settings

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise BenchError(f"cannot read rules file {path}: {exc.strerror}") from None
    try:
        return settings.loads(text, name=str(path)).rules
    except settings.ConfigError as exc:
        raise BenchError(str(exc)) from None


def _fetch_items(
    province: Any, truth: list[dict[str, Any]], sources: dict[str, Any]
) -> list[tuple[dict, Any]]:
    """(truth row, CollectedItem) for every live released item, read from its detail page."""
    import requests

    from collectors import CollectedItem, decode_bytes
    from collectors.parsers import parse_detail

    sessions: dict[str, requests.Session] = {}
    out = []
    fetched_at = datetime.now(UTC).isoformat()
    for row in truth:
        if row["deleted"]:
            continue
        src = sources[row["source"]]
        s = sessions.get(row["site"])
        if s is None:
            s = sessions[row["site"]] = requests.Session()
            if src.cookie_bootstrap:
                s.get(src.cookie_bootstrap, timeout=10)
            if src.referer:
                s.headers["Referer"] = src.referer
        resp = s.get(row["url"], timeout=10)
        if resp.status_code != 200:
            continue
        dec = decode_bytes(
            resp.content,
            http_charset=resp.encoding if "charset" in resp.headers.get("Content-Type", "").lower() else None,
            forced=src.encoding,
        )
        d = parse_detail(dec.text, row["url"], src.detail)
        item = CollectedItem(
            source_id=src.id,
            identity=row["url"],
            identity_rule="link",
            url=row["url"],
            title=d.title or "",
            html=d.html,
            published=d.published,
            meta=d.meta,
            attachments=d.attachments,
            bylines=d.bylines,
            story=d.story,
            page_read=True,  # read like a collector reads it
            fetched_at=fetched_at,
            charset=dec.charset,
        )
        out.append((row, item))
    return out


def _category(row: dict[str, Any]) -> str:
    if row["original"]:
        return "original"
    return f"re-post on {row['site'] if row['site'] in ('portal', 'xinhua') else 'city/county site'}"


def run(days: float, seed: int, rules_path: Path) -> dict[str, Any]:
    try:
        import sample_province
        from normalizers.document import clean_item
        from normalizers.routing import route
        from settings import DEFAULT_COLUMNS, source_from_dict
    except ImportError as exc:
        raise BenchError(f"a package the benchmark needs is missing: {exc.name}") from None

    rules = _load_rules(rules_path)
    columns = {c.id: c for c in DEFAULT_COLUMNS}
    province = sample_province.start(seed=seed, speed=0)
    try:
        province.advance(days=days)
        truth = province.truth()["items"]
        sources = {d["id"]: source_from_dict(d) for d in province.sources()}
        t0 = time.perf_counter()
        pairs = _fetch_items(province, truth, sources)
        fetch_s = time.perf_counter() - t0
    finally:
        province.stop()

    route(
        clean_item(pairs[0][1], sources[pairs[0][0]["source"]]),
        sources[pairs[0][0]["source"]],
        rules,
        columns,
    )
    clean_ms: list[float] = []
    route_ms: list[float] = []
    col_ok = col_base_ok = topic_ok = topic_base_ok = 0
    tp = fp = fn = 0
    by_cat: Counter[str] = Counter()
    by_cat_ok: Counter[str] = Counter()
    misses: Counter[str] = Counter()
    examples: list[dict[str, Any]] = []
    topic_examples: list[dict[str, Any]] = []
    flags: Counter[str] = Counter()
    for row, item in pairs:
        src = sources[row["source"]]
        t = time.perf_counter()
        doc = clean_item(item, src)
        clean_ms.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        r = route(doc, src, rules, columns)
        route_ms.append((time.perf_counter() - t) * 1000)
        flags.update(doc.flags)
        want_topics = set(row["topics"])
        got_topics = set(r.topics)
        cat = _category(row)
        by_cat[cat] += 1
        if r.column == row["column"]:
            col_ok += 1
            by_cat_ok[cat] += 1
        else:
            misses[f"{row['source']} → {r.column}, truth {row['column']}"] += 1
            if len(examples) < 8:
                examples.append(
                    {
                        "url": row["url"],
                        "title": doc.title,
                        "source_line": doc.source_line,
                        "got": r.column,
                        "truth": row["column"],
                        "reasons": r.reasons,
                    }
                )
        col_base_ok += src.column == row["column"]
        topic_ok += got_topics == want_topics
        topic_base_ok += not want_topics
        if got_topics != want_topics and len(topic_examples) < 8:
            topic_examples.append(
                {
                    "url": row["url"],
                    "title": doc.title,
                    "got": sorted(got_topics),
                    "truth": sorted(want_topics),
                    "transforms": row["transforms"],
                }
            )
        tp += len(got_topics & want_topics)
        fp += len(got_topics - want_topics)
        fn += len(want_topics - got_topics)

    n = len(pairs)
    clean_ms.sort()
    route_ms.sort()
    return {
        "seed": seed,
        "days": days,
        "rules": len(rules),
        "released": len(truth),
        "evaluated": n,
        "column_accuracy": col_ok / n,
        "column_accuracy_default_only": col_base_ok / n,
        "topic_accuracy": topic_ok / n,
        "topic_accuracy_no_topics": topic_base_ok / n,
        "topic_true_positives": tp,
        "topic_false_positives": fp,
        "topic_false_negatives": fn,
        "by_category": {c: f"{by_cat_ok[c]}/{by_cat[c]}" for c in sorted(by_cat)},
        "misroutes": dict(misses.most_common(12)),
        "examples": examples,
        "topic_misses": topic_examples,
        "flags": dict(flags.most_common()),
        "fetch_seconds": round(fetch_s, 1),
        "clean_item_ms_median": round(clean_ms[n // 2], 3),
        "clean_item_ms_p95": round(clean_ms[int(n * 0.95)], 3),
        "route_ms_median": round(route_ms[n // 2], 3),
        "route_ms_p95": round(route_ms[int(n * 0.95)], 3),
    }


def _print(res: dict[str, Any]) -> None:
    pct = lambda x: f"{100 * x:.1f}%"  # noqa: E731
    print(
        f"sample province seed {res['seed']}, {res['days']} days: {res['released']} items released, "
        f"{res['evaluated']} live pages evaluated, {res['rules']} rules"
    )
    print(
        f"column correct:  {pct(res['column_accuracy'])}  (default column only: "
        f"{pct(res['column_accuracy_default_only'])})"
    )
    print(
        f"topics correct:  {pct(res['topic_accuracy'])}  (no topics at all: {pct(res['topic_accuracy_no_topics'])}); "
        f"topic hits {res['topic_true_positives']}, false {res['topic_false_positives']}, "
        f"missed {res['topic_false_negatives']}"
    )
    print("by category:     " + ", ".join(f"{k} {v}" for k, v in res["by_category"].items()))
    if res["misroutes"]:
        print("misroutes:       " + "; ".join(f"{k} ×{v}" for k, v in res["misroutes"].items()))
    for t in res["topic_misses"]:
        print(
            f"topic miss:      {t['title']} got {t['got']} truth {t['truth']} (re-post edits: {t['transforms']})"
        )
    print(f"flags:           {res['flags']}")
    print(
        f"timing:          fetch {res['fetch_seconds']} s; clean_item median {res['clean_item_ms_median']} ms "
        f"(p95 {res['clean_item_ms_p95']}); route median {res['route_ms_median']} ms (p95 {res['route_ms_p95']})"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.routing", description=__doc__.split("\n\n")[0])
    ap.add_argument("--days", type=float, default=7.0, help="simulated days to release (default 7)")
    ap.add_argument("--seed", type=int, default=1, help="sample province seed (default 1)")
    ap.add_argument("--rules", type=Path, default=DEFAULT_RULES, help="TOML file with [[rules]]")
    ap.add_argument("--json", action="store_true", help="print the result as JSON")
    args = ap.parse_args(argv)
    try:
        res = run(args.days, args.seed, args.rules)
    except BenchError as exc:
        print(f"bench.routing: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(res, ensure_ascii=False, indent=2))
    else:
        _print(res)
    return 0


if __name__ == "__main__":
    sys.exit(main())
