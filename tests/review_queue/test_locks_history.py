"""Locks with a time limit, and the history with diffs."""

from __future__ import annotations

import pytest

import review_queue
from review_queue.errors import LockedByOther

from .conftest import at, make_config, submit_new


def test_lock_blocks_others_until_it_expires(db, fake_norm) -> None:
    submit_new(db, fake_norm, 1, now=at(0))
    lk = review_queue.lock(db, 1, user="rita", now=at(1))
    assert lk.holder == "rita" and lk.expires_at == "2026-05-01T08:11:00+00:00"
    with pytest.raises(LockedByOther, match=r"^item 1 is being edited by rita \(locked until 2026-05-01 16:11 Beijing time\)$"):
        review_queue.lock(db, 1, user="ron", now=at(5))
    for action in (lambda: review_queue.approve(db, [1], user="ron", now=at(5)),
                   lambda: review_queue.reject(db, [1], user="ron", now=at(5)),
                   lambda: review_queue.edit(db, 1, user="ron", title="x", now=at(5))):
        with pytest.raises(LockedByOther):
            action()
    assert review_queue.state(db, 1) == "pending"
    assert review_queue.queue(db, now=at(5))[0].locked_by == "rita"
    # the holder may act; after the time limit anyone may
    review_queue.edit(db, 1, user="rita", title="新标题", now=at(6))
    assert review_queue.queue(db, now=at(12))[0].locked_by is None
    review_queue.lock(db, 1, user="ron", now=at(12))
    assert review_queue.current_lock(db, 1, now=at(12)).holder == "ron"


def test_only_holder_or_admin_releases_a_lock(db, fake_norm) -> None:
    submit_new(db, fake_norm, 1, now=at(0))
    review_queue.lock(db, 1, user="rita", now=at(1))
    with pytest.raises(LockedByOther):
        review_queue.unlock(db, 1, user="eddie", now=at(2))
    assert review_queue.unlock(db, 1, user="ada", now=at(2)) is True
    assert review_queue.history(db, 1)[-1]["action"] == "break-lock"
    review_queue.lock(db, 1, user="ron", now=at(3))
    assert review_queue.unlock(db, 1, user="ron", now=at(4)) is True
    assert review_queue.current_lock(db, 1, now=at(4)) is None


def test_lock_extension_keeps_one_history_entry(db, fake_norm) -> None:
    submit_new(db, fake_norm, 1, now=at(0))
    review_queue.lock(db, 1, user="rita", now=at(1))
    review_queue.lock(db, 1, user="rita", now=at(8))
    assert review_queue.current_lock(db, 1, now=at(15)).holder == "rita"  # extended to 08:18
    assert [e["action"] for e in review_queue.history(db, 1)] == ["submit", "lock"]


def test_approval_releases_the_lock(db, fake_norm) -> None:
    submit_new(db, fake_norm, 1, now=at(0))
    review_queue.lock(db, 1, user="rita", now=at(1))
    review_queue.approve(db, [1], user="rita", now=at(2))
    assert review_queue.current_lock(db, 1, now=at(3)) is None


def test_signoff_and_rejection_release_the_lock_and_a_saved_edit_releases_its_own(db, fake_norm) -> None:
    config = make_config(gov_affairs=("editor",))
    submit_new(db, fake_norm, 1, column="gov-affairs", now=at(0))
    review_queue.lock(db, 1, user="rita", now=at(1))
    assert review_queue.approve(db, [1], user="rita", now=at(2), config=config) == ["awaiting-signoff"]
    assert review_queue.current_lock(db, 1, now=at(3)) is None  # the editor can sign off at once
    assert review_queue.approve(db, [1], user="eddie", now=at(3), config=config) == ["approved"]
    submit_new(db, fake_norm, 2, now=at(0))
    review_queue.lock(db, 2, user="rita", now=at(1))
    review_queue.edit(db, 2, user="rita", title="改", now=at(2))
    assert review_queue.current_lock(db, 2, now=at(3)) is None
    review_queue.lock(db, 2, user="ron", now=at(4))
    review_queue.reject(db, [2], user="ron", now=at(5))
    assert review_queue.current_lock(db, 2, now=at(6)) is None


def test_an_editor_takes_a_lock_over_and_it_is_recorded(db, fake_norm) -> None:
    submit_new(db, fake_norm, 1, now=at(0))
    review_queue.lock(db, 1, user="rita", now=at(1))
    with pytest.raises(review_queue.PermissionDenied, match="needs the editor role"):
        review_queue.take_over(db, 1, user="ron", now=at(2))
    lk = review_queue.take_over(db, 1, user="eddie", now=at(2))
    assert lk.holder == "eddie" and review_queue.current_lock(db, 1, now=at(3)).holder == "eddie"
    last = review_queue.history(db, 1)[-1]
    assert (last["action"], last["actor"], last["note"]) == ("take-over-lock", "eddie", "lock of rita taken over")
    with pytest.raises(LockedByOther):
        review_queue.edit(db, 1, user="rita", title="x", now=at(3))


