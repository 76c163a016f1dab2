"""The public API and the review UI face the outside world too: odd ids and queries get a 4xx
with one line naming the cause, never a 500."""

from __future__ import annotations

import json
import re

import pytest

import review_queue

HUGE = "99999999999999999999999"  # beyond SQLite's 64-bit integers


@pytest.fixture()
def h(web, huiju_for):
    url = web.put("/feed.xml", '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
                  f"<item><title>哈尔滨市召开常务会议</title><link>{web.base}/a.html</link>"
                  "<description>哈尔滨市人民政府召开常务会议，研究部署工作。</description></item></channel></rss>",
                  content_type="application/rss+xml")
    h = huiju_for([{"id": "feed", "type": "rss", "url": url}])
    h.cycle()
    h.approve_all()
    return h


@pytest.mark.parametrize("path", [f"/api/v1/items/{HUGE}", "/api/v1/items/0", "/api/v1/items/-1"])
def test_public_api_item_ids_out_of_range_are_404(h, path):
    resp = h.client().get(path)
    assert resp.status_code == 404
    assert "\n" not in json.loads(resp.get_data())["error"]


@pytest.mark.parametrize("path", [f"/review/item/{HUGE}", f"/review/item/{HUGE}/edit"])
def test_review_pages_for_ids_out_of_range_are_404(h, path):
    assert h.reviewer().get(path).status_code == 404


def test_review_actions_on_ids_out_of_range_say_so(h):
    client = h.reviewer()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/review/").get_data(as_text=True)).group(1)
    assert client.post(f"/review/item/{HUGE}/approve", data={"csrf_token": token}).status_code == 404
    resp = client.post("/review/act", data={"csrf_token": token, "act": f"approve:{HUGE}"}, follow_redirects=True)
    assert resp.status_code == 200 and f"#{HUGE} 不在审核中" in resp.get_data(as_text=True)  # the desk says it in Chinese
    with pytest.raises(review_queue.UnknownItem, match=f"^item {HUGE} is not in review$"):
        review_queue.approve(h.db, [HUGE], user="zhang")


def test_text_pasted_from_word_with_control_characters_never_breaks_a_feed(web, huiju_for):
    """A reviewer pastes a title and text from Word (vertical tabs, form feeds, stray controls).
    The published item must not make the feeds unrenderable for every reader."""
    url = web.put("/feed.xml", '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
                  f"<item><title>哈尔滨市召开常务会议</title><link>{web.base}/a.html</link>"
                  "<description>哈尔滨市人民政府召开常务会议，研究部署工作。</description></item></channel></rss>",
                  content_type="application/rss+xml")
    h = huiju_for([{"id": "feed", "type": "rss", "url": url}])
    h.cycle()
    review_queue.edit(h.db, 1, user="zhang", title="从Word粘贴的\x0b标题\x01", text="正文\x0c第一段\x0b第二段\ufffe",
                      now=h.now, config=h.config)
    h.approve_all()
    feeds = h.feeds()
    for fmt in ("rss", "atom"):
        assert "从Word粘贴的 标题" in feeds[fmt].decode() or "从Word粘贴的标题" in feeds[fmt].decode()
    client = h.client()
    for path in ("/feeds/all.rss", "/feeds/all.atom", "/feeds/all.json", "/api/v1/items", "/api/v1/items/1"):
        assert client.get(path).status_code == 200, path
