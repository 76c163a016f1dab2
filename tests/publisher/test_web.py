"""The HTTP contract the portal polls: feeds, API, cursors, conditional requests, errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import feedparser
import pytest

import publisher
from tests.publisher.conftest import make_entry

FEEDS = ["/feeds/city-news.rss", "/feeds/city-news.atom", "/feeds/city-news.json", "/feeds/all.rss",
         "/api/v1/items?column=city-news", "/api/v1/items?since=0&limit=2", "/api/v1/items/1",
         "/api/v1/columns", "/api/v1/search?q=哈尔滨"]


@pytest.mark.parametrize("url", FEEDS)
def test_etag_and_last_modified_answer_304(db, client, url):
    publisher.publish(db, make_entry(1), now=datetime.now(UTC) - timedelta(minutes=5))
    first = client.get(url)
    assert first.status_code == 200
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert first.headers["Cache-Control"] == "public, max-age=60"
    assert first.headers["Access-Control-Allow-Origin"] == "*"
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
    assert client.get(url, headers={"If-None-Match": f"W/{etag}"}).status_code == 304
    # A different tag wins over a matching date (If-None-Match takes precedence).
    assert client.get(url, headers={"If-None-Match": '"other"', "If-Modified-Since": modified}).status_code == 200


def test_last_modified_is_never_ahead_of_a_change_in_the_same_second(db, client):
    publisher.publish(db, make_entry(1))
    first = client.get("/api/v1/items")
    publisher.publish(db, make_entry(2))  # very likely the same second as item 1
    again = client.get("/api/v1/items", headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert again.status_code == 200
    assert [i["item_id"] for i in again.get_json()["items"]] == [1, 2]


def test_new_publish_changes_the_validator(db, client):
    publisher.publish(db, make_entry(1))
    etag = client.get("/feeds/city-news.rss").headers["ETag"]
    publisher.publish(db, make_entry(2))
    fresh = client.get("/feeds/city-news.rss", headers={"If-None-Match": etag})
    assert fresh.status_code == 200
    assert len(feedparser.parse(fresh.data).entries) == 2


def test_a_change_in_another_column_keeps_the_feed_cached(db, client):
    publisher.publish(db, make_entry(1))
    etag = client.get("/feeds/city-news.atom").headers["ETag"]
    publisher.publish(db, make_entry(2, columns=["notices"]))
    assert client.get("/feeds/city-news.atom", headers={"If-None-Match": etag}).status_code == 304
    assert client.get("/feeds/all.atom", headers={"If-None-Match": etag}).status_code == 200


def test_retraction_invalidates_the_feed(db, client):
    publisher.publish(db, make_entry(1))
    etag = client.get("/feeds/city-news.json").headers["ETag"]
    publisher.retract(db, 1, reason="撤稿")
    resp = client.get("/feeds/city-news.json", headers={"If-None-Match": etag})
    assert resp.status_code == 200 and resp.get_json()["items"] == []


@pytest.mark.parametrize("fmt,ctype", [("rss", "application/rss+xml"), ("atom", "application/atom+xml"),
                                       ("json", "application/feed+json")])
def test_feed_content_types_and_absolute_links(db, client, fmt, ctype):
    publisher.publish(db, make_entry(1))
    resp = client.get(f"/feeds/city-news.{fmt}")
    assert resp.status_code == 200 and resp.content_type.startswith(ctype)
    assert b"https://portal.example.gov.cn/feeds/city-news." + fmt.encode() in resp.data


@pytest.mark.parametrize("url,code", [("/feeds/nope.rss", "unknown_column"), ("/feeds/nope.atom", "unknown_column"),
                                      ("/feeds/nope.json", "unknown_column"),
                                      ("/feeds/city-news.xml", "unknown_format"),
                                      ("/feeds/city-news", "not_found"),
                                      ("/api/v1/items/abc", "not_found"),
                                      ("/api/v1/nothing", "not_found"),
                                      ("/api/v1/items/99", "unknown_item"),
                                      ("/api/v1/items?column=nope", "unknown_column")])
def test_unknown_column_or_format_is_404_json_with_a_stable_code(client, url, code):
    resp = client.get(url)
    assert resp.status_code == 404
    assert resp.content_type.startswith("application/json")
    body = resp.get_json()
    assert body["code"] == code
    assert body["error"] and "\n" not in body["error"] and "Traceback" not in body["error"]


def test_api_cursor_walk_over_http(db, client):
    for i in range(1, 6):
        publisher.publish(db, make_entry(i))
    publisher.publish(db, make_entry(2, version=2, title="更正"))
    publisher.retract(db, 4, reason="撤稿")
    actions, since = [], 0
    while True:
        body = client.get(f"/api/v1/items?since={since}&limit=2").get_json()
        actions += [(i["item_id"], i["action"]) for i in body["items"]]
        assert body["next"] >= since
        if not body["more"]:
            break
        since = body["next"]
    assert actions == [(1, "publish"), (2, "publish"), (3, "publish"), (4, "publish"), (5, "publish"),
                       (2, "correct"), (4, "retract")]
    last = client.get(f"/api/v1/items?since={body['next']}").get_json()
    assert last["items"] == [] and last["next"] == body["next"]


def test_api_hides_reviewers_and_retracted_content(db, client):
    publisher.publish(db, make_entry(1))
    item = client.get("/api/v1/items/1").get_json()
    assert item["title"] and "approved_by" not in item
    publisher.retract(db, 1, reason="撤稿")
    gone = client.get("/api/v1/items/1").get_json()
    assert gone["state"] == "retracted" and gone["action"] == "retract"
    assert "title" not in gone and "html" not in gone
    assert client.get("/api/v1/items/99").status_code == 404


@pytest.mark.parametrize("query,status", [("since=-1", 400), ("since=abc", 400), ("limit=0", 400),
                                          ("limit=100000", 200)])
def test_api_bad_cursor_arguments(client, query, status):
    resp = client.get(f"/api/v1/items?{query}")
    assert resp.status_code == status
    if status == 400:
        assert "\n" not in resp.get_json()["error"] and resp.get_json()["code"] == "bad_parameter"
    else:
        assert resp.get_json()["limit"] == 500


def test_columns_catalog(db, client, config):
    publisher.publish(db, make_entry(1, columns=["city-news", "topic-e-government"]))
    body = client.get("/api/v1/columns").get_json()
    cols = {c["id"]: c for c in body["columns"]}
    assert list(cols) == list(config.columns)
    assert cols["city-news"]["items"] == 1 and cols["topic-e-government"]["items"] == 1
    assert cols["laws"]["items"] == 0 and cols["laws"]["status"] == "stale"
    assert cols["city-news"]["limit_days"] == 14 and cols["city-news"]["name"] == "地市动态"
    assert cols["city-news"]["feeds"]["rss"] == "https://portal.example.gov.cn/feeds/city-news.rss"
    assert body["latest_seq"] == 1


def test_search_endpoint(db, client):
    publisher.publish(db, make_entry(1))
    body = client.get("/api/v1/search?q=哈尔滨").get_json()
    assert [i["item_id"] for i in body["items"]] == [1]
    assert "哈尔滨" in body["items"][0]["excerpt"]
    assert client.get("/api/v1/search?q=").status_code == 400
    assert client.get("/api/v1/search?q=" + "长" * 300).status_code == 400


def test_cors_preflight(client):
    resp = client.options("/api/v1/items", headers={"Origin": "https://portal.example",
                                                    "Access-Control-Request-Method": "GET"})
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    assert "If-None-Match" in resp.headers["Access-Control-Allow-Headers"]


def test_unusable_database_is_one_line_503(tmp_path, config):
    import flask

    bad = tmp_path / "not-a-db"
    bad.write_bytes(b"this is not sqlite" * 100)
    app = flask.Flask("bad")
    app.config.update(HUIJU_DB=str(bad), HUIJU_CONFIG=config)
    app.register_blueprint(publisher.create_blueprint())
    resp = app.test_client().get("/api/v1/items")
    assert resp.status_code == 503
    assert "not a SQLite database" in resp.get_json()["error"]
