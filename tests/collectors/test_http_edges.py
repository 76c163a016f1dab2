"""HTTP edge cases: session-cookie redirects, cut gzip bodies, odd Location and malformed headers."""

from __future__ import annotations

import gzip
import socket
import threading
import zlib
from collections.abc import Iterator

import pytest

import collectors
from collectors.errors import FetchError, RedirectLoop, TooLarge
from collectors.http import Fetcher, HostLimiter, parse_retry_after
from tests.collectors.fakeweb import FakeWeb, Route
from tests.collectors.sources import FAST, make_source

PAGE = "<html><head><meta charset='utf-8'></head><body><p>鹤岗市召开经济工作会议</p></body></html>".encode()
LIST = ("<html><head><meta charset='utf-8'></head><body><ul class='l'><li><a href='/d/1.html'>"
        "鹤岗市召开第1次经济工作会议</a><span>2024-05-01</span></li></ul></body></html>")
DETAIL = ("<html><head><meta name='ArticleTitle' content='鹤岗市召开第1次经济工作会议'>"
          "<meta name='PubDate' content='2024-05-01 09:00'></head><body><div class='body'><p>{text}</p></div>"
          "</body></html>")


def _fetcher(web: FakeWeb | str, clock=None, **kw) -> Fetcher:
    src = make_source("hg", getattr(web, "url", web), "/l.html", **kw)
    extra = {"clock": clock} if clock else {}
    return Fetcher(FAST, HostLimiter(4), source=src, **extra)


def _one_line(msg: str) -> None:
    assert msg and "\n" not in msg and "Traceback" not in msg and len(msg) <= 300
    assert "('" not in msg and "Error(" not in msg  # no repr of exception tuples


@pytest.fixture
def raw() -> Iterator:
    """Start tiny servers that answer every connection with fixed bytes, then close it."""
    socks: list[socket.socket] = []

    def start(reply: bytes) -> str:
        srv = socket.socket()
        srv.bind(("127.0.0.1", 0))
        srv.listen(8)
        socks.append(srv)

        def loop() -> None:
            while True:
                try:
                    conn, _ = srv.accept()
                except OSError:
                    return
                try:
                    conn.recv(65536)
                    conn.sendall(reply)
                except OSError:
                    pass
                conn.close()

        threading.Thread(target=loop, daemon=True).start()
        return f"http://127.0.0.1:{srv.getsockname()[1]}"

    yield start
    for s in socks:
        s.close()


# 1. redirects that set a session cookie are a handshake, not a loop


def test_302_to_the_same_url_that_sets_a_cookie_is_followed_with_the_cookie(web):
    def handshake(h):
        if "JSESSIONID=z" in (h.headers.get("Cookie") or ""):
            return Route(body=PAGE)
        return Route(status=302, headers={"Location": "/l.html", "Set-Cookie": "JSESSIONID=z; Path=/"})

    web.route("/l.html", handler=handshake)
    resp = _fetcher(web).get(web.url + "/l.html")
    assert resp.status == 200 and resp.content == PAGE
    assert web.count("/l.html") == 2
    # the same URL with no new cookie since the last visit is still a loop
    web.route("/loop", status=302, headers={"Location": "/loop"})
    with pytest.raises(RedirectLoop, match="redirect loop"):
        _fetcher(web).get(web.url + "/loop")


def test_tomcat_jsessionid_rewrite_and_back_is_followed(web):
    def rewrite(h):
        if "JSESSIONID=q" in (h.headers.get("Cookie") or ""):
            return Route(body=PAGE)
        return Route(status=302, headers={"Location": "/l.html;jsessionid=q", "Set-Cookie": "JSESSIONID=q; Path=/"})

    web.route("/l.html", handler=rewrite)
    web.route("/l.html;jsessionid=q", status=302, headers={"Location": "/l.html"})
    resp = _fetcher(web).get(web.url + "/l.html")
    assert resp.status == 200 and resp.content == PAGE


def test_a_cookie_that_changes_on_every_hop_is_bounded_by_max_redirects(web):
    n = iter(range(1000))

    def endless(h):
        return Route(status=302, headers={"Location": "/l.html", "Set-Cookie": f"S={next(n)}; Path=/"})

    web.route("/l.html", handler=endless)
    with pytest.raises(RedirectLoop):
        _fetcher(web).get(web.url + "/l.html")
    assert web.count("/l.html") == FAST.max_redirects + 1
    # and the session-cookie handshake above did not simply switch loop detection off
    web.route("/a", status=302, headers={"Location": "/b"})
    web.route("/b", status=302, headers={"Location": "/a", "Set-Cookie": "B=1; Path=/"})
    with pytest.raises(RedirectLoop, match="redirect loop: .*/a redirects back"):
        _fetcher(web).get(web.url + "/a")


