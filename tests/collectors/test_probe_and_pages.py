"""probe (onboarding a new site), decoding rules, and real saved Chinese pages."""

from __future__ import annotations

import codecs

import pytest

import collectors
from collectors.decoding import decode_bytes, repair_mojibake
from collectors.parsers import parse_detail, parse_list
from tests.collectors.sources import FAST

LIST = ('<html><head><meta charset="utf-8"><title>要闻</title></head><body><div class="nav"><a href="/">首页</a></div>'
        '<ul><li><a href="/n/1.html">伊春市召开生态保护工作会议</a><span>2024-05-01</span></li>'
        '<li><a href="/n/2.html">伊春市推进森林康养产业发展</a><span>2024-05-02</span></li></ul></body></html>')
DETAIL = ("<html><head><meta name='ArticleTitle' content='{t}'><meta name='PubDate' content='2024-05-0{n} 10:00'>"
          "<meta name='ContentSource' content='伊春日报'></head><body><div class='article_content_body'>"
          "<p>{t}。这是正文内容，讲述了具体的工作安排和下一步计划。</p></div></body></html>")


def test_probe_guesses_html_and_reads_detail_pages(web):
    web.route("/list.html", LIST)
    web.route("/n/1.html", DETAIL.format(t="伊春市召开生态保护工作会议", n=1))
    web.route("/n/2.html", DETAIL.format(t="伊春市推进森林康养产业发展", n=2))
    items = collectors.probe(web.url + "/list.html", settings=FAST)
    assert [i.title for i in items] == ["伊春市召开生态保护工作会议", "伊春市推进森林康养产业发展"]
    assert items[0].published == "2024-05-01 10:00" and items[0].url == web.url + "/n/1.html"
    assert items[0].meta["ContentSource"] == "伊春日报" and len(items[0].html) > 20


def test_probe_guesses_rss_and_json(web):
    web.route("/f.xml", '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>甲新闻</title>'
              '<link>http://x.gov.cn/1</link><guid>1</guid><pubDate>Wed, 01 May 2024 09:30:00 +0800</pubDate>'
              '<description>正文</description></item></channel></rss>', headers={"Content-Type": "text/xml"})
    web.route("/api", '{"code":0,"data":{"rows":[{"docId":"9","docTitle":"乙新闻","docUrl":"/a/9.html",'
              '"publishTime":"2024-05-01 09:00:00","content":"<p>正文乙</p>"}]}}',
              headers={"Content-Type": "application/json"})
    [rss] = collectors.probe(web.url + "/f.xml", settings=FAST)
    assert rss.title == "甲新闻" and rss.published.startswith("Wed, 01 May 2024") and rss.identity_rule == "guid"
    [js] = collectors.probe(web.url + "/api", settings=FAST)
    assert js.title == "乙新闻" and js.url == web.url + "/a/9.html" and js.published == "2024-05-01 09:00:00"


@pytest.mark.parametrize(
    ("route", "kind", "words"),
    [
        ({"body": "<html><body><p>只有一段话</p></body></html>"}, "NotAList", "no list"),
        ({"body": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "headers": {"Content-Type": "image/png"}},
         "BinaryContent", "PNG"),
        ({"body": "missing", "status": 404}, "FetchError", "HTTP 404"),
    ],
)
def test_probe_fails_with_one_line_reason(web, route, kind, words):
    web.route("/p", **route)
    with pytest.raises(collectors.CollectError) as info:
        collectors.probe(web.url + "/p", settings=FAST)
    assert type(info.value).__name__ == kind and words in str(info.value) and "\n" not in str(info.value)


def test_probe_rejects_bad_arguments():
    with pytest.raises(collectors.CollectError, match="unknown type"):
        collectors.probe("http://127.0.0.1:9/", type="xml")
    with pytest.raises(collectors.CollectError, match="not an http"):
        collectors.probe("ftp://example.gov.cn/")


# ------------------------------------------------------------------ decoding
GOV = "黑龙江省人民政府办公厅关于进一步做好政务公开工作的通知"


