"""``python -m bench.dedup.mirrored``: dedup on real re-posts read from public repositories.

The set is ``mirror_manifest.toml``: pages of 人民日报, people.com.cn and Hebei government sites that
public GitHub repositories archive, each labelled by hand against the 新闻联播 corpus (a re-post of
a story, or a look-alike: a commentary, a Q&A, another outlet's own report, another year's document
in the same words). Unlike ``bench.dedup.real``, whose saved pages cannot be made again, every text
here can be read again on any machine from its repository at the recorded commit: from a local
mirror (``--mirrors DIR`` or ``$HUIJU_MIRRORS``: DIR/<owner>+<name>/repo), else from
raw.githubusercontent.com. Nothing is written: the texts are read into memory and checked against
the labelled sha256.

Every story of the whole corpus is ingested first, in broadcast order (the world the pages meet:
every other year's meeting, every look-alike of any day), then every page on its own day, through
the real ``normalizers.ingest``; the clusters are scored pairwise against the hand labels
(``bench.dedup.real.measure``), pairs of two corpus stories left out (``bench.dedup.corpus_pairs``
counts those; they are listed at the end).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import html
import io
import json
import os
import re
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from bench.dedup.dataset import find_corpus
from bench.dedup.real import measure
from bench.onboarding.realset import file_at

MANIFEST = Path(__file__).with_name("mirror_manifest.toml")
_CONTENT = re.compile(r"<!--enpcontent-->(.*?)<!--/enpcontent-->", re.S)
_TAGS = re.compile(r"<[^>]+>")
_STRIP = " \t\r\n\u3000\u00a0"


class PageUnreadable(ValueError):
    """A manifest entry whose record is not in its file as the format says (a moved record, another file)."""


def _rss_item(data: bytes, key: int) -> tuple[str, str]:
    item = ET.fromstring(data).findall("./channel/item")[key]
    title = item.findtext("title") or ""
    desc = item.findtext("description") or ""
    m = _CONTENT.search(desc)
    if m is None:
        raise PageUnreadable("no <!--enpcontent--> part in the item's description")
    pieces = (html.unescape(_TAGS.sub("", p)).strip(_STRIP) for p in m.group(1).split("</p>"))
    return title, "\n".join(p for p in pieces if p)


def _md_item(data: bytes, key: int) -> tuple[str, str]:
    lines = data.decode("utf-8").split("\n")
    head = f"## {key}. "
    at = next((i for i, line in enumerate(lines) if line.startswith(head)), None)
    if at is None:
        raise PageUnreadable(f"no line starting {head!r}")
    start = next((i for i in range(at + 1, len(lines)) if lines[i] == "### 正文"), None)
    if start is None:
        raise PageUnreadable(f"no '### 正文' after {head!r}")
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith(("### ", "---"))), len(lines))
    return lines[at][len(head):], "\n".join(lines[start + 1 : end]).strip()


def _csv_row(data: bytes, key: int, title_field: str, text_field: str) -> tuple[str, str]:
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))
    row = rows[key - 1]
    return row[title_field].strip(), row[text_field]


def _json_article(data: bytes, key: int) -> tuple[str, str]:
    article = json.loads(data.decode("utf-8"))["articles"][key]
    return article["title"], article["content_text"]


def extract(entry: dict[str, Any], data: bytes) -> dict[str, str]:
    """The page one manifest entry names inside its file: ``{"title", "text", "url"}``."""
    fmt, key = entry["format"], entry.get("key")
    try:
        if fmt == "rss-item":
            title, text = _rss_item(data, key)
        elif fmt == "md-item":
            title, text = _md_item(data, key)
        elif fmt == "csv-row":
            title, text = _csv_row(data, key, entry["title_field"], entry["text_field"])
        elif fmt == "json-article":
            title, text = _json_article(data, key)
        elif fmt == "file":
            title, text = Path(entry["path"]).name, data.decode("utf-8")
        else:
            raise PageUnreadable(f"unknown format {fmt!r}")
    except (IndexError, KeyError, ET.ParseError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PageUnreadable(f"{fmt} record {key}: {type(exc).__name__}: {exc}") from exc
    # one address per record (a fragment would make every record of a file one page to the matcher)
    where = f"?record={key}" if key is not None else ""
    url = f"https://github.com/{entry['repo']}/blob/{entry['commit']}/{entry['path']}{where}"
    return {"title": title, "text": text, "url": url}


def read_pages(entries: list[dict[str, Any]], mirrors: Path | None) -> tuple[list[tuple[dict, dict]], list[str]]:
    """Every entry's page, read and checked; (entry, page) pairs and one line per page not read as labelled."""
    files: dict[tuple[str, str, str], bytes | None] = {}
    pages, problems = [], []
    for e in entries:
        src = {"repo": e["repo"], "commit": e["commit"], "path": e["path"]}
        where = (e["repo"], e["commit"], e["path"])
        if where not in files:
            try:
                files[where] = file_at(src, mirrors)
            except OSError as exc:
                files[where] = None
                problems.append(f"{e['repo']}/{e['path']}: cannot read it at {e['commit'][:10]}: {exc}")
        data = files[where]
        if data is None:
            problems.append(f"{e['id']}: its file is not here")
            continue
        try:
            page = extract(e, data)
        except PageUnreadable as exc:
            problems.append(f"{e['id']}: {exc}")
            continue
        if hashlib.sha256(page["text"].encode("utf-8")).hexdigest() != e["sha256"]:
            problems.append(f"{e['id']}: text differs from the labelled one (sha256)")
            continue
        page["published"] = f"{e['published']} 06:00" if e.get("published") else ""
        pages.append((e, page))
    return pages, problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.dedup.mirrored", description=__doc__.split("\n\n")[0])
    ap.add_argument("--mirrors", type=Path, default=None,
                    help="directory of repository mirrors, <owner>+<name>/repo (default $HUIJU_MIRRORS; "
                         "without one, raw.githubusercontent.com)")
    ap.add_argument("--batch", action="append", default=[], help="only the pages of this batch (repeatable)")
    ap.add_argument("--ids", action="append", default=[], metavar="ID,ID,…",
                    help="also score these pages alone; repeatable")
    ap.add_argument("--check", action="store_true", help="read and check every page; measure nothing")
    args = ap.parse_args(argv)
    mirrors = args.mirrors or (Path(os.environ["HUIJU_MIRRORS"]) if os.environ.get("HUIJU_MIRRORS") else None)
    manifest = tomllib.loads(MANIFEST.read_text(encoding="utf-8"))
    entries = [e for e in manifest["pages"] if not args.batch or e["batch"] in args.batch]
    pages, problems = read_pages(entries, mirrors)
    if args.check or not pages:
        print(f"{len(pages)} of {len(entries)} pages read as labelled")
        for msg in problems:
            print(f"  {msg}")
        return 0 if not problems else 1
    corpus = find_corpus()
    days = sorted(p.stem for p in (corpus / "xinwen-lianbo").glob("*.md"))
    world = {"pages": [e for e, _ in pages], "extra_days": days}
    for e, _ in pages:
        e.setdefault("set", e["batch"])  # measure() reports each set's own figure
    return measure(pages, world, problems, ids=args.ids, pages_only=True)  # it prints the problems too


if __name__ == "__main__":
    raise SystemExit(main())
