"""The pipeline pass reports a failed hand-over and carries on with the other items."""

from __future__ import annotations

import pipeline
import publisher
import review_queue
import settings
import store


def test_a_failing_retraction_is_reported_and_the_others_are_still_emitted(monkeypatch) -> None:
    db = store.open_db(":memory:")
    pipeline.init_all(db)
    config = settings.loads('[[sources]]\nid = "a"\nname = "A"\nkind = "city"\ntype = "rss"\n'
                            'url = "https://a.example.cn/rss"\ncolumn = "city-news"\nevery = "15m"\n')
    emitted: list[tuple[int, int]] = []

    def retract(db, item_id, *, reason, now=None):
        if item_id == 1:
            raise publisher.UnknownItem(f"item {item_id} was never published")
        return 100 + item_id

    monkeypatch.setattr(review_queue, "due_for_publishing", lambda db, now=None, hold=0: [])
    monkeypatch.setattr(review_queue, "retracted_due", lambda db: [1, 2])
    monkeypatch.setattr(review_queue, "mark_retraction_emitted", lambda db, i, seq: emitted.append((i, seq)))
    monkeypatch.setattr(publisher, "retract", retract)

    stats = pipeline.publish_due(db, config)

    assert emitted == [(2, 102)]
    assert stats.retracted == 1
    assert stats.errors == ["retracting item 1: UnknownItem: item 1 was never published"]
