"""The daemon's HTTP server (pipeline/http_server.py): Granian with the publisher's front for cached
pages, the Flask app behind it for everything else; spoken to over real sockets on 127.0.0.1."""

from __future__ import annotations

import errno
import re
import socket
import threading
import time
from pathlib import Path

import pytest
import requests

import review_queue
import store
from pipeline.flow import init_all
from pipeline.http_server import MAX_BODY_BYTES, HttpServer
from tests.publisher.live_portal import populate, serving

URLS = ["/feeds/all.atom", "/feeds/city-news.rss", "/feeds/all.json", "/api/v1/columns",
        "/api/v1/items?since=0&limit=7", "/api/v1/search?q=%E5%93%88%E5%B0%94%E6%BB%A8", "/api/v1/openapi.json"]


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    path = tmp_path_factory.mktemp("http") / "huiju.db"
    started = time.time()
    config = populate(path, items=60)
    db = store.open_db(path)
    init_all(db)
    review_queue.add_user(db, "shenhe", "reviewer", "correct horse battery 9")
    db.conn.close()
    # The newest item is stamped with the time of populate(); while that second runs the page shows
    # Last-Modified one second early (see test_last_modified_is_one_second_early_…), so the
    # conditional tests below start once it has passed, whatever the machine's speed.
    time.sleep(max(0.0, started + 1.2 - time.time()))
    with serving(path, config) as base:
        yield base, path


def _headers(resp: requests.Response) -> dict[str, str]:
    return {k.lower(): v for k, v in resp.headers.items() if k.lower() != "date"}


@pytest.mark.parametrize("url", URLS)
def test_a_cached_page_is_answered_with_the_same_bytes_and_headers_as_the_view(portal, url: str) -> None:
    base, _ = portal
    for encoding in ("identity", "gzip", "br"):
        first = requests.get(base + url, headers={"Accept-Encoding": encoding}, timeout=30)  # the view (or cache)
        again = requests.get(base + url, headers={"Accept-Encoding": encoding}, timeout=30)  # the front
        assert first.status_code == again.status_code == 200
        assert again.content == first.content
        assert _headers(again) == _headers(first)
        assert (again.headers.get("Content-Encoding") or "identity") == encoding
        assert again.headers["Access-Control-Allow-Origin"] == "*" and again.headers["X-Huiju-Epoch"]


@pytest.mark.parametrize("url", URLS[:4])
def test_conditional_requests_are_honoured_by_the_front(portal, url: str) -> None:
    base, _ = portal
    full = requests.get(base + url, timeout=30)
    tag, modified = full.headers["ETag"], full.headers.get("Last-Modified")
    hit = requests.get(base + url, headers={"If-None-Match": tag}, timeout=30)
    assert hit.status_code == 304 and hit.content == b"" and hit.headers["ETag"] == tag
    assert requests.get(base + url, headers={"If-None-Match": '"other"'}, timeout=30).status_code == 200
    # If-None-Match wins over If-Modified-Since (RFC 9110)
    assert requests.get(base + url, headers={"If-None-Match": '"other"', "If-Modified-Since": modified or ""},
                        timeout=30).status_code == 200
    if modified:
        assert requests.get(base + url, headers={"If-Modified-Since": modified}, timeout=30).status_code == 304
    head = requests.head(base + url, timeout=30)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["Content-Length"] == full.headers["Content-Length"]


def test_last_modified_is_one_second_early_while_the_second_of_the_change_runs() -> None:
    """A change later in the same second must not be hidden from a client that revalidates with
    the Last-Modified it was just sent: so during that second the header says the one before, and
    If-Modified-Since with it gets the new bytes, not 304."""
    from datetime import UTC, datetime, timedelta

    from werkzeug.http import http_date

    from publisher.pages import Page, respond

    changed = datetime.now(UTC) + timedelta(seconds=30)  # "the second of the change" still runs
    page = Page(b"{}", "application/json", changed, ("e", 1))
    status, headers, _ = respond(page, "GET", None, None, None)
    shown = dict(headers)["Last-Modified"]
    assert shown == http_date(changed.replace(microsecond=0).timestamp() - 1)
    assert respond(page, "GET", None, shown, None)[0] == 200
    assert respond(page, "GET", None, http_date(changed.replace(microsecond=0)), None)[0] == 304
    settled = Page(b"{}", "application/json", changed - timedelta(minutes=5), ("e", 1))
    shown = dict(respond(settled, "GET", None, None, None)[1])["Last-Modified"]
    assert respond(settled, "GET", None, shown, None)[0] == 304


