"""The portal's read-only HTTP face: feeds and the JSON API, cheap to poll all day.

Every page is rendered once per change of the stream and kept as bytes (publisher/pages.py):
a request is a lookup. Each carries a strong ETag (a hash of its bytes), Last-Modified (the time
of the latest change it shows), ``X-Huiju-Epoch`` (the stream identity, publisher/epoch.py) and,
when the client accepts them, gzip or brotli bodies. If-None-Match (else If-Modified-Since) is
answered 304. Responses are public and cacheable for a minute, and open to any origin.

Every error is JSON ``{"error": "<one line>", "code": "<stable code>"}`` (codes in
:data:`ERROR_CODES`, documented in the OpenAPI document at /api/v1/openapi.json).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import flask
import sqlite_utils
from flask import current_app, g, request
from werkzeug.exceptions import HTTPException

import store
from publisher import epoch as stream_epoch
from publisher import openapi
from publisher.catalog import catalog
from publisher.errors import BadQuery, PublisherError, UnknownColumn
from publisher.feeds import (
    ALL,
    DEFAULT_DELETED_DAYS,
    DEFAULT_FEED_LIMIT,
    deletion_cutoff,
    feed_column,
    render_atom,
    render_json_feed,
    render_rss,
)
from publisher.freshness_watch import attention as freshness_attention
from publisher.fulltext import MAX_QUERY_CHARS
from publisher.pages import FastPath, Page, PageCache, answer_cached, base_url, cache_key, respond
from publisher.schema import init
from publisher.stream import (
    MAX_PAGE,
    MAX_SEQ,
    SHANGHAI,
    item_seq,
    latest,
    latest_seq,
    oldest_deletion,
    page,
    parse_time,
    public_view,
    search_page,
)

__all__ = ["create_blueprint", "FORMAT_VERSION", "ERROR_CODES", "page_cache", "clear_page_cache", "cached_front"]

FORMAT_VERSION = "2"  # bump when the shape of any response changes
FEED_TYPES = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
    "json": "application/feed+json; charset=utf-8",
}
RENDERERS = {"rss": render_rss, "atom": render_atom, "json": render_json_feed}
JSON_TYPE = "application/json; charset=utf-8"
COLUMNS_RECHECK = 60  # seconds: the catalog's freshness ages with the clock

# Stable error codes: clients may branch on them; the message is for people.
ERROR_CODES = {
    "bad_parameter": "a query parameter is malformed or out of range (400)",
    "bad_query": "the search query cannot be run: empty, too long, only punctuation (400)",
    "unknown_column": "no such column in the catalog (404)",
    "unknown_format": "no such feed format: use rss, atom or json (404)",
    "unknown_item": "no item with this id was ever published (404)",
    "not_found": "no such feed or API endpoint (404)",
    "method_not_allowed": "the portal's routes are read-only: GET, HEAD, OPTIONS (405)",
    "since_beyond_end": "the cursor is past the end of this stream: history was rewound (a restore); "
                        "discard your copy and resync from since=0 (409)",
    "epoch_changed": "the stream was rewritten since your cursor was issued (epoch differs); "
                     "discard your copy and resync from since=0 (409)",
    "unavailable": "the database cannot be used right now (503)",
}

_initialised: set[str] = set()
_init_lock = threading.Lock()


class ApiError(Exception):
    """An error answer: HTTP status, stable code, one-line message, optional extra fields."""

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra


def _db() -> sqlite_utils.Database:
    """This request's connection for rendering (opened once per request, closed at teardown)."""
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


def page_cache(app: flask.Flask) -> PageCache | None:
    """The app's page cache (None for an in-memory database, which has no file to watch)."""
    cache = app.extensions.get("huiju_pages")
    if cache is None and str(app.config.get("HUIJU_DB", ":memory:")) != ":memory:":
        cache = app.extensions.setdefault("huiju_pages", PageCache(str(app.config["HUIJU_DB"])))
    return cache


def cached_front(app: flask.Flask) -> Callable[[dict[str, Any]], tuple[int, list[tuple[str, str]], bytes] | None]:
    """What an HTTP server may ask before calling *app*: the answer for a cached feed or API page.

    Given a minimal environ (see publisher.pages.answer_cached) it returns (status, headers,
    body), exactly what the views would send, or None when the app must answer.
    """
    def front(environ: dict[str, Any]) -> tuple[int, list[tuple[str, str]], bytes] | None:
        return answer_cached(page_cache(app), str(app.config.get("HUIJU_PUBLIC_URL") or ""), environ)

    return front


