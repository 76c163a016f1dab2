"""A page is read once: the story, the bylines around it and its linked documents (pages.story),
by the collectors in a run, or by the normalizers for an item nobody has read, with one reader."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from collectors.parsers import parse_detail, parse_feed
from normalizers.document import clean_item
from pages.item import CollectedItem
from pages.story import body_attachments, read_story
from settings.model import Source

CASES = Path(__file__).parent.parent / "normalizers" / "text" / "cases"
SOURCE = Source(id="s", name="黑龙江省教育厅", kind="department", type="html", url="https://jyt.hlj.gov.cn/",
                column="department-news")
URL = "https://jyt.hlj.gov.cn/jyt/c100/202405/c00_27.shtml"


def _page() -> str:
    return json.loads((CASES / "item-full-page.json").read_text(encoding="utf-8"))["input"]["html"]


def test_the_story_alone_is_handed_on_with_the_bylines_around_it() -> None:
    story = read_story(_page())
    assert story.html.startswith('<div class="article_content_body">') and "全省教育工作会议在哈尔滨召开" in story.html
    for furniture in ("您当前的位置", "分享到", "版权所有", "发布时间", "责任编辑"):
        assert furniture not in story.html
    assert {"editor": "王丽", "editor_is_chief": True}.items() <= next(b for b in story.bylines if b["editor"]).items()
    assert story.meta["ArticleTitle"] == "全省教育工作会议召开"


def test_a_body_is_handed_on_unchanged() -> None:
    body = "<p>5月1日，全省教育工作会议在哈尔滨召开。</p>"
    assert read_story(body).html == body and read_story(body).bylines == []


def test_a_page_too_deep_for_the_parser_is_handed_on_whole() -> None:
    page = "<html><body>" + "<table><tr><td>" * 400 + "深层嵌套的正文内容在这里。" * 20 + "</body></html>"
    assert read_story(page).html == page


def test_collector_reading_and_late_reading_give_one_document() -> None:
    """A detail page read by the collector (page_read) and the same whole page read late by the
    normalizers (an item built by hand) give the same document."""
    d = parse_detail(_page(), URL)
    read = CollectedItem(source_id="s", identity=URL, identity_rule="link", url=URL, title=d.title or "",
                         html=d.html, story=d.story, published=d.published, meta=d.meta, bylines=d.bylines,
                         page_read=True)
    assert d.story and d.story != d.html  # the body as found is kept (versions hash it); the story beside it
    late = replace(read, html=_page(), story="", bylines=[], page_read=False)
    late_doc, read_doc = clean_item(late, SOURCE), clean_item(read, SOURCE)
    assert replace(read_doc, html="") == replace(late_doc, html="")  # trafilatura indents its output:
    assert "".join(read_doc.html.split()) == "".join(late_doc.html.split())  # the same markup
    assert read_doc.text == "5月1日，全省教育工作会议在哈尔滨召开。\n会议总结了去年工作，部署了今年任务。"
    assert read_doc.editor == "王丽" and read_doc.source_line == "黑龙江省教育厅"


def test_linked_documents_of_a_body() -> None:
    body = ('<p><a href="./files/名单.PDF?v=2">附件：名单</a> <a href="javascript:open(\'x.pdf\')">x.pdf</a>'
            '<span style="display:none"><a href="/hidden.doc">隐藏</a></span><a href="/a.docx"></a></p>'
            '<form><a href="/form.xls">表</a></form>')
    assert body_attachments(body, "https://x.gov.cn/c/1.html") == [
        {"url": "https://x.gov.cn/c/files/名单.PDF?v=2", "name": "附件：名单"},
        {"url": "https://x.gov.cn/a.docx", "name": "a.docx"},
    ]
    assert body_attachments("<p>没有附件</p>", "https://x.gov.cn/") == []


def test_a_feed_entry_carries_the_documents_its_body_links_to() -> None:
    feed = ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title><item>'
            '<title>关于公布名单的通知</title><link>https://x.gov.cn/c/2.html</link>'
            '<description>&lt;p&gt;现将名单予以公布。&lt;a href="/f/名单.pdf"&gt;名单&lt;/a&gt;&lt;/p&gt;</description>'
            '<enclosure url="https://x.gov.cn/f/表.xls" type="application/vnd.ms-excel" length="1"/>'
            '</item></channel></rss>').encode()
    entries, _ = parse_feed(feed, {}, "https://x.gov.cn/rss.xml")
    assert [a["url"] for a in entries[0].attachments] == ["https://x.gov.cn/f/表.xls", "https://x.gov.cn/f/名单.pdf"]
