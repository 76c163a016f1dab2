"""Items the portal cannot show: no title (a feed entry that is only a link), or no web address
(a javascript:, ftp: or missing <link>). They are kept for review and flagged, but approval says
why it cannot go out, instead of the approved item failing at every publishing pass afterwards."""

from __future__ import annotations

import pytest

import pipeline
import publisher
import review_queue


def feed(base: str) -> str:
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
            f"<item><title></title><link>{base}/z/1.html</link><description></description></item>"
            f"<item><title>有标题的新闻</title><link>{base}/z/2.html</link><description>有标题的新闻正文。</description></item>"
            "</channel></rss>")


@pytest.mark.parametrize("review", ["required", "auto"])
def test_untitled_item_waits_for_a_title_and_never_blocks_publishing(web, huiju_for, review):
    url = web.put("/untitled.xml", feed(web.base), content_type="application/rss+xml")
    h = huiju_for([{"id": "feed", "type": "rss", "url": url, "review": review}])
    h.cycle()  # asserts the pass had no errors (publishing included)
    [untitled] = [i for i in h.items() if not i["title"]]
    assert {"title-missing", "empty-body"} <= set(untitled["flags"])
    assert h.state(untitled["id"]) == "pending"
    with pytest.raises(review_queue.Unpublishable, match=rf"^item {untitled['id']} has no title: edit one in"):
        review_queue.approve(h.db, [untitled["id"]], user="zhang", now=h.now, config=h.config)
    review_queue.edit(h.db, untitled["id"], user="zhang", title="审核员补充的标题", now=h.now, config=h.config)
    review_queue.approve(h.db, [untitled["id"]], user="zhang", now=h.now, config=h.config)
    stats = pipeline.publish_due(h.db, h.config, now=h.past_the_hold())
    assert stats.errors == []
    assert publisher.latest(h.db, untitled["id"])["title"] == "审核员补充的标题"


LINKS = {"javascript": "<link>javascript:alert(1)</link>", "ftp": "<link>ftp://ftp.harbin.gov.cn/a.txt</link>",
         "none": "", "data": "<link>data:text/html,hi</link>"}


@pytest.mark.parametrize("review", ["required", "auto"])
def test_item_without_a_web_address_is_flagged_and_cannot_be_approved(web, huiju_for, review):
    items = "".join(f'<item><title>没有网址的新闻{name}</title>{link}<guid isPermaLink="false">g-{name}</guid>'
                    f"<description>{name}：这条新闻的正文各不相同，{name * 3}。</description></item>"
                    for name, link in LINKS.items())
    url = web.put("/nolink.xml", '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
                  + items + "</channel></rss>", content_type="application/rss+xml")
    h = huiju_for([{"id": "feed", "type": "rss", "url": url, "review": review}])
    h.cycle()
    for item in h.items():
        assert "no-web-address" in item["flags"], item
        assert h.state(item["id"]) == "pending"
        with pytest.raises(review_queue.Unpublishable, match=rf"^item {item['id']} has no http\(s\) address"):
            review_queue.approve(h.db, [item["id"]], user="zhang", now=h.now, config=h.config)
        review_queue.reject(h.db, [item["id"]], user="zhang", reason="no address", now=h.now)
    assert pipeline.publish_due(h.db, h.config, now=h.now).errors == []
