"""The static export: every feed, the catalog and each item, swapped in as a whole."""

from __future__ import annotations

import json
import os

import feedparser
import pytest

import publisher
from tests.publisher.conftest import make_entry

BASE = "https://static.example.gov.cn"


def test_export_writes_every_file(db, config, tmp_path):
    publisher.publish(db, make_entry(1))
    publisher.publish(db, make_entry(2, columns=["notices"]))
    publisher.retract(db, 2, reason="撤稿")
    target = tmp_path / "out" / "site"
    paths = publisher.export(db, config, target, base_url=BASE)
    rel = {str(p.relative_to(target.resolve())) for p in paths}
    for col in [*config.columns, "all"]:
        for fmt in ("rss", "atom", "json"):
            assert f"feeds/{col}.{fmt}" in rel
    assert {"api/v1/columns.json", "api/v1/items/1.json", "api/v1/items/2.json"} <= rel
    assert all(p.is_file() for p in paths)
    assert len(rel) == len(paths) == 3 * (len(config.columns) + 1) + 3
    rss = feedparser.parse((target / "feeds/city-news.rss").read_bytes())
    assert [e.id for e in rss.entries] == ["huiju:item:1"]
    assert feedparser.parse((target / "feeds/notices.atom").read_bytes()).entries == []
    assert json.loads((target / "api/v1/items/2.json").read_text())["state"] == "retracted"
    cols = json.loads((target / "api/v1/columns.json").read_text())
    assert cols["columns"][0]["feeds"]["rss"].startswith(BASE + "/feeds/")
    assert oct(os.stat(target).st_mode & 0o777) == oct(0o755)


def test_export_replaces_the_previous_tree_whole(db, config, tmp_path):
    target = tmp_path / "out" / "site"
    publisher.publish(db, make_entry(1))
    publisher.export(db, config, target, base_url=BASE)
    (target / "stale.txt").write_text("left from an old export")
    publisher.publish(db, make_entry(3))
    publisher.export(db, config, target, base_url=BASE)
    assert not (target / "stale.txt").exists()
    assert (target / "api/v1/items/3.json").exists()
    assert [p.name for p in target.parent.iterdir()] == ["site"]  # no temporary or old trees left behind


def test_failed_export_leaves_the_old_tree(db, config, tmp_path, monkeypatch):
    target = tmp_path / "out" / "site"
    publisher.publish(db, make_entry(1))
    publisher.export(db, config, target, base_url=BASE)
    before = sorted(p.name for p in (target / "feeds").iterdir())

    def broken(*_a, **_k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("publisher.static_export.render_json_feed", broken)
    with pytest.raises(publisher.ExportError, match="No space left on device"):
        publisher.export(db, config, target, base_url=BASE)
    assert sorted(p.name for p in (target / "feeds").iterdir()) == before
    assert [p.name for p in target.parent.iterdir()] == ["site"]


def test_export_onto_a_file_is_refused(db, config, tmp_path):
    target = tmp_path / "out" / "site"
    target.parent.mkdir()
    target.write_text("a file")
    with pytest.raises(publisher.ExportError, match="not a directory"):
        publisher.export(db, config, target, base_url=BASE)
    assert target.read_text() == "a file"
