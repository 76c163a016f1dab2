"""probe (onboarding a new site), decoding rules, and real saved Chinese pages."""

from __future__ import annotations

import codecs

import pytest

import collectors
from collectors.decoding import decode_bytes, repair_mojibake
from collectors.parsing import parse_detail, parse_list
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
