"""Data-driven: broken/entries.toml — one broken entry among good ones in a feed, a list page and a
JSON list. No one item fails its source: the rest is collected, and the broken one is kept with
what could be read or skipped, named in the run's warnings (collect --json, `sources`) either way."""

from __future__ import annotations

import html
import json
import tomllib
from pathlib import Path
from urllib.parse import quote

import pytest

import collectors
from tests.collectors.sources import FAST, make_source

ENTRIES = tomllib.loads((Path(__file__).parent / "broken" / "entries.toml").read_text(encoding="utf-8"))["entries"]
GOOD = [("/art/2025/1.html", "绥化市召开乡村振兴工作会议", "2025-03-01"),
        ("/art/2025/2.html", "伊春市发布森林防火预案", "2025-03-02")]


def _page(title: str) -> str:
    return (f"<html><head><title>{title}</title></head><body><h1>{title}</h1>"
            f"<div class='content'><p>{title}。会议要求，各地各部门要认真抓好落实。</p></div></body></html>")


def _serve(web, kind: str, entry: dict):
    hostname = web.url.split("//")[1].split(":")[0]
    link = entry["link"].replace("{hostname}", hostname)
    rows = [GOOD[0], (link, entry["title"], entry.get("date", "2025-03-03")), GOOD[1]]
    for path, title, _ in GOOD:
        web.route(path, _page(title))
    for path in ("/art/2025/3.html", quote("/art/2025/3 春耕 工作.html")):  # the broken entry's page, if reached
        web.route(path, _page("第三条新闻的详细页面标题"))
    absolute = [(u if ":" in u.split("/", 1)[0] else web.url + u, t, d) for u, t, d in rows]
    if kind == "rss":
        items = "".join(f"<item><title>{html.escape(t)}</title><link>{html.escape(u)}</link>"
                        f"<description>{html.escape(t)}。正文。</description><pubDate>{d}</pubDate></item>"
                        for u, t, d in absolute)
        web.route("/feed.xml", f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>x</title>"
                  f"{items}</channel></rss>", headers={"Content-Type": "application/rss+xml"})
        return make_source("b", web.url, "/feed.xml", type="rss")
    if kind == "html":
        lis = "".join(f'<li><a href="{html.escape(u, quote=True)}">{html.escape(t)}</a><span>{d}</span></li>'
                      for u, t, d in rows)
        web.route("/list.html", f"<html><body><ul class='l'>{lis}</ul></body></html>",
                  headers={"Content-Type": "text/html; charset=utf-8"})
        return make_source("b", web.url, "/list.html", list={"items": "ul.l li", "date": "span"},
                           detail={"body": "div.content"})
    data = {"data": [{"id": n, "title": t, "url": u, "date": d, "content": f"<p>{t}。正文。</p>"}
                     for n, (u, t, d) in enumerate(rows)]}
    web.route("/api.json", json.dumps(data, ensure_ascii=False), headers={"Content-Type": "application/json"})
    return make_source("b", web.url, "/api.json", type="json",
                       json={"items": "data", "title": "title", "url": "url", "date": "date", "id": "id",
                             "body": "content"})


@pytest.mark.parametrize("kind", ["rss", "html", "json"])
@pytest.mark.parametrize("entry", ENTRIES, ids=[e["name"] for e in ENTRIES])
def test_one_broken_entry_never_fails_its_source(web, db, entry: dict, kind: str) -> None:
    source = _serve(web, kind, entry)
    [r] = collectors.collect(db, [source], FAST)
    assert r.ok, r.error
    items = [it for _, it in collectors.pending(db, 0)]
    titles = {i.title for i in items}
    assert {t for _, t, _ in GOOD} <= titles, titles
    skipped = entry.get("broken_link") and kind == "html"
    assert len(items) == (2 if skipped else 3), [i.title for i in items]
    if entry.get("page_titles") and kind == "html":
        assert "第三条新闻的详细页面标题" in titles
    elif entry.get("why"):
        named = [w for w in r.warnings if entry["why"] in w]
        assert named and all("\n" not in w and len(w) <= 300 for w in named), r.warnings
        assert ("skipped" if skipped else "kept") in named[0]
        assert "item(s) kept without what could not be read, or skipped" in r.warnings[-1]  # what `sources` shows
    if entry.get("broken_link") and not skipped:
        [kept] = [i for i in items if i.title == entry["title"]]
        assert not kept.url.startswith("http") or "PORT" not in kept.url
    [again] = collectors.collect(db, [source], FAST)  # and nothing is collected twice
    assert again.ok and again.new == 0


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("entry", [e for e in ENTRIES if e.get("why")], ids=[e["name"] for e in ENTRIES if e.get("why")])
def test_sources_names_the_broken_entry_in_the_operators_language(web, db, entry: dict, lang: str,
                                                                  monkeypatch) -> None:
    """What `sources` prints under the source: the kept or skipped item, its title and the reason,
    worded from the stored facts (Chinese by default; English, the collectors' own line)."""
    import re

    from pipeline import wording
    from review_queue import catalogs

    source = _serve(web, "rss", entry)  # a feed keeps every kind of broken item
    [r] = collectors.collect(db, [source], FAST)
    [h] = collectors.health(db, [source])
    assert h.last_warning_facts and h.last_warning_facts["code"] == "items-kept-or-skipped", h.last_warning
    monkeypatch.setattr(wording, "LANGUAGE", lang)
    try:
        said = wording.entry_note(h.last_warning_facts, h.last_warning)
    finally:
        catalogs.use(catalogs.DEFAULT)
    assert entry["title"] in said or "无标题" in said or "untitled" in said, said
    if lang == "en":
        unquoted = str.maketrans("", "", "'\"")  # the title's quotes: repr's in the line, the catalog's here
        assert said.translate(unquoted) == h.last_warning.translate(unquoted), (said, h.last_warning)
    else:
        assert "item" not in said and "skipped" not in said and "kept" not in said and entry["why"] not in said, said
        assert re.search(r"已跳过|已保留|无法读取|标题只有标记", said), said
