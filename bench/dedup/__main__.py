"""``python -m bench.dedup``: dedup quality, ingest throughput and per-item cost at scale.

Examples:
    python -m bench.dedup --stories 1000                       # quality + throughput
    python -m bench.dedup --stories 300 --hard-limit 60 --scale 10000
    python -m bench.dedup --skip-quality --scale 10000,1000000  # scale only
    python -m bench.dedup --stories 1000 --open-classes        # + the classes known to be missed
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from bench.dedup.dataset import build, find_corpus, load_stories
from bench.dedup.quality import run_quality
from bench.dedup.scale import measure


def _machine() -> dict[str, str]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"nproc": str(os.cpu_count()), "cpu": model, "python": platform.python_version()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.dedup", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--stories", type=int, default=1000, help="plain stories sampled (each + 0–3 re-posts)")
    ap.add_argument("--hard-limit", type=int, default=None,
                    help="cap stories per hard-negative kind (default: all of them)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--skip-quality", action="store_true", help="only the scale measurement")
    ap.add_argument("--scale", default="", help="stored-item counts to measure, e.g. 10000,1000000")
    ap.add_argument("--probes", type=int, default=500, help="items ingested per scale measurement")
    ap.add_argument("--db-dir", type=Path, default=None, help="where the bench databases go (default: a temp dir)")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--show-misses", type=int, default=10, help="missed re-posts to list")
    ap.add_argument("--variants", default="", help="only these re-post variants (comma-separated names)")
    ap.add_argument("--per-story", default="0,4", help="re-posts per story, min,max (default 0,4)")
    ap.add_argument("--open-classes", action="store_true",
                    help="also the classes known to be missed (summary pages quoting two sentences) and their "
                         "hard negative (reaction stories quoting the same): reported per variant and kind")
    args = ap.parse_args(argv)

    corpus = find_corpus()
    t0 = time.perf_counter()
    stories = load_stories(corpus)
    out: dict = {"machine": _machine(), "corpus": str(corpus), "stories_in_corpus": len(stories),
                 "load_seconds": round(time.perf_counter() - t0, 2)}
    tmp = tempfile.TemporaryDirectory(prefix="bench-dedup-")
    db_dir = args.db_dir or Path(tmp.name)
    db_dir.mkdir(parents=True, exist_ok=True)

    if not args.skip_quality:
        lo, hi = (int(x) for x in args.per_story.split(","))
        items = build(stories, n_stories=args.stories, seed=args.seed, hard_limit=args.hard_limit,
                      variants_per_story=(lo, hi), only=[v for v in args.variants.split(",") if v] or None,
                      open_classes=args.open_classes)
        run = run_quality(items, db_dir / "quality.db")
        out["quality"] = {
            "items": run.items, "stories": run.stories, "precision": run.scores.precision,
            "recall": run.scores.recall, "f1": run.scores.f1, "ari": run.scores.ari,
            "true_pairs": run.scores.true_pairs, "predicted_pairs": run.scores.predicted_pairs,
            "hard_negatives": run.hard, "ingest_seconds": round(run.seconds, 2),
            "items_per_second": round(run.per_second, 1),
            "cpu_seconds": round(run.cpu_seconds, 2), "items_per_cpu_second": round(run.per_cpu_second, 1),
            "false_merges": run.false_merges[:10], "misses": run.misses[:10], "per_variant": run.per_variant,
            "candidate_recall": run.candidates, "desk_suggestions": run.suggestions,
        }
        if not args.json:
            q = out["quality"]
            print(f"quality: {q['items']} items, {q['stories']} stories  precision {q['precision']:.4f}  "
                  f"recall {q['recall']:.4f}  F1 {q['f1']:.4f}  ARI {q['ari']:.4f}")
            for kind, h in run.hard.items():
                print(f"  hard negatives {kind}: {h['stories']} stories, {h['items']} items, "
                      f"false-merge pairs {h['false_merge_pairs']}")
            print(f"throughput: {q['items_per_second']} items/s wall ({q['items']} items in {q['ingest_seconds']} s), "
                  f"{q['items_per_cpu_second']} items per CPU-second ({q['cpu_seconds']} s CPU); "
                  "clean_item + route + cluster + store, one transaction per item, one process")
            c = run.candidates
            print(f"candidate recall: {c['found']} of {c['pairs']} re-posts had their original among the verified "
                  f"candidates (or the reverse when the re-post came first): {c['found'] / max(1, c['pairs']):.4f}")
            sg = run.suggestions
            print(f"review desk suggestions (可能是同一报道): {sg['all']['wrong']} of {sg['all']['items']} items get a "
                  "story not theirs; hard negatives " + ", ".join(
                      f"{k} {v['wrong']}/{v['items']}" for k, v in sg.items() if k != "all"))
            print("recall per variant (re-posts joined to their original's cluster; original among candidates):")
            for v, r in run.per_variant.items():
                print(f"  {v:18} {r['joined']:5}/{r['reposts']:<5} {r['recall']:.4f}   candidates {r['candidate_recall']:.4f}")
            for a, b in run.false_merges[:10]:
                print(f"  false merge: {a} | {b}")
            for v, t, o in run.misses[:args.show_misses]:
                print(f"  missed: {v}: {t} (original: {o})")

    if args.scale:
        sizes = [int(s.replace("_", "")) for s in args.scale.split(",") if s.strip()]
        probes = build(stories, n_stories=args.probes, seed=args.seed + 1, hard_limit=20)[: args.probes + 1]
        out["scale"] = []
        for n in sizes:
            r = measure(db_dir / f"scale-{n}.db", n, stories, probes)
            out["scale"].append(asdict(r))
            if not args.json:
                print(f"scale: {n:,} stored (prefill {r.prefill_seconds:.0f} s, db {r.db_bytes / 1e6:.0f} MB): "
                      f"lookup {r.lookup_ms_mean:.2f} ms/item (median {r.lookup_ms_median:.2f}); "
                      f"ingest {r.ingest_ms_mean:.2f} ms/item (median {r.ingest_ms_median:.2f}, "
                      f"p95 {r.ingest_ms_p95:.2f}; CPU {r.ingest_cpu_ms_mean:.2f}) over {r.probes} items")
        if len(out["scale"]) >= 2 and not args.json:
            a, b = out["scale"][0], out["scale"][-1]
            print(f"cost ratio {b['stored']:,} vs {a['stored']:,}: ingest {b['ingest_ms_mean'] / a['ingest_ms_mean']:.2f}× "
                  f"(CPU {b['ingest_cpu_ms_mean'] / a['ingest_cpu_ms_mean']:.2f}×), "
                  f"lookup {b['lookup_ms_mean'] / a['lookup_ms_mean']:.2f}×")
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=1))
    else:
        m = out["machine"]
        print(f"machine: nproc {m['nproc']}, {m['cpu']}, Python {m['python']}")
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
