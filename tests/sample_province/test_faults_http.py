"""Faults on demand, one by one, and the HTTP habits: validators, cookie bootstrap, Referer."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import feedparser
import pytest
import requests
from lxml import html as lxml_html

import sample_province
from sample_province import FAULT_KINDS, Province, UnknownFaultError, UnknownSiteError

from .helpers import items_of, list_entries, parse_html, source_of


@pytest.fixture(scope="module")
def fp() -> Iterator[Province]:
    p = sample_province.start(seed=11, stories_per_day=150, days=5)
    p.advance(days=1)
    yield p
    p.stop()


@pytest.fixture(autouse=True)
def _no_faults_after(request) -> Iterator[None]:
    yield
    if "fp" in request.fixturenames:
        request.getfixturevalue("fp").set_faults("none")


def _url(p: Province, site: str) -> str:
    return source_of(p, site)["url"]


@pytest.mark.parametrize("kind,status,retry_after", [("500", 500, None), ("503", 503, None),
                                                     ("503-retry-after", 503, "120"), ("429", 429, "30")])
def test_error_statuses(fp: Province, http, kind: str, status: int, retry_after: str | None) -> None:
    fp.set_faults({"harbin": kind})
    r = http.get(_url(fp, "harbin"), timeout=5)
    assert r.status_code == status
    assert r.headers.get("Retry-After") == retry_after
    assert http.get(_url(fp, "qiqihar"), timeout=5).status_code == 200  # other sites unaffected


def test_retry_after_parameter(fp: Province, http) -> None:
    fp.set_faults({"harbin": "503-retry-after:7"})
    assert http.get(_url(fp, "harbin"), timeout=5).headers["Retry-After"] == "7"


def test_connection_reset(fp: Province, http) -> None:
    fp.set_faults({"harbin": "reset"})
    with pytest.raises(requests.ConnectionError):
        http.get(_url(fp, "harbin"), timeout=5)
    path = urlsplit(_url(fp, "harbin")).path
    with socket.create_connection(("127.0.0.1", fp.port), timeout=5) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        with pytest.raises(ConnectionResetError):  # a reset (RST), not an orderly close
            sock.recv(1024)


def test_slow_first_byte(fp: Province, http) -> None:
    fp.set_faults({"harbin": "slow-first-byte:0.6"})
    with pytest.raises(requests.ReadTimeout):
        http.get(_url(fp, "harbin"), timeout=(2, 0.2))
    t = time.monotonic()
    r = http.get(_url(fp, "harbin"), timeout=5)
    assert r.status_code == 200 and time.monotonic() - t >= 0.55


def test_trickle_body(fp: Province, http) -> None:
    fp.set_faults({"fgw": "trickle:0.01"})
    t = time.monotonic()
    r = http.get(_url(fp, "fgw"), timeout=5, stream=True)
    first = time.monotonic() - t
    body = b"".join(r.iter_content(4096))
    total = time.monotonic() - t
    assert len(body) == int(r.headers["Content-Length"])
    chunks = len(body) // 64
    assert first < 0.5 and total >= chunks * 0.01 * 0.8  # every read is quick, the whole is slow


def test_hang_does_not_block_other_sites_and_ends_on_stop(http) -> None:
    p = sample_province.start(seed=2, stories_per_day=20, days=1, faults={"harbin": "hang"})
    try:
        outcome: list[object] = []

        def hanging() -> None:
            try:
                outcome.append(requests.get(_url(p, "harbin"), timeout=30))
            except requests.RequestException as exc:
                outcome.append(exc)

        th = threading.Thread(target=hanging)
        th.start()
        time.sleep(0.3)
        with pytest.raises(requests.ReadTimeout):
            http.get(_url(p, "harbin"), timeout=(2, 0.3))
        assert http.get(_url(p, "qiqihar"), timeout=2).status_code == 200
        assert th.is_alive()
    finally:
        t = time.monotonic()
        p.stop()
    th.join(5)
    assert not th.is_alive() and time.monotonic() - t < 5
    assert isinstance(outcome[0], requests.RequestException)


def test_truncated_body(fp: Province, http) -> None:
    fp.set_faults({"fgw": "truncated"})
    with pytest.raises((requests.exceptions.ChunkedEncodingError, requests.ConnectionError)):
        http.get(_url(fp, "fgw"), timeout=5)


def test_redirect_loop(fp: Province, http) -> None:
    fp.set_faults({"harbin": "redirect-loop"})
    with pytest.raises(requests.TooManyRedirects):
        http.get(_url(fp, "harbin"), timeout=5)
    r = http.get(_url(fp, "harbin"), timeout=5, allow_redirects=False)
    assert r.status_code == 302
    back = http.get(fp.url + r.headers["Location"], timeout=5, allow_redirects=False)
    assert back.status_code == 302 and fp.url + back.headers["Location"] == _url(fp, "harbin")


def _busiest_department(p: Province) -> str:
    counts: dict[str, int] = {}
    for it in p.truth()["items"]:
        if p.site_by_id[it["site"]].kind == "department" and not it["deleted"]:
            counts[it["site"]] = counts.get(it["site"], 0) + 1
    return max(counts, key=lambda k: counts[k])


def test_404_detail(fp: Province, http) -> None:
    dept = _busiest_department(fp)
    fp.set_faults({dept: "404-detail"})
    assert http.get(_url(fp, dept), timeout=5).status_code == 200
    item = items_of(fp, dept)[0]
    r = http.get(item["url"], timeout=5)
    assert r.status_code == 404 and "页面不存在" in r.text


def test_malformed_html(fp: Province, http) -> None:
    dept = _busiest_department(fp)
    fp.set_faults({dept: "malformed"})
    raw = http.get(_url(fp, dept), timeout=5).content
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert raw.count(b"</li>") < raw.count(b"<li>")
    # a lenient parser still finds the entries
    root = lxml_html.document_fromstring(raw.decode("utf-8", errors="replace"))
    assert list_entries(root, source_of(fp, dept)["list"])


def test_malformed_xml(fp: Province, http) -> None:
    fp.set_faults({"jiamusi": "malformed"})
    r = http.get(_url(fp, "jiamusi"), timeout=5)
    feed = feedparser.parse(r.content)
    assert feed.bozo


def test_malformed_json(fp: Province, http) -> None:
    fp.set_faults({"heihe": "malformed"})
    r = http.get(_url(fp, "heihe"), timeout=5)
    with pytest.raises(json.JSONDecodeError):
        json.loads(r.content)


def test_huge_body_is_streamed(fp: Province, http) -> None:
    fp.set_faults({"fgw": "huge"})
    r = http.get(_url(fp, "fgw"), timeout=10, stream=True)
    assert "Content-Length" not in r.headers
    n = 0
    for chunk in r.iter_content(1 << 20):
        n += len(chunk)
    assert n >= 50 * 1024 * 1024


def test_huge_body_size_parameter(fp: Province, http) -> None:
    fp.set_faults({"fgw": "huge:100000"})
    assert 100000 <= len(http.get(_url(fp, "fgw"), timeout=5).content) < 200000


@pytest.mark.parametrize("site,expected", [("fgw", "application/octet-stream"), ("jiamusi", "text/html"),
                                           ("heihe", "text/html")])
def test_wrong_content_type(fp: Province, http, site: str, expected: str) -> None:
    fp.set_faults({site: "wrong-content-type"})
    r = http.get(_url(fp, site), timeout=5)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith(expected)


def test_profile_all_gives_each_fault_its_own_site(fp: Province) -> None:
    fp.set_faults("all")
    described = fp.truth()["faults"]
    assert sorted(described.values()) == sorted(FAULT_KINDS)
    assert len(set(described)) == len(FAULT_KINDS)
    assert all(s.startswith("county-") for s in described)
    by_kind = {k: s for s, k in described.items()}
    for kind, status in (("500", 500), ("503", 503), ("503-retry-after", 503), ("429", 429), ("redirect-loop", 302)):
        r = requests.get(_url(fp, by_kind[kind]), timeout=5, allow_redirects=False)
        assert r.status_code == status, kind
    assert fp.site_by_id[by_kind["404-detail"]].template in ("ucap", "trs", "hanweb", "simple")
    ok = requests.get(_url(fp, "harbin"), timeout=5)
    assert ok.status_code == 200  # sites without a dedicated fault behave


def _statuses(p: Province, site: str, n: int) -> list[int | str]:
    out: list[int | str] = []
    with requests.Session() as s:
        for _ in range(n):
            try:
                out.append(s.get(_url(p, site), timeout=5).status_code)
            except requests.RequestException as exc:
                out.append(type(exc).__name__)
    return out


def test_flaky_profile_is_deterministic_under_a_seed(fp: Province) -> None:
    fp.set_faults("flaky")
    flaky_sites = [s for s, f in fp.truth()["faults"].items() if "slow" not in f]
    assert flaky_sites
    site = flaky_sites[0]
    first = _statuses(fp, site, 12)
    fp.set_faults("flaky")  # same seed, counters start again
    assert _statuses(fp, site, 12) == first
    assert any(x != 200 for x in first) and 200 in first


def test_chaos_profile_fails_some_requests(fp: Province) -> None:
    fp.set_faults("chaos")
    statuses = _statuses(fp, "qiqihar", 15)
    assert any(x != 200 for x in statuses)


def test_unknown_faults_are_refused_with_the_name(fp: Province) -> None:
    with pytest.raises(UnknownFaultError, match="explode"):
        fp.set_faults({"harbin": "explode"})
    with pytest.raises(UnknownSiteError, match="atlantis"):
        fp.set_faults({"atlantis": "500"})
    with pytest.raises(UnknownFaultError, match="storm"):
        fp.set_faults("storm")


# ------------------------------------------------------------------------------------ HTTP habits
def test_conditional_get_on_sites_with_validators(fp: Province, http) -> None:
    assert fp.site_by_id["fgw"].validators
    url = _url(fp, "fgw")
    r = http.get(url)
    etag, lm = r.headers["ETag"], r.headers["Last-Modified"]
    assert http.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert http.get(url, headers={"If-Modified-Since": lm}).status_code == 304
    before = len(items_of(fp, "fgw"))
    while len(items_of(fp, "fgw")) == before:
        fp.advance(hours=3)
    r2 = http.get(url, headers={"If-None-Match": etag})
    assert r2.status_code == 200 and r2.headers["ETag"] != etag
    assert http.get(url, headers={"If-Modified-Since": lm}).status_code == 200


def test_no_validators_on_other_sites(fp: Province, http) -> None:
    assert not fp.site_by_id["mudanjiang"].validators
    r = http.get(_url(fp, "mudanjiang"))
    assert "ETag" not in r.headers and "Last-Modified" not in r.headers
    assert http.get(_url(fp, "mudanjiang"), headers={"If-None-Match": "*"}).status_code == 200


def test_cookie_bootstrap(fp: Province) -> None:
    src = source_of(fp, "daqing")
    assert src["cookie_bootstrap"].endswith("/daqing/")
    bare = requests.get(src["url"])
    assert bare.status_code == 200 and "安全验证" in bare.text  # a challenge, not the list
    assert not list_entries(parse_html(bare.content, "utf-8"), src["list"])
    with requests.Session() as s:
        boot = s.get(src["cookie_bootstrap"])
        assert "Set-Cookie" in boot.headers
        r = s.get(src["url"])
        assert len(list_entries(parse_html(r.content, "utf-8"), src["list"])) == min(20, len(items_of(fp, "daqing")))


def test_referer_required(fp: Province, http) -> None:
    src = source_of(fp, "hegang")
    assert http.get(src["url"]).status_code == 403
    assert http.get(src["url"], headers={"Referer": "http://elsewhere.example/"}).status_code == 403
    r = http.get(src["url"], headers={"Referer": src["referer"]})
    assert r.status_code == 200 and "人民政府" in r.text


def test_counters_and_concurrency(fp: Province) -> None:
    fp.reset_counters()
    url = _url(fp, "fgw")
    fp.set_faults({"fgw": "slow-first-byte:0.3"})
    threads = [threading.Thread(target=requests.get, args=(url,), kwargs={"timeout": 5}) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    c = fp.counters_snapshot()["fgw"]
    assert c["requests"] == 4 and c["max_concurrent"] == 4 and c["bytes"] > 0
    assert [e["site"] for e in fp.requests_log()] == ["fgw"] * 4


def test_latency_waits_without_failing() -> None:
    with sample_province.start(seed=1, stories_per_day=10, days=1, latency_ms=200) as p:
        t = time.monotonic()
        assert requests.get(p.url + "/fgw/", timeout=5).status_code == 200
        assert time.monotonic() - t >= 0.19
        host, port = urlsplit(p.url).hostname, p.port
        assert host == "127.0.0.1"
        socket.create_connection((host, port), timeout=1).close()
