"""Schema steps: a database made by an earlier release migrates without losing anything."""

from __future__ import annotations

import publisher
import store
from publisher.schema import STEPS
from settings import Column


def test_step2_backfills_publish_times_for_freshness(db_path):
    db = store.open_db(db_path)
    store.migrate(db, "publisher", STEPS[:1])
    db.conn.execute(
        "INSERT INTO published (seq, item_id, version, action, column_ids, title, url, source_name, "
        "published_at, published_utc, created_at) VALUES (1, 5, 1, 'publish', '[\"city-news\"]', '标题', "
        "'https://a.gov.cn/1', '来源', '2026-11-20T09:00:00+08:00', '2026-11-20T01:00:00+00:00', "
        "'2026-11-20T02:00:00+00:00')"
    )
    db.conn.execute(
        "INSERT INTO published_items VALUES (5, 'live', 1, 1, 1, '2026-11-20T01:00:00+00:00', '2026-11-20T02:00:00+00:00')"
    )
    db.conn.execute("INSERT INTO published_columns (column_id, item_id, first_seq) VALUES ('city-news', 5, 1)")
    publisher.init(db)
    publisher.init(db)  # idempotent
    assert db.conn.execute("SELECT version FROM schema_versions WHERE owner = 'publisher'").fetchone()[0] == len(STEPS)
    [f] = publisher.freshness(db, [Column("city-news", "地市动态", "news", 14)])
    assert f.last_published_at == "2026-11-20T09:00:00+08:00" and f.items == 1
    assert [e["item_id"] for e in publisher.feed_entries(db, "city-news")] == [5]
