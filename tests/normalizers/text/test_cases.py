"""Data-driven tests: one JSON file per case in ./cases, feedparser-style.

Each case has ``kind`` (date | url | title | sanitize | item), ``input`` and ``expect``. Item cases
compare the listed Document fields exactly; ``*_contains``/``*_not_contains`` check substrings;
``flags`` is the exact flag set.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

import pytest

from collectors.model import CollectedItem
from normalizers.bylines import clean_title
from normalizers.dates import parse_date, to_iso
from normalizers.document import clean_item
from normalizers.text import sanitize_html
from normalizers.urls import canonical_url
from settings.model import Source

CASES = sorted((Path(__file__).parent / "cases").glob("*.json"))


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _source(overrides: dict) -> Source:
    base = {
        "id": "test-site",
        "name": "测试站点",
        "kind": "department",
        "type": "html",
        "url": "https://www.hlj.gov.cn/",
        "column": "department-news",
    }
    base.update(overrides)
    return Source(**base)


def _item(inp: dict) -> CollectedItem:
    data = dict(inp)
    rep = data.pop("html_repeat", None)
    if rep:
        data["html"] = rep.get("before", "") + rep["unit"] * rep["times"] + rep.get("after", "")
    data.setdefault("source_id", "test-site")
    data.setdefault("identity", data["url"])
    data.setdefault("identity_rule", "link")
    return CollectedItem(**data)


def test_case_folder_is_populated() -> None:
    kinds = {_load(p)["kind"] for p in CASES}
    assert len(CASES) >= 40
    assert kinds == {"date", "url", "title", "sanitize", "item"}


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_case(path: Path) -> None:
    case = _load(path)
    inp, expect = case["input"], case["expect"]
    kind = case["kind"]
    if kind == "date":
        now = datetime.fromisoformat(inp["now"])
        assert to_iso(parse_date(inp["raw"], now=now)) == expect["iso"]
    elif kind == "url":
        assert canonical_url(inp["url"]) == expect["canonical"]
    elif kind == "title":
        assert clean_title(inp["title"], inp.get("site_names", [])) == expect["title"]
    elif kind == "sanitize":
        out = sanitize_html(inp["html"], inp.get("base_url", ""))
        for s in expect.get("contains", []):
            assert s in out, out
        for s in expect.get("not_contains", []):
            assert s.lower() not in out.lower(), out
    elif kind == "item":
        now = datetime.fromisoformat(case["now"]) if "now" in case else None
        doc = clean_item(_item(inp), _source(case.get("source", {})), now=now)
        got = asdict(doc)
        for key, want in expect.items():
            if key == "flags":
                assert sorted(doc.flags) == sorted(want), doc.flags
            elif key == "html_contains":
                for s in want:
                    assert s in doc.html, doc.html
            elif key == "html_not_contains":
                for s in want:
                    assert s not in doc.html, doc.html
            elif key == "text_contains":
                for s in want:
                    assert s in doc.text, doc.text
            elif key == "text_max_chars":
                assert len(doc.text) <= want
            elif key == "text_min_chars":
                assert len(doc.text) >= want
            else:
                assert got[key] == want, (key, got[key])
    else:  # pragma: no cover - a malformed case file
        pytest.fail(f"{path.name}: unknown kind {kind!r}")
