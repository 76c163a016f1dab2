"""The reviewer web UI: a Flask blueprint with server-rendered pages (mounted at /review).

The views live one module per page (account, queue_page, item_page, users_page); this module
only assembles them. Every POST carries a CSRF token checked here, so the blueprint is protected
whatever the host app does. Every page needs a login; every action is authorized by role through
the same API the command line uses.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import flask
from flask import abort, current_app, render_template, request
from flask_wtf.csrf import ValidationError, generate_csrf, validate_csrf

import store
from review_queue import messages
from review_queue.messages import state_label
from review_queue.web import account, evaluation_page, i18n, item_page, queue_page, users_page
from review_queue.web.common import (
    can,
    close_db,
    column_name,
    current_user,
    ensure_tables,
    harden_cookies,
    http_url,
    local_time,
    publish_time,
    sanitize_preview,
    source_name,
)

PAGES = (account, queue_page, item_page, users_page, evaluation_page, i18n)
CSP = ("default-src 'self'; img-src 'self' http: https: data:; script-src 'self'; style-src 'self'; "
       "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'")


def init_app(app: flask.Flask) -> None:
    """Session cookie hardening (HttpOnly, SameSite=Lax) and the tables, for the host app."""
    harden_cookies(app)
    i18n.init_babel(app)
    path = app.config.get("HUIJU_DB")
    if path:
        conn = store.open_db(path)
        try:
            ensure_tables(conn, str(path))
        finally:
            conn.close()


def _csrf() -> None:
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        try:
            validate_csrf(request.form.get("csrf_token") or request.headers.get("X-CSRFToken"))
        except ValidationError as exc:
            abort(400, f"CSRF check failed: {exc.args[0] if exc.args else exc}")


def _headers(resp: flask.Response) -> flask.Response:
    resp.headers.setdefault("Content-Security-Policy", CSP)
    resp.headers.setdefault("X-Content-Type-Options", "nosniff")
    resp.headers.setdefault("Referrer-Policy", "same-origin")
    if request.endpoint and not request.endpoint.endswith(".static"):
        resp.headers.setdefault("Cache-Control", "no-store")
    return resp


def _context() -> dict[str, Any]:
    return {
        "csrf_token": generate_csrf,
        "me": current_user(),
        "source_name": source_name,
        "column_name": column_name,
        "local_time": local_time,
        "publish_time": publish_time,
        "state_label": state_label,
        "role_label": messages.role_label,
        "history_action": messages.history_action,
        "history_note": messages.history_note,
        "field_label": messages.field_label,
        "actor_label": messages.actor_label,
        "http_url": http_url,
        "can": can,
        "lang": i18n.select_locale(),
    }


def _error(exc: Any) -> tuple[str, int]:
    return render_template("review_queue/error.html", code=exc.code, message=exc.description), exc.code


def _store_error(exc: Exception) -> tuple[str, int]:
    """The database cannot be used (locked, damaged, missing): 503 with the cause in the reader's
    language; a raw sqlite3 error is named by its cause first (store.as_store_error)."""
    if not isinstance(exc, store.StoreError):
        exc = store.as_store_error(exc, current_app.config.get("HUIJU_DB", ""))  # type: ignore[arg-type]
    flask.g.review_current = None  # no one can be recognised while the database cannot be read
    return render_template("review_queue/error.html", code=503, message=messages.error_message(exc)), 503


def create_blueprint(name: str = "review") -> flask.Blueprint:
    """The reviewer UI; the host app sets SECRET_KEY, HUIJU_DB, HUIJU_CONFIG (and HUIJU_AFTER_REVIEW)."""
    bp = flask.Blueprint(name, "review_queue", template_folder="templates", static_folder="static",
                         static_url_path="/static")
    bp.record_once(lambda state: (harden_cookies(state.app), i18n.init_babel(state.app)))
    bp.before_request(_csrf)
    bp.teardown_request(close_db)
    bp.after_request(_headers)
    bp.context_processor(_context)
    for code in (400, 403, 404):
        bp.register_error_handler(code, _error)
    bp.register_error_handler(store.StoreError, _store_error)
    bp.register_error_handler(sqlite3.Error, _store_error)
    for page in PAGES:
        for rule, view, methods in page.ROUTES:
            bp.add_url_rule(rule, view_func=view, methods=list(methods))
    return bp


__all__ = ["create_blueprint", "init_app", "sanitize_preview"]
