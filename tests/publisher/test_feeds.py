"""RSS, Atom and JSON Feed read back with feedparser / as JSON: what a feed reader would see."""

from __future__ import annotations

import json

import feedparser
import pytest

import publisher
from tests.publisher.conftest import make_entry

BASE = "https://portal.example.gov.cn"


def _publish_three(db):
    publisher.publish(db, make_entry(1, columns=["city-news", "topic-old-industrial-base"],
                                     also_reported_by=[{"source_name": "新华网", "url": "http://www.xinhuanet.com/1.htm"}]))
    publisher.publish(db, make_entry(2, title="哈尔滨市发布天气预报", published_at=None,
                                     source_name="哈尔滨日报", url="https://www.harbin.gov.cn/2.shtml"))
    publisher.publish(db, make_entry(3, columns=["notices"], title="关于开展安全检查的通知"))


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_xml_feeds_carry_everything_the_portal_needs(db, config, fmt):
    _publish_three(db)
    render = publisher.render_rss if fmt == "rss" else publisher.render_atom
    parsed = feedparser.parse(render(db, config, "city-news", BASE))
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.title == "汇聚 · 地市动态"
    assert [e.id for e in parsed.entries] == ["huiju:item:2", "huiju:item:1"]  # newest first
    first = parsed.entries[1]
    assert first.title == "哈尔滨市召开会议部署冬季供暖工作（1）"
    assert first.link == "https://www.harbin.gov.cn/haerbin/c104529/202405/c01_1001.shtml"
    assert first.author == "哈尔滨市人民政府"  # 来源
    assert tuple(first.published_parsed)[:6] == (2024, 5, 1, 1, 30, 0)  # 09:30+08:00 in UTC
    assert [t.term for t in first.tags] == ["city-news", "topic-old-industrial-base"]
    assert "哈尔滨市召开会议" in (first.content[0].value if fmt == "atom" else first.summary)
    if fmt == "rss":
        assert first.source.title == "哈尔滨市人民政府"
    else:
        assert first.tags[0].label == "地市动态"
        assert first.updated_parsed is not None
        related = [link.href for link in first.links if link.rel == "related"]
        assert related == ["http://www.xinhuanet.com/1.htm"]
        assert [link.href for link in first.links if link.rel == "alternate"] == [first.link]


@pytest.mark.parametrize("fmt", ["rss", "atom", "json"])
def test_unknown_publish_time_is_omitted_not_invented(db, config, fmt):
    _publish_three(db)
    if fmt == "json":
        feed = json.loads(publisher.render_json_feed(db, config, "city-news", BASE))
        item = next(i for i in feed["items"] if i["id"] == "huiju:item:2")
        assert "date_published" not in item
        assert item["_huiju"]["published_at_unknown"] is True
        assert item["date_modified"]
        return
    render = publisher.render_rss if fmt == "rss" else publisher.render_atom
    entry = next(e for e in feedparser.parse(render(db, config, "city-news", BASE)).entries if e.id == "huiju:item:2")
    assert "published" not in entry
    assert entry.author == "哈尔滨日报"


def test_json_feed_is_valid_1_1(db, config):
    _publish_three(db)
    feed = json.loads(publisher.render_json_feed(db, config, "all", BASE))
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] and feed["feed_url"] == f"{BASE}/feeds/all.json"
    assert len(feed["items"]) == 3
    for item in feed["items"]:
        assert set(item) >= {"id", "url", "content_html"}
        assert item["id"].startswith("huiju:item:")
        assert item["authors"][0]["name"]
        ext = item["_huiju"]
        assert set(ext) >= {"seq", "column", "source_name", "url", "action"}
        assert all(k.startswith("_") for k in item if k not in {
            "id", "url", "external_url", "title", "content_html", "content_text", "summary", "image",
            "banner_image", "date_published", "date_modified", "authors", "tags", "language", "attachments"})
    first = next(i for i in feed["items"] if i["id"] == "huiju:item:1")
    assert first["date_published"] == "2024-05-01T09:30:00+08:00"
    assert first["_huiju"]["column"] == "city-news" and first["tags"] == ["地市动态", "老工业基地建设"]


def test_correction_updates_in_place_and_retraction_drops_out(db, config):
    _publish_three(db)
    publisher.publish(db, make_entry(1, version=2, title="更正：哈尔滨市召开会议", columns=["city-news"]))
    publisher.retract(db, 2, reason="撤稿")
    atom = feedparser.parse(publisher.render_atom(db, config, "city-news", BASE))
    assert [(e.id, e.title) for e in atom.entries] == [("huiju:item:1", "更正：哈尔滨市召开会议")]
    rss = publisher.render_rss(db, config, "all", BASE).decode("utf-8")
    assert "huiju:item:2" not in rss and "天气预报" not in rss
    feed = json.loads(publisher.render_json_feed(db, config, "all", BASE))
    assert "huiju:item:2" not in [i["id"] for i in feed["items"]] and "天气预报" not in json.dumps(feed["items"])
    assert [d["id"] for d in feed["_huiju"]["deleted"]] == ["huiju:item:2"]  # listed as deleted instead
    assert publisher.feed_entries(db, "topic-old-industrial-base") == []


def test_feed_limit_and_order(db, config):
    for i in range(1, 13):
        publisher.publish(db, make_entry(i))
    parsed = feedparser.parse(publisher.render_rss(db, config, "city-news", BASE, limit=5))
    assert [e.id for e in parsed.entries] == [f"huiju:item:{i}" for i in (12, 11, 10, 9, 8)]


def test_feeds_for_empty_and_unknown_columns(db, config):
    parsed = feedparser.parse(publisher.render_atom(db, config, "laws", BASE))
    assert not parsed.bozo and parsed.entries == []
    for render in (publisher.render_rss, publisher.render_atom, publisher.render_json_feed):
        with pytest.raises(publisher.UnknownColumn, match="unknown column 'nope'"):
            render(db, config, "nope", BASE)