@pytest.mark.parametrize(
    ("data", "header", "want_charset", "warning"),
    [
        (f'<meta charset="gb2312"><p>{GOV}</p>'.encode("gb18030"), None, "gb18030", None),
        (f"<p>{GOV}</p>".encode("gbk"), "GBK", "gb18030", None),
        (f'<meta charset="gb2312"><p>{GOV}</p>'.encode(), None, "utf-8", "declared gb2312 in meta, bytes are UTF-8"),
        (f"<p>{GOV}</p>".encode(), "gb2312", "utf-8", "declared gb2312 in HTTP, bytes are UTF-8"),
        (f"<p>{GOV}</p>".encode("gb18030"), "utf-8", "gb18030", "declared utf-8 in HTTP, bytes are GB18030"),
        (f"<p>{GOV}</p>".encode("gb18030"), "iso-8859-1", "gb18030", "bytes are GB18030"),
        (f"<p>{GOV}</p>".encode("gb18030"), None, "gb18030", "detected"),
        (codecs.BOM_UTF8 + f"<p>{GOV}</p>".encode(), None, "utf-8", None),
        (f"<p>{GOV}</p>".encode("utf-16"), None, "utf-16", None),
        ("<p>𠀀 rare: 䶮</p>".encode("gb18030"), "gb2312", "gb18030", None),
    ],
)
def test_charset_order_and_lies(data, header, want_charset, warning):
    d = decode_bytes(data, http_charset=header)
    assert d.charset == want_charset
    assert GOV in d.text or "䶮" in d.text
    if warning:
        assert any(warning in w for w in d.warnings), d.warnings
    else:
        assert not [w for w in d.warnings if "declared" in w]


def test_forced_encoding_and_binary():
    assert decode_bytes(GOV.encode("gbk"), http_charset="utf-8", forced="gbk").text == GOV
    with pytest.raises(collectors.DecodeError, match="not a known charset"):
        decode_bytes(b"x", forced="klingon")
    with pytest.raises(collectors.BinaryContent, match="PDF"):
        decode_bytes(b"%PDF-1.7 ...")


def _page(meta: str, encoding: str) -> bytes:
    """A list page behind 24 KB of ASCII markup (style rules, as CMS pages carry), with a STRAY mark."""
    style = "".join(f".c{i} {{ margin: 0 {i}px; color: #333; }}\n" for i in range(600))
    rows = "".join(f'<li><a href="/n/{i}.html">{GOV}</a><span>2024-05-0{i}</span></li>' for i in range(1, 4))
    return f"<html><head>{meta}<style>{style}</style></head><body><ul>{rows}</ul><p>STRAY</p></body></html>".encode(
        encoding)


@pytest.mark.parametrize("header", [None, "gb2312"])
@pytest.mark.parametrize("damage", ["stray byte", "cut mid-character"])
def test_utf8_page_declaring_gb2312_with_one_bad_byte_is_utf8(header, damage):
    """A handful of invalid bytes among many valid UTF-8 sequences: UTF-8, whatever is declared (read
    as GB18030 such a page has too few replacement characters to be caught)."""
    page = _page('<meta charset="gb2312">', "utf-8")
    raw = page.replace(b"STRAY", b"\x96") if damage == "stray byte" else page[:page.rindex(GOV.encode()) + 4]
    d = decode_bytes(raw, http_charset=header)
    assert d.charset == "utf-8" and GOV in d.text and d.text.count("\ufffd") == 1
    where = "HTTP" if header else "meta"
    assert f"charset: declared gb2312 in {where}, bytes are UTF-8 with 1 invalid byte(s) replaced" in d.warnings


def test_utf8_page_with_one_bad_byte_and_no_declaration_is_utf8():
    d = decode_bytes(_page("", "utf-8").replace(b"STRAY", b"\x93"))
    assert d.charset == "utf-8" and GOV in d.text
    assert any("1 invalid byte(s) replaced" in w for w in d.warnings), d.warnings


@pytest.mark.parametrize("header", [None, "gbk"])
@pytest.mark.parametrize("stray", [b"\x96", b"\xff", b"\xa9"])
def test_gbk_page_with_a_stray_byte_stays_gbk(header, stray):
    d = decode_bytes(_page('<meta charset="gb2312">', "gbk").replace(b"STRAY", stray), http_charset=header)
    assert d.charset == "gb18030" and d.text.count(GOV) == 3
    assert not [w for w in d.warnings if "UTF-8" in w], d.warnings


