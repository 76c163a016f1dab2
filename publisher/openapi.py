"""The OpenAPI 3.1 document of the portal's routes, served at /api/v1/openapi.json.

Written beside the routes it describes (publisher/web.py) and checked against them: a test
fails when a route of the blueprint is not documented here or a documented path has no route,
and schemathesis runs the document against a live server in the test suite.
"""

from __future__ import annotations

from typing import Any

from publisher.feeds import DEFAULT_DELETED_DAYS, DEFAULT_FEED_LIMIT
from publisher.stream import MAX_PAGE

__all__ = ["document", "OPENAPI_VERSION"]

OPENAPI_VERSION = "3.1.0"
COLUMN_PATTERN = "^[a-z0-9][a-z0-9-]*$"
MAX_SEARCH_PAGE = 10**6


def _error_codes() -> list[str]:
    from publisher.web import ERROR_CODES  # the one list of codes

    return list(ERROR_CODES)


def _validators() -> dict[str, Any]:
    return {
        "ETag": {"description": "strong tag of the bytes (the same for every encoding)", "schema": {"type": "string"}},
        "Last-Modified": {"description": "time of the latest change shown", "schema": {"type": "string"}},
        "X-Huiju-Epoch": {"description": "stream identity; changes when history is rewritten",
                          "schema": {"type": "string"}},
    }


def _conditional_params() -> list[dict[str, Any]]:
    return [
        {"name": "If-None-Match", "in": "header", "required": False, "schema": {"type": "string"},
         "description": "an ETag from an earlier answer: 304 when it is still current"},
        {"name": "If-Modified-Since", "in": "header", "required": False, "schema": {"type": "string"},
         "description": "HTTP date; used only without If-None-Match"},
    ]