def test_errors_and_options_still_come_from_the_views(portal) -> None:
    base, _ = portal
    bad = requests.get(base + "/api/v1/items?since=x", timeout=30)
    assert bad.status_code == 400 and bad.json()["code"] == "bad_parameter"
    assert requests.post(base + "/api/v1/items", timeout=30).json()["code"] == "method_not_allowed"
    opts = requests.options(base + "/api/v1/items", timeout=30)
    assert "GET" in opts.headers["Access-Control-Allow-Methods"]
    huge = requests.post(base + "/api/v1/items", data=b"x" * (MAX_BODY_BYTES + 1), timeout=60)
    assert huge.status_code == 405 and huge.json()["code"] == "method_not_allowed"  # JSON, never a bare 413
    assert requests.get(base + "/api/v1/columns", timeout=30).status_code == 200
    beyond = requests.get(base + "/api/v1/items?since=99999999", timeout=30)
    assert beyond.status_code == 409 and beyond.json()["code"] == "since_beyond_end"


def test_the_review_desk_keeps_its_login_sessions_and_csrf(portal) -> None:
    base, _ = portal
    browser = requests.Session()
    page = browser.get(base + "/review/login", timeout=30)
    assert page.status_code == 200
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    forged = requests.post(base + "/review/login", data={"name": "shenhe", "password": "correct horse battery 9"},
                           allow_redirects=False, timeout=30)
    assert forged.status_code == 400  # no CSRF token, no session
    wrong = browser.post(base + "/review/login", data={"csrf_token": token, "name": "shenhe", "password": "nope"},
                         allow_redirects=False, timeout=30)
    assert wrong.status_code == 401
    ok = browser.post(base + "/review/login", data={"csrf_token": token, "name": "shenhe",
                                                    "password": "correct horse battery 9"},
                      allow_redirects=False, timeout=30)
    assert ok.status_code == 302
    cookie = ok.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert browser.get(base + "/review/", allow_redirects=False, timeout=30).status_code == 200
    assert requests.get(base + "/review/", allow_redirects=False, timeout=30).status_code in (302, 303)


def _raw(base: str, request: bytes) -> bytes:
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):  # the request says Connection: close: read to the end
            data += chunk
    return data


def test_the_wsgi_bridge_passes_requests_as_pep_3333_says() -> None:
    seen: dict[str, object] = {}

    def app(environ, start_response):
        seen.update(environ)
        body = environ["wsgi.input"].read()
        start_response("201 Created", [("Content-Type", "text/plain"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")])
        return [b"got ", body]

    server = HttpServer(app, port=0, threads=2)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.effective_port}"
    try:
        raw = _raw(base, b"POST /review/%E4%B8%AD.rss?q=%E4%B8%AD&x=1 HTTP/1.1\r\nHost: portal.example\r\n"
                         b"Cookie: a=1\r\nCookie: b=2\r\nX_Forwarded_For: 6.6.6.6\r\nX-Forwarded-For: 10.0.0.1\r\n"
                         b"Content-Type: text/plain\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello")
        assert raw.startswith(b"HTTP/1.1 201") and raw.endswith(b"got hello")
        assert raw.count(b"set-cookie:") == 2  # two headers, not one folded line
        assert seen["PATH_INFO"] == "/review/中.rss".encode().decode("latin-1")
        assert seen["QUERY_STRING"] == "q=%E4%B8%AD&x=1"
        assert seen["HTTP_HOST"] == "portal.example" and seen["REMOTE_ADDR"] == "127.0.0.1"
        assert seen["HTTP_COOKIE"] == "a=1; b=2"
        assert seen["HTTP_X_FORWARDED_FOR"] == "10.0.0.1"  # the underscore spelling cannot pose as it
        assert seen["CONTENT_TYPE"] == "text/plain" and seen["CONTENT_LENGTH"] == "5"
        big = requests.post(base + "/upload", data=b"x" * (MAX_BODY_BYTES + 1), timeout=60)
        assert big.status_code == 413
    finally:
        server.close()
        thread.join(5)
    assert not thread.is_alive()
    with pytest.raises(requests.ConnectionError):
        requests.get(base + "/", timeout=5)


def test_a_port_in_use_is_a_named_os_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(OSError) as caught:
            HttpServer(lambda environ, start_response: [], port=taken.getsockname()[1])
    assert caught.value.errno == errno.EADDRINUSE
