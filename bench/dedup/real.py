"""``python -m bench.dedup.real``: dedup on real re-posts that nobody on the team wrote or generated.

The labelled set is ``real_manifest.toml``: public pages that re-post stories of the 新闻联播 corpus
with the edits their sites made (traditional characters, pinyin-annotated characters, spam
injections, datelines, 来源/责编 lines, captions, related-reading blocks, cuts, appended letters or
translations), and pages of *other* stories in the same words (the embassy's thanks, the mourning
two days later, another year's visit, a meeting the corpus lacks). The page texts belong to their
publishers and are not in the repository: they are read from ``$HUIJU_REAL_DEDUP/pages/<id>.json``;
without them the bench says so and stops (exit 0, nothing measured).

The saved pages do not survive a new machine, and they are not re-made from the search tool's
stored copies, whose terms forbid verbatim copies; ``--check`` says which pages are there, missing
or saved with another text than the one labelled.

Every story of the corpus days involved (labelled days and the manifest's look-alike days) is
ingested first as an original, then every page, through the real ``normalizers.ingest``; the final
clusters are scored pairwise against the hand labels.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import os
import sys
import tempfile
import time
import tomllib
from pathlib import Path

import store
from bench.dedup.candidates import recording
from bench.dedup.dataset import SOURCES, bench_config, find_corpus
from bench.dedup.metrics import score
from collectors.model import CollectedItem
from normalizers import ingest, init, possible_matches

MANIFEST = Path(__file__).with_name("real_manifest.toml")


def _corpus_day(corpus: Path, day: str) -> list[tuple[str, list[str]]]:
    from bench.dedup.dataset import _P, _TAG

    text = (corpus / "xinwen-lianbo" / f"{day}.md").read_text(encoding="utf-8")
    out = []
    for chunk in text[text.find("## 详细新闻"):].split("\n### ")[1:]:
        title, _, body = chunk.partition("\n")
        paras = [html.unescape(_TAG.sub("", p)).strip() for p in _P.findall(body)]
        if title.strip() and any(paras):
            out.append((title.strip(), [p for p in paras if p]))
    return out


def corpus_items(corpus: Path, days: list[str]) -> list[tuple[str, CollectedItem]]:
    """Every story of these corpus days as an original of the city site, labelled ``day/title``."""
    origin = SOURCES[0]
    items: list[tuple[str, CollectedItem]] = []
    for day in days:
        for n, (title, paras) in enumerate(_corpus_day(corpus, day)):
            body = "".join(f"<p>{html.escape(x)}</p>" for x in paras)
            items.append((f"{day}/{title}", CollectedItem(
                source_id=origin.id, identity=f"{day}-{n}", identity_rule="link",
                url=f"https://www.harbin.gov.cn/art/{day}/{n}.html", title=title, html=body,
                published=f"{day[:4]}-{day[4:6]}-{day[6:]} 19:30", fetched_at=f"{day[:4]}-{day[4:6]}-{day[6:]}T12:00:00+00:00")))
    return items


def page_item(p: dict, d: dict) -> tuple[str, CollectedItem]:
    """A saved page (``{"title", "text"}``, ``"published"`` where its day is known) as the portal's
    item, labelled with its story (or ``page:<id>`` for a look-alike;
    ``page:<story>`` for look-alikes the manifest says are copies of one story the corpus lacks)."""
    body = "".join(f"<p>{html.escape(x)}</p>" for x in d["text"].split("\n") if x.strip())
    return (p["label"] if p["label"] != "none" else f"page:{p.get('story', p['id'])}", CollectedItem(
        source_id=SOURCES[2].id, identity=p["id"], identity_rule="link", url=d.get("url") or p["url"],
        title=d.get("title", ""), html=body, published=d.get("published") or None, fetched_at="2026-12-06T12:00:00+00:00"))


def check_pages(root: Path, pages: list[dict]) -> dict[str, list[str]]:
    """Which pages of the manifest are saved as labelled, saved with another text, or missing."""
    found: dict[str, list[str]] = {"ok": [], "differs": [], "missing": []}
    for p in pages:
        f = root / "pages" / f"{p['id']}.json"
        if not f.is_file():
            found["missing"].append(p["id"])
            continue
        text = json.loads(f.read_text(encoding="utf-8"))["text"]
        same = hashlib.sha256(text.encode("utf-8")).hexdigest() == p["sha256"]
        found["ok" if same else "differs"].append(p["id"])
    return found


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.dedup.real", description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=Path, default=None, help="directory holding pages/ (default $HUIJU_REAL_DEDUP)")
    ap.add_argument("--set", choices=("development", "held-out"), default=None, dest="only",
                    help="ingest only this set's pages (to study misses without seeing the held-out pages)")
    ap.add_argument("--ids", action="append", default=[], metavar="ID,ID,…",
                    help="also score these pages alone (a batch re-labelled after it was measured); repeatable")
    ap.add_argument("--check", action="store_true", help="say which pages are saved as labelled; measure nothing")
    args = ap.parse_args(argv)
    root = args.pages or (Path(os.environ["HUIJU_REAL_DEDUP"]) if os.environ.get("HUIJU_REAL_DEDUP") else None)
    manifest = tomllib.loads(MANIFEST.read_text(encoding="utf-8"))
    if args.check and root is None:
        ap.error("--check needs --pages or $HUIJU_REAL_DEDUP")
    if args.check:
        found = check_pages(root, manifest["pages"])
        print(f"{len(found['ok'])} pages as labelled, {len(found['differs'])} with another text, "
              f"{len(found['missing'])} missing (of {len(manifest['pages'])})")
        for what in ("differs", "missing"):
            for pid in found[what]:
                print(f"  {what:8} {pid}")
        return 0
    if root is None or not (root / "pages").is_dir():
        print("real re-post set not measured: its pages are not in the repository (their text belongs to their "
              "publishers); save them as pages/<id>.json under $HUIJU_REAL_DEDUP (see bench/dedup/real_manifest.toml)")
        return 0
    pages, problems = [], []
    for p in manifest["pages"]:
        if args.only and p.get("set") != args.only:
            continue
        f = root / "pages" / f"{p['id']}.json"
        if not f.is_file():
            problems.append(f"{p['id']}: missing")
            continue
        d = json.loads(f.read_text(encoding="utf-8"))
        if hashlib.sha256(d["text"].encode("utf-8")).hexdigest() != p["sha256"]:
            problems.append(f"{p['id']}: text differs from the labelled copy (sha256)")
        pages.append((p, d))
    return measure(pages, manifest, problems, args.ids)


def measure(pages: list[tuple[dict, dict]], manifest: dict, problems: list[str], ids: list[str] = (), *,
            pages_only: bool = False) -> int:
    """Ingest the corpus days of *manifest* (its labels' and ``extra_days``) and then *pages* (manifest
    entry, saved page ``{"title", "text", …}``), and print the pairwise score against the hand labels,
    each page's verdict, the desk's suggestions and the stories wrongly put together. *pages_only*:
    pairs of two corpus stories are left out of the score (the whole corpus is ingested: its own
    look-alikes are ``bench.dedup.corpus_pairs``'s to count, and they are listed at the end)."""
    days = sorted({p["label"].split("/", 1)[0] for p in manifest["pages"] if p["label"] != "none"}
                  | set(manifest.get("extra_days", [])))
    origin, repost = SOURCES[0], SOURCES[2]  # a city site (rank 10) and the portal (rank 30)
    config = bench_config()
    items = corpus_items(find_corpus(), days)
    known = {label for label, _ in items}
    for p, d in pages:
        if p["label"] != "none" and p["label"] not in known:
            problems.append(f"{p['id']}: label {p['label']!r} is no corpus story")
        items.append(page_item(p, d))
    with tempfile.TemporaryDirectory(prefix="bench-dedup-real-") as tmp:
        db = store.open_db(Path(tmp) / "real.db")
        init(db)
        item_ids: dict[int, int] = {}
        with recording() as log:
            for n, (_, item) in enumerate(items, start=1):
                src = origin if item.source_id == origin.id else repost
                log.current = n
                with store.transaction(db):
                    item_ids[n] = ingest(db, n, item, src, config).item_id
        final = dict(db.conn.execute("SELECT collected_id, cluster FROM items").fetchall())
        # what the review desk suggests for each page ("may be the same story"): item ids → labels
        label_of = {item_ids[n]: items[n - 1][0] for n in item_ids}
        offset = len(items) - len(pages)
        started = time.process_time()
        suggested = {k: [label_of.get(m.item_id) for m in possible_matches(db, item_ids[offset + k + 1])]
                     for k in range(len(pages))}
        per_page = (time.process_time() - started) / max(1, len(pages))
        db.conn.close()
    predicted = [final[n] for n in range(1, len(items) + 1)]
    if pages_only:  # a corpus story in a cluster holding no page is scored alone
        with_pages = {predicted[i] for i in range(len(items) - len(pages), len(items))}
        predicted = [c if c in with_pages or i >= len(items) - len(pages) else -1 - i
                     for i, c in enumerate(predicted)]
    labels = [label for label, _ in items]
    sc = score(labels, predicted)
    print(f"real re-posts: {len(pages)} pages ({sum(p['label'] != 'none' for p, _ in pages)} re-posts, "
          f"{sum(p['label'] == 'none' for p, _ in pages)} look-alike pages) against {len(items) - len(pages)} corpus "
          f"stories of {len(days)} days")
    print(f"precision {sc.precision:.4f}  recall {sc.recall:.4f}  F1 {sc.f1:.4f}  "
          f"(pairs: true {sc.true_pairs}, predicted {sc.predicted_pairs}, correct {sc.correct_pairs})")
    offset = len(items) - len(pages)
    first_of = {}
    for n, (label, _) in enumerate(items[:offset], start=1):
        first_of.setdefault(label, n)
    pairs = [(offset + k + 1, first_of[p["label"]]) for k, (p, _) in enumerate(pages) if p["label"] in first_of]
    found, total = log.recall(pairs, item_ids)
    print(f"candidate recall: {found} of {total} re-post pages had their story among the verified candidates "
          f"({found / max(1, total):.4f})")
    batches = sorted({p.get("added", "2026-12-06") for p, _ in pages})
    sets = sorted({p.get("set", "") for p, _ in pages})  # development / held-out, or a mirrored set's batches
    groups = [(which, None) for which in sets]
    groups += [(which, b) for b in batches for which in sets] if len(batches) > 1 else []
    chosen = [(f"chosen ({len(some.split(','))} ids)", set(some.split(","))) for some in ids]
    for which, batch in groups + chosen:
        # the same clustering, scored on the corpus stories and this group's pages only
        if isinstance(batch, set):
            keep = list(range(offset)) + [offset + k for k, (p, _) in enumerate(pages) if p["id"] in batch]
        else:
            keep = list(range(offset)) + [offset + k for k, (p, _) in enumerate(pages) if p.get("set") == which
                                          and batch in (None, p.get("added", "2026-12-06"))]
        if len(keep) == offset:
            continue
        sub = score([labels[i] for i in keep], [predicted[i] for i in keep])
        n = len(keep) - offset
        name = which if batch is None or isinstance(batch, set) else f"{which}, added {batch}"
        print(f"  {name:31} {n:3} pages: precision {sub.precision:.4f}  recall {sub.recall:.4f}  F1 {sub.f1:.4f} "
              f"(true pairs {sub.true_pairs})")
    cluster_of_label: dict[str, set[int]] = {}
    for label, c in zip(labels, predicted, strict=True):
        cluster_of_label.setdefault(label, set()).add(c)
    for (p, _), i in zip(pages, range(len(items) - len(pages), len(items)), strict=True):
        c = predicted[i]
        mates = sorted({labels[j] for j, cj in enumerate(predicted) if cj == c and j != i})
        if p["label"] == "none":
            own = labels[i]  # page:<id>, or page:<story> shared by copies of one story the corpus lacks
            wrong = [m for m in mates if m != own]
            verdict = ("ok (alone)" if not mates else "ok (joined)") if not wrong else f"FALSE MERGE with {wrong}"
        else:
            orig = labels.index(p["label"])
            verdict = "ok (joined)" if predicted[orig] == c else "MISSED"
            wrong = [m for m in mates if m != p["label"]]
            if wrong:
                verdict += f", also with {wrong}"
        print(f"  {p['id']:26} {p.get('set', ''):11} {verdict}")
    missed = [k for k, (p, _) in enumerate(pages) if p["label"] != "none"
              and predicted[labels.index(p["label"])] != predicted[offset + k]]
    hinted = [k for k in missed if pages[k][0]["label"] in suggested[k]]
    alike = [k for k, (p, _) in enumerate(pages) if p["label"] == "none"]
    wrong = [k for k in alike if any(s != labels[offset + k] for s in suggested[k])]
    joined = [k for k, (p, _) in enumerate(pages) if p["label"] != "none" and k not in missed]
    noisy = [k for k in joined if any(s != pages[k][0]["label"] for s in suggested[k])]
    print(f"review desk suggestions (possible same story, not merged): {len(hinted)} of {len(missed)} missed re-post "
          f"pages have their story suggested; {len(wrong)} of {len(alike)} look-alike pages and {len(noisy)} of "
          f"{len(joined)} joined pages get a suggestion of another story ({per_page * 1e3:.1f} ms CPU per item page)")
    for k in missed:
        print(f"  missed {pages[k][0]['id']:26} {'story suggested' if k in hinted else 'not suggested'}")
    if os.environ.get("HUIJU_SUGGESTIONS_DEBUG"):
        for k in wrong + noisy:
            print("  other", pages[k][0]["id"], pages[k][0]["label"][:30], "->", [x[:30] for x in suggested[k] if x])
    together: dict[int, set[str]] = {}
    for n, label in enumerate(labels, start=1):  # as clustered, corpus stories alone included
        together.setdefault(final[n], set()).add(label)
    for group in sorted(sorted(g) for g in together.values() if len(g) > 1):
        print(f"  wrongly together: {' | '.join(x[:40] for x in group)}")  # corpus stories or pages of two stories
    for msg in problems:
        print(f"  warning: {msg}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
