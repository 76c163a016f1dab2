"""Odd input is kept and flagged, never dropped, and never merged into a story it does not belong to."""

from __future__ import annotations

import time

import pytest

import normalizers
from tests.normalizers.dedup.conftest import make_item
from tests.normalizers.dedup.test_lifecycle import STORY, TITLE

BAD = {
    "empty-body": ("", "empty-body"),
    "title-only": (f"<p>{TITLE}</p>", None),
    "one-character": ("<p>好</p>", "tiny-body"),
    "punctuation-only": ("<p>。。。！</p>", None),
    "mixed-scripts": ("<p>Привет мир، مرحبا こんにちは 哈尔滨市召开会议 ΑΒΓ</p>", "mixed-script"),
    "mojibake": ("<p>" + "哈尔滨市召开优化营商环境工作会议".encode("gb18030").decode("latin-1") + "</p>", None),
    "mostly-script": ("<script>" + "var a=1;" * 400 + "</script><p>通知</p>", "script-heavy"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_body_is_kept_flagged_and_not_merged_by_title(name: str, db, ingest) -> None:
    html, flag = BAD[name]
    story = ingest(make_item("harbin", identity="story", title=TITLE, html=STORY))
    odd = ingest(make_item("portal", identity=f"odd-{name}", title=TITLE, html=html))
    assert odd.kind == "new"
    assert odd.cluster_id != story.cluster_id, "same title, no real body: must not join the story"
    item = normalizers.get_item(db, odd.item_id)
    assert item is not None and item["title"]
    if flag:
        assert flag in odd.flags and flag in item["flags"]


def test_empty_body_without_title_is_kept(db, ingest) -> None:
    r = ingest(make_item("harbin", identity="nothing", title="", html=""))
    assert r.kind == "new" and normalizers.get_item(db, r.item_id) is not None


def test_two_one_character_items_do_not_merge(ingest) -> None:
    a = ingest(make_item("harbin", identity="a", title="通知一", html="<p>好</p>"))
    b = ingest(make_item("portal", identity="b", title="通知二", html="<p>好</p>"))
    assert a.cluster_id != b.cluster_id


def test_one_megabyte_body_is_stored_quickly_and_still_matches(db, ingest) -> None:
    filler = "".join(f"<p>第{i}段：全省各地认真落实各项部署，推动经济社会高质量发展，取得了积极成效。</p>" for i in range(14000))
    big = STORY + filler
    assert len(big.encode()) > 1_000_000
    t0 = time.perf_counter()
    r = ingest(make_item("harbin", identity="big", title=TITLE, html=big))
    assert time.perf_counter() - t0 < 20
    assert normalizers.get_item(db, r.item_id) is not None
    # A re-post of its beginning still finds it (the key keeps the first 20k characters).
    repost = ingest(make_item("portal", identity="p", title="【龙江动态】" + TITLE, html=STORY + filler[:3000]))
    assert repost.cluster_id == r.cluster_id


def test_a_list_page_url_shared_by_many_items_does_not_merge_them(ingest) -> None:
    """Some JSON sources give every item the list URL: that URL identifies no item."""
    url = "https://www.harbin.gov.cn/col/list.html"
    a = ingest(make_item("harbin", identity="j1", title="关于开展安全生产检查的通知", html="", url=url))
    b = ingest(make_item("harbin", identity="j2", title="关于做好防汛工作的通知", html="", url=url))
    assert a.cluster_id != b.cluster_id
    # Another source pointing at that URL cannot tell which of the two it means: no merge.
    c = ingest(make_item("portal", identity="j3", title="【龙江动态】关于做好防汛工作的通知", html="", url=url))
    assert c.cluster_id not in (a.cluster_id, b.cluster_id)


def test_site_root_url_never_identifies_an_item(ingest) -> None:
    a = ingest(make_item("harbin", identity="r1", title="通知一", html="", url="https://www.harbin.gov.cn/"))
    b = ingest(make_item("portal", identity="r2", title="通知二", html="", url="https://www.harbin.gov.cn"))
    assert a.cluster_id != b.cluster_id