@pytest.mark.parametrize("damage", ["stray byte", "cut mid-character"])
def test_real_utf8_page_declaring_gb2312_with_one_bad_byte(real_pages_dir, damage):
    """The real page (declares gb2312, is UTF-8) with a Latin-1 © in its footer, or cut off in the
    middle of its last Chinese character, past its 15 list rows."""
    raw = (real_pages_dir / "rtfund_xxpl.html").read_bytes()
    if damage == "stray byte":
        raw = raw.replace(b"</body>", b"\xa9</body>", 1)
    else:
        last = max(i for i, b in enumerate(raw) if 0xE0 <= b <= 0xEF)  # the last 3-byte character
        raw = raw[:last + 2]
    d = decode_bytes(raw)
    assert d.charset == "utf-8" and d.text.count("\ufffd") == 1
    assert any("declared gb2312" in w and "bytes are UTF-8" in w for w in d.warnings), d.warnings
    entries, _ = parse_list(d.text, "https://www.example.com/list/")
    assert len(entries) == 15 and entries[0].list_date == "2020-07-09"
    assert all("\ufffd" not in e.title for e in entries)


def test_gbk_mojibake_is_repaired_and_clean_text_left_alone():
    broken = GOV.encode("gbk").decode("latin-1")
    assert repair_mojibake(broken) == (GOV, True)
    assert repair_mojibake(GOV) == (GOV, False)
    assert repair_mojibake("Café au lait") == ("Café au lait", False)
    assert repair_mojibake("2024-05-01 Harbin") == ("2024-05-01 Harbin", False)


# ------------------------------------------------------------------ real pages
def test_real_lying_charset_list_page(real_pages_dir):
    raw = (real_pages_dir / "netease_rolling_news.html").read_bytes()
    d = decode_bytes(raw, http_charset=None)
    assert d.charset == "utf-8" and any("declared gb2312" in w for w in d.warnings)
    entries, _ = parse_list(d.text, "https://news.163.com/latest/")
    assert len(entries) >= 5
    assert all(e.url.startswith("http") and e.title for e in entries)
    assert all("\ufffd" not in e.title for e in entries)


@pytest.mark.parametrize(("name", "pattern"), [("dfa66_announcement.html", r"^\d{4}-\d{2}-\d{2}$"),
                                               ("rtfund_xxpl.html", r"^\d{4}-\d{2}-\d{2}$"),
                                               ("hrfund_announcement.html", r"\d")])
def test_real_list_pages_are_found_without_selectors(real_pages_dir, name, pattern):
    import re

    raw = (real_pages_dir / name).read_bytes()
    d = decode_bytes(raw)
    entries, _ = parse_list(d.text, "https://www.example.com/list/")
    assert len(entries) >= 5
    assert all(re.search(pattern, e.list_date or "") for e in entries), [e.list_date for e in entries[:5]]
    assert len({e.url for e in entries}) == len(entries)


def test_real_detail_page_body_extracted_amid_chrome(real_pages_dir):
    raw = (real_pages_dir / "china_news1.html").read_bytes()
    d = decode_bytes(raw)
    det = parse_detail(d.text, "https://www.chinanews.com/cj/2020/07-01/9226000.shtml")
    assert det.title and "内需" in (det.title + det.meta.get("Keywords", ""))
    assert "扩大内需" in det.html and len(det.html) > 500
    assert "版权所有" not in det.html  # footer chrome left out
    assert det.meta.get("Keywords", "").startswith("扩大内需")


def test_real_detail_page_title_is_its_heading_not_the_title_tag(real_pages_dir):
    d = decode_bytes((real_pages_dir / "china_news1.html").read_bytes())
    det = parse_detail(d.text, "https://www.chinanews.com/cj/2020/07-01/9226000.shtml")
    assert (det.title, det.title_from) == ("【中国稳健前行】坚定实施扩大内需战略", "heading")  # not "… -中新网"


def _detail(body: str, title: str = "某某市人民政府"):
    page = f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>{body}</body></html>"
    return parse_detail(page, "http://www.example.gov.cn/art/2025/5/1/art_1.html")


def test_detail_date_label_publish_beats_issued_beats_written():
    cases = {
        "<p>成文日期：2025-01-02</p><p>发文日期：2025-01-05</p><p>发布时间：2025-01-08 10:00</p>": "2025-01-08 10:00",
        "<table><tr><td>成文日期：</td><td>2025年01月02日</td><td>发布日期：</td><td>2025年01月08日</td></tr></table>":
            "2025年01月08日",
        "<p>成文日期：2025-01-02</p><p>发文日期：2025-01-05</p>": "2025-01-05",
        "<p>成文日期：2025-01-02</p>": "2025-01-02",  # written is all there is
        "<p><span>发布时间：</span><span>2025-01-08</span>&nbsp;<span>10:00</span></p>": "2025-01-08 10:00",
        "<script>var d = '发布时间：2020-01-01';</script><p>正文</p>": None,
    }
    assert {body: _detail(body).published for body in cases} == cases