def clear_page_cache(app: flask.Flask) -> None:
    """Forget every rendered page (after changing the app's feed settings at run time)."""
    cache = app.extensions.get("huiju_pages")
    if cache is not None:
        cache.clear()


def _public_url() -> str:
    return str(current_app.config.get("HUIJU_PUBLIC_URL") or "")


def _base_url() -> str:
    return base_url(request.environ, _public_url())


def _json_body(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode("utf-8")


def _error_response(exc: ApiError) -> flask.Response:
    body = {"error": exc.message, "code": exc.code, **exc.extra}
    resp = flask.Response(_json_body(body), status=exc.status, content_type=JSON_TYPE)
    resp.headers["Cache-Control"] = "public, max-age=60" if exc.status == 404 else "no-store"
    return resp


def _arg(name: str) -> str:
    """The query parameter *name* ("" when absent); given twice it is ambiguous: 400."""
    values = request.args.getlist(name)
    if len(values) > 1:
        raise ApiError(400, "bad_parameter", f"{name} is given {len(values)} times; give it once")
    return values[0] if values else ""


def _int_arg(name: str, default: int, *, low: int, high: int | None = None, cap: bool = True) -> int:
    raw = _arg(name)
    if raw == "":
        return default
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 1000:
        if raw.startswith("-") and raw[1:].isascii() and raw[1:].isdigit():
            raise ApiError(400, "bad_parameter", f"{name} must be at least {low}")
        raise ApiError(400, "bad_parameter", f"{name} must be a whole number, not {raw[:40]!r}")
    value = int(raw)
    if value < low:
        raise ApiError(400, "bad_parameter", f"{name} must be at least {low}")
    if high is not None and value > high:
        if not cap:
            raise ApiError(400, "bad_parameter", f"{name} must be at most {high}")
        value = high
    return value


def _date_arg(name: str) -> str | None:
    raw = _arg(name).strip()
    if not raw:
        return None
    try:
        return datetime.strptime(raw, "%Y-%m-%d").date().isoformat()
    except ValueError:
        raise ApiError(400, "bad_parameter", f"{name} must be a date YYYY-MM-DD, not {raw[:40]!r}") from None


def _serve(render: Callable[[sqlite_utils.Database, str], tuple[bytes, str, str | None, float | None]]) -> flask.Response:
    """Answer from the page cache, rendering on a miss; *render* gives (body, type, modified, valid_until)."""
    db = _db()
    cache = page_cache(current_app)

    def make() -> Page:
        ident = stream_epoch.identity(db)  # also notices a rewound history (and draws a new epoch)
        body, ctype, modified, valid_until = render(db, ident.epoch)
        return Page(body, ctype, parse_time(modified), (ident.epoch, ident.latest_seq), valid_until)

    if cache is None:
        pg = make()
    else:
        key = cache_key(request.environ, _public_url())
        pg = cache.get_or_render(key, cache.generation(), make)
    status, headers, body = respond(pg, request.method, request.headers.get("If-None-Match"),
                                    request.headers.get("If-Modified-Since"),
                                    request.headers.get("Accept-Encoding"))
    resp = flask.Response(body, status=status)
    resp.headers.clear()
    for k, v in headers:
        resp.headers[k] = v
    resp.direct_passthrough = True  # Content-Length is the encoded body's
    return resp


def _deleted_days() -> int:
    return int(current_app.config.get("HUIJU_DELETED_DAYS", DEFAULT_DELETED_DAYS))


def _deletions_expire(db: sqlite_utils.Database, days: int) -> float | None:
    """When the oldest deletion in the window leaves it (the feed must be rendered again then)."""
    if days <= 0:
        return None
    oldest = parse_time(oldest_deletion(db, after=deletion_cutoff(days)))
    return (oldest + timedelta(days=days)).timestamp() if oldest else None


def _columns_modified(payload: dict[str, Any], now: datetime) -> str:
    """Last-Modified of the catalog: its latest change, or the last moment its freshness moved.

    Days since an update tick at midnight in Beijing, and a future-dated item starts to count
    when its time comes: so the catalog is as new as the latest of those.
    """
    midnight = now.astimezone(SHANGHAI).replace(hour=0, minute=0, second=0, microsecond=0)
    moments = [midnight]
    for value in [payload.get("last_change_at"), *(c.get("last_published_at") for c in payload["columns"])]:
        moment = parse_time(value)
        if moment is not None and moment <= now:
            moments.append(moment)
    return max(moments).astimezone(UTC).isoformat()


def _next_midnight(now: datetime) -> float:
    day = now.astimezone(SHANGHAI).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    return day.timestamp()


def create_blueprint() -> flask.Blueprint:
    """Routes /feeds/<column>.<rss|atom|json> and /api/v1/{columns,items,items/<id>,search,openapi.json}."""
    bp = flask.Blueprint("publisher", __name__, template_folder="templates")
    bp.teardown_app_request(_close_db)

    @bp.app_context_processor
    def freshness_for_templates() -> dict[str, Any]:
        def huiju_freshness() -> list[Any]:
            """Columns at warn / alert / stale, worst first ([] when the database cannot be read)."""
            try:
                return freshness_attention(_db(), current_app.config["HUIJU_CONFIG"].columns)
            except (store.StoreError, KeyError):
                return []

        return {"huiju_freshness": huiju_freshness}

    @bp.record_once
    def install_fast_path(state: Any) -> None:
        app = state.app
        app.wsgi_app = FastPath(app.wsgi_app, lambda: page_cache(app),
                                lambda: str(app.config.get("HUIJU_PUBLIC_URL") or ""))

    @bp.after_request
    def public_headers(resp: flask.Response) -> flask.Response:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            resp.headers["Access-Control-Allow-Origin"] = "*"
            resp.headers["Access-Control-Expose-Headers"] = "ETag, Last-Modified, X-Huiju-Epoch"
            if request.method == "OPTIONS":
                resp.headers["Access-Control-Allow-Headers"] = "If-None-Match, If-Modified-Since"
                resp.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        return resp

    @bp.errorhandler(ApiError)
    def api_error(exc: ApiError) -> flask.Response:
        return _error_response(exc)

    @bp.errorhandler(store.StoreError)
    def store_unusable(exc: store.StoreError) -> flask.Response:
        return _error_response(ApiError(503, "unavailable", str(exc)))

    @bp.errorhandler(BadQuery)
    def bad_query(exc: BadQuery) -> flask.Response:
        return _error_response(ApiError(400, "bad_query", str(exc)))

    @bp.errorhandler(UnknownColumn)
    def unknown_column(exc: UnknownColumn) -> flask.Response:
        return _error_response(ApiError(404, "unknown_column", str(exc)))

    @bp.errorhandler(PublisherError)
    def publisher_error(exc: PublisherError) -> flask.Response:
        return _error_response(ApiError(400, "bad_parameter", str(exc)))

    @bp.app_errorhandler(405)
    def method_not_allowed(exc: HTTPException) -> flask.Response | HTTPException:
        if not request.path.startswith(FastPath.PREFIXES):
            return exc
        resp = _error_response(ApiError(405, "method_not_allowed",
                                        f"{request.method} is not allowed here: the portal's routes are read-only"))
        resp.headers["Allow"] = "GET, HEAD, OPTIONS"
        return resp

    @bp.get("/feeds/<column>.<format>")
    def feed(column: str, format: str) -> flask.Response:  # noqa: A002 - the documented parameter name
        fmt = format
        if fmt not in RENDERERS:
            raise ApiError(404, "unknown_format", f"unknown feed format {fmt!r} (use rss, atom or json)")
        config = current_app.config["HUIJU_CONFIG"]
        col = feed_column(config, column)
        limit = int(current_app.config.get("HUIJU_FEED_LIMIT", DEFAULT_FEED_LIMIT))
        days = _deleted_days()

        def render(db: sqlite_utils.Database, epoch: str) -> tuple[bytes, str, str | None, float | None]:
            _seq, when = latest_seq(db, col)
            body = RENDERERS[fmt](db, config, column, _base_url(), limit=limit, deleted_days=days)
            return body, FEED_TYPES[fmt], when, _deletions_expire(db, days) if fmt != "rss" else None

        return _serve(render)

    @bp.get("/api/v1/columns")
    def columns() -> flask.Response:
        config = current_app.config["HUIJU_CONFIG"]

        def render(db: sqlite_utils.Database, epoch: str) -> tuple[bytes, str, str | None, float | None]:
            now = datetime.now(UTC)
            payload = catalog(db, config, _base_url(), now=now)
            payload["epoch"] = epoch
            until = min(_next_midnight(now), time.time() + COLUMNS_RECHECK)
            return _json_body(payload), JSON_TYPE, _columns_modified(payload, now), until

        return _serve(render)

    @bp.get("/api/v1/items")
    def items() -> flask.Response:
        config = current_app.config["HUIJU_CONFIG"]
        col = feed_column(config, _arg("column") or None)
        since = _int_arg("since", 0, low=0)  # any size: past the end is answered 409 before SQL sees it
        limit = _int_arg("limit", 100, low=1, high=MAX_PAGE)
        wanted_epoch = _arg("epoch") or None
        ident = stream_epoch.identity(_db())
        if wanted_epoch is not None and wanted_epoch != ident.epoch:
            raise ApiError(409, "epoch_changed",
                           f"the stream was rewritten: your cursor is for epoch {wanted_epoch[:40]!r}, the stream is "
                           f"now {ident.epoch}; discard your copy and read again from since=0",
                           epoch=ident.epoch, latest_seq=ident.latest_seq, resync="/api/v1/items?since=0")
        if since > ident.latest_seq:
            raise ApiError(409, "since_beyond_end",
                           f"since={since} is past the end of the stream (latest seq {ident.latest_seq}): history "
                           "was rewound (a restore); discard your copy and read again from since=0",
                           epoch=ident.epoch, latest_seq=ident.latest_seq, resync="/api/v1/items?since=0")

        def render(db: sqlite_utils.Database, epoch: str) -> tuple[bytes, str, str | None, float | None]:
            seq, when = latest_seq(db, col)
            rows, more = page(db, since=since, column=col, limit=limit)
            body = {
                "items": [public_view(r) for r in rows],
                "next": rows[-1]["seq"] if rows else since,
                "more": more,
                "latest_seq": seq,
                "limit": limit,
                "epoch": epoch,
            }
            return _json_body(body), JSON_TYPE, when, None

        return _serve(render)

    @bp.get("/api/v1/items/<int:item_id>")
    def item(item_id: int) -> flask.Response:
        if item_id > MAX_SEQ or item_seq(_db(), item_id) is None:
            raise ApiError(404, "unknown_item", f"item {item_id} was never published")

        def render(db: sqlite_utils.Database, epoch: str) -> tuple[bytes, str, str | None, float | None]:
            found = item_seq(db, item_id)
            view = public_view(latest(db, item_id) or {})
            view["epoch"] = epoch
            return _json_body(view), JSON_TYPE, found[1] if found else None, None

        return _serve(render)

    @bp.get("/api/v1/search")
    def search_items() -> flask.Response:
        q = _arg("q")
        if len(q) > MAX_QUERY_CHARS:
            raise ApiError(400, "bad_query", f"search query is longer than {MAX_QUERY_CHARS} characters")
        limit = _int_arg("limit", 20, low=1, high=100)
        number = _int_arg("page", 1, low=1, high=openapi.MAX_SEARCH_PAGE, cap=False)
        col = feed_column(current_app.config["HUIJU_CONFIG"], _arg("column") or None)
        date_from, date_to = _date_arg("from"), _date_arg("to")

        def render(db: sqlite_utils.Database, epoch: str) -> tuple[bytes, str, str | None, float | None]:
            seq, when = latest_seq(db, None)
            found = search_page(db, q, limit=limit, page=number, column=col, date_from=date_from, date_to=date_to)
            out = []
            for h in found["items"]:
                v = public_view(h)
                v.pop("html", None)
                v.pop("text", None)
                out.append(v)
            body = {"query": q, "items": out, "total": found["total"], "page": number, "pages": found["pages"],
                    "limit": limit, "latest_seq": seq, "epoch": epoch}
            return _json_body(body), JSON_TYPE, when, None

        return _serve(render)

    @bp.get("/api/v1/openapi.json")
    def openapi_document() -> flask.Response:
        def render(db: sqlite_utils.Database, epoch: str) -> tuple[bytes, str, str | None, float | None]:
            return _json_body(openapi.document(_base_url())), JSON_TYPE, None, None

        return _serve(render)

    @bp.get("/feeds/<path:rest>")
    def no_such_feed(rest: str) -> flask.Response:
        raise ApiError(404, "not_found", f"no feed at /feeds/{rest[:80]} (use /feeds/<column>.rss|atom|json)")

    @bp.get("/api/v1/<path:rest>")
    def no_such_endpoint(rest: str) -> flask.Response:
        raise ApiError(404, "not_found", f"no API endpoint /api/v1/{rest[:80]} (see /api/v1/openapi.json)")

    return bp


__all__ += ["ApiError", "ALL"]
