"""Detail pages with real-world defects, collected through an HTML list source, end to end.

Each case: the page as the site serves it (bytes), and what a user must notice: the story kept,
its words intact, the defect flagged, the published form safe.
"""

from __future__ import annotations

import pytest

from tests.robustness.conftest import output_dangers

STORY = "黑龙江省人民政府召开常务会议，研究部署全省经济运行和安全生产工作。"
SOURCE = ('list = { items = "ul.list li", link = "a", date = "span" }\n'
          'detail = { body = ".article_content_body" }')


def page(title: str, body: str, charset: str = "utf-8") -> str:
    return (f'<html><head><meta charset="{charset}"><meta name="ArticleTitle" content="{title}">'
            f'<meta name="PubDate" content="2024-05-01 09:30"></head><body><div class="nav"><a href="/">首页</a></div>'
            f'<div class="article_content_body">{body}</div></body></html>')


CASES = {
    "tables-nested-1000-deep": (
        page("深层嵌套表格", "<table><tr><td>" * 1000 + f"<p>{STORY}</p>" + "</td></tr></table>" * 1000
             + "<p>表格之后的正文段落。</p>").encode(),
        {"text_has": [STORY, "表格之后的正文段落。"], "flags": ["markup-recovered"]}),
    "one-line-of-a-megabyte": (
        page("一行超长的正文", "<p>" + "很长的一行正文内容没有换行" * 80000 + "</p>").encode(),
        {"text_has": ["很长的一行正文内容没有换行"], "flags": ["huge-body"]}),
    "gbk-bytes-declared-utf8": (
        page("GBK页面声明UTF8", f"<p>{STORY}</p>").encode("gbk"),
        {"title": "GBK页面声明UTF8", "text_has": [STORY]}),
    "body-in-gbk-mojibake": (
        page("乱码正文", "<p>" + STORY.encode("gbk").decode("latin-1") + "</p>").encode(),
        {"text_has": [STORY], "flags": ["mojibake-repaired"]}),
    "unclosed-comment": (
        page("未闭合注释的正文", f"<p>{STORY}</p><!-- 注释没有结束 <p>之后的段落</p>").encode(),
        {"text_has": [STORY], "text_lacks": ["之后的段落", "<!--"]}),
    "control-characters-and-noncharacters": (
        page("控制\x01字符\ufffe标题", f"<p>{STORY}\x00\x1b\ufffe\uffff</p><p>第二段\x0b落。</p>").encode(),
        {"title": "控制字符标题", "text_has": [STORY, "第二段落。"]}),
    "title-with-markup-and-suffix": (
        page("&lt;b&gt;【龙江动态】&lt;/b&gt;哈尔滨市召开常务会议_哈尔滨市人民政府", f"<p>{STORY}</p>").encode(),
        {"title": "哈尔滨市召开常务会议", "text_has": [STORY]}),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_detail_page_case(web, huiju_for, name):
    body, expect = CASES[name]
    web.put(f"/p/{name}.html", body)
    url = web.put("/list.html", f'<html><body><ul class="list"><li><a href="{web.base}/p/{name}.html">列表标题</a>'
                  "<span>2024-05-01</span></li></ul></body></html>")
    h = huiju_for([{"id": "city", "type": "html", "url": url, "extra": SOURCE}])
    result = h.cycle()[0]
    assert result.ok, result.error
    [item] = h.items()
    if "title" in expect:
        assert item["title"] == expect["title"]
    for s in expect.get("text_has", []):
        assert s in item["text"], item["text"][:300]
    for s in expect.get("text_lacks", []):
        assert s not in item["text"], item["text"][:300]
    for f in expect.get("flags", []):
        assert f in item["flags"], item["flags"]
    assert item["published_at"] == "2024-05-01T09:30:00+08:00"
    h.approve_all()
    assert output_dangers(h.all_outputs()) == []


def test_story_that_mentions_a_tag_keeps_it_as_words(web, huiju_for):
    """Only markup that arrived escaped as a whole is decoded; a technical notice that writes
    about a tag, among its real paragraphs, keeps the tag as words."""
    body = ("<p>各单位网站应在页面头部加入&lt;meta&gt;标签，并在链接中使用&lt;a&gt;标签的title属性。</p>"
            "<p>请于五月底前完成整改。</p><p>逾期未完成的单位将被通报。</p>")
    web.put("/p/notice.html", page("关于网站整改的通知", body))
    url = web.put("/list.html", f'<html><body><ul class="list"><li><a href="{web.base}/p/notice.html">通知</a>'
                  "<span>2024-05-01</span></li></ul></body></html>")
    h = huiju_for([{"id": "city", "type": "html", "url": url, "extra": SOURCE}])
    h.cycle()
    [item] = h.items()
    assert "加入<meta>标签" in item["text"] and "使用<a>标签" in item["text"]
    h.approve_all()
    assert output_dangers(h.all_outputs()) == []