def test_detail_source_line_is_a_short_name_within_its_element():
    cases = {
        '<div class="info"><span>来源：市统计局</span></div><div><p>为全面掌握全市经济运行情况</p></div>': "市统计局",
        '<div class="info"><span>来源：</span><span>市统计局</span></div><p>为全面掌握全市经济运行情况</p>': "市统计局",
        '<p>来源：<a href="http://www.gov.cn/">中国政府网</a></p><p>日前发布</p>': "中国政府网",
        "<p>【来源：市委宣传部】</p>": "市委宣传部",
        "<p>发布时间：2025-05-01 来源：市应急局作者：张三</p>": "市应急局",
        "<p>来源：市水务局2025-05-01</p>": "市水务局",
        "<span>来源：</span><span>作者：李华</span><p>本文来源：市融媒体中心</p>": "市融媒体中心",
        "<p>资金来源：市级财政专项资金。</p><p>数据来源：市统计局</p>": None,  # words of the story
        "<p>来源：市政府办公室为深入贯彻落实党中央国务院决策部署进一步优化营商环境现将有关事项通知如下</p>": None,
        "<script>var s = '来源：脚本';</script><p>正文</p>": None,
    }
    assert {body: _detail(body).source for body in cases} == cases


def test_detail_title_heading_then_title_tag_without_site_or_column():
    logo = '<div class="logo"><h1><a href="/">某某市人民政府</a></h1></div>'
    crumb = '<div class="crumb"><a href="/">首页</a> &gt; <a href="/tzgg/">通知公告</a></div>'
    side = "<div class='side'><h2>热点推荐</h2></div>"
    cases = [  # (<title>, body) → (title, where from)
        ("某某市人民政府门户网站", f"{logo}{crumb}<h1>关于做好春耕备耕工作的通知</h1>{side}",
         ("关于做好春耕备耕工作的通知", "heading")),
        ("通知公告_某某市人民政府", f"{crumb}<h2>通知公告</h2><div class='article-title'>关于做好春耕备耕工作的通知</div>",
         ("关于做好春耕备耕工作的通知", "heading")),
        ("关于做好春耕备耕工作的通知_通知公告_某某市人民政府", f"{logo}{crumb}{side}",
         ("关于做好春耕备耕工作的通知", "page-title")),
        ("某某市人民政府_通知公告_关于做好春耕备耕工作的通知", side, ("关于做好春耕备耕工作的通知", "page-title")),
        ("关于做好春耕备耕工作的通知 | 某某市人民政府", side, ("关于做好春耕备耕工作的通知", "page-title")),
        ("关于做好春耕备耕工作的通知-某某市人民政府", side, ("关于做好春耕备耕工作的通知", "page-title")),
        ("关于做好2024-2025年度供暖工作的通知", side, ("关于做好2024-2025年度供暖工作的通知", "page-title")),
        ("砥砺奋进——记某某市优秀基层干部", side, ("砥砺奋进——记某某市优秀基层干部", "page-title")),
    ]
    got = [(lambda d: (d.title, d.title_from))(_detail(body, title)) for title, body, _ in cases]
    assert got == [want for *_, want in cases]


@pytest.mark.parametrize("stray", [b"\x96", b"\xff", b"\x80"])
def test_gbk_page_with_a_stray_byte_and_no_declaration_stays_gbk(stray):
    """Not strict GB18030 any more, so a detector would pick a Latin code page (cp1250 …) and turn
    every Chinese character into two letters: the page is Han characters all through as GB18030."""
    d = decode_bytes(_page("", "gbk").replace(b"STRAY", stray))
    assert d.charset == "gb18030" and d.text.count(GOV) == 3, (d.charset, d.text[:200])
    assert any("none declared, GB18030 with 1 invalid byte(s) replaced" in w for w in d.warnings), d.warnings


def test_big5_page_with_no_declaration_is_not_taken_for_gbk():
    text = "臺北市政府舉辦市民活動，歡迎民眾踴躍參加。" * 20
    d = decode_bytes(f"<html><body><p>{text}</p></body></html>".encode("big5"))
    assert text in d.text
