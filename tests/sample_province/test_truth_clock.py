"""Ground truth, the simulated clock, re-posts, corrections, deletions and the text sources."""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import pytest
import requests

import sample_province
from pipeline.logs import message_of
from sample_province import BadOptionError, Province
from sample_province.world import TOPIC_KEYWORDS, TZ

from .helpers import items_of, list_entries, parse_html, source_of

ITEM_KEYS = {"site", "url", "story_id", "column", "topics", "published_at", "repost_group", "title", "version",
             "deleted"}


def test_truth_endpoint_matches_api(province: Province, http) -> None:
    served = http.get(province.url + "/_truth.json").json()
    assert served == province.truth()
    assert {"id", "name", "kind", "template", "encoding", "base_url"} <= set(served["sites"][0])
    assert ITEM_KEYS <= set(served["items"][0])
    assert len(served["sites"]) == 114
    kinds = defaultdict(int)
    for s in served["sites"]:
        kinds[s["kind"]] += 1
        assert s["base_url"] == f"{province.url}/{s['id']}/"
    assert dict(kinds) == {"portal": 1, "partner": 1, "city": 13, "department": 48, "county": 51}


def test_truth_items_are_served_where_it_says(province: Province, http) -> None:
    items = [i for i in province.truth()["items"] if not i["deleted"]]
    by_site = {s.id: s for s in province.sites}
    for it in items[::15]:
        site = by_site[it["site"]]
        headers = {"Referer": f"{province.url}/{site.id}/"}
        if site.cookie:
            http.get(f"{province.url}/{site.id}/")
        r = http.get(it["url"], headers=headers)
        assert r.status_code == 200, it["url"]
        assert it["title"] in r.content.decode(site.charset)
        assert it["published_at"] is None or it["published_at"][:10] == it["released_at"][:10]


def test_reposts_share_a_group_and_carry_real_edits(province: Province) -> None:
    groups: dict[str, list[dict]] = defaultdict(list)
    for it in province.truth()["items"]:
        groups[it["repost_group"]].append(it)
    multi = [g for g in groups.values() if len(g) > 1]
    assert len(multi) >= 20
    transforms = set()
    for g in multi:
        originals = [i for i in g if i["original"]]
        assert len(originals) == 1
        o = originals[0]
        assert len({i["story_id"] for i in g}) == 1 and len({i["column"] for i in g}) == 1
        for r in g:
            if r is not o:
                assert r["released_at"] > o["released_at"] and r["site"] != o["site"]
                transforms.update(r["transforms"])
    assert {"prefix", "source-line", "editor-line", "trimmed"} <= transforms
    prefixed = [i for g in multi for i in g if "【龙江动态】" in i["title"]]
    assert prefixed


def test_columns_follow_the_origin(province: Province) -> None:
    kind_of = {s.id: s.kind for s in province.sites}
    for it in province.truth()["items"]:
        if not it["original"]:
            continue
        k = kind_of[it["site"]]
        expected = {"department": {"department-news"}, "city": {"city-news"}, "county": {"city-news"},
                    "partner": {"longjiang-news"},
                    "portal": {"longjiang-news", "gov-affairs", "gov-documents", "laws", "notices"}}[k]
        assert it["column"] in expected


def test_clock_is_manual_at_speed_zero() -> None:
    with sample_province.start(seed=5, stories_per_day=50, days=3) as p:
        t0 = p.now()
        assert t0.isoformat() == "2025-03-01T00:00:00+08:00"
        assert p.truth()["items"] == []
        time.sleep(0.1)
        assert p.now() == t0
        p.advance(hours=12)
        noon = p.truth()["items"]
        assert noon and all(i["released_at"] <= p.now().isoformat() for i in noon)
        p.advance(hours=12)
        day = p.truth()["items"]
        assert len(day) > len(noon)
        p.advance(days=5)  # days=3: nothing new after the third day's re-posts
        n = len(p.truth()["items"])
        p.advance(days=2)
        assert len(p.truth()["items"]) == n
        with pytest.raises(BadOptionError):
            p.advance(hours=-1)


def test_clock_runs_at_speed() -> None:
    with sample_province.start(seed=5, stories_per_day=50, speed=86400, days=2) as p:  # a day per second
        t0 = time.monotonic()
        time.sleep(0.5)
        sim = (p.now() - datetime(2025, 3, 1, tzinfo=TZ)).total_seconds()
        real = time.monotonic() - t0
        assert 0.5 * 86400 <= sim <= (real + 0.5) * 86400
        assert p.truth()["items"]
        p.advance(hours=6)  # manual advances add to the running clock
        assert (p.now() - datetime(2025, 3, 1, tzinfo=TZ)).total_seconds() >= sim + 6 * 3600


def test_new_items_appear_on_repeated_polls() -> None:
    with sample_province.start(seed=8, stories_per_day=200, days=2) as p:
        p.advance(hours=10)
        src = source_of(p, "portal-zwdt")
        before = list_entries(parse_html(requests.get(src["url"]).content, "utf-8"), src["list"])
        p.advance(hours=10)
        after = list_entries(parse_html(requests.get(src["url"]).content, "utf-8"), src["list"])
        before_titles = [e["title"] for e in before]
        after_titles = [e["title"] for e in after]
        new = [t for t in after_titles if t not in before_titles]
        assert before and new and after_titles[: len(new)] == new  # the newest on top


