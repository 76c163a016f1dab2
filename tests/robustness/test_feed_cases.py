"""Real-world feed defects, one fixture file each (feeds/NAME.feed + NAME.json), end to end.

Each feed is served by a local web server, collected, ingested, approved and published by the
real pipeline. The expectations say what a user notices: every item collected once and kept,
flagged where defective, with the right title, link and original publish time; and its
published form (RSS, Atom, JSON Feed, API, review pages, export) safe and carrying its 来源.
"""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
import pytest

from tests.robustness.conftest import output_dangers

CASES = Path(__file__).parent / "feeds"
NAMES = sorted(p.stem for p in CASES.glob("*.feed"))
SOURCE_NAME = "测试来源"


def load(name: str, base: str) -> tuple[bytes, dict]:
    body = (CASES / f"{name}.feed").read_bytes().replace(b"{{BASE}}", base.encode("ascii"))
    expect = json.loads((CASES / f"{name}.json").read_text("utf-8"))
    return body, expect


@pytest.mark.parametrize("name", NAMES)
def test_feed_case(web, huiju_for, name):
    body, expect = load(name, web.base)
    url = web.put(f"/{name}.xml", body, content_type=expect.get("content_type", "application/rss+xml"))
    h = huiju_for([{"id": "feed", "type": "rss", "url": url}])
    result = h.cycle()[0]
    assert result.ok, result.error
    for w in expect.get("warnings_have", []):
        assert any(w in x for x in result.warnings), result.warnings

    items = h.items()
    want = expect["items"]
    assert len(items) == len(want), [i["title"] for i in items]
    for got, exp in zip(items, want, strict=True):
        where = f"{name}: item {got['id']} {got['title']!r}"
        if "title" in exp:
            assert got["title"] == exp["title"], where
        if "title_has" in exp:
            assert exp["title_has"] in got["title"], where
        assert got["url"] == web.base + exp["url"], where
        assert got["published_at"] == exp["published_at"], where
        for f in exp.get("flags", []):
            assert f in got["flags"], where
        for f in exp.get("no_flags", []):
            assert f not in got["flags"], where
        for s in exp.get("text_has", []):
            assert s in got["text"], f"{where}: {got['text'][:200]!r}"
        for s in exp.get("text_lacks", []):
            assert s not in got["text"], f"{where}: {got['text'][:200]!r}"

    # A second pass over the same feed changes nothing.
    again = h.cycle()[0]
    assert again.new == 0 and again.versions == 0

    h.approve_all()
    published = {i["id"]: i for i in items}
    for fmt, raw in h.feeds().items():
        if fmt == "json":
            entries = {e["_huiju"]["item_id"]: e for e in json.loads(raw)["items"]}
            assert set(entries) == set(published), fmt
            for iid, e in entries.items():
                assert e["title"] == published[iid]["title"] and e["url"] == published[iid]["url"]
                assert e["authors"] == [{"name": SOURCE_NAME}]
                assert e.get("date_published") == published[iid]["published_at"]
            continue
        parsed = feedparser.parse(raw)
        assert not parsed.bozo, (fmt, parsed.get("bozo_exception"))
        by_guid = {e.id: e for e in parsed.entries}
        assert set(by_guid) == {f"huiju:item:{i}" for i in published}, fmt
        for iid, it in published.items():
            e = by_guid[f"huiju:item:{iid}"]
            assert e.title == it["title"] and e.link == it["url"], (fmt, e.title, it["title"])
            assert SOURCE_NAME in (e.get("author") or ""), fmt
            if it["published_at"] is None:
                assert "published" not in e, fmt  # never a stand-in date
            else:
                assert e.published_parsed is not None, fmt
    assert output_dangers(h.all_outputs()) == []
