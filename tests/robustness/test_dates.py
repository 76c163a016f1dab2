"""Publish times relative to now: a pubDate in the future is kept as the source wrote it and
flagged; a year that cannot be right is never shown as a publish time."""

from __future__ import annotations

import json
from datetime import timedelta

from normalizers.dates import SHANGHAI


def test_future_and_impossible_publish_times(web, huiju_for):
    h = huiju_for([{"id": "feed", "type": "rss", "url": web.base + "/dates.xml"}])
    soon = (h.now + timedelta(days=30)).astimezone(SHANGHAI).replace(microsecond=0)
    dates = {"soon": soon.strftime("%a, %d %b %Y %H:%M:%S +0800"), "far": "Thu, 01 May 2031 09:30:00 +0800",
             "ok": "Wed, 01 May 2024 09:30:00 +0800"}
    web.put("/dates.xml", '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>' + "".join(
        f"<item><title>发布时间{k}的新闻</title><link>{web.base}/d/{k}.html</link><description>{k}：正文内容各不相同，"
        f"{k * 5}。</description><pubDate>{v}</pubDate></item>" for k, v in dates.items()) + "</channel></rss>",
        content_type="application/rss+xml")
    h.cycle(timedelta(0))
    items = {i["url"].rsplit("/", 1)[-1]: i for i in h.items()}
    assert items["soon.html"]["published_at"] == soon.isoformat() and "date-future" in items["soon.html"]["flags"]
    assert items["far.html"]["published_at"] is None and "date-unknown" in items["far.html"]["flags"]
    assert items["ok.html"]["published_at"] == "2024-05-01T09:30:00+08:00" and items["ok.html"]["flags"] == []
    h.approve_all()
    feed = {e["url"].rsplit("/", 1)[-1]: e for e in json.loads(h.feeds()["json"])["items"]}
    assert feed["soon.html"]["date_published"] == soon.isoformat()
    assert "date_published" not in feed["far.html"] and feed["far.html"]["_huiju"]["published_at_unknown"]
