"""The item as published: one overlay used by the portal entry, the item page and `run.py items`."""

from __future__ import annotations

import review_queue
from review_queue import workflow as wf
from settings import ROLES

from .conftest import make_config, submit_new


def test_edits_are_laid_over_the_item_and_the_original_is_kept(db, fake_norm) -> None:
    submit_new(db, fake_norm, 1, title="旧标题", text="第一段。")
    review_queue.edit(db, 1, user="rita", title="新标题", text="改过的一段。", column="gov-affairs",
                      topics=["topic-e-government"], config=make_config())
    shown = review_queue.published_item(db, 1)
    assert (shown["title"], shown["text"], shown["html"]) == ("新标题", "改过的一段。", "<p>改过的一段。</p>")
    assert shown["column"] == "gov-affairs" and shown["topics"] == ["topic-e-government"]
    assert shown["state"] == "pending" and shown["edited"] == ("title", "text", "html", "column", "topics")
    assert shown["original"]["title"] == "旧标题"
    assert fake_norm.items[1]["title"] == "旧标题"  # the normalizers' item is never changed


def test_an_item_not_in_review_and_an_emptied_body_show_the_items_own(db, fake_norm) -> None:
    fake_norm.add(2, title="未审", column="city-news")
    [shown] = review_queue.published_items(db, [fake_norm.items[2]])
    assert shown["state"] == "new" and shown["title"] == "未审" and shown["column"] == "city-news"
    submit_new(db, fake_norm, 3, text="原文。")
    review_queue.edit(db, 3, user="rita", text="")
    assert review_queue.published_item(db, 3)["text"] == "原文。"
    assert review_queue.published_item(db, 99) is None


def test_roles_are_declared_once_and_ranked_in_that_order() -> None:
    assert review_queue.ROLES is ROLES
    assert [wf.ROLE_RANK[r] for r in ROLES] == [1, 2, 3]
