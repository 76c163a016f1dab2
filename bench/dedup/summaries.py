"""``python -m bench.dedup.summaries``: can any text signal tell a summary page from a look-alike?

A summary page (NOWnews, 三立, Yahoo on the 2025 茶话会 and the 2026 新年贺词) is a re-post by the real
set's labelling rule: it carries two or more consecutive sentences of the story word for word, amid much
text of its own. Its shared text is only 0.34–0.42 of it, and the matcher does not join it. This bench
scores, on the hand-labelled real set (``$HUIJU_REAL_DEDUP``, see real.py), every signal such a rule
could use, for the summary pages against their story and for every *wrong* pair the set holds — each
look-alike page and each re-post against the corpus stories that are not its own (another year's
meeting, a reaction story, another meeting repeating the year's review) — and says for each signal
whether a threshold exists that admits every summary page and no wrong pair:

- containment |A∩B|/min(|A|,|B|) and Jaccard over char-5 shingles of the comparison keys, and the
  number of shared shingles;
- the longest common run of key characters;
- story-specific evidence: the shared shingles no other corpus story of the set has (the template
  wording every year's meeting has counts nothing), and their longest run — the specificity a product
  could only estimate from its index, measured here with the whole set known;
- whole sentences: the story's sentences (split at 。！？； and line ends, ≥ 10 key characters) found
  in the page word for word, and the longest run of consecutive ones (the labelling rule itself);
- the look-alike guard's verdict (titles, the lead's numbers, dates, places, ordinals, substitutions).

Nothing here changes matching; it is the evidence for the decision recorded in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bench.dedup.dataset import SOURCES, find_corpus
from bench.dedup.real import MANIFEST, corpus_items, page_item
from normalizers import clean_item
from normalizers.clusters import guard_conflict, lead_substitution
from normalizers.keys import comparison_key, shingles

SUMMARY_PAGES = ("nownews-chahua-2025", "setn-chahua-2025", "yahoo-heci-2026")
SENTENCE_MIN = 10  # key characters of a sentence that can count as "a sentence of the story"
_SENTENCE = re.compile(r"(?<=[。！？；!?;])|\n")


@dataclass
class Doc:
    label: str
    title_key: str
    key: str
    shingles: set[str]
    sentences: list[str]  # keyed sentences, in order


@dataclass
class Pair:
    page: str
    story: str
    containment: float
    jaccard: float
    shared: int
    run: int
    specific: int
    specific_run: int
    sentences: int
    consecutive: int
    guard: str | None

    SIGNALS = ("containment", "jaccard", "shared", "run", "specific", "specific_run", "sentences", "consecutive")


def _doc(label: str, item, source) -> Doc:
    doc = clean_item(item, source)
    key = comparison_key(doc.text)
    sentences = [k for k in (comparison_key(s) for s in _SENTENCE.split(doc.text)) if len(k) >= SENTENCE_MIN]
    return Doc(label, comparison_key(doc.title), key, shingles(key) if len(key) >= 5 else set(), sentences)


def _longest_run(key: str, ok) -> int:
    """Longest run of key characters whose every char-5 shingle passes *ok* (0 when none does)."""
    best = cur = 0
    for i in range(len(key) - 4):
        if ok(key[i : i + 5]):
            cur += 1
            best = max(best, cur)
        else:
            cur = 0
    return best + 4 if best else 0


def _pair(page: Doc, story: Doc, df: Counter) -> Pair:
    inter = page.shingles & story.shingles
    small = min(len(page.shingles), len(story.shingles)) or 1
    hits = [s in page.key for s in story.sentences]
    consecutive = cur = 0
    for h in hits:
        cur = cur + 1 if h else 0
        consecutive = max(consecutive, cur)
    guard = guard_conflict(page.title_key, page.key, story.title_key, story.key)
    if guard is None:
        short, long_, long_sh = ((page.key, story.key, story.shingles) if len(page.key) <= len(story.key)
                                 else (story.key, page.key, page.shingles))
        guard = lead_substitution(short, long_, long_sh)
    return Pair(page.label, story.label, len(inter) / small, len(inter) / (len(page.shingles | story.shingles) or 1),
                len(inter), _longest_run(page.key, story.shingles.__contains__),
                sum(1 for s in inter if df[s] == 1),
                _longest_run(page.key, lambda s: s in story.shingles and df[s] == 1),
                sum(hits), consecutive, guard)


def measure(root: Path) -> dict:
    """Every summary page against its story; every page against the (up to two) closest stories
    that are not its own; the threshold verdict per signal."""
    manifest = tomllib.loads(MANIFEST.read_text(encoding="utf-8"))
    days = sorted({p["label"].split("/", 1)[0] for p in manifest["pages"] if p["label"] != "none"}
                  | set(manifest.get("extra_days", [])))
    origin, portal = SOURCES[0], SOURCES[2]
    stories = [_doc(label, item, origin) for label, item in corpus_items(find_corpus(), days)]
    df: Counter = Counter()
    for s in stories:
        df.update(s.shingles)
    summaries: list[Pair] = []
    wrong: list[Pair] = []
    missing: list[str] = []
    for p in manifest["pages"]:
        f = root / "pages" / f"{p['id']}.json"
        if not f.is_file():  # a batch saved elsewhere (a held-out one not to be read while tuning)
            missing.append(p["id"])
            continue
        d = json.loads(f.read_text(encoding="utf-8"))
        page = _doc(p["id"], page_item(p, d)[1], portal)
        close = sorted((s for s in stories if page.shingles & s.shingles),
                       key=lambda s: -len(page.shingles & s.shingles) / (min(len(page.shingles), len(s.shingles)) or 1))
        if p["id"] in SUMMARY_PAGES:
            own = next(s for s in stories if s.label == p["label"])
            summaries.append(_pair(page, own, df))
        wrong += [_pair(page, s, df) for s in [s for s in close if s.label != p["label"]][:2]]
    verdicts: dict[str, dict] = {}
    if not summaries:
        return {"summaries": [], "wrong": wrong, "verdicts": verdicts, "dominated": {}, "missing": missing,
                "summary_guard": {}}
    for name in Pair.SIGNALS:
        floor = min(getattr(s, name) for s in summaries)
        above = [w for w in wrong if getattr(w, name) >= floor]
        passing = [w for w in above if w.guard is None]
        verdicts[name] = {"summary_min": floor, "wrong_at_or_above": len(above),
                          "of_them_passing_the_guard": len(passing),
                          "worst": max(above, key=lambda w: getattr(w, name), default=None)}
    # a wrong pair at least as strong as a summary page on every signal at once: no rule on these
    # signals (with any thresholds) can take the page without taking that pair
    dominated = {s.page: [w for w in wrong if all(getattr(w, n) >= getattr(s, n) for n in Pair.SIGNALS)]
                 for s in summaries}
    return {"summaries": summaries, "wrong": wrong, "verdicts": verdicts, "dominated": dominated, "missing": missing,
            "summary_guard": {s.page: s.guard for s in summaries}}


def template_pairs(step: int = 3) -> tuple[int, list[tuple[str, str]]]:
    """Pairs of *different* corpus stories (every *step*-th day's) sharing two consecutive whole
    sentences: how often the labelling rule's evidence occurs between stories that are not one."""
    from bench.dedup.dataset import load_stories

    by_day: dict[str, list] = {}
    for st in load_stories(find_corpus()):
        by_day.setdefault(st.day, []).append(st)
    picked = [st for day in sorted(by_day)[::step] for st in by_day[day]]
    keyed = [(f"{st.day}/{st.title}", [k for k in (comparison_key(x) for x in _SENTENCE.split("\n".join(st.paragraphs)))
                                       if len(k) >= SENTENCE_MIN]) for st in picked]
    where: dict[str, set[int]] = {}
    for i, (_, sents) in enumerate(keyed):
        for k in sents:
            where.setdefault(k, set()).add(i)
    pairs: set[tuple[int, int]] = set()
    for i, (label, sents) in enumerate(keyed):
        for a, b in zip(sents, sents[1:], strict=False):
            pairs |= {(i, j) for j in where[a] & where[b] if j > i and keyed[j][0][9:] != label[9:]}
    return len(keyed), [(keyed[i][0], keyed[j][0]) for i, j in sorted(pairs)]


def _row(p: Pair) -> str:
    return (f"{p.page:28} {p.containment:5.3f} {p.jaccard:5.3f} {p.shared:5} {p.run:4} {p.specific:5} "
            f"{p.specific_run:4} {p.sentences:3} {p.consecutive:3}  {p.story[:34]}  guard: {p.guard or '-'}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.dedup.summaries", description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=Path, default=None, help="directory holding pages/ (default $HUIJU_REAL_DEDUP)")
    ap.add_argument("--top", type=int, default=12, help="wrong pairs to list, closest first")
    ap.add_argument("--template-pairs", type=int, default=0, metavar="STEP",
                    help="instead: count pairs of different corpus stories (every STEP-th day) sharing two "
                         "consecutive whole sentences (needs only the corpus)")
    args = ap.parse_args(argv)
    if args.template_pairs:
        n, pairs = template_pairs(args.template_pairs)
        print(f"{n} corpus stories (every {args.template_pairs}th day): {len(pairs)} pairs of different stories share "
              "two consecutive whole sentences")
        for a, b in pairs[: args.top]:
            print(f"  {a[:50]} | {b[:50]}")
        return 0
    root = args.pages or (Path(os.environ["HUIJU_REAL_DEDUP"]) if os.environ.get("HUIJU_REAL_DEDUP") else None)
    if root is None or not (root / "pages").is_dir():
        print("summary signals not measured: the real set's pages are not in the repository; "
              "save them as pages/<id>.json under $HUIJU_REAL_DEDUP (see bench/dedup/real_manifest.toml)")
        return 0
    manifest = tomllib.loads(MANIFEST.read_text(encoding="utf-8"))
    saved = {p["id"] for p in manifest["pages"] if (root / "pages" / f"{p['id']}.json").is_file()}
    if not saved & set(SUMMARY_PAGES):  # said before the corpus is looked for: it may be absent too
        print(f"{len(manifest['pages']) - len(saved)} pages of the manifest are not under {root}/pages and were "
              "left out; summary signals not measured: none of the summary pages is saved there")
        return 0
    r = measure(root)
    if r["missing"]:
        print(f"{len(r['missing'])} pages of the manifest are not under {root}/pages and were left out "
              f"(first: {r['missing'][0]})")
    if not r["summaries"]:
        print("summary signals not measured: none of the summary pages is saved there")
        return 0
    head = (f"{'page':28} {'cont':>5} {'jacc':>5} {'shrd':>5} {'run':>4} {'spec':>5} {'srun':>4} "
            f"{'snt':>3} {'con':>3}  story")
    print("summary pages against their story:")
    print("  " + head)
    for p in r["summaries"]:
        print("  " + _row(p))
    print(f"wrong pairs (a page against a story not its own; {len(r['wrong'])}), closest by containment:")
    print("  " + head)
    for p in sorted(r["wrong"], key=lambda w: -w.containment)[: args.top]:
        print("  " + _row(p))
    print("per signal: wrong pairs scoring at least the lowest summary page (a safe threshold needs 0):")
    for name, v in r["verdicts"].items():
        worst = v["worst"]
        print(f"  {name:13} summary min {v['summary_min']:<7.3g} wrong pairs at or above {v['wrong_at_or_above']:3} "
              f"(passing the guard {v['of_them_passing_the_guard']:2})"
              + (f"; highest {getattr(worst, name):.3g}: {worst.page} vs {worst.story[:30]}" if worst else ""))
    print("per summary page: wrong pairs at least as strong on every signal at once (no rule on these signals")
    print("can take the page and leave them), and on every signal but the story-specific ones:")
    for p in r["summaries"]:
        every = r["dominated"][p.page]
        loose = [w for w in r["wrong"] if all(getattr(w, n) >= getattr(p, n) for n in Pair.SIGNALS
                                               if n not in ("specific", "specific_run"))]
        print(f"  {p.page:28} every signal {len(every):3}   every but the specific ones {len(loose):3}")
        for w in every + [w for w in loose if w not in every][:3]:
            print(f"    {'(every)' if w in every else '(all but specific)':19} {w.page} vs {w.story[:40]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
