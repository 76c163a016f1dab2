"""Submission, duplicates, corrections, auto review, publishing and retraction hand-over."""

from __future__ import annotations

import pytest

import review_queue
from review_queue.errors import MissingReason

from .conftest import CITY, PARTNER, TRUSTED, at, submit_new


def test_new_item_waits_in_pending_and_is_recorded(db, fake_norm) -> None:
    assert submit_new(db, fake_norm, 1) == "pending"
    h = review_queue.history(db, 1)
    assert [(e["action"], e["actor"], e["to_state"]) for e in h] == [("submit", "system", "pending")]
    assert review_queue.due_for_publishing(db) == []


def test_auto_review_source_is_approved_and_recorded_as_auto(db, fake_norm) -> None:
    assert submit_new(db, fake_norm, 1, source=TRUSTED) == "approved"
    h = review_queue.history(db, 1)
    assert [(e["action"], e["actor"]) for e in h] == [("auto-approve", "auto")]
    assert review_queue.publish_view(db, 1)["approved_by"] == "auto"
    assert review_queue.due_for_publishing(db) == [1]
    assert review_queue.queue(db) == []


@pytest.mark.parametrize("kind", ["unchanged", "tombstoned"])
def test_unchanged_and_tombstoned_results_change_nothing(db, fake_norm, kind) -> None:
    fake_norm.add(1)
    assert review_queue.submit(db, fake_norm.result(1, kind=kind), CITY) == kind
    assert review_queue.states(db, [1]) == {}
    submit_new(db, fake_norm, 2)
    review_queue.reject(db, [2], user="rita")
    assert review_queue.submit(db, fake_norm.result(2, kind=kind), CITY) == "rejected"
    assert len(review_queue.history(db, 2)) == 2


def test_reject_leaves_a_tombstone_with_the_reason(db, fake_norm) -> None:
    submit_new(db, fake_norm, 1)
    submit_new(db, fake_norm, 2)
    review_queue.reject(db, [1, 2], user="rita", reason="广告，非政务信息")
    assert fake_norm.tombstones == {1: "广告，非政务信息", 2: "广告，非政务信息"}
    assert review_queue.history(db, 1)[-1]["note"] == "广告，非政务信息"


def test_publish_and_correction_flow(db, fake_norm) -> None:
    submit_new(db, fake_norm, 1)
    review_queue.approve(db, [1], user="rita", now=at(5))
    assert review_queue.due_for_publishing(db) == [1]
    review_queue.mark_published(db, 1, 41, now=at(6))
    review_queue.mark_published(db, 1, 41, now=at(6))  # replay after a crash: harmless
    assert review_queue.state(db, 1) == "published"
    assert review_queue.due_for_publishing(db) == []
    # upstream changes the text: back to review as a correction
    assert review_queue.submit(db, fake_norm.result(1, kind="version", version=2), CITY, now=at(60)) == "corrected"
    entry = review_queue.queue(db)[0]
    assert (entry.item_id, entry.state, entry.correction) == (1, "corrected", True)
    assert review_queue.approve(db, [1], user="ron", now=at(61)) == ["approved"]
    assert review_queue.publish_view(db, 1)["correction"] is True
    assert review_queue.due_for_publishing(db) == [1]
    review_queue.mark_published(db, 1, 57, now=at(62))
    assert review_queue.state(db, 1) == "published"
    actions = [e["action"] for e in review_queue.history(db, 1)]
    assert actions == ["submit", "approve", "publish", "correct", "approve", "publish"]
    assert review_queue.history(db, 1)[-1]["note"] == "seq 57 (correction)"


def test_declined_correction_keeps_the_published_version_without_tombstone(db, fake_norm) -> None:
    submit_new(db, fake_norm, 1)
    review_queue.approve(db, [1], user="rita")
    review_queue.mark_published(db, 1, 1)
    review_queue.submit(db, fake_norm.result(1, kind="version", version=2), CITY)
    assert review_queue.reject(db, [1], user="rita", reason="typo only") == ["published"]
    assert fake_norm.tombstones == {}
    assert review_queue.due_for_publishing(db) == []


def test_auto_source_correction_is_republished_without_review(db, fake_norm) -> None:
    submit_new(db, fake_norm, 1, source=TRUSTED)
    review_queue.mark_published(db, 1, 1)
    assert review_queue.submit(db, fake_norm.result(1, kind="version", version=2), TRUSTED) == "approved"
    assert review_queue.history(db, 1)[-1]["actor"] == "auto"
    assert review_queue.due_for_publishing(db) == [1]


