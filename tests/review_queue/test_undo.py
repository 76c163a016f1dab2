"""Undo and corrections: un-reject, undo an approval before it is published, correct a published story."""

from __future__ import annotations

import pytest

import review_queue

from .conftest import at, make_config, submit_new


def test_an_editor_unrejects_with_a_reason_and_the_tombstone_is_lifted(db, fake_norm) -> None:
    submit_new(db, fake_norm, 1)
    review_queue.reject(db, [1], user="rita", reason="误判", now=at(1))
    assert 1 in fake_norm.tombstones
    with pytest.raises(review_queue.MissingReason):
        review_queue.unreject(db, 1, user="eddie", reason=" ")
    assert review_queue.unreject(db, 1, user="eddie", reason="本地新闻，应发布", now=at(2)) == "pending"
    assert 1 not in fake_norm.tombstones and [e.item_id for e in review_queue.queue(db)] == [1]
    last = review_queue.history(db, 1)[-1]
    assert (last["action"], last["actor"], last["note"]) == ("unreject", "eddie", "本地新闻，应发布")


def test_an_approval_waits_out_the_hold_and_can_be_undone_meanwhile(db, fake_norm) -> None:
    fake_norm.add(1, cluster=7, representative=True)
    fake_norm.add(2, source="xinhua", cluster=7)
    submit_new(db, fake_norm, 1)
    submit_new(db, fake_norm, 2)
    review_queue.approve(db, [1], user="rita", now=at(10))
    assert review_queue.state(db, 2) == "duplicate"
    assert review_queue.due_for_publishing(db, now=at(10.5), hold=60) == []  # still in its hold
    assert [r["item_id"] for r in review_queue.undoable(db, "rita")] == [1]
    with pytest.raises(review_queue.PermissionDenied, match="only rita or an editor"):
        review_queue.undo_approve(db, 1, user="ron", now=at(10.6))
    assert review_queue.undo_approve(db, 1, user="rita", reason="栏目选错", now=at(10.6)) == "pending"
    assert review_queue.states(db, [1, 2]) == {1: "pending", 2: "pending"}  # its duplicate is back too
    assert review_queue.history(db, 1)[-1]["note"] == "approval undone: 栏目选错"
    review_queue.approve(db, [1], user="rita", now=at(11))
    assert review_queue.due_for_publishing(db, now=at(11.5), hold=60) == []
    assert review_queue.due_for_publishing(db, now=at(12), hold=60) == [1]
    review_queue.mark_published(db, 1, 5, now=at(12))
    with pytest.raises(review_queue.InvalidTransition):
        review_queue.undo_approve(db, 1, user="eddie", now=at(13))  # published: retract or correct instead


def test_a_correction_from_the_desk_goes_through_the_columns_signoff_and_a_declined_one_restores(db, fake_norm) -> None:
    config = make_config(city_news=("editor",))
    submit_new(db, fake_norm, 1, title="原标题")
    review_queue.edit(db, 1, user="rita", title="审核后的标题", now=at(1))
    review_queue.approve(db, [1], user="rita", config=config, now=at(2))
    review_queue.approve(db, [1], user="eddie", config=config, now=at(3))
    review_queue.mark_published(db, 1, 1, now=at(4))
    review_queue.start_correction(db, 1, user="ron", reason="数字有误", now=at(5))
    review_queue.edit(db, 1, user="ron", text="更正后的第一段。", now=at(6))
    assert review_queue.approve(db, [1], user="ron", config=config, now=at(7)) == ["awaiting-signoff"]
    assert review_queue.due_for_publishing(db, now=at(8)) == []
    assert review_queue.approve(db, [1], user="erin", config=config, now=at(8)) == ["approved"]
    assert review_queue.publish_view(db, 1)["correction"] is True
    assert review_queue.due_for_publishing(db, now=at(9)) == [1]
    review_queue.mark_published(db, 1, 2, now=at(9))
    # a second correction, declined: the desk shows what the portal shows again
    review_queue.start_correction(db, 1, user="ron", reason="再改", now=at(10))
    review_queue.edit(db, 1, user="ron", title="不该发布的标题", now=at(11))
    review_queue.reject(db, [1], user="eddie", reason="不改了", now=at(12))
    shown = review_queue.published_item(db, 1)
    assert review_queue.state(db, 1) == "published"
    assert (shown["title"], shown["text"]) == ("审核后的标题", "更正后的第一段。")
