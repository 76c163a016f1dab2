"""The portal's read-only HTTP face: feeds and the JSON API, cheap to poll all day.

Every response carries an ETag built from the latest seq of what it covers plus the query,
and a Last-Modified from that seq's time; a matching If-None-Match (or, without one,
If-Modified-Since) is answered 304 before anything is rendered. Responses are public and
cacheable for a minute, and open to any origin (the portal may read them from a browser).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import flask
import sqlite_utils
from flask import current_app, g, request
from werkzeug.http import http_date

import store
from publisher.catalog import catalog
from publisher.errors import BadQuery, PublisherError, UnknownColumn
from publisher.feeds import ALL, DEFAULT_FEED_LIMIT, feed_column, render_atom, render_json_feed, render_rss
from publisher.schema import init
from publisher.stream import MAX_PAGE, changes, item_seq, latest, latest_seq, parse_time, public_view, search

__all__ = ["create_blueprint", "FORMAT_VERSION"]

FORMAT_VERSION = "1"  # bump when the shape of any response changes, so that old ETags stop matching
CACHE_CONTROL = "public, max-age=60"
FEED_TYPES = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
    "json": "application/feed+json; charset=utf-8",
}
RENDERERS = {"rss": render_rss, "atom": render_atom, "json": render_json_feed}
JSON_TYPE = "application/json; charset=utf-8"

_initialised: set[str] = set()
_init_lock = threading.Lock()


def _db() -> sqlite_utils.Database:
    """This request's connection (opened once per request, closed at teardown)."""
    if "huiju_publisher_db" not in g:
        path = str(current_app.config["HUIJU_DB"])
        db = store.open_db(path)
        with _init_lock:
            if path not in _initialised:
                init(db)
                _initialised.add(path)
        g.huiju_publisher_db = db
    return g.huiju_publisher_db


def _close_db(_exc: BaseException | None) -> None:
    db = g.pop("huiju_publisher_db", None)
    if db is not None:
        db.conn.close()


def _base_url() -> str:
    return (current_app.config.get("HUIJU_PUBLIC_URL") or request.host_url).rstrip("/")