def test_new_version_before_publishing_returns_to_review_and_drops_stale_edits(db, fake_norm) -> None:
    submit_new(db, fake_norm, 1)
    review_queue.edit(db, 1, user="rita", title="编辑后的标题", text="新正文")
    review_queue.approve(db, [1], user="rita")
    assert review_queue.submit(db, fake_norm.result(1, kind="version", version=2), CITY) == "pending"
    view = review_queue.publish_view(db, 1)
    assert view["title"] is None and view["text_html"] is None and view["approved_by"] is None
    last = review_queue.history(db, 1)[-1]
    assert last["action"] == "requeue" and "edits" in last["note"]


def test_retraction_is_handed_to_the_publisher_once(db, fake_norm) -> None:
    submit_new(db, fake_norm, 1)
    review_queue.approve(db, [1], user="rita")
    review_queue.mark_published(db, 1, 3)
    with pytest.raises(MissingReason):
        review_queue.retract(db, 1, user="eddie", reason="  ")
    review_queue.retract(db, 1, user="eddie", reason="信息有误")
    assert fake_norm.tombstones == {1: "信息有误"}
    assert review_queue.retracted_due(db) == [1]
    review_queue.mark_retraction_emitted(db, 1, 4)
    assert review_queue.retracted_due(db) == []


def test_approving_the_representative_marks_pending_members_duplicate(db, fake_norm) -> None:
    fake_norm.add(1, source="harbin", cluster=7, representative=True)
    fake_norm.add(2, source="xinhua", cluster=7)
    fake_norm.add(3, source="qqhr", cluster=7)
    for i, src in ((1, CITY), (2, PARTNER), (3, CITY)):
        review_queue.submit(db, fake_norm.result(i), src, now=at(i))
    assert len(review_queue.queue(db)) == 1
    review_queue.approve(db, [1], user="rita", now=at(10))
    assert review_queue.states(db, [1, 2, 3]) == {1: "approved", 2: "duplicate", 3: "duplicate"}
    h = review_queue.history(db, 2)[-1]
    assert (h["action"], h["note"]) == ("duplicate", "story approved as item 1")
    assert review_queue.queue(db) == []
    assert fake_norm.tombstones == {}  # duplicates are not rejections


def test_late_member_of_a_published_story_is_duplicate_unless_new_representative(db, fake_norm) -> None:
    fake_norm.add(1, source="xinhua", cluster=7, representative=True)
    review_queue.submit(db, fake_norm.result(1), PARTNER, now=at(1))
    review_queue.approve(db, [1], user="rita", now=at(2))
    review_queue.mark_published(db, 1, 1, now=at(3))
    fake_norm.add(2, source="qqhr", cluster=7)  # a re-poster joins later
    assert review_queue.submit(db, fake_norm.result(2), PARTNER, now=at(4)) == "duplicate"
    assert review_queue.queue(db) == []
    fake_norm.add(3, source="harbin", cluster=7, representative=True)  # the originating city site
    assert review_queue.submit(db, fake_norm.result(3), CITY, now=at(5)) == "pending"
    [entry] = review_queue.queue(db)
    assert entry.item_id == 3 and "update" in entry.note
    assert entry.also_reported_by == ("xinhua", "qqhr")


def test_correction_history_shows_what_changed_upstream(db, fake_norm) -> None:
    submit_new(db, fake_norm, 1, title="关于供暖的通知", text="供暖期自10月20日起。\n请相互转告。")
    review_queue.approve(db, [1], user="rita")
    review_queue.mark_published(db, 1, 1)
    fake_norm.items[1].update(title="关于供暖的通知（更正）", text="供暖期自10月15日起。\n请相互转告。")
    review_queue.submit(db, fake_norm.result(1, kind="version", version=2), CITY)
    entry = review_queue.history(db, 1)[-1]
    assert (entry["action"], entry["to_state"], entry["note"]) == ("correct", "corrected", "new upstream version 2")
    diffs = {c["field"]: c["diff"].splitlines() for c in entry["changes"]}
    assert "-供暖期自10月20日起。" in diffs["text"] and "+供暖期自10月15日起。" in diffs["text"]
    assert " 请相互转告。" in diffs["text"]
    assert "+关于供暖的通知（更正）" in diffs["title"]


def test_replayed_submission_changes_nothing(db, fake_norm) -> None:
    submit_new(db, fake_norm, 1)
    review_queue.approve(db, [1], user="rita")
    assert review_queue.submit(db, fake_norm.result(1), CITY) == "approved"
    assert [e["action"] for e in review_queue.history(db, 1)] == ["submit", "approve"]


def test_trusted_source_changing_before_publishing_stays_approved(db, fake_norm) -> None:
    submit_new(db, fake_norm, 1, source=TRUSTED)
    assert review_queue.submit(db, fake_norm.result(1, kind="version", version=2), TRUSTED) == "approved"
    assert review_queue.due_for_publishing(db) == [1]
    assert review_queue.history(db, 1)[-1]["action"] == "new-version"
