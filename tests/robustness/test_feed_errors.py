"""Sources that answer with something other than a feed: the operator sees one line naming the cause."""

from __future__ import annotations

import pytest

ERROR_PAGES = {
    "busy-page": ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>系统繁忙</title></head>'
                  "<body><h1>系统繁忙，请稍后再试</h1><p>Service Unavailable</p></body></html>", "text/html",
                  "not an RSS/Atom feed: the server sent an HTML page (系统繁忙)"),
    "nginx-502-as-xml": ("<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway"
                         "</h1></center><hr><center>nginx</center></body></html>", "application/rss+xml",
                         "not an RSS/Atom feed: the server sent an HTML page (502 Bad Gateway)"),
    "gbk-waf-page": ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
                     "<title>访问被拒绝</title></head><body>您的访问被网站防火墙拦截</body></html>".encode("gbk"),
                     "text/html", "not an RSS/Atom feed: the server sent an HTML page (访问被拒绝)"),
    "empty-body": ("", "application/rss+xml", "empty body at {url}"),
}


@pytest.mark.parametrize("name", sorted(ERROR_PAGES))
def test_html_page_served_as_a_feed_is_named_as_such(web, huiju_for, name):
    body, ctype, expected = ERROR_PAGES[name]
    url = web.put(f"/{name}.xml", body, content_type=ctype)
    h = huiju_for([{"id": "feed", "type": "rss", "url": url}])
    result = h.cycle()[0]
    assert not result.ok
    assert result.error == expected.format(url=url)
    assert "\n" not in result.error
    assert h.items() == []


def test_empty_feed_is_a_success_with_nothing_new(web, huiju_for):
    url = web.put("/empty.xml", '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t'
                  "</title></channel></rss>", content_type="application/rss+xml")
    h = huiju_for([{"id": "feed", "type": "rss", "url": url}])
    result = h.cycle()[0]
    assert result.ok and result.new == 0 and result.error is None


WRONG_PAGES = {
    "json-source-gets-maintenance-page": (
        "json", 'json = { items = "data.list", title = "title", url = "url" }',
        "<html><head><title>系统维护中</title></head><body>系统维护中，请稍后访问</body></html>",
        "not valid JSON: the server sent an HTML page (系统维护中)"),
    "html-list-gets-error-page-with-200": (
        "html", 'list = { items = "ul.list li", link = "a", date = "span" }',
        "<html><head><title>404 页面不存在</title></head><body><h1>您访问的页面不存在</h1></body></html>",
        "no entries match the list selector 'ul.list li' on the page titled 404 页面不存在"),
    "html-list-without-selectors-gets-login-page": (
        "html", "", '<html><head><title>统一身份认证</title></head><body><form><input name="u"></form></body></html>',
        "no list of dated item links found on the page titled 统一身份认证"),
}


@pytest.mark.parametrize("name", sorted(WRONG_PAGES))
def test_wrong_page_error_names_what_was_served(web, huiju_for, name):
    kind, extra, body, expected = WRONG_PAGES[name]
    url = web.put(f"/{name}", body, content_type="text/html")
    h = huiju_for([{"id": "site", "type": kind, "url": url, "extra": extra}])
    result = h.cycle()[0]
    assert not result.ok and result.error == expected
