"""bench.dedup.mirrored: real re-posts read from public repositories at recorded commits. The
manifest must be well formed, each record format cut exactly as the manifest's header says (a
mistake there changes every hash, or joins records of one file), and with the mirrors at hand
($HUIJU_MIRRORS) every page must read as labelled."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import tomllib
from pathlib import Path

import pytest

from bench.dedup import mirrored


def _entries() -> list[dict]:
    return tomllib.loads(mirrored.MANIFEST.read_text(encoding="utf-8"))["pages"]


def test_manifest_labels_are_well_formed() -> None:
    pages = _entries()
    assert len({p["id"] for p in pages}) == len(pages) >= 50
    for p in pages:
        assert len(p["commit"]) == 40 and len(p["sha256"]) == 64 and p["format"] in (
            "rss-item", "md-item", "csv-row", "json-article", "file"), p["id"]
        assert p["label"] == "none" or p["label"][:8].isdigit() and "/" in p["label"]
        assert p["label"] == "none" or "story" not in p  # a story name only for what the corpus lacks
        assert p["published"][:4].isdigit()


RSS = """<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>报</title>
<item><title>[01版：要闻] 第一篇</title><description>&lt;p&gt;页眉&lt;/p&gt;&lt;!--enpcontent--&gt;&lt;p&gt;\u3000\u3000第一段，&amp;ldquo;引号&amp;rdquo;。&lt;/p&gt;&lt;p&gt; &lt;/p&gt;&lt;p&gt;&lt;strong&gt;第二段&lt;/strong&gt;。\u00a0&lt;/p&gt;&lt;!--/enpcontent--&gt;</description></item>
<item><title>第二篇</title><description>&lt;!--enpcontent--&gt;&lt;p&gt;别的。&lt;/p&gt;&lt;!--/enpcontent--&gt;</description></item>
</channel></rss>"""
MD = "# 存档\n\n## 9. 别的标题\n### 正文\n不是这条\n---\n## 10. 会见代表团\n**来源：** 时政\n### 正文\n\n第一段。\n第二段。\n\n### 相关\n其他\n"
CSV = "标题,发文日期,内容\n旧通知,2012-02-17,\"\n　　第一段，\n第二段。\"\n新通知,2024-08-01,正文\n"


@pytest.mark.parametrize(("fmt", "key", "data", "title", "text"), [
    ("rss-item", 0, RSS, "[01版：要闻] 第一篇", "第一段，\u201c引号\u201d。\n第二段。"),
    ("rss-item", 1, RSS, "第二篇", "别的。"),
    ("md-item", 10, MD, "会见代表团", "第一段。\n第二段。"),
    ("csv-row", 1, CSV, "旧通知", "\n　　第一段，\n第二段。"),
    ("csv-row", 2, CSV, "新通知", "正文"),
    ("json-article", 1, json.dumps({"articles": [{"title": "甲", "content_text": "一"},
                                                 {"title": "乙", "content_text": "二\n三"}]}), "乙", "二\n三"),
    ("file", None, "整个文件\n", "news_20260720.md", "整个文件\n"),
], ids=["rss-first", "rss-second", "md", "csv-multiline", "csv-next", "json", "file"])
def test_each_format_cuts_its_record_as_the_manifest_says(fmt, key, data, title, text) -> None:
    entry = {"format": fmt, "key": key, "repo": "o/r", "commit": "c" * 40, "path": "d/news_20260720.md",
             "title_field": "标题", "text_field": "内容"}
    page = mirrored.extract(entry, data.encode("utf-8"))
    assert (page["title"], page["text"]) == (title, text)


def test_two_records_of_one_file_are_two_pages_to_the_matcher() -> None:
    """The record is in the address the matcher reads (a fragment would be cut off): two articles of
    one day's file are never one page because they share a file."""
    from pages.urls import canonical_url

    entry = {"format": "rss-item", "repo": "o/r", "commit": "c" * 40, "path": "history/rmrb.xml"}
    urls = {canonical_url(mirrored.extract({**entry, "key": k}, RSS.encode())["url"]) for k in (0, 1)}
    assert len(urls) == 2


def test_a_record_not_where_the_manifest_says_is_named(tmp_path: Path) -> None:
    """A mirror at another commit, or a record moved: one line naming the page, nothing measured on it."""
    git = tmp_path / "o+r" / "repo"
    subprocess.run(["git", "init", "-q", str(git)], check=True)
    (git / "a.md").write_text(MD, encoding="utf-8")
    subprocess.run(["git", "-C", str(git), "add", "a.md"], check=True)
    subprocess.run(["git", "-C", str(git), "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"],
                   check=True)
    commit = subprocess.run(["git", "-C", str(git), "rev-parse", "HEAD"], capture_output=True, text=True,
                            check=True).stdout.strip()
    base = {"repo": "o/r", "commit": commit, "path": "a.md", "format": "md-item", "published": "2025-06-05"}
    good = {**base, "id": "good", "key": 10, "sha256": hashlib.sha256("第一段。\n第二段。".encode()).hexdigest()}
    moved = {**base, "id": "moved", "key": 11, "sha256": good["sha256"]}
    edited = {**base, "id": "edited", "key": 9, "sha256": good["sha256"]}
    pages, problems = mirrored.read_pages([good, moved, edited], tmp_path)
    assert [e["id"] for e, _ in pages] == ["good"] and pages[0][1]["published"] == "2025-06-05 06:00"
    assert problems == ["moved: no line starting '## 11. '", "edited: text differs from the labelled one (sha256)"]


@pytest.mark.skipif(not os.environ.get("HUIJU_MIRRORS"), reason="the repositories' mirrors are not here: set "
                    "HUIJU_MIRRORS to a directory of <owner>+<name>/repo mirrors (see bench/dedup/mirror_manifest.toml)")
def test_every_page_reads_as_labelled_from_the_mirrors() -> None:
    pages, problems = mirrored.read_pages(_entries(), Path(os.environ["HUIJU_MIRRORS"]))
    assert problems == [] and len(pages) == len(_entries())