def _error(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _json(schema_ref: str, description: str) -> dict[str, Any]:
    return {"description": description, "headers": _validators(),
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_ref}"}}}}


NOT_MODIFIED = {"description": "the client's copy is current (If-None-Match / If-Modified-Since)"}
UNAVAILABLE = _error("the database cannot be used (code unavailable)")


def _get(summary: str, description: str, params: list[dict[str, Any]], responses: dict[str, Any],
         op_id: str) -> dict[str, Any]:
    return {"get": {
        "operationId": op_id, "summary": summary, "description": description,
        "parameters": params + _conditional_params(),
        "responses": {**responses, "304": NOT_MODIFIED, "503": UNAVAILABLE},
    }}


def _schemas() -> dict[str, Any]:
    change = {
        "type": "object",
        "required": ["seq", "item_id", "guid", "version", "action", "columns"],
        "properties": {
            "seq": {"type": "integer", "minimum": 1},
            "item_id": {"type": "integer"},
            "guid": {"type": "string"},
            "version": {"type": "integer"},
            "action": {"type": "string", "enum": ["publish", "correct", "retract"]},
            "column": {"type": ["string", "null"]},
            "columns": {"type": "array", "items": {"type": "string"}},
            "title": {"type": "string"},
            "html": {"type": "string"},
            "text": {"type": "string"},
            "url": {"type": ["string", "null"]},
            "source_id": {"type": ["string", "null"]},
            "source_name": {"type": ["string", "null"]},
            "published_at": {"type": ["string", "null"], "description": "original publish time; null = unknown"},
            "also_reported_by": {"type": "array", "items": {"type": "object"}},
            "reason": {"type": ["string", "null"], "description": "the editor's reason (retractions)"},
            "updated_at": {"type": "string"},
        },
    }
    return {
        "Error": {
            "type": "object",
            "required": ["error", "code"],
            "properties": {
                "error": {"type": "string", "description": "one line for people"},
                "code": {"type": "string", "enum": _error_codes(), "description": "stable, for programs"},
                "epoch": {"type": "string"},
                "latest_seq": {"type": "integer"},
                "resync": {"type": "string", "description": "where to start again (409 codes)"},
            },
        },
        "Change": change,
        "Item": {"allOf": [change, {"type": "object", "required": ["state", "epoch"], "properties": {
            "state": {"type": "string", "enum": ["live", "retracted"]},
            "first_seq": {"type": "integer"},
            "epoch": {"type": "string"},
        }}]},
        "Changes": {
            "type": "object",
            "required": ["items", "next", "more", "latest_seq", "limit", "epoch"],
            "properties": {
                "items": {"type": "array", "items": {"$ref": "#/components/schemas/Change"}},
                "next": {"type": "integer", "description": "pass as since= for the next page"},
                "more": {"type": "boolean", "description": "true exactly when rows remain after this page"},
                "latest_seq": {"type": "integer"},
                "limit": {"type": "integer", "maximum": MAX_PAGE},
                "epoch": {"type": "string", "description": "pass as epoch= with the cursor"},
            },
        },
        "Columns": {
            "type": "object",
            "required": ["columns", "latest_seq", "feeds", "epoch"],
            "properties": {
                "columns": {"type": "array", "items": {"type": "object", "required": ["id", "name", "status"],
                            "properties": {
                                "id": {"type": "string"}, "name": {"type": "string"}, "kind": {"type": "string"},
                                "items": {"type": "integer"},
                                "last_published_at": {"type": ["string", "null"]},
                                "days_since": {"type": ["integer", "null"]},
                                "limit_days": {"type": ["integer", "null"]},
                                "status": {"type": "string", "enum": ["ok", "warn", "alert", "stale"],
                                           "description": "warn from half the limit, alert on the last day, "
                                                          "stale past it"},
                                "limit_months": {"type": ["integer", "null"]},
                                "due_by": {"type": ["string", "null"]},
                                "days_left": {"type": ["integer", "null"]},
                                "latest_seq": {"type": "integer"},
                                "feeds": {"type": "object"},
                            }}},
                "latest_seq": {"type": "integer"},
                "last_change_at": {"type": ["string", "null"]},
                "feeds": {"type": "object"},
                "epoch": {"type": "string"},
            },
        },
        "SearchResults": {
            "type": "object",
            "required": ["query", "items", "total", "page", "pages", "latest_seq", "epoch"],
            "properties": {
                "query": {"type": "string"},
                "items": {"type": "array", "items": {"type": "object", "required": ["item_id", "title", "excerpt"]}},
                "total": {"type": "integer", "description": "matching live items, all pages"},
                "page": {"type": "integer"},
                "pages": {"type": "integer"},
                "latest_seq": {"type": "integer"},
                "epoch": {"type": "string"},
            },
        },
        "JsonFeed": {"type": "object", "required": ["version", "title", "items"],
                     "properties": {"version": {"type": "string"}, "items": {"type": "array"},
                                    "_huiju": {"type": "object"}}},
    }


def document(base_url: str = "") -> dict[str, Any]:
    """The OpenAPI 3.1 document (``servers`` is *base_url* when given)."""
    int_param = {"type": "integer", "minimum": 0}
    column_param = {"name": "column", "in": "query", "required": False,
                    "schema": {"type": "string", "pattern": "^([a-z0-9][a-z0-9-]*)?$"},
                    "description": "a column id of the catalog (404 unknown_column otherwise); empty or `all` = "
                                   "every column"}
    paths: dict[str, Any] = {
        "/feeds/{column}.{format}": _get(
            "RSS 2.0, Atom 1.0 or JSON Feed 1.1 of one column (or all)",
            f"The newest {DEFAULT_FEED_LIMIT} live items. Atom lists items retracted or moved out of the column "
            f"in the last {DEFAULT_DELETED_DAYS} days (`[web] deleted_days`) as RFC 6721 `at:deleted-entry`; "
            "JSON Feed as `_huiju.deleted`.",
            [{"name": "column", "in": "path", "required": True,
              "schema": {"type": "string", "pattern": COLUMN_PATTERN}, "description": "column id, or `all`"},
             {"name": "format", "in": "path", "required": True, "schema": {"type": "string",
                                                                          "enum": ["rss", "atom", "json"]}}],
            {"200": {"description": "the feed", "headers": _validators(), "content": {
                "application/rss+xml": {"schema": {"type": "string"}},
                "application/atom+xml": {"schema": {"type": "string"}},
                "application/feed+json": {"schema": {"$ref": "#/components/schemas/JsonFeed"}}}},
             "404": _error("unknown column or format (codes unknown_column, unknown_format, not_found)")},
            "feed"),
        "/api/v1/columns": _get(
            "The catalog: per column items, last update, freshness (ok / warn / stale)",
            "Last-Modified moves when freshness does (at midnight Beijing time), so If-Modified-Since never "
            "answers 304 after a column went stale.",
            [], {"200": _json("Columns", "the catalog")}, "columns"),
        "/api/v1/items": _get(
            "The change stream after a cursor: publishes, corrections, retractions, ascending by seq",
            "Read with since = the previous page's `next` while `more` is true. Pass `epoch` with the cursor: when the stream was "
            "rewritten (a restore) the answer is 409 `epoch_changed` or `since_beyond_end`: resync from since=0.",
            [column_param,
             {"name": "since", "in": "query", "required": False, "schema": int_param},
             {"name": "limit", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1},
              "description": f"page size; larger than {MAX_PAGE} is capped to {MAX_PAGE}"},
             {"name": "epoch", "in": "query", "required": False, "schema": {"type": "string"},
              "description": "the epoch your cursor came from"}],
            {"200": _json("Changes", "one page of changes"),
             "400": _error("malformed since or limit (code bad_parameter)"),
             "404": _error("unknown column (code unknown_column)"),
             "409": _error("history was rewritten: resync from since=0 (codes since_beyond_end, epoch_changed)")},
            "items"),
        "/api/v1/items/{item_id}": _get(
            "One item's latest state (live or retracted)", "Retracted items keep only their identity and reason.",
            [{"name": "item_id", "in": "path", "required": True, "schema": int_param}],
            {"200": _json("Item", "the item"), "404": _error("never published (code unknown_item, not_found)")},
            "item"),
        "/api/v1/search": _get(
            "Full-text search over live items (Chinese-aware), with highlighted excerpts and pages",
            "A compound word matches as a whole first; each query word must match. `excerpt_html` marks the "
            "matches in HTML mark elements (the rest is escaped text).",
            [{"name": "q", "in": "query", "required": True, "schema": {"type": "string", "minLength": 1,
                                                                        "maxLength": 200}},
             column_param,
             {"name": "from", "in": "query", "required": False, "schema": {"type": "string", "format": "date"},
              "description": "original publish date on or after (YYYY-MM-DD, Beijing time)"},
             {"name": "to", "in": "query", "required": False, "schema": {"type": "string", "format": "date"},
              "description": "original publish date on or before"},
             {"name": "page", "in": "query", "required": False,
              "schema": {"type": "integer", "minimum": 1, "maximum": MAX_SEARCH_PAGE}},
             {"name": "limit", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1},
              "description": "results per page; larger than 100 is capped"}],
            {"200": _json("SearchResults", "one page of results"),
             "400": _error("no usable query or a malformed parameter (codes bad_query, bad_parameter)"),
             "404": _error("unknown column (code unknown_column)")},
            "search"),
        "/api/v1/openapi.json": _get(
            "This document", "", [],
            {"200": {"description": "OpenAPI 3.1", "headers": _validators(),
                     "content": {"application/json": {"schema": {"type": "object"}}}}},
            "openapi"),
    }
    doc: dict[str, Any] = {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "Huiju 汇聚 portal API",
            "version": "1",
            "description": "Feeds and the JSON change stream a portal reads. Every error is JSON with a stable "
                           "`code`: " + ", ".join(_error_codes()) + ".",
        },
        "paths": paths,
        "components": {"schemas": _schemas()},
    }
    if base_url:
        doc["servers"] = [{"url": base_url.rstrip("/")}]
    return doc
