"""Every template serves lists and details that a collector can read with the declared selectors."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from urllib.parse import urljoin

import feedparser
import pytest

import sample_province
from sample_province import Province

from .helpers import items_of, list_entries, parse_html, select, source_of, text_of

HTML_SOURCES = {
    "ucap-department": "fgw",
    "ucap-portal": "portal-zwdt",
    "trs": "harbin",
    "hanweb": "qiqihar",
    "simple": "suihua",
}


@pytest.fixture(scope="module")
def busy() -> Iterator[Province]:
    """One day with many stories, so that lists run over several pages."""
    p = sample_province.start(seed=3, stories_per_day=1500, days=1)
    p.advance(days=1)
    yield p
    p.stop()


def _site(p: Province, source_id: str):
    return p.site_by_id[source_id.split("-")[0] if source_id.startswith("portal-") else source_id]


@pytest.mark.parametrize("name", sorted(HTML_SOURCES))
def test_html_list_and_detail_read_with_declared_selectors(province: Province, http, name: str) -> None:
    sid = HTML_SOURCES[name]
    src = source_of(province, sid)
    site = _site(province, sid)
    truth = items_of(province, site.id, sid)
    assert truth, f"{sid} released nothing in two days"
    r = http.get(src["url"], headers={"Referer": src.get("referer", "")})
    assert r.status_code == 200
    root = parse_html(r.content, site.charset)
    entries = list_entries(root, src["list"])
    assert [e["title"] for e in entries] == [t["title"] for t in truth[:20]]
    first = truth[0]
    detail_url = urljoin(src["url"], entries[0]["href"])
    assert detail_url == first["url"]
    d = http.get(detail_url)
    assert d.status_code == 200
    droot = parse_html(d.content, site.charset)
    assert text_of(select(droot, src["detail"]["title"])) == first["title"]
    body = text_of(select(droot, src["detail"]["body"]))
    assert len(body) > 20
    # the chrome around the story is there, and not inside the body selector
    page_text = droot.text_content()
    for chrome in ("您当前的位置", "分享到", "网站标识码", "打印本页"):
        assert chrome in page_text
        assert chrome not in body


def test_ucap_detail_carries_meta_tags(province: Province, http) -> None:
    item = items_of(province, "fgw")[0]
    root = parse_html(http.get(item["url"]).content, "utf-8")
    metas = {m.get("name"): m.get("content") for m in root.iter("meta") if m.get("name")}
    assert metas["ArticleTitle"] == item["title"]
    assert metas["ColumnName"] == "工作动态"
    assert metas["ContentSource"] == "黑龙江省发展和改革委员会" or metas["ContentSource"]
    assert metas["PubDate"][:16] == item["released_at"][:16].replace("T", " ")
    assert re.search(r"/fgw/fgw/c\d+/\d{6}/c00_\d+\.shtml$", item["url"])


def test_portal_policy_documents_use_gzk_detail(province: Province, http) -> None:
    p = province
    p.advance(days=3)  # documents come every few days
    docs = items_of(p, "portal", "portal-zfwj")
    assert docs, "no 规范性文件 in five days"
    src = source_of(p, "portal-zfwj")
    assert src["review"] == "auto" and src["column"] == "gov-documents"
    assert source_of(p, "portal-gz")["review"] == "auto"
    root = parse_html(http.get(docs[0]["url"]).content, "utf-8")
    assert text_of(select(root, src["detail"]["title"])) == docs[0]["title"]
    assert "〔" in text_of(select(root, "table.gzk_info"))  # 文号 黑政规〔2025〕N号
    assert text_of(select(root, src["detail"]["body"])).startswith("各市（地）")
    assert all(d["column"] == "gov-documents" for d in docs)
    links = [a.get("href") for a in select(root, "div.gzk_fj a")]
    assert len(links) == 1 and links[0].endswith(".pdf")
    pdf = http.get(urljoin(docs[0]["url"], links[0]))
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-1.4") and pdf.content.rstrip().endswith(b"%%EOF")
    assert http.get(urljoin(docs[0]["url"], "P0000000001.pdf")).status_code == 404


def test_trs_pagination_with_create_page_html(busy: Province, http) -> None:
    src = source_of(busy, "harbin")
    truth = items_of(busy, "harbin")
    assert len(truth) > 20
    pages = -(-len(truth) // 20)
    first = http.get(src["url"]).content.decode("utf-8")
    assert f'createPageHTML({pages}, 0, "index", "html");' in first
    second_url = src["url"].replace("index.html", "index_1.html")
    root = parse_html(http.get(second_url).content, "utf-8")
    titles = [e["title"] for e in list_entries(root, src["list"])]
    assert titles == [t["title"] for t in truth[20:40]]
    assert http.get(src["url"].replace("index.html", f"index_{pages}.html")).status_code == 404


def test_ucap_pagination(busy: Province, http) -> None:
    src = source_of(busy, "portal-tjdt")
    truth = items_of(busy, "portal", "portal-tjdt")
    assert len(truth) > 20
    root = parse_html(http.get(src["url"].replace("common_list.shtml", "common_list_2.shtml")).content, "utf-8")
    assert [e["title"] for e in list_entries(root, src["list"])] == [t["title"] for t in truth[20:40]]
    assert select(parse_html(http.get(src["url"]).content, "utf-8"), "a.next")


def test_hanweb_pagination_by_page_num(busy: Province, http) -> None:
    src = source_of(busy, "qiqihar")
    truth = items_of(busy, "qiqihar")
    assert re.search(r"/col/col\d+/index\.html\?uid=\d+&pageNum=1$", src["url"])
    assert len(truth) > 20
    url2 = src["url"].replace("pageNum=1", "pageNum=2")
    root = parse_html(http.get(url2).content, "gbk")
    assert [e["title"] for e in list_entries(root, src["list"])] == [t["title"] for t in truth[20:40]]


def test_simple_pagination_by_next_link(busy: Province, http) -> None:
    src = source_of(busy, "suihua")
    truth = items_of(busy, "suihua")
    assert len(truth) > 20
    root = parse_html(http.get(src["url"]).content, "utf-8")
    nxt = select(root, src["list"]["next"])
    assert nxt
    root2 = parse_html(http.get(urljoin(src["url"], nxt[0].get("href"))).content, "utf-8")
    assert [e["title"] for e in list_entries(root2, src["list"])] == [t["title"] for t in truth[20:40]]


@pytest.mark.parametrize("source_id", ["portal-ljdt", "portal-dsdt", "heihe"])
def test_json_list_endpoints(province: Province, http, source_id: str) -> None:
    src = source_of(province, source_id)
    site_id = "portal" if source_id.startswith("portal") else source_id
    truth = items_of(province, site_id, source_id)
    r = http.get(src["url"])
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/json")
    data = r.json()
    spec = src["json"]
    node = data
    for key in spec["items"].split("."):
        node = node[key]
    assert [e[spec["title"]] for e in node] == [t["title"] for t in truth[:20]]
    if node:
        e = node[0]
        assert urljoin(src["url"], e[spec["url"]]) == truth[0]["url"]
        assert e[spec["date"]] == truth[0]["released_at"][:19].replace("T", " ")
        assert "<p" in e[spec["body"]]
    # the page parameter pages on
    page_param = spec["page_param"]
    url2 = re.sub(rf"{page_param}=1", f"{page_param}=2", src["url"])
    node2 = http.get(url2).json()
    for key in spec["items"].split("."):
        node2 = node2[key]
    assert [e[spec["title"]] for e in node2] == [t["title"] for t in truth[20:40]]


def test_portal_json_endpoint_shape_matches_hlj(province: Province, http) -> None:
    src = source_of(province, "portal-ljdt")
    assert re.search(r"/portal/common/search/[0-9a-f]{32}\?page=1&_pageSize=20&_isJson=true$", src["url"])
    small = http.get(src["url"].replace("_pageSize=20", "_pageSize=3")).json()
    assert small["data"]["rows"] == 3 and len(small["data"]["results"]) <= 3
    assert small["data"]["total"] == len(items_of(province, "portal", "portal-ljdt"))


@pytest.mark.parametrize("site_id,version", [("jiamusi", "rss20"), ("xinhua", "rss20"), ("yichun", "atom10")])
def test_feeds_parse_with_feedparser(province: Province, http, site_id: str, version: str) -> None:
    src = source_of(province, site_id)
    assert src["type"] == "rss"
    r = http.get(src["url"])
    feed = feedparser.parse(r.content, response_headers={"content-type": r.headers["Content-Type"]})
    assert feed.version == version
    assert not feed.bozo, feed.get("bozo_exception")
    truth = items_of(province, site_id)
    assert [e.title for e in feed.entries] == [t["title"] for t in truth[:30]]
    e = feed.entries[0]
    assert urljoin(src["url"], e.link) == truth[0]["url"]
    content = e.content[0].value if "content" in e else e.description
    assert "<p" in content
    assert http.get(urljoin(src["url"], e.link)).status_code == 200


def test_rss_with_empty_guids_and_cst_dates(province: Province, http) -> None:
    r = http.get(source_of(province, "daxinganling")["url"])
    text = r.content.decode("gbk")
    assert '<?xml version="1.0" encoding="gbk"?>' in text
    assert "<guid></guid>" in text
    assert re.search(r"<pubDate>\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d CST</pubDate>", text)


def test_every_template_appears(province: Province) -> None:
    templates = {s.template for s in province.sites} | {c.template for s in province.sites for c in s.channels}
    assert {"ucap", "trs", "hanweb", "json", "portal-json", "rss", "atom", "simple", "xinhua"} <= templates


def test_site_home_and_province_index(province: Province, http) -> None:
    index = http.get(province.url + "/").text
    for s in province.sites:
        assert f'href="/{s.id}/"' in index
    home = http.get(province.url + "/fgw/")
    assert home.status_code == 200 and "工作动态" in home.text


def test_json_sources_declare_their_fields(province: Province) -> None:
    for src in province.sources():
        if src["type"] == "json":
            assert {"items", "title", "url", "date", "page_param"} <= set(src["json"])
        elif src["type"] == "html":
            assert {"items", "link", "next"} <= set(src["list"]) and "body" in src["detail"]
    json.dumps(province.sources())