def test_corrections_keep_the_url_and_change_the_text() -> None:
    with sample_province.start(seed=4, stories_per_day=200, days=2) as p:
        p.advance(days=1)
        now = p.now()
        item = next(i for i in p.world.items if i.correction_at and i.released <= now < i.correction_at
                    and not i.deleted_at)
        url = p.url + item.path
        site = item.site
        before = requests.get(url, headers={"Referer": url}, cookies=_cookie(p, site)).content.decode(site.charset)
        truth_before = next(t for t in p.truth()["items"] if t["url"] == url)
        assert truth_before["version"] == 1
        p.advance(hours=(item.correction_at - now).total_seconds() / 3600 + 0.01)
        after = requests.get(url, headers={"Referer": url}, cookies=_cookie(p, site)).content.decode(site.charset)
        assert after != before
        assert next(t for t in p.truth()["items"] if t["url"] == url)["version"] == 2


def test_deletions_404_and_leave_the_list() -> None:
    with sample_province.start(seed=4, stories_per_day=200, days=3) as p:
        p.advance(days=1)
        now = p.now()
        item = next(i for i in p.world.items if i.deleted_at and i.released <= now < i.deleted_at
                    and i.site.kind == "department")
        url = p.url + item.path
        assert requests.get(url).status_code == 200
        p.advance(hours=(item.deleted_at - now).total_seconds() / 3600 + 0.01)
        assert requests.get(url).status_code == 404
        t = next(t for t in p.truth()["items"] if t["url"] == url)
        assert t["deleted"] is True
        assert all(i["url"] != url for i in items_of(p, item.site.id))


def _cookie(p: Province, site) -> dict[str, str]:
    return {"__jsluid_h": p.cookie_value(site)} if site.cookie else {}


def test_same_seed_same_province() -> None:
    with sample_province.start(seed=9, stories_per_day=60, days=1) as a, \
            sample_province.start(seed=9, stories_per_day=60, days=1) as b:
        a.advance(days=1)
        b.advance(days=1)

        def strip(p: Province) -> list:
            return [{**i, "url": i["url"].replace(p.url, "")} for i in p.truth()["items"]]

        assert strip(a) == strip(b)


def test_missing_corpus_means_generated_text(caplog, tmp_path: Path) -> None:
    with caplog.at_level(logging.WARNING, logger="sample_province"):
        p = sample_province.start(seed=1, stories_per_day=200, days=20, corpus=tmp_path / "nowhere")
    try:
        msgs = [message_of(r, "en") for r in caplog.records if "corpus" in message_of(r, "en")]
        assert len(msgs) == 1 and "generated" in msgs[0] and "\n" not in msgs[0]
        p.advance(days=20)
        truth = p.truth()
        assert truth["text"] == "generated"
        items = truth["items"]
        assert all(i["text_origin"] == "generated" for i in items)
        titles = {i["title"] for i in items if i["original"]}
        assert len(titles) > 0.9 * len([i for i in items if i["original"]])  # mostly distinct
        assert any("召开" in t for t in titles) and any("调研" in t for t in titles)
        assert any("价格监测日报" in t for t in titles)  # daily bulletins: hard negatives
        weekly = [i for i in items if i["original"] and i["title"].endswith("次常务会议")]
        assert len(weekly) >= 2 and len({i["story_id"] for i in weekly}) == len(weekly)
        assert all(i["column"] == "gov-affairs" for i in weekly)
        topics = {t for i in items for t in i["topics"]}
        assert topics == set(TOPIC_KEYWORDS)
    finally:
        p.stop()


def test_topics_match_their_keywords() -> None:
    with sample_province.start(seed=2, stories_per_day=100, days=5, corpus="/nonexistent/corpus") as p:
        p.advance(days=5)
        for it in p.world.items:
            text = it.story.title + "".join(it.story.paragraphs)
            for topic, words in TOPIC_KEYWORDS.items():
                assert (topic in it.topics) == any(w in text for w in words)


def test_corpus_text_is_used_when_present(corpus_dir: Path) -> None:
    with sample_province.start(seed=1, stories_per_day=40, days=1, corpus=corpus_dir) as p:
        p.advance(days=1)
        truth = p.truth()
        assert truth["text"] == "corpus"
        corpus_items = [i for i in truth["items"] if i["text_origin"] == "corpus" and i["original"]]
        assert corpus_items
        it = corpus_items[0]
        day = it["story_id"].split("-")[1]
        raw = (corpus_dir / "xinwen-lianbo" / f"{day}.md").read_text(encoding="utf-8")
        assert f"### {it['title']}" in raw


def test_bad_options_are_refused() -> None:
    for kwargs, word in [({"sites": 10}, "114"), ({"speed": -1}, "speed"), ({"latency_ms": -5}, "latency"),
                         ({"start_day": "yesterday"}, "yesterday"), ({"stories_per_day": 0}, "stories")]:
        with pytest.raises(BadOptionError, match=word):
            sample_province.start(**kwargs)
