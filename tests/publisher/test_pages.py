"""Pages rendered once per change of the stream and served as bytes, compressed once, revalidated cheaply."""

from __future__ import annotations

import gzip

import brotli
import pytest

import publisher
from publisher.web import page_cache
from tests.publisher.conftest import make_entry


def test_a_page_is_rendered_once_per_change_of_the_stream(db, client, app):
    publisher.publish(db, make_entry(1))
    cache = page_cache(app)
    for _ in range(5):
        assert client.get("/feeds/all.atom").status_code == 200
    assert cache.renders == 1
    publisher.publish(db, make_entry(2))
    body = client.get("/feeds/all.atom").data
    assert b"huiju:item:2" in body and cache.renders == 2
    client.get("/feeds/all.atom")
    assert cache.renders == 2


def test_cached_answers_are_the_bytes_a_fresh_render_gives(db, client, app):
    for i in (1, 2, 3):
        publisher.publish(db, make_entry(i))
    urls = ["/feeds/city-news.rss", "/api/v1/items?since=1&limit=1", "/api/v1/items/2", "/api/v1/search?q=哈尔滨"]
    first = {u: client.get(u).data for u in urls}
    publisher.clear_page_cache(app)
    assert {u: client.get(u).data for u in urls} == first


@pytest.mark.parametrize("accept,coding", [("gzip", "gzip"), ("br, gzip", "br"), ("gzip;q=0, br;q=0", None),
                                           ("identity", None), ("*", "br")])
def test_compression_is_negotiated_and_the_etag_names_the_content(db, client, accept, coding):
    for i in range(1, 8):
        publisher.publish(db, make_entry(i))
    plain = client.get("/feeds/all.atom", headers={"Accept-Encoding": "identity"})
    resp = client.get("/feeds/all.atom", headers={"Accept-Encoding": accept})
    assert resp.headers["Vary"] == "Accept-Encoding"
    assert resp.headers.get("Content-Encoding") == coding
    decoded = {"gzip": gzip.decompress, "br": brotli.decompress, None: lambda b: b}[coding](resp.data)
    assert decoded == plain.data
    assert int(resp.headers["Content-Length"]) == len(resp.data)
    if coding:
        assert len(resp.data) < len(plain.data) / 2
    assert resp.headers["ETag"] == plain.headers["ETag"]
    assert client.get("/feeds/all.atom", headers={"Accept-Encoding": accept,
                                                  "If-None-Match": resp.headers["ETag"]}).status_code == 304


def test_head_gives_the_headers_without_the_body(db, client):
    publisher.publish(db, make_entry(1))
    get = client.get("/feeds/all.rss")
    head = client.head("/feeds/all.rss")
    assert head.status_code == 200 and head.data == b""
    assert head.headers["ETag"] == get.headers["ETag"] and head.headers["Content-Length"] == str(len(get.data))


def test_the_fast_path_answers_a_cached_page_without_flask(db, client, app, monkeypatch):
    publisher.publish(db, make_entry(1))
    etag = client.get("/feeds/all.json").headers["ETag"]

    def no_flask(*_a, **_k):
        raise AssertionError("Flask was asked for a page the cache holds")

    monkeypatch.setattr(app, "full_dispatch_request", no_flask)
    assert client.get("/feeds/all.json").status_code == 200
    assert client.get("/feeds/all.json", headers={"If-None-Match": etag}).status_code == 304


def test_the_page_cache_holds_a_bounded_number_of_bytes(db, client, app):
    """A client walking every cursor fills the cache with distinct pages; what it holds stays
    within its byte budget (least recently used pages go), and the newest page is still served
    from it."""
    for i in range(1, 30):
        publisher.publish(db, make_entry(i))
    cache = page_cache(app)
    client.get("/api/v1/items?since=0&limit=20", headers={"Accept-Encoding": "gzip"})
    cache.max_bytes = 6 * cache.held_bytes()  # room for a handful of pages of this size
    for since in range(0, 29):
        assert client.get(f"/api/v1/items?since={since}&limit=20",
                          headers={"Accept-Encoding": "gzip"}).status_code == 200
    client.get("/api/v1/items?since=0&limit=20")  # one more render: the variants made so far count now
    assert cache.held_bytes() <= cache.max_bytes
    renders = cache.renders
    assert client.get("/api/v1/items?since=0&limit=20").status_code == 200
    assert cache.renders == renders  # the newest is kept


def test_kept_answers_still_negotiate_every_request_on_its_own(db, client):
    """Each page keeps its header lists and each Accept-Encoding's coding: answers must not leak."""
    publisher.publish(db, make_entry(1))
    url = "/feeds/all.atom"
    tag = client.get(url).headers["ETag"]
    for _ in range(2):  # the second round is answered from what the first kept
        plain = client.get(url)
        gz = client.get(url, headers={"Accept-Encoding": "gzip"})
        refused = client.get(url, headers={"Accept-Encoding": "gzip;q=0"})
        assert "Content-Encoding" not in plain.headers and "Content-Encoding" not in refused.headers
        assert gz.headers["Content-Encoding"] == "gzip"
        assert int(gz.headers["Content-Length"]) < int(plain.headers["Content-Length"]) == len(plain.data)
        assert gzip.decompress(gz.data) == plain.data == refused.data
        for match in (tag, f'"other", {tag}', "*", f"W/{tag}"):
            answer = client.get(url, headers={"If-None-Match": match, "Accept-Encoding": "gzip"})
            assert answer.status_code == 304 and answer.data == b"", match
            assert "Content-Length" not in answer.headers and "Content-Encoding" not in answer.headers
        assert client.get(url, headers={"If-None-Match": tag[:-2] + '"'}).status_code == 200
