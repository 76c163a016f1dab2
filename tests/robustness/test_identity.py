"""Identity against real lists: one story under several addresses, keys that repeat, anchors.

A user notices a story collected twice (two queue entries, two portal entries) or two stories
merged into one. Neither may happen.
"""

from __future__ import annotations

import random

import pytest

import publisher
import review_queue

POOL = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经"


def words(seed: int) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice(POOL) for _ in range(80)) + "。"


def detail(title: str, body: str) -> str:
    return (f'<html><head><meta name="ArticleTitle" content="{title}"><meta name="PubDate" content="2024-05-01 09:30">'
            f'</head><body><div class="article_content_body"><p>{body}</p></div></body></html>')


HTML_SOURCE = 'list = { items = "ul.list li", link = "a", date = "span" }'


def list_page(web, links: list[tuple[str, str]], date: str | list[str] = "2024-05-01") -> str:
    """A list page of (site-relative href, title) rows, each with its date, as the tests' sites serve it."""
    dates = [date] * len(links) if isinstance(date, str) else date
    return '<html><body><ul class="list">' + "".join(
        f'<li><a href="{web.base}{href}">{title}</a><span>{d}</span></li>'
        for (href, title), d in zip(links, dates, strict=True)) + "</ul></body></html>"


def test_one_story_linked_twice_with_tracking_parameters_is_collected_once(web, huiju_for):
    web.put("/s/1.html", detail("市政府召开常务会议", words(1)))
    web.put("/s/2.html", detail("春耕生产指导意见发布", words(2)))
    links = [("/s/1.html?utm_source=wechat&from=timeline", "市政府召开常务会议"), ("/s/1.html", "市政府召开常务会议"),
             ("/s/2.html", "春耕生产指导意见发布")]
    url = web.put("/list.html", list_page(web, links))
    h = huiju_for([{"id": "city", "type": "html", "url": url, "extra": HTML_SOURCE}])
    result = h.cycle()[0]
    assert result.new == 2 and not any("hash" in w for w in result.warnings), result.warnings
    assert web.hits.count("/s/1.html") + web.hits.count("/s/1.html?utm_source=wechat&from=timeline") == 1
    assert sorted(i["title"] for i in h.items()) == ["市政府召开常务会议", "春耕生产指导意见发布"]


def test_a_repeated_guid_among_good_ones_never_merges_two_stories(web, huiju_for):
    """One guid shared by two different stories in a feed of forty (under the 5% that moves the
    whole source to another rule): both stories stay separate, whatever their order next time."""
    def feed(order: list[int]) -> str:
        out = []
        for i in order:
            guid = "dup" if i in (0, 1) else f"g{i}"
            out.append(f"<item><title>第{i}条新闻标题</title><link>{web.base}/g/{i}.html</link><guid>{guid}</guid>"
                       f"<description>{words(100 + i)}</description><pubDate>Wed, 01 May 2024 09:30:00 +0800</pubDate></item>")
        return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
                + "".join(out) + "</channel></rss>")

    url = web.put("/g.xml", feed(list(range(40))), content_type="application/rss+xml")
    h = huiju_for([{"id": "feed", "type": "rss", "url": url}])
    assert h.cycle()[0].new == 40
    web.put("/g.xml", feed(list(reversed(range(40)))), content_type="application/rss+xml")
    again = h.cycle()[0]
    assert (again.new, again.versions) == (0, 0)
    titles = {i["url"].rsplit("/", 1)[-1]: i["title"] for i in h.items()}
    assert titles["0.html"] == "第0条新闻标题" and titles["1.html"] == "第1条新闻标题"
    assert all(i["version"] == 1 for i in h.items())


def test_same_story_at_http_https_and_index_html_is_one_story_for_the_reviewer(web, huiju_for):
    """Addresses the site itself spells differently (index.html or not): the reviewer sees one
    story and the portal gets it once."""
    web.put("/n/1/index.html", detail("哈尔滨市推进项目建设", words(7)))
    web.put("/n/1/", detail("哈尔滨市推进项目建设", words(7)))
    web.put("/n/2.html", detail("另一条新闻", words(8)))
    url = web.put("/list.html", list_page(web, [("/n/1/index.html", "哈尔滨市推进项目建设"), ("/n/2.html", "另一条新闻"),
                                                ("/n/1/", "哈尔滨市推进项目建设")]))
    h = huiju_for([{"id": "city", "type": "html", "url": url, "extra": HTML_SOURCE}])
    h.cycle()
    assert len(review_queue.queue(h.db)) == 2
    h.approve_all()
    assert sorted(c["title"] for c in publisher.changes(h.db)) == ["另一条新闻", "哈尔滨市推进项目建设"]


