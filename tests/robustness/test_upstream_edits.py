"""Stories edited upstream after collection: corrections, title changes, deletion, restoration.

A published item corrected upstream must come back to review as a correction (same guid in the
portal's change stream), never as a second story; a rejected item must not come back.
"""

from __future__ import annotations

from datetime import timedelta

import publisher
import review_queue

BODY = ("<p>哈尔滨市人民政府今天召开常务会议，研究部署全市经济运行和安全生产工作。会议指出，要坚持稳中求进"
        "工作总基调，全力以赴抓好各项工作落实。</p><p>会议强调，要压实安全生产责任，确保人民群众生命财产安全。</p>")
OTHER = "<p>黑龙江省农业农村厅发布春耕生产指导意见，要求各地抓好种子、化肥、农机等农资供应，确保春耕生产顺利进行。</p>"
PUB = "Wed, 01 May 2024 09:30:00 +0800"


def rss(items: list[tuple[str, str, str]], *, guid: bool = True) -> str:
    out = []
    for title, link, body in items:
        g = f"<guid>{link}</guid>" if guid else ""
        out.append(f"<item><title>{title}</title><link>{link}</link>{g}"
                   f"<description><![CDATA[{body}]]></description><pubDate>{PUB}</pubDate></item>")
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
            + "".join(out) + "</channel></rss>")


def detail(title: str, body: str, date: str = "2024-05-01 09:30") -> str:
    return (f'<html><head><meta name="ArticleTitle" content="{title}"><meta name="PubDate" content="{date}">'
            f'<title>{title}_测试来源</title></head><body><div class="article_content_body">{body}</div>'
            "</body></html>")


def changes(h) -> list[tuple[str, str, int, str]]:
    return [(c["guid"], c["action"], c["version"], c.get("title")) for c in publisher.changes(h.db)]


def test_rss_correction_text_then_title_then_gone_then_back(web, huiju_for):
    url = web.put("/feed.xml", rss([("市政府召开常务会议", web.base + "/e/1.html", BODY)]),
                  content_type="application/rss+xml")
    h = huiju_for([{"id": "city", "type": "rss", "url": url}])
    h.cycle()
    h.approve_all()
    assert changes(h) == [("huiju:item:1", "publish", 1, "市政府召开常务会议")]

    web.put("/feed.xml", rss([("市政府召开常务会议", web.base + "/e/1.html", BODY.replace("今天", "5月1日"))]),
            content_type="application/rss+xml")
    h.cycle()
    assert h.state(1) == "corrected"
    assert [e.correction for e in review_queue.queue(h.db)] == [True]
    h.approve_all()

    web.put("/feed.xml", rss([("市政府召开常务会议（更正）", web.base + "/e/1.html", BODY.replace("今天", "5月1日"))]),
            content_type="application/rss+xml")
    h.cycle()
    assert h.state(1) == "corrected"
    web.delete("/feed.xml")
    result = h.cycle()[0]
    assert not result.ok and result.error == f"HTTP 404 at {url}"
    web.put("/feed.xml", rss([("市政府召开常务会议（更正）", web.base + "/e/1.html", BODY.replace("今天", "5月1日"))]),
            content_type="application/rss+xml")
    result = h.cycle()[0]
    assert result.ok and result.new == 0
    h.approve_all()
    assert len(h.items()) == 1
    assert changes(h) == [("huiju:item:1", "publish", 1, "市政府召开常务会议"),
                          ("huiju:item:1", "correct", 2, "市政府召开常务会议"),
                          ("huiju:item:1", "correct", 3, "市政府召开常务会议（更正）")]
    feed = h.feeds()["rss"].decode()
    assert feed.count("<item>") == 1 and "市政府召开常务会议（更正）" in feed


def test_feed_listing_its_top_story_twice_still_sees_a_title_correction(web, huiju_for):
    """A feed without guids repeats its top story (once with a tracking parameter). That repeat is
    one entry listed twice, not evidence that links are broken: the correction must still arrive."""
    def feed(title: str) -> str:
        return rss([(title, web.base + "/r/1.html", BODY), (title, web.base + "/r/1.html?utm_source=rss", BODY),
                    ("春耕生产指导意见发布", web.base + "/r/2.html", OTHER)], guid=False)

    url = web.put("/top.xml", feed("市政府召开常务会议"), content_type="application/rss+xml")
    h = huiju_for([{"id": "city", "type": "rss", "url": url}])
    result = h.cycle()[0]
    assert result.new == 2 and not any("identity by hash" in w for w in result.warnings), result.warnings
    h.approve_all()
    web.put("/top.xml", feed("市政府召开常务会议（更正）"), content_type="application/rss+xml")
    h.cycle()
    assert len(h.items()) == 2
    assert h.state(1) == "corrected"
    h.approve_all()
    assert changes(h)[-1] == ("huiju:item:1", "correct", 2, "市政府召开常务会议（更正）")


