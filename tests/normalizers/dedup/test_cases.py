"""Data-driven merge / no-merge cases: every cases/*.json is ingested in order and in reverse.

A case lists items (source, title, paragraphs, optional url/identity/published) and the expected
clusters as groups of item indexes (and, optionally, the items that must represent their cluster).
Order must not matter: a re-post can arrive before its original (a case may keep to the forward
order only, saying why: stories a year apart do not arrive the other way round). A case of a class
the matcher is known to miss says so ("open": why) and runs as a strict xfail.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import pytest

import normalizers
import store
from tests.normalizers.dedup.conftest import CONFIG, SOURCES, make_item

CASES = sorted((Path(__file__).parent / "cases").glob("*.json"))


def _items(case: dict) -> list:
    out = []
    for i, spec in enumerate(case["items"]):
        body = "".join(f"<p>{html.escape(p)}</p>" for p in spec["paragraphs"])
        out.append(make_item(spec["source"], identity=spec.get("identity", f"case-{i}"), title=spec["title"],
                             html=body, url=spec.get("url", f"{SOURCES[spec['source']].url}art/{i}.shtml"),
                             published=spec.get("published", "2025-01-13 09:30")))
    return out


def _partition(groups: list[list[int]]) -> set[frozenset[int]]:
    return {frozenset(g) for g in groups}


def _runs() -> list:
    """(case, order) pairs: both orders, unless a case says why only its own order is real
    ("orders": ["forward"] — the same meeting of two years arrives a year apart)."""
    runs = []
    for path in CASES:
        case = json.loads(path.read_text(encoding="utf-8"))
        # a class known to be missed ("open": why) is pinned as a strict xfail: a fix turns it into a failure to flip
        marks = [pytest.mark.xfail(reason=case["open"], strict=True)] if "open" in case else []
        runs += [pytest.param(path, order, id=f"{path.stem}-{order}", marks=marks)
                 for order in case.get("orders", ["forward", "reverse"])]
    return runs


@pytest.mark.parametrize(("path", "order"), _runs())
def test_case(path: Path, order: str, tmp_path: Path) -> None:
    case = json.loads(path.read_text(encoding="utf-8"))
    items = _items(case)
    indexes = list(range(len(items)))
    if order == "reverse":
        indexes.reverse()
    db = store.open_db(tmp_path / "case.db")
    normalizers.init(db)
    item_ids: dict[int, int] = {}
    for n, i in enumerate(indexes, start=1):
        with store.transaction(db):
            result = normalizers.ingest(db, n, items[i], SOURCES[items[i].source_id], CONFIG)
        assert result.kind == "new", case["why"]
        item_ids[i] = result.item_id
    cluster_of = {i: normalizers.get_item(db, item_ids[i])["cluster"] for i in item_ids}
    got: dict[int, list[int]] = {}
    for i, c in cluster_of.items():
        got.setdefault(c, []).append(i)
    assert _partition(list(got.values())) == _partition(case["clusters"]), case["why"]
    for i in case.get("representatives", []):  # the fuller, more authoritative member stands for the story
        rep = db.conn.execute("SELECT representative_id FROM clusters WHERE id = ?", [cluster_of[i]]).fetchone()[0]
        assert rep == item_ids[i], case["why"]
    db.conn.close()


def test_there_are_cases() -> None:
    assert len(CASES) >= 10
