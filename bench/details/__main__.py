"""CPU per detail page of ``parse_detail`` (the collector's page read, story and bylines included),
on the sample province's detail pages and on real pages (../shared/real-pages, when present).

    python -m bench.details                 # 300 sample-province pages + the real pages, 3 rounds
    python -m bench.details --pages 600 --rounds 5 --profile

CPU time (time.process_time), not wall time: the development machine is shared. Each round parses
every page once; the best round per set is reported (the least disturbed by other processes).
Last, ``read_story`` alone on the bodies ``parse_detail`` hands it (the story chosen in the
collector since issue 9).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import time
from pathlib import Path

from collectors.parsers.details import parse_detail
from pages.story import read_story
from sample_province.province import Province
from sample_province.render import render_detail


def _province_pages(n: int, seed: int) -> list[tuple[str, str]]:
    p = Province(0, seed=seed)
    try:
        now = p.advance(days=3)
        world = p.world
        out: list[tuple[str, str]] = []
        for t in world.truth(now):
            item = world.find(t["url"], now)
            if item is None or item.deleted(now):
                continue
            related = [r for r in world.listed(item.site, item.channel, now)[:6] if r.no != item.no]
            out.append((p.url + t["url"], render_detail(item.site, item, related, now)))
            if len(out) >= n:
                break
        return out
    finally:
        p.stop()


def _real_pages() -> list[tuple[str, str]]:
    shared = Path(os.environ.get("HUIJU_SHARED") or Path(__file__).resolve().parents[3] / "shared")
    d = shared / "real-pages"
    return [(f"https://example.org/{f.name}", f.read_text(encoding="utf-8", errors="replace"))
            for f in sorted(d.glob("*.html"))] if d.is_dir() else []


def _round(pages: list[tuple[str, str]]) -> float:
    t = time.process_time()
    for url, text in pages:
        parse_detail(text, url)
    return time.process_time() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=300, help="sample-province detail pages")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--profile", action="store_true", help="print the top functions of one round (cProfile)")
    a = ap.parse_args()
    sets = {"sample province": _province_pages(a.pages, a.seed), "real pages": _real_pages()}
    for name, pages in sets.items():
        if not pages:
            print(f"{name}: none found")
            continue
        kb = sum(len(t) for _, t in pages) / len(pages) / 1000
        best = min(_round(pages) for _ in range(a.rounds))
        print(f"{name}: {len(pages)} pages, mean {kb:.1f} k chars: best of {a.rounds} rounds "
              f"{best * 1000 / len(pages):.2f} ms CPU per page ({best:.2f} s)")
        if a.profile:
            prof = cProfile.Profile()
            prof.enable()
            _round(pages)
            prof.disable()
            pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
    # read_story alone, on the bodies parse_detail hands it (trafilatura's output): issue 9's cost
    bodies = [parse_detail(t, u).html for pages in sets.values() for u, t in pages]
    best = min(_story_round(bodies) for _ in range(a.rounds))
    print(f"read_story on parse_detail's {len(bodies)} bodies: best of {a.rounds} rounds "
          f"{best * 1000 / max(1, len(bodies)):.3f} ms CPU per page")


def _story_round(bodies: list[str]) -> float:
    t = time.process_time()
    for _ in range(5):
        for b in bodies:
            read_story(b)
    return (time.process_time() - t) / 5


if __name__ == "__main__":
    main()