# 2. a gzip stream that stops early is a truncated body, not a shorter page


def _long_detail() -> bytes:
    return DETAIL.format(text="".join(f"第{i}段，内容各不相同，编号{i * 7919 % 1000}。" for i in range(300))).encode()


def test_truncated_gzip_body_is_a_fetch_error(web):
    full = _long_detail()
    gz = gzip.compress(full)
    web.route("/cut.html", gz[: len(gz) * 6 // 10], headers={"Content-Encoding": "gzip"})
    with pytest.raises(FetchError, match="body truncated: the gzip stream ends early at") as exc:
        _fetcher(web).get(web.url + "/cut.html")
    _one_line(str(exc.value))
    # complete streams in every form still decode
    deflate_raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    for path, body, enc in [("/gz", gz, "gzip"), ("/two", gzip.compress(gz), "gzip, gzip"),
                            ("/members", gzip.compress(full[:100]) + gzip.compress(full[100:]), "gzip"),
                            ("/zlib", zlib.compress(full), "deflate"),
                            ("/raw", deflate_raw.compress(full) + deflate_raw.flush(), "deflate")]:
        web.route(path, body, headers={"Content-Encoding": enc})
        assert _fetcher(web).get(web.url + path).content == full, path
    web.route("/cutdeflate", zlib.compress(full)[:500], headers={"Content-Encoding": "deflate"})
    with pytest.raises(FetchError, match="body truncated: the deflate stream ends early"):
        _fetcher(web).get(web.url + "/cutdeflate")
    # decoding here keeps the body cap: a gzip of a gzip bomb is stopped at max_body_bytes
    web.route("/bomb", gzip.compress(gzip.compress(b"\0" * (64 * 1024 * 1024))), headers={"Content-Encoding": "gzip, gzip"})
    with pytest.raises(TooLarge):
        _fetcher(web).get(web.url + "/bomb")


def test_truncated_gzip_detail_page_is_not_stored_and_is_retried(web, db):
    web.route("/l.html", LIST)
    gz = gzip.compress(_long_detail())
    web.route("/d/1.html", gz[: len(gz) * 6 // 10], headers={"Content-Encoding": "gzip"})
    src = make_source("hg", web.url, "/l.html", list={"items": "ul.l li", "date": "span"},
                      detail={"body": "div.body"})
    [r] = collectors.collect(db, [src], FAST)
    assert r.new == 0
    assert collectors.pending(db, 0) == []
    web.route("/d/1.html", gz, headers={"Content-Encoding": "gzip"})
    [r] = collectors.collect(db, [src], FAST)
    items = [it for _, it in collectors.pending(db, 0)]
    assert r.new == 1 and len(items) == 1 and "第299段" in (items[0].html or "")


# 3. a Location header with raw UTF-8


def test_location_with_raw_utf8_path_is_followed_percent_encoded(web):
    target = "/%E6%96%B0%E9%97%BB/%E5%88%97%E8%A1%A8.html"
    web.route(target, PAGE)
    # http.server writes header values as latin-1: pre-decode the UTF-8 bytes so they go out raw
    web.route("/l.html", status=302, headers={"Location": "/新闻/列表.html".encode().decode("latin-1")})
    resp = _fetcher(web).get(web.url + "/l.html")
    assert resp.status == 200 and resp.content == PAGE
    assert resp.url == web.url + target
    assert [h.path for h in web.hits] == ["/l.html", target]


# 4. the source's own headers stay on its host


def test_redirect_to_another_host_drops_the_sources_private_headers():
    web, other = FakeWeb(), FakeWeb()
    try:
        other.route("/l.html", PAGE)
        web.route("/l.html", status=301, headers={"Location": other.url + "/l.html"})
        f = _fetcher(web, referer=web.url + "/index/news.html",
                     headers={"Authorization": "Bearer tok", "Cookie": "X=1", "X-Token": "t0k",
                              "Accept": "text/html"})
        assert f.get(web.url + "/l.html").content == PAGE
        first, moved = web.hits[0].headers, other.hits[0].headers
        assert first["authorization"] == "Bearer tok" and first["x-token"] == "t0k" and "X=1" in first["cookie"]
        assert first["referer"] == web.url + "/index/news.html"
        assert "authorization" not in moved and "x-token" not in moved
        assert "X=1" not in moved.get("cookie", "")
        assert moved["user-agent"] == FAST.user_agent and moved["accept"] == "text/html"
        assert moved["accept-language"].startswith("zh-CN")
        assert moved["referer"] == web.url + "/"  # origin only across hosts
        # the session keeps its headers for the source's own host afterwards
        web.route("/p.html", PAGE)
        f.get(web.url + "/p.html")
        assert web.hits[-1].headers["authorization"] == "Bearer tok"
    finally:
        web.stop()
        other.stop()


# 5. malformed headers are one-line errors or ignored, never a crash


def test_retry_after_with_a_non_ascii_digit_is_ignored(web):
    assert parse_retry_after("²") is None
    assert parse_retry_after("120") == 120.0
    web.route("/l.html", b"busy", status=503, headers={"Retry-After": "²"})
    with pytest.raises(FetchError) as exc:
        _fetcher(web).get(web.url + "/l.html")
    assert exc.value.status == 503 and exc.value.retry_after is None


def test_content_length_with_a_non_ascii_digit_is_ignored(raw):
    base = raw(b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: \xb2\r\n"
               b"Connection: close\r\n\r\n" + PAGE)
    assert _fetcher(base).get(base + "/l.html").content == PAGE


@pytest.mark.parametrize("location", ["http://[::1", "http://127.0.0.1:port/x", "//"])
def test_location_that_cannot_be_parsed_is_a_one_line_error(web, location):
    web.route("/l.html", status=302, headers={"Location": location})
    with pytest.raises(FetchError, match="redirect to an invalid address") as exc:
        _fetcher(web).get(web.url + "/l.html")
    assert not isinstance(exc.value, RedirectLoop)
    _one_line(str(exc.value))


# 6. Age counts against max-age


def test_age_header_shortens_freshness(web):
    now = 1_000_000.0
    web.route("/a", PAGE, headers={"Cache-Control": "max-age=300", "Age": "290"})
    web.route("/b", PAGE, headers={"Cache-Control": "max-age=300", "Age": "1000"})
    web.route("/c", PAGE, headers={"Cache-Control": "max-age=300"})
    web.route("/d", PAGE, headers={"Cache-Control": "s-maxage=300"})
    f = _fetcher(web, clock=lambda: now)
    assert f.get(web.url + "/a").cache.fresh_until == now + 10
    assert f.get(web.url + "/b").cache.fresh_until is None
    assert f.get(web.url + "/c").cache.fresh_until == now + 300
    assert f.get(web.url + "/d").cache.fresh_until is None


# 7. error texts say what happened


def test_gzip_declared_on_a_plain_body_says_so(web):
    web.route("/l.html", PAGE, headers={"Content-Encoding": "gzip"})
    with pytest.raises(FetchError) as exc:
        _fetcher(web).get(web.url + "/l.html")
    assert str(exc.value) == (f"the body is not gzip although the server says Content-Encoding: gzip "
                              f"at {web.url}/l.html")


@pytest.mark.parametrize(("reply", "said"), [
    (b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n" + PAGE
     + b"\r\n0\r\n\r\n", "malformed chunked body at {url}"),
    (b"HTTP/1.1 abc OK\r\n\r\n", "the server's answer is not HTTP at {url}"),
    (PAGE, "the server's answer is not HTTP at {url}"),
])
def test_broken_framing_is_named_in_one_line(web, raw, reply, said):
    base = raw(reply)
    url = base + "/l.html"
    with pytest.raises(FetchError) as exc:
        _fetcher(web).get(url)
    assert str(exc.value) == said.format(url=url)
    _one_line(str(exc.value))


CHALLENGE = (b"<html><script>var x=3+4;document.cookie='__jsl_clearance=1695;max-age=3600;path=/';"
             b"location.href=location.pathname+location.search</script></html>")


@pytest.mark.parametrize("status", [412, 521])
def test_an_anti_bot_script_challenge_is_named_as_such(web, status):
    web.route("/l.html", CHALLENGE, status=status)
    with pytest.raises(FetchError) as info:
        _fetcher(web).get(web.url + "/l.html")
    msg = str(info.value)
    assert msg.startswith(f"HTTP {status} at ") and "script challenge that only a browser passes" in msg
    assert "\n" not in msg


def test_a_plain_403_is_not_called_a_challenge(web):
    web.route("/l.html", b"<html><body>Forbidden</body></html>", status=403)
    with pytest.raises(FetchError) as info:
        _fetcher(web).get(web.url + "/l.html")
    assert "challenge" not in str(info.value)


def test_a_challenge_answered_with_200_is_named_when_no_list_is_found():
    from collectors.errors import NotAList
    from collectors.parsers import parse_list

    with pytest.raises(NotAList, match="script challenge that only a browser passes"):
        parse_list(CHALLENGE.decode(), "http://www.example.gov.cn/")