def test_edit_history_has_unified_diff_and_scalar_changes(db, fake_norm) -> None:
    config = make_config()
    submit_new(db, fake_norm, 1, title="哈尔滨召开会议", text="第一段。\n第二段。")
    changes = review_queue.edit(db, 1, user="rita", title="哈尔滨市召开工作会议", text="第一段。\n第二段，有改动。",
                                column="gov-affairs", topics=["topic-e-government"], config=config, now=at(3))
    assert [c["field"] for c in changes] == ["title", "text", "column", "topics"]
    entry = review_queue.history(db, 1)[-1]
    assert (entry["action"], entry["actor"], entry["at"]) == ("edit", "rita", "2026-05-01T08:03:00+00:00")
    by_field = {c["field"]: c for c in entry["changes"]}
    assert "-哈尔滨召开会议" in by_field["title"]["diff"] and "+哈尔滨市召开工作会议" in by_field["title"]["diff"]
    text_diff = by_field["text"]["diff"].splitlines()
    assert " 第一段。" in text_diff and "-第二段。" in text_diff and "+第二段，有改动。" in text_diff
    assert by_field["column"]["diff"] == "city-news → gov-affairs"
    assert by_field["topics"]["diff"] == "— → topic-e-government"
    # an edit that changes nothing records nothing
    assert review_queue.edit(db, 1, user="rita", title="哈尔滨市召开工作会议", now=at(4)) == []
    assert len(review_queue.history(db, 1)) == 2


def test_edits_reach_publish_view_as_escaped_html_and_items_stay_untouched(db, fake_norm) -> None:
    submit_new(db, fake_norm, 1)
    before = dict(fake_norm.items[1])
    review_queue.edit(db, 1, user="rita", title="  标题\n有 空白 ", text="<b>粗体</b> & 引号\"\n\n第二段")
    review_queue.approve(db, [1], user="rita", column="gov-affairs", config=make_config(), now=at(9))
    view = review_queue.publish_view(db, 1)
    assert view["title"] == "标题 有 空白"
    assert view["text_html"] == "<p>&lt;b&gt;粗体&lt;/b&gt; &amp; 引号&quot;</p><p>第二段</p>"
    assert view["column"] == "gov-affairs" and view["topics"] is None
    assert (view["approved_by"], view["approved_at"]) == ("rita", "2026-05-01T08:09:00+00:00")
    assert fake_norm.items[1] == before
    assert [e["action"] for e in review_queue.history(db, 1)][-2:] == ["column", "approve"]


def test_unknown_column_is_refused(db, fake_norm) -> None:
    submit_new(db, fake_norm, 1)
    with pytest.raises(review_queue.UnknownColumn, match="no-such"):
        review_queue.edit(db, 1, user="rita", column="no-such", config=make_config())
    with pytest.raises(review_queue.UnknownColumn):
        review_queue.approve(db, [1], user="rita", column="no-such", config=make_config())
    assert review_queue.state(db, 1) == "pending"


def test_a_rich_body_edit_keeps_structure_passes_the_portal_sanitizer_and_diffs_by_block(db, fake_norm) -> None:
    submit_new(db, fake_norm, 1)
    fake_norm.items[1]["html"] = "<p>第一段。</p><table><tbody><tr><td>道路</td><td>120</td></tr></tbody></table>"
    changes = review_queue.edit(db, 1, user="rita", html=(
        '<p onclick="steal()">第一段，改。</p><script>alert(1)</script>'
        "<table><tbody><tr><td>道路</td><td>150</td></tr></tbody></table>"
        '<p><a href="javascript:alert(1)">坏链接</a> <a href="https://x.example.cn/a.pdf">附件</a></p>'))
    view = review_queue.publish_view(db, 1)
    html = view["text_html"]
    assert "<table>" in html and "<td>150</td>" in html and 'href="https://x.example.cn/a.pdf"' in html
    assert "script" not in html and "onclick" not in html and "javascript:" not in html
    assert view["text"].startswith("第一段，改。")
    by_field = {c["field"]: c["diff"] for c in changes}
    assert "-<td>120</td>" not in by_field["html"]  # one line per block: the row, not the cell
    assert "-<tr><td>道路</td><td>120</td></tr>" in by_field["html"]
    assert "+<tr><td>道路</td><td>150</td></tr>" in by_field["html"]
    assert review_queue.edit(db, 1, user="rita", html=html) == []  # the same body again changes nothing
