"""The OpenAPI 3.1 document matches the routes, and schemathesis finds nothing against a live server."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import flask
import pytest
import requests

import publisher
from publisher.openapi import document
from publisher.web import ERROR_CODES
from tests.publisher.conftest import make_entry
from tests.publisher.live_portal import populate, serving

CATCH_ALL = {"publisher.no_such_feed", "publisher.no_such_endpoint"}  # the 404 answers for unknown paths


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule)


def test_every_portal_route_is_documented_and_every_documented_path_exists(app: flask.Flask):
    routes = {_openapi_path(r.rule): r for r in app.url_map.iter_rules() if r.endpoint.startswith("publisher.")
              and r.endpoint not in CATCH_ALL}
    paths = document()["paths"]
    assert set(routes) - set(paths) == set(), "routes missing from publisher/openapi.py"
    assert set(paths) - set(routes) == set(), "documented paths without a route"
    for path, rule in routes.items():
        assert set(paths[path]) == {m.lower() for m in rule.methods} - {"head", "options"}, path
        names = {p["name"] for p in paths[path]["get"]["parameters"] if p["in"] == "path"}
        assert names == set(re.findall(r"{(\w+)}", path)), path


def test_the_document_is_served_and_lists_the_error_codes(client):
    resp = client.get("/api/v1/openapi.json")
    assert resp.status_code == 200 and resp.headers["ETag"]
    doc = resp.get_json()
    assert doc["openapi"].startswith("3.1") and doc["servers"] == [{"url": "https://portal.example.gov.cn"}]
    assert doc["components"]["schemas"]["Error"]["properties"]["code"]["enum"] == list(ERROR_CODES)


def test_if_modified_since_on_columns_is_not_304_after_a_column_went_stale(db, client):
    now = datetime.now(UTC)
    # Dated exactly 14 days ago in Beijing: the news column is ok today, stale from the next midnight on.
    publisher.publish(db, make_entry(1, published_at=(now - timedelta(days=14)).isoformat()),
                      now=now - timedelta(days=14))
    first = client.get("/api/v1/columns")
    modified = first.headers["Last-Modified"]
    midnight = now.astimezone(publisher.stream.SHANGHAI).replace(hour=0, minute=0, second=0, microsecond=0)
    # The catalog is as new as today's midnight (days_since ticked then), not as the last publish.
    assert datetime.strptime(modified, "%a, %d %b %Y %H:%M:%S GMT").replace(tzinfo=UTC) >= midnight.astimezone(UTC) \
        - timedelta(seconds=1)
    yesterday = "Mon, 01 Jan 2024 00:00:00 GMT"  # a client that fetched before the column aged
    assert client.get("/api/v1/columns", headers={"If-Modified-Since": yesterday}).status_code == 200
    assert client.get("/api/v1/columns", headers={"If-Modified-Since": modified}).status_code == 304


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    path = tmp_path_factory.mktemp("live") / "huiju.db"
    config = populate(path, items=120)
    with serving(path, config) as url:
        yield url


@pytest.mark.parametrize("url", ["/api/v1/items?since=9223372036854775808", "/api/v1/items?since=" + "9" * 500,
                                 "/api/v1/items/99999999999999999999999", "/api/v1/items?limit=" + "9" * 5000,
                                 "/feeds/%ff.rss",
                                 "/api/v1/items?column=%E4%B8%AD"])
def test_hostile_input_is_a_json_error_never_a_500(live, url):
    resp = requests.get(live + url, timeout=10)
    assert 400 <= resp.status_code < 500, resp.text[:200]
    assert resp.headers["Content-Type"].startswith("application/json")
    assert resp.json()["code"] in ERROR_CODES


def test_fts_syntax_in_a_query_is_searched_as_text(live):
    for q in ("%22%20OR%20*%20NEAR(", "%00"):
        resp = requests.get(live + "/api/v1/search?q=" + q, timeout=10)
        assert resp.status_code == 200 and resp.json()["total"] == 0


def test_writes_are_405_json(live):
    resp = requests.post(live + "/api/v1/items", timeout=10)
    assert resp.status_code == 405 and resp.json()["code"] == "method_not_allowed"
    assert resp.headers["Allow"] == "GET, HEAD, OPTIONS"


def test_schemathesis_finds_no_failure_against_a_live_server(live, tmp_path):
    """Every check of schemathesis (status codes, content types, schemas, negative data, methods)."""
    exe = shutil.which("schemathesis", path=str(Path(sys.executable).parent)) or shutil.which("schemathesis")
    assert exe, "schemathesis is a test dependency (pip install -e '.[test]')"
    started = time.monotonic()
    run = subprocess.run(
        [exe, "run", f"{live}/api/v1/openapi.json", "--checks", "all", "--max-examples",
         os.environ.get("HUIJU_SCHEMATHESIS_EXAMPLES", "30"), "--workers", "2", "--seed", "1", "--no-color"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300)
    summary = run.stdout[-3000:]
    assert run.returncode == 0, summary
    assert "No issues found" in run.stdout and "5 selected / 5 total" in run.stdout, summary
    assert time.monotonic() - started < 120