def _json_body(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode("utf-8")


def _error(status: int, message: str, *, plain: bool = False) -> flask.Response:
    if plain:
        return flask.Response(message + "\n", status=status, mimetype="text/plain")
    return flask.Response(_json_body({"error": message}), status=status, content_type=JSON_TYPE)


def _etag(kind: str, seq: int, *extra: object) -> str:
    key = "|".join([FORMAT_VERSION, request.full_path, _base_url(), *map(str, extra)])
    return f"{kind}-{seq}-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:16]}"


def _not_modified(etag: str, last_modified: datetime | None) -> bool:
    if request.headers.get("If-None-Match"):
        return request.if_none_match.contains_weak(etag)
    ims = request.if_modified_since
    return bool(ims and last_modified and last_modified.replace(microsecond=0) <= ims)


def _conditional(
    etag: str, last_modified: str | None, content_type: str, render: Callable[[], bytes]
) -> flask.Response:
    """304 when the client's copy is current, else the rendered body; validators on both.

    Last-Modified has one-second resolution: while the second of the latest change is still
    running, another change may land in it, so the header then says one second earlier (the
    client's next If-Modified-Since gets one more full answer instead of missing that change).
    """
    modified = parse_time(last_modified)
    if _not_modified(etag, modified):
        resp = flask.Response(status=304)
    else:
        resp = flask.Response(render(), status=200, content_type=content_type)
    resp.set_etag(etag)
    if modified:
        shown = modified.replace(microsecond=0)
        if shown >= datetime.now(UTC).replace(microsecond=0):
            shown -= timedelta(seconds=1)
        resp.headers["Last-Modified"] = http_date(shown)
    return resp


def _int_arg(name: str, default: int, *, low: int, high: int | None = None) -> int:
    raw = request.args.get(name, "")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadQuery(f"{name} must be a whole number, not {raw[:40]!r}") from None
    if value < low:
        raise BadQuery(f"{name} must be at least {low}")
    return min(value, high) if high is not None else value


def create_blueprint() -> flask.Blueprint:
    """Routes /feeds/<column>.<rss|atom|json> and /api/v1/{columns,items,items/<id>,search}."""
    bp = flask.Blueprint("publisher", __name__)
    bp.teardown_app_request(_close_db)

    @bp.after_request
    def public_headers(resp: flask.Response) -> flask.Response:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            resp.headers["Access-Control-Allow-Origin"] = "*"
            resp.headers["Access-Control-Expose-Headers"] = "ETag, Last-Modified"
            if request.method == "OPTIONS":
                resp.headers["Access-Control-Allow-Headers"] = "If-None-Match, If-Modified-Since"
                resp.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
            elif resp.status_code in (200, 304, 404):
                resp.headers["Cache-Control"] = CACHE_CONTROL
            else:
                resp.headers["Cache-Control"] = "no-store"
        return resp

    @bp.errorhandler(store.StoreError)
    def store_unusable(exc: store.StoreError) -> flask.Response:
        return _error(503, str(exc))

    @bp.get("/feeds/<column>.<fmt>")
    def feed(column: str, fmt: str) -> flask.Response:
        plain = fmt != "json"
        if fmt not in RENDERERS:
            return _error(404, f"unknown feed format {fmt!r} (use rss, atom or json)", plain=True)
        config = current_app.config["HUIJU_CONFIG"]
        try:
            col = feed_column(config, column)
        except UnknownColumn as exc:
            return _error(404, str(exc), plain=plain)
        db = _db()
        limit = int(current_app.config.get("HUIJU_FEED_LIMIT", DEFAULT_FEED_LIMIT))
        seq, when = latest_seq(db, col)
        name = config.columns[col].name if col else ALL
        tag = _etag(f"feed-{fmt}", seq, limit, name)
        return _conditional(
            tag, when, FEED_TYPES[fmt], lambda: RENDERERS[fmt](db, config, column, _base_url(), limit=limit)
        )

    @bp.get("/api/v1/columns")
    def columns() -> flask.Response:
        db = _db()
        payload = catalog(db, current_app.config["HUIJU_CONFIG"], _base_url())
        body = _json_body(payload)
        # Freshness ages with the clock, so the tag covers the payload itself (a few columns: cheap).
        tag = _etag("columns", payload["latest_seq"], hashlib.sha256(body).hexdigest())
        return _conditional(tag, payload["last_change_at"], JSON_TYPE, lambda: body)

    @bp.get("/api/v1/items")
    def items() -> flask.Response:
        config = current_app.config["HUIJU_CONFIG"]
        column = request.args.get("column") or None
        try:
            col = feed_column(config, column)
            since = _int_arg("since", 0, low=0)
            limit = _int_arg("limit", 100, low=1, high=MAX_PAGE)
        except UnknownColumn as exc:
            return _error(404, str(exc))
        except BadQuery as exc:
            return _error(400, str(exc))
        db = _db()
        seq, when = latest_seq(db, col)

        def render() -> bytes:
            rows = changes(db, since=since, column=col, limit=limit + 1)
            more = len(rows) > limit
            rows = rows[:limit]
            return _json_body(
                {
                    "items": [public_view(r) for r in rows],
                    "next": rows[-1]["seq"] if rows else since,
                    "more": more,
                    "latest_seq": seq,
                    "limit": limit,
                }
            )

        return _conditional(_etag("items", seq), when, JSON_TYPE, render)

    @bp.get("/api/v1/items/<int:item_id>")
    def item(item_id: int) -> flask.Response:
        if item_id > 2**63 - 1:  # beyond SQLite's integers: no such item (and no crash looking)
            return _error(404, f"item {item_id} was never published")
        db = _db()
        found = item_seq(db, item_id)
        if found is None:
            return _error(404, f"item {item_id} was never published")
        seq, when = found
        return _conditional(
            _etag("item", seq), when, JSON_TYPE, lambda: _json_body(public_view(latest(db, item_id) or {}))
        )

    @bp.get("/api/v1/search")
    def search_items() -> flask.Response:
        q = request.args.get("q", "")
        try:
            limit = _int_arg("limit", 20, low=1, high=100)
        except BadQuery as exc:
            return _error(400, str(exc))
        db = _db()
        seq, when = latest_seq(db, None)

        def render() -> bytes:
            hits = search(db, q, limit=limit)
            out = []
            for h in hits:
                v = public_view(h)
                v.pop("html", None)
                v.pop("text", None)
                out.append(v)
            return _json_body({"query": q, "items": out, "latest_seq": seq})

        try:
            return _conditional(_etag("search", seq), when, JSON_TYPE, render)
        except BadQuery as exc:
            return _error(400, str(exc))

    @bp.get("/feeds/<path:rest>")
    def no_such_feed(rest: str) -> flask.Response:
        return _error(404, f"no feed at /feeds/{rest} (use /feeds/<column>.rss|atom|json)", plain=True)

    @bp.get("/api/v1/<path:rest>")
    def no_such_endpoint(rest: str) -> flask.Response:
        return _error(404, f"no API endpoint /api/v1/{rest} (see /api/v1/columns)")

    @bp.errorhandler(PublisherError)
    def publisher_error(exc: PublisherError) -> flask.Response:
        return _error(400, str(exc))

    return bp