def test_list_whose_links_differ_only_by_fragment_fetches_the_page_once(web, huiju_for):
    web.put("/f/page.html", detail("通知公告汇总", "关于开展安全检查的通知。" + words(9)))
    url = web.put("/list.html", list_page(web, [(f"/f/page.html#a{i}", f"通知公告第{i}条") for i in range(1, 4)],
                                          [f"2024-05-0{i}" for i in range(1, 4)]))
    h = huiju_for([{"id": "city", "type": "html", "url": url, "extra": HTML_SOURCE}])
    assert h.cycle()[0].ok
    assert web.hits.count("/f/page.html") == 1
    assert [i["url"] for i in h.items()] == [web.base + "/f/page.html"]


def test_list_with_a_cache_busting_parameter_is_not_refetched_every_run(web, huiju_for):
    """Some CMSs append ?_t=<now> to every link of a list. The detail pages are the same pages:
    once collected they are not fetched again at every run (and paging stops at known pages)."""
    for i in range(3):
        web.put(f"/q/{i}.html", detail(f"第{i}条新闻", words(20 + i)))

    def listing(stamp: int) -> str:
        return list_page(web, [(f"/q/{i}.html?_t={stamp}", f"第{i}条新闻") for i in range(3)])

    url = web.put("/list.html", listing(1714521600))
    h = huiju_for([{"id": "city", "type": "html", "url": url, "extra": HTML_SOURCE}])
    assert h.cycle()[0].new == 3
    web.hits.clear()
    web.put("/list.html", listing(1714525200))
    result = h.cycle()[0]
    assert (result.new, result.versions) == (0, 0)
    assert web.hits == ["/list.html"]


def test_list_with_a_new_servlet_session_id_in_every_link_is_not_refetched_every_run(web, huiju_for):
    """A Java CMS writes ;jsessionid=… into every link while the client has no session cookie, a
    new id at each visit: the same pages, collected once."""
    def listing(session: str) -> str:
        for i in range(3):  # the container answers at any session spelling
            web.put(f"/s/{i}.html;jsessionid={session}", detail(f"第{i}条政务信息", words(30 + i)))
        return list_page(web, [(f"/s/{i}.html;jsessionid={session}", f"第{i}条政务信息") for i in range(3)])

    url = web.put("/slist.html", listing("8F3A2C1D9E7B6A5F4E3D2C1B0A9F8E7D"))
    h = huiju_for([{"id": "city", "type": "html", "url": url, "extra": HTML_SOURCE}])
    assert h.cycle()[0].new == 3
    web.hits.clear()
    web.put("/slist.html", listing("0A1B2C3D4E5F6A7B8C9D0E1F2A3B4C5D"))
    result = h.cycle()[0]
    assert (result.new, result.versions) == (0, 0)
    assert web.hits == ["/slist.html"]


def test_parameters_that_only_look_like_tracking_still_tell_stories_apart(web, huiju_for):
    """?fromId=…, ?_type=…, ?shareId=… select content on some CMSs; they are not utm_/spm/from."""
    links = [("/show.jsp?fromId=101", "第一条新闻"), ("/show.jsp?fromId=102", "第二条新闻"),
             ("/list.jsp?_type=1&id=7", "第三条新闻"), ("/list.jsp?_type=2&id=7", "第四条新闻")]
    for n, (href, title) in enumerate(links):
        web.put(href, detail(title, words(40 + n)))
    url = web.put("/list.html", list_page(web, links))
    h = huiju_for([{"id": "city", "type": "html", "url": url, "extra": HTML_SOURCE}])
    first = h.cycle()[0]
    assert first.new == 4 and not any("identity by hash" in w for w in first.warnings), first.warnings
    # the next story of the list, one more id
    links.insert(0, ("/show.jsp?fromId=103", "第五条新闻"))
    web.put("/show.jsp?fromId=103", detail("第五条新闻", words(50)))
    web.put("/list.html", list_page(web, links))
    assert h.cycle()[0].new == 1
    assert sorted(i["title"] for i in h.items()) == sorted(t for _, t in links)


@pytest.mark.parametrize("listed, same_as", [
    ("/p.jsp?id=7&PHPSESSID=a81f3c", "/p.jsp?id=7"),
    ("/p.jsp?id=7&jsessionid=8F3A2C1D", "/p.jsp?id=7"),
    ("/p.jsp?clicktime=1714521600&id=7", "/p.jsp?id=7"),
    ("/p.jsp;jsessionid=8F3A2C1D?id=7&utm_source=wx", "/p.jsp?id=7"),
])
def test_a_link_means_one_page_whatever_the_visit_or_click_it_came_from(listed, same_as):
    """The collector's link identity and the normalizers' URL spelling read one list of what never
    selects content, so a link is one page to both."""
    from collectors.identity import canonical_link
    from normalizers import canonical_url

    base = "http://www.jms.gov.cn"
    assert canonical_link(base + listed) == canonical_link(base + same_as)
    assert canonical_url(base + listed) == canonical_url(base + same_as)
    assert canonical_link(base + "/p.jsp?id=7") != canonical_link(base + "/p.jsp?id=8")
