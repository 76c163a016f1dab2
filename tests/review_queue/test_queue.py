"""The queue: clusters collapsed into one unit, flags, members, order."""

from __future__ import annotations

import review_queue

from .conftest import CITY, PARTNER, at, submit_new


def test_clusters_collapse_into_one_unit_with_member_sources(db, fake_norm) -> None:
    fake_norm.add(1, source="xinhua", cluster=7, title="新华：哈尔滨冰雪节开幕")
    fake_norm.add(2, source="harbin", cluster=7, representative=True, title="哈尔滨冰雪节开幕",
                  flags=("date-unknown",), published_at=None)
    fake_norm.add(3, source="qqhr", cluster=7)
    fake_norm.add(4, source="harbin", title="单独的新闻", flags=("empty-body",))
    review_queue.submit(db, fake_norm.result(1), PARTNER, now=at(1))
    review_queue.submit(db, fake_norm.result(2), CITY, now=at(3))
    review_queue.submit(db, fake_norm.result(4), CITY, now=at(2))
    review_queue.submit(db, fake_norm.result(3), PARTNER, now=at(4))
    entries = review_queue.queue(db)
    assert [e.item_id for e in entries] == [2, 4]  # oldest first: the cluster was first seen at 08:01
    unit = entries[0]
    assert (unit.title, unit.source, unit.published_at) == ("哈尔滨冰雪节开幕", "harbin", None)
    assert unit.flags == ("date-unknown",)
    assert unit.also_reported_by == ("xinhua", "qqhr")
    assert unit.members == (2, 1, 3)
    assert entries[1].flags == ("empty-body",) and entries[1].also_reported_by == ()


def test_queue_shows_edited_title_and_column(db, fake_norm) -> None:
    fake_norm.add(1, title="<script>alert(1)</script>")
    review_queue.submit(db, fake_norm.result(1), CITY, now=at(1))
    review_queue.edit(db, 1, user="rita", title="改后的标题", column="gov-affairs")
    [e] = review_queue.queue(db)
    assert (e.title, e.column, e.edited) == ("改后的标题", "gov-affairs", True)


def test_rejected_representative_lets_the_next_member_lead(db, fake_norm) -> None:
    fake_norm.add(1, source="harbin", cluster=3, representative=True)
    fake_norm.add(2, source="xinhua", cluster=3)
    review_queue.submit(db, fake_norm.result(1), CITY, now=at(1))
    review_queue.submit(db, fake_norm.result(2), PARTNER, now=at(2))
    review_queue.reject(db, [1], user="rita", reason="garbled copy")
    [e] = review_queue.queue(db)
    assert e.item_id == 2 and e.also_reported_by == ("harbin",)


def test_two_hundred_items_queue_quickly(db, fake_norm) -> None:
    import time

    for i in range(1, 201):
        cluster = i // 3 if i % 2 else None
        fake_norm.add(i, cluster=cluster, representative=cluster is not None and i % 3 == 1)
        review_queue.submit(db, fake_norm.result(i), CITY, now=at(i))
    start = time.perf_counter()
    entries = review_queue.queue(db)
    assert time.perf_counter() - start < 2.0
    assert sum(len(e.members) for e in entries) == 200
    review_queue.approve(db, [e.item_id for e in entries], user="rita")
    assert review_queue.queue(db) == []


def test_queue_follows_clusters_merged_after_submission(db, fake_norm) -> None:
    fake_norm.add(1, source="harbin", cluster=1, representative=True)
    fake_norm.add(2, source="xinhua", cluster=2, representative=True)
    review_queue.submit(db, fake_norm.result(1), CITY, now=at(1))
    review_queue.submit(db, fake_norm.result(2), PARTNER, now=at(2))
    assert len(review_queue.queue(db)) == 2
    # the normalizers merge cluster 2 into cluster 1 while processing a third item
    fake_norm.clusters[1].append(2)
    del fake_norm.clusters[2]
    fake_norm.items[2]["cluster"] = 1
    [unit] = review_queue.queue(db)
    assert unit.members == (1, 2) and unit.also_reported_by == ("xinhua",)
    review_queue.approve(db, [1], user="rita")
    assert review_queue.state(db, 2) == "duplicate"


def test_the_folded_search_texts_kept_stay_within_their_character_budget(db, fake_norm, monkeypatch) -> None:
    """The queue's search keeps whole folded bodies; past its character budget it starts afresh,
    so a year of searches over long bodies cannot grow without bound, and answers stay right."""
    from review_queue import search

    monkeypatch.setattr(search, "_folded", {})
    monkeypatch.setattr(search, "_folded_chars", 0)
    monkeypatch.setattr(search, "_FOLDED_MAX_CHARS", 25_000)
    for i in range(1, 41):
        submit_new(db, fake_norm, i, title=f"新闻 {i}", text=f"第{i}段。" + "黑龍江" * 1000)
    for i in range(1, 41):
        texts = search.folded_texts(db, [i])
        assert "黑龙江" in texts[i] and f"新闻 {i}" in texts[i]  # folded to simplified, still answered
        assert search._folded_chars <= 25_000
        assert sum(len(t) for t in search._folded.values()) == search._folded_chars