def test_html_detail_page_corrected_then_retitled_then_404_then_restored(web, huiju_for):
    web.put("/h/1.html", detail("市政府召开常务会议", BODY))
    web.put("/h/2.html", detail("春耕生产指导意见发布", OTHER))
    url = web.put("/list.html", f'<html><body><ul class="list">'
                  f'<li><a href="{web.base}/h/1.html">市政府召开常务会议</a><span>2024-05-01</span></li>'
                  f'<li><a href="{web.base}/h/2.html">春耕生产指导意见发布</a><span>2024-05-01</span></li>'
                  "</ul></body></html>")
    h = huiju_for([{"id": "city", "type": "html", "url": url,
                    "extra": 'list = { items = "ul.list li", link = "a", date = "span" }'}])
    h.cycle()
    h.approve_all()
    web.put("/h/1.html", detail("市政府召开常务会议", BODY.replace("今天", "5月1日")))
    h.cycle(timedelta(hours=7))  # re-checked within the correction window
    assert h.state(1) == "corrected" and h.state(2) == "published"
    h.approve_all()
    web.put("/h/1.html", detail("市政府召开常务会议（更正）", BODY.replace("今天", "5月1日")))
    h.cycle(timedelta(hours=7))
    web.delete("/h/1.html")
    assert h.cycle(timedelta(hours=7))[0].ok  # a vanished page is no failure of the source
    web.put("/h/1.html", detail("市政府召开常务会议（更正）", BODY.replace("今天", "5月1日")))
    h.cycle(timedelta(hours=7))
    h.approve_all()
    assert len(h.items()) == 2
    assert changes(h) == [("huiju:item:1", "publish", 1, "市政府召开常务会议"),
                          ("huiju:item:2", "publish", 1, "春耕生产指导意见发布"),
                          ("huiju:item:1", "correct", 2, "市政府召开常务会议"),
                          ("huiju:item:1", "correct", 3, "市政府召开常务会议（更正）")]
    for c in publisher.changes(h.db):
        assert c["published_at"] == "2024-05-01T09:30:00+08:00" and c["source_name"] == "测试来源"


def test_rejected_item_served_again_with_small_edits_does_not_come_back(web, huiju_for):
    body = BODY + "<p>另附一段说明。</p>"
    url = web.put("/rej.xml", rss([("拟拒绝的新闻标题", web.base + "/e/9.html", body)]),
                  content_type="application/rss+xml")
    h = huiju_for([{"id": "city", "type": "rss", "url": url}])
    h.cycle()
    h.reject(1)
    edited = body.replace("另附一段说明。", "另附一段说明，稍作修改。")
    web.put("/rej.xml", rss([("拟拒绝的新闻标题！", web.base + "/e/9.html", edited)]), content_type="application/rss+xml")
    h.cycle()
    # ...and at a new address (the site moved it)
    web.put("/rej.xml", rss([("拟拒绝的新闻标题！", web.base + "/e/10.html", edited)]), content_type="application/rss+xml")
    h.cycle()
    assert review_queue.queue(h.db) == []
    h.approve_all()
    assert publisher.changes(h.db) == []


def test_site_moving_to_https_corrects_its_published_story_instead_of_adding_one(web, huiju_for):
    """The feed's guids and links change from http:// to https:// (a site enabling TLS) as the
    story is corrected: the same page, respelled. It must come back as a correction."""
    old, new = "http://www.harbin.gov.cn/art/2024/5/1/art_1.html", "https://www.harbin.gov.cn/art/2024/5/1/art_1.html"
    url = web.put("/tls.xml", rss([("市政府召开常务会议", old, BODY)]), content_type="application/rss+xml")
    h = huiju_for([{"id": "city", "type": "rss", "url": url}])
    h.cycle()
    h.approve_all()
    web.put("/tls.xml", rss([("市政府召开常务会议（更正）", new, BODY.replace("今天", "5月1日"))]),
            content_type="application/rss+xml")
    h.cycle()
    assert [i["id"] for i in h.items()] == [1]
    assert h.state(1) == "corrected"
    h.approve_all()
    assert changes(h) == [("huiju:item:1", "publish", 1, "市政府召开常务会议"),
                          ("huiju:item:1", "correct", 2, "市政府召开常务会议（更正）")]
    again = h.cycle()[0]  # the new spelling is now known: nothing new next time
    assert again.ok and review_queue.queue(h.db) == []


def test_items_that_differ_only_by_anchor_stay_separate_stories(web, huiju_for):
    """A feed whose items point at anchors of one page: three notices, three items, none merged."""
    notices = [("关于开展安全检查的通知", "a1", "各单位要开展安全检查工作，排查隐患，确保安全生产形势稳定。"),
               ("关于五一放假安排的通知", "a2", "五一劳动节放假五天，请各单位提前做好值班安排和安全保卫工作。"),
               ("关于征集意见建议的公告", "a3", "现面向社会公开征集对城市规划的意见建议，截止时间为五月底。")]
    url = web.put("/anchors.xml", rss([(t, f"{web.base}/f/page.html#{a}", b) for t, a, b in notices]),
                  content_type="application/rss+xml")
    h = huiju_for([{"id": "city", "type": "rss", "url": url}])
    h.cycle()
    h.cycle()
    assert sorted(i["title"] for i in h.items()) == sorted(t for t, _, _ in notices)
    assert all(i["version"] == 1 for i in h.items())
    assert len(review_queue.queue(h.db)) == 3
