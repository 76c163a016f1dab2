"""A feed of 10,000 items in one answer (a site that never trims its feed): none lost, none twice."""

from __future__ import annotations

import collectors


def test_ten_thousand_items_in_one_feed_reach_the_outbox_once(web, huiju_for):
    items = "".join(
        f"<item><title>第{i}条新闻标题</title><link>{web.base}/t/{i}.html</link><guid>{web.base}/t/{i}.html</guid>"
        f"<description>第{i}条新闻的正文。</description><pubDate>Wed, 01 May 2024 09:30:00 +0800</pubDate></item>"
        for i in range(10_000))
    url = web.put("/big.xml", '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
                  + items + "</channel></rss>", content_type="application/rss+xml")
    h = huiju_for([{"id": "big", "type": "rss", "url": url}])
    result = h.collect()[0]
    assert result.ok and result.new == 10_000 and result.warnings == []
    rows = collectors.pending(h.db, 0, 20_000)
    assert len({item.identity for _, item in rows}) == 10_000
    assert {item.url for _, item in rows} == {f"{web.base}/t/{i}.html" for i in range(10_000)}
