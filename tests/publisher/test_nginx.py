"""The shipped nginx configuration serves the live static tree at the daemon's URLs, with 304s and gzip."""

from __future__ import annotations

import gzip
import time

import pytest
import requests

import publisher
import store
from bench.publish import nginx_local
from publisher.static_tree import sync
from tests.publisher.conftest import make_entry
from tests.publisher.live_portal import populate, serving

pytestmark = pytest.mark.skipif(nginx_local.nginx_binary() is None,
                                reason="nginx is not installed (.ci/run installs nginx-light)")
PUBLIC = "https://portal.example.gov.cn"


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("nginx")
    db_path = tmp / "huiju.db"
    config = populate(db_path, items=60)
    db = store.open_db(db_path)
    sync(db, config, tmp / "static", base_url=PUBLIC)
    db.conn.close()
    with serving(db_path, config, public_url=PUBLIC) as daemon:
        with nginx_local.running(tmp / "static", tmp / "nginx", daemon=daemon.removeprefix("http://")) as nginx:
            yield daemon, nginx


@pytest.mark.parametrize("path,ctype", [("/feeds/all.atom", "application/atom+xml"),
                                        ("/feeds/city-news.rss", "application/rss+xml"),
                                        ("/feeds/notices.json", "application/feed+json"),
                                        ("/api/v1/columns", "application/json"),
                                        ("/api/v1/items/3", "application/json"),
                                        ("/api/v1/openapi.json", "application/json")])
def test_nginx_serves_the_daemons_bytes_at_the_same_urls(both, path, ctype):
    daemon, nginx = both
    ours = requests.get(daemon + path, timeout=10)
    theirs = requests.get(nginx + path, timeout=10)
    assert theirs.status_code == 200 and theirs.headers["Content-Type"].startswith(ctype)
    assert theirs.headers["Server"].startswith("nginx")
    assert theirs.content == ours.content
    for header in ("Cache-Control", "Vary", "Access-Control-Allow-Origin", "Access-Control-Expose-Headers"):
        assert theirs.headers.get(header) == ours.headers.get(header), header
    again = requests.get(nginx + path, headers={"If-None-Match": theirs.headers["ETag"]}, timeout=10)
    assert again.status_code == 304
    since = requests.get(nginx + path, headers={"If-Modified-Since": theirs.headers["Last-Modified"]}, timeout=10)
    assert since.status_code == 304


def test_nginx_sends_the_precompressed_feed(both):
    _daemon, nginx = both
    raw = requests.get(nginx + "/feeds/all.atom", headers={"Accept-Encoding": "gzip"}, stream=True, timeout=10)
    assert raw.headers["Content-Encoding"] == "gzip" and raw.headers["Vary"] == "Accept-Encoding"
    body = raw.raw.read()
    assert gzip.decompress(body) == requests.get(nginx + "/feeds/all.atom", timeout=10).content


@pytest.mark.parametrize("path,code", [("/feeds/nope.rss", "unknown_column"), ("/api/v1/items/99999", "unknown_item")])
def test_what_the_tree_lacks_is_answered_by_the_daemon(both, path, code):
    _daemon, nginx = both
    resp = requests.get(nginx + path, timeout=10)
    assert resp.status_code == 404 and resp.json()["code"] == code


def test_the_cursor_api_and_search_go_to_the_daemon_and_bookkeeping_is_hidden(both):
    _daemon, nginx = both
    body = requests.get(nginx + "/api/v1/items?since=0&limit=5", timeout=10).json()
    assert len(body["items"]) == 5 and body["more"] is True and body["epoch"]
    assert requests.get(nginx + "/api/v1/search?q=海上风电", timeout=10).json()["total"] > 0
    assert requests.get(nginx + "/.huiju-manifest.json", timeout=10).status_code == 404


@pytest.mark.parametrize("path", ["/feeds/all.atom", "/api/v1/columns", "/api/v1/items/3"])
def test_a_cors_preflight_is_answered_as_the_daemon_answers_it(both, path):
    """A portal page sending If-None-Match from another origin asks OPTIONS first; nginx's files answer 405."""
    daemon, nginx = both
    ask = {"Origin": "https://www.example.gov.cn", "Access-Control-Request-Method": "GET",
           "Access-Control-Request-Headers": "if-none-match"}
    ours = requests.options(daemon + path, headers=ask, timeout=10)
    theirs = requests.options(nginx + path, headers=ask, timeout=10)
    assert theirs.status_code == ours.status_code == 200
    for header in ("Access-Control-Allow-Origin", "Access-Control-Allow-Headers", "Access-Control-Allow-Methods"):
        assert theirs.headers.get(header) == ours.headers[header], header


def test_a_publish_is_served_within_seconds_with_new_validators(tmp_path):
    """nginx keeps hot files open (open_file_cache); a renamed-in new version must still show at once."""
    db_path = tmp_path / "huiju.db"
    config = populate(db_path, items=10)
    db = store.open_db(db_path)
    sync(db, config, tmp_path / "static", base_url=PUBLIC)
    with nginx_local.running(tmp_path / "static", tmp_path / "nginx") as nginx:
        plain = {"Accept-Encoding": "identity"}
        for _ in range(3):  # opened and kept
            old = requests.get(nginx + "/feeds/all.atom", headers=plain, timeout=10)
        with store.transaction(db):
            publisher.publish(db, make_entry(999, columns=["city-news"], title="新发布：松花江防汛通报"))
        sync(db, config, tmp_path / "static", base_url=PUBLIC)
        db.conn.close()
        new_bytes = (tmp_path / "static" / "feeds" / "all.atom").read_bytes()
        assert "松花江防汛通报".encode() in new_bytes
        synced = time.monotonic()
        while True:
            now = requests.get(nginx + "/feeds/all.atom", headers={**plain, "If-None-Match": old.headers["ETag"]},
                               timeout=10)
            if now.status_code == 200 or time.monotonic() - synced > 5:
                break
            time.sleep(0.1)
        assert now.status_code == 200 and now.content == new_bytes, "the old copy was still told 304 after 5 s"
        assert now.headers["ETag"] != old.headers["ETag"]
        zipped = requests.get(nginx + "/feeds/all.atom", headers={"Accept-Encoding": "gzip"}, stream=True, timeout=10)
        assert gzip.decompress(zipped.raw.read()) == new_bytes
