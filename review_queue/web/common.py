"""What every reviewer page shares: this request's database and user, the role check, helpers.

Every request opens its own database connection (closed at teardown); the logged-in user is
re-read each request, so that disabling an account takes effect at once.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import flask
import sqlite_utils
from flask import abort, current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from markupsafe import Markup

import store
from publisher import clean_html
from review_queue import actions, schema, sessions, throttle, users
from review_queue import workflow as wf
from review_queue.clock import SHANGHAI
from review_queue.errors import UnknownUser
from review_queue.messages import role_label

log = logging.getLogger("huiju.review")
SESSION_KEY = "review_session"  # the server-side session's id, in Flask's signed cookie

_initialized: set[str] = set()
_init_lock = threading.Lock()


def sanitize_preview(html: str | None, base: str | None = None) -> Markup:
    """Body HTML for the preview, cleaned by the portal's own allow-list (publisher.clean_html).

    The reviewer approves what the portal will show: the same tags, no frames (the stored copy may
    keep a known video player; the portal never does), links resolved against the original URL.
    """
    return Markup(clean_html(html, base=base))  # safe: nh3 with the publisher's allow-list


def http_url(url: str | None) -> str | None:
    """*url* if it is an http(s) link, else None (never a javascript: href)."""
    if not url:
        return None
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    return url if scheme in ("http", "https") else None


def local_time(ts: str | None) -> str:
    """An ISO time shown in Beijing time, minutes precision; '' for None."""
    if not ts:
        return ""
    try:
        return datetime.fromisoformat(ts).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return ts


def harden_cookies(app: flask.Flask) -> None:
    """Session cookie hardening (HttpOnly, SameSite=Lax; Secure when the public URL is https)."""
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    if not app.config.get("SESSION_COOKIE_SAMESITE"):
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    config = app.config.get("HUIJU_CONFIG")
    public = app.config.get("HUIJU_PUBLIC_URL") or getattr(getattr(config, "web", None), "public_url", "")
    if str(public or "").lower().startswith("https://"):
        app.config["SESSION_COOKIE_SECURE"] = True


def ensure_tables(conn: sqlite_utils.Database, path: str) -> None:
    if path in _initialized and path != ":memory:":
        return
    with _init_lock:
        schema.init(conn)
        _initialized.add(path)


def get_db() -> sqlite_utils.Database:
    """This request's connection (opened on first use, closed at teardown)."""
    if "review_db" not in g:
        path = current_app.config["HUIJU_DB"]
        g.review_db = store.open_db(path)
        ensure_tables(g.review_db, str(path))
    return g.review_db


def close_db(_exc: BaseException | None) -> None:
    conn = g.pop("review_db", None)
    if conn is not None:
        conn.close()


def get_config() -> Any:
    return current_app.config.get("HUIJU_CONFIG")


def approval_hold() -> int:
    """Seconds an approval waits before it is published, undoable meanwhile ([web] approval_hold)."""
    return int(getattr(getattr(get_config(), "web", None), "approval_hold", 0) or 0)


def publish_time(approved_at: str | None) -> str:
    """When an approval given at *approved_at* leaves its hold, Beijing time to the second."""
    if not approved_at:
        return ""
    at = datetime.fromisoformat(actions.publishes_at(approved_at, approval_hold()))
    return at.astimezone(SHANGHAI).strftime("%H:%M:%S")


def catalog() -> list[Any]:
    """The configured columns, in catalog order (empty without a configuration)."""
    config = get_config()
    return list(config.columns.values()) if config is not None else []


def session_hours() -> float:
    return float(current_app.config.get("HUIJU_SESSION_HOURS", sessions.SESSION_HOURS))


def current_user() -> users.User | None:
    """The logged-in user: the cookie's session id must name a live server-side session (ended by
    logout, a password change or reset, disabling), and the account is re-read each request."""
    if "review_current" in g:
        return g.review_current
    user = None
    live = sessions.check(get_db(), session.get(SESSION_KEY))
    if live is not None:
        try:
            user = users.get_user(get_db(), live.user)
        except UnknownUser:
            user = None
        if user is not None and user.disabled:
            user = None
    if user is None:
        session.pop(SESSION_KEY, None)  # log in again (after a working day, a logout, a reset)
    g.review_current = user
    return user


def start_session(name: str) -> None:
    """Log *name* in on this browser: a fresh cookie (no session fixation), a new server session."""
    session.clear()
    session[SESSION_KEY] = sessions.start(get_db(), name, client=client_address(), hours=session_hours())


def client_address() -> str:
    """The client's address, through the configured trusted proxies' X-Forwarded-For."""
    config = get_config()
    trusted = getattr(getattr(config, "web", None), "trusted_proxies", ()) or ()
    return throttle.client_address(request.remote_addr, request.headers.get("X-Forwarded-For"), trusted)


def requires(role: str = "reviewer") -> Callable:
    """Login required (redirect to the login page); then *role* or better, else 403."""

    def deco(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is None:
                return redirect(url_for(".login", next=request.full_path.rstrip("?")))
            if not wf.role_satisfies(user.role, role):
                abort(403, _("这需要%(role)s角色；你是%(mine)s", role=role_label(role), mine=role_label(user.role)))
            return view(*args, **kwargs)

        return wrapped

    return deco


def can(role: str) -> bool:
    """Whether the logged-in user has *role* or better (for templates and views)."""
    user = current_user()
    return user is not None and wf.role_satisfies(user.role, role)


def source_name(source_id: str | None) -> str:
    config = get_config()
    if config is not None and source_id:
        try:
            return config.source(source_id).name
        except KeyError:
            pass
    return source_id or ""


def column_name(column_id: str | None) -> str:
    config = get_config()
    if config is not None and column_id in config.columns:
        return config.columns[column_id].name
    return column_id or ""


def after_review(db: sqlite_utils.Database) -> None:
    """Publish what was just approved (the host app's hook); a failure is shown, the review stands."""
    hook = current_app.config.get("HUIJU_AFTER_REVIEW")
    if hook is None:
        return
    try:
        hook(db)
    except Exception as exc:  # the review stands; publishing retries on the next pass
        log.error("审核后发布失败：%(error)s", {"error": f"{type(exc).__name__}: {exc}"})
        flash(_("已审核，发布将稍后重试：%(err)s", err=f"{type(exc).__name__}: {exc}"), "error")


def safe_next(target: str | None) -> str:
    """Only local paths under this blueprint: no open redirect."""
    default = url_for(".queue_page")
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    prefix = default.rstrip("/")
    return target if target.startswith(prefix) else default


def ids_from_form(name: str = "ids") -> list[int]:
    out = []
    for raw in request.form.getlist(name):
        for part in raw.split(","):
            part = part.strip()
            if part.isdigit():
                out.append(int(part))
    return out
