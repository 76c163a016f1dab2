"""The reviewer web UI: a Flask blueprint with server-rendered pages (mounted at /review).

Every request opens its own database connection (closed at teardown). Every POST carries a CSRF
token checked here, so the blueprint is protected whatever the host app does. Every page needs
a login; every action is authorized by role through the same API the command line uses.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import flask
import sqlite_utils
from flask import abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_wtf.csrf import ValidationError, generate_csrf, validate_csrf
from markupsafe import Markup

import normalizers
import store
from pages.times import SHANGHAI
from publisher import clean_html
from review_queue import actions, locks, queueview, schema, users
from review_queue import workflow as wf
from review_queue.errors import PermissionDenied, ReviewError, UnknownUser
from review_queue.history import history

log = logging.getLogger("huiju.review")
SESSION_KEY = "review_user"
SESSION_STARTED = "review_login_at"
SESSION_HOURS = 12

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


def init_app(app: flask.Flask) -> None:
    """Session cookie hardening (HttpOnly, SameSite=Lax) and the tables, for the host app."""
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    if not app.config.get("SESSION_COOKIE_SAMESITE"):
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    path = app.config.get("HUIJU_DB")
    if path:
        conn = store.open_db(path)
        try:
            _ensure_tables(conn, str(path))
        finally:
            conn.close()


def _ensure_tables(conn: sqlite_utils.Database, path: str) -> None:
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
        _ensure_tables(g.review_db, str(path))
    return g.review_db


def get_config() -> Any:
    return current_app.config.get("HUIJU_CONFIG")


def current_user() -> users.User | None:
    """The logged-in user, re-read each request so that disabling an account takes effect at once."""
    if "review_current" in g:
        return g.review_current
    name = session.get(SESSION_KEY)
    user = None
    started = session.get(SESSION_STARTED, 0)
    max_age = float(current_app.config.get("HUIJU_SESSION_HOURS", SESSION_HOURS)) * 3600
    if name and not (0 <= time.time() - float(started) < max_age):
        session.pop(SESSION_KEY, None)  # log in again after a working day
        name = None
    if name:
        try:
            user = users.get_user(get_db(), name)
        except UnknownUser:
            user = None
        if user is not None and user.disabled:
            user = None
        if user is None:
            session.pop(SESSION_KEY, None)
    g.review_current = user
    return user


def requires(role: str = "reviewer") -> Callable:
    """Login required (redirect to the login page); then *role* or better, else 403."""

    def deco(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is None:
                return redirect(url_for(".login", next=request.full_path.rstrip("?")))
            if not wf.role_satisfies(user.role, role):
                abort(403, f"this needs the {role} role; you are {user.role}")
            return view(*args, **kwargs)

        return wrapped

    return deco


class LoginThrottle:
    """Failed logins counted per user name and per client address; too many in a window must wait.

    Argon2 already makes each guess slow; this stops a patient password-guesser outright.
    """

    def __init__(self, limit: int = 10, window: float = 900.0) -> None:
        self.limit = limit
        self.window = window
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> list[float]:
        times = [t for t in self._failures.get(key, []) if now - t < self.window]
        if times:
            self._failures[key] = times
        else:
            self._failures.pop(key, None)
        return times

    def wait_seconds(self, keys: list[str], now: float | None = None) -> int:
        """Seconds until a login may be tried again for any of *keys* (0 = now)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            waits = []
            for key in keys:
                times = self._recent(key, now)
                if len(times) >= self.limit:
                    waits.append(int(times[-self.limit] + self.window - now) + 1)
            return max(waits, default=0)

    def failed(self, keys: list[str], now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        with self._lock:
            for key in keys:
                self._recent(key, now)
                self._failures.setdefault(key, []).append(now)

    def succeeded(self, keys: list[str]) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)


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


def _after_review(db: sqlite_utils.Database) -> None:
    hook = current_app.config.get("HUIJU_AFTER_REVIEW")
    if hook is None:
        return
    try:
        hook(db)
    except Exception as exc:  # the review stands; publishing retries on the next pass
        log.error("publishing after review failed: %s: %s", type(exc).__name__, exc)
        flash(f"已审核，发布将稍后重试 (publishing will retry: {type(exc).__name__}: {exc})", "error")


def _safe_next(target: str | None) -> str:
    """Only local paths under this blueprint: no open redirect."""
    default = url_for(".queue_page")
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    prefix = default.rstrip("/")
    return target if target.startswith(prefix) else default


def _ids_from_form(name: str = "ids") -> list[int]:
    out = []
    for raw in request.form.getlist(name):
        for part in raw.split(","):
            part = part.strip()
            if part.isdigit():
                out.append(int(part))
    return out


def create_blueprint(name: str = "review") -> flask.Blueprint:
    """The reviewer UI; the host app sets SECRET_KEY, HUIJU_DB, HUIJU_CONFIG (and HUIJU_AFTER_REVIEW)."""
    bp = flask.Blueprint(name, __name__, template_folder="templates", static_folder="static",
                         static_url_path="/static")
    by_name = LoginThrottle(limit=10)  # one account guessed at
    by_addr = LoginThrottle(limit=100)  # one client guessing many; high: a proxy shares one address

    @bp.record_once
    def _setup(state: flask.blueprints.BlueprintSetupState) -> None:
        app = state.app
        app.config["SESSION_COOKIE_HTTPONLY"] = True
        if not app.config.get("SESSION_COOKIE_SAMESITE"):
            app.config["SESSION_COOKIE_SAMESITE"] = "Lax"

    @bp.before_request
    def _csrf() -> None:
        if request.method in ("POST", "PUT", "PATCH", "DELETE"):
            try:
                validate_csrf(request.form.get("csrf_token") or request.headers.get("X-CSRFToken"))
            except ValidationError as exc:
                abort(400, f"CSRF check failed: {exc.args[0] if exc.args else exc}")

    @bp.teardown_request
    def _close(_exc: BaseException | None) -> None:
        conn = g.pop("review_db", None)
        if conn is not None:
            conn.close()

    @bp.after_request
    def _headers(resp: flask.Response) -> flask.Response:
        resp.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' http: https: data:; script-src 'self'; style-src 'self'; "
            "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'",
        )
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("Referrer-Policy", "same-origin")
        if request.endpoint and not request.endpoint.endswith(".static"):
            resp.headers.setdefault("Cache-Control", "no-store")
        return resp

    @bp.context_processor
    def _context() -> dict[str, Any]:
        return {
            "csrf_token": generate_csrf,
            "me": current_user(),
            "source_name": source_name,
            "column_name": column_name,
            "local_time": local_time,
            "http_url": http_url,
            "can": lambda role: bool(current_user()) and wf.role_satisfies(current_user().role, role),
        }

    @bp.errorhandler(400)
    @bp.errorhandler(403)
    @bp.errorhandler(404)
    def _error(exc: Any) -> tuple[str, int]:
        return render_template("review_queue/error.html", code=exc.code, message=exc.description), exc.code

    # --- login -------------------------------------------------------------------------------

    @bp.route("/login", methods=["GET", "POST"])
    def login() -> Any:
        nxt = request.values.get("next")
        if request.method == "POST":
            name = request.form.get("name", "").strip()[:64]
            name_key, addr_key = [name], [str(request.remote_addr)]
            wait = max(by_name.wait_seconds(name_key), by_addr.wait_seconds(addr_key))
            if wait:
                msg = f"too many failed logins; try again in {(wait + 59) // 60} min"
                return render_template("review_queue/login.html", error=msg, next=nxt), 429
            try:
                user = users.authenticate(get_db(), name, request.form.get("password", ""))
            except ReviewError as exc:
                by_name.failed(name_key)
                by_addr.failed(addr_key)
                log.warning("failed login for %r from %s", name, request.remote_addr)
                return render_template("review_queue/login.html", error=str(exc), next=nxt), 401
            by_name.succeeded(name_key)
            session.clear()  # no session fixation
            session[SESSION_KEY] = user.name
            session[SESSION_STARTED] = time.time()
            return redirect(_safe_next(nxt))
        return render_template("review_queue/login.html", error=None, next=nxt)

    @bp.post("/logout")
    def logout() -> Any:
        session.clear()
        return redirect(url_for(".login"))

    @bp.route("/password", methods=["GET", "POST"])
    @requires("reviewer")
    def own_password() -> Any:
        me = current_user()
        if request.method == "POST":
            try:
                users.authenticate(get_db(), me.name, request.form.get("old", ""))
                if request.form.get("new", "") != request.form.get("again", ""):
                    flash("两次输入的新密码不一致 (the new passwords differ)", "error")
                else:
                    users.set_password(get_db(), me.name, request.form.get("new", ""))
                    flash("密码已更新 (password changed)", "ok")
                    return redirect(url_for(".queue_page"))
            except ReviewError as exc:
                flash(str(exc), "error")
        return render_template("review_queue/password.html")

    # --- the queue ---------------------------------------------------------------------------

    @bp.get("/")
    @requires("reviewer")
    def queue_page() -> Any:
        db = get_db()
        entries = queueview.queue(db)
        f_column = request.args.get("column") or ""
        f_source = request.args.get("source") or ""
        f_flag = request.args.get("flag") or ""
        f_state = request.args.get("state") or ""
        counts = {
            "units": len(entries),
            "items": sum(len(e.members) for e in entries),
            "columns": Counter(e.column for e in entries),
            "sources": Counter(e.source for e in entries),
            "flags": Counter(f for e in entries for f in e.flags),
            "states": Counter(e.state for e in entries),
        }
        shown = [
            e for e in entries
            if (not f_column or e.column == f_column) and (not f_source or e.source == f_source)
            and (not f_flag or f_flag in e.flags) and (not f_state or e.state == f_state)
        ]
        config = get_config()
        columns = list(config.columns.values()) if config is not None else []
        return render_template(
            "review_queue/queue.html", entries=shown, counts=counts, columns=columns,
            withdrawn=actions.withdrawn_upstream(db),
            column_ids={c.id for c in columns},
            filters={"column": f_column, "source": f_source, "flag": f_flag, "state": f_state},
        )

    @bp.post("/act")
    @requires("reviewer")
    def act() -> Any:
        """Queue actions: one row's button (act=approve:12) or the bulk buttons on checked rows."""
        db = get_db()
        me = current_user()
        one = request.form.get("act", "")
        if ":" in one:
            action, _, raw = one.partition(":")
            ids = [int(raw)] if raw.isdigit() else []
        else:
            action = request.form.get("bulk", "")
            ids = _ids_from_form("ids")
        if action not in ("approve", "reject") or not ids:
            flash("请选择条目 (select items first)", "error")
            return redirect(_safe_next(request.form.get("back")))
        reason = request.form.get("reason", "").strip()
        done, approved = 0, False
        # rejecting a unit rejects its reviewable members: only a rejection needs the queue built
        units = {e.item_id: e for e in queueview.queue(db)} if action == "reject" else {}
        for item_id in ids:
            try:
                if action == "approve":
                    column = request.form.get(f"column-{item_id}") or None
                    states = actions.approve(db, [item_id], user=me.name, column=column, config=get_config())
                    approved = approved or "approved" in states
                else:
                    unit = units.get(item_id)
                    members = list(unit.members) if unit is not None else [item_id]
                    actions.reject(db, members, user=me.name, reason=reason)
                done += 1
            except ReviewError as exc:
                flash(str(exc), "error")
        if done:
            verb = "通过 approved" if action == "approve" else "退回 rejected"
            flash(f"{done} 条已{verb}", "ok")
        if approved:
            _after_review(db)
        return redirect(_safe_next(request.form.get("back")))

    # --- one item ----------------------------------------------------------------------------

    def _item_or_404(item_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
        db = get_db()
        row = actions.get_row(db, item_id)
        item = normalizers.get_item(db, item_id)
        if row is None or item is None:
            abort(404, f"item {item_id} is not in review")
        return row, item

    # Item ids are SQLite integers: a larger number in an address is no item (404), not a crash.
    @bp.get("/item/<int(max=9223372036854775807):item_id>")
    @requires("reviewer")
    def item_page(item_id: int) -> Any:
        db = get_db()
        row, item = _item_or_404(item_id)
        me = current_user()
        lock = locks.current_lock(db, item_id)
        if row["state"] in wf.REVIEWABLE and (lock is None or lock.holder == me.name):
            try:
                lock = locks.lock(db, item_id, user=me.name)
            except ReviewError as exc:
                flash(str(exc), "error")
        members = []
        if item.get("cluster") is not None:
            cluster = normalizers.cluster_members(db, item["cluster"])
            states = actions.states(db, [actions.member_id(m) for m in cluster])
            for m in cluster:
                mid = actions.member_id(m)
                if mid != item_id:
                    members.append({**m, "id": mid, "state": states.get(mid)})
        config = get_config()
        view = actions.publish_view(db, item_id)
        return render_template(
            "review_queue/item.html", row=row, item=item, view=view, lock=lock, members=members,
            history=history(db, item_id), columns=list(config.columns.values()) if config else [],
            column=actions.effective_column(row, item),
            preview=sanitize_preview(view["text_html"] or item.get("html") or "", base=http_url(item.get("url"))),
            reviewable=row["state"] in wf.REVIEWABLE,
            retractable=row["state"] in (wf.PUBLISHED, wf.CORRECTED),
            locked_by_other=lock is not None and lock.holder != me.name,
        )

    @bp.post("/item/<int(max=9223372036854775807):item_id>/<action>")
    @requires("reviewer")
    def item_action(item_id: int, action: str) -> Any:
        db = get_db()
        _item_or_404(item_id)
        me = current_user()
        back = url_for(".item_page", item_id=item_id)
        try:
            if action == "approve":
                states = actions.approve(db, [item_id], user=me.name, column=request.form.get("column") or None,
                                         config=get_config())
                flash(f"item {item_id}: {states[0]}", "ok")
                if states[0] == wf.APPROVED:
                    _after_review(db)
                back = url_for(".queue_page")
            elif action == "reject":
                actions.reject(db, [item_id], user=me.name, reason=request.form.get("reason", ""))
                flash(f"item {item_id}: rejected", "ok")
                back = url_for(".queue_page")
            elif action == "retract":
                if not wf.role_satisfies(me.role, "editor"):
                    abort(403, "retracting needs the editor role")
                actions.retract(db, item_id, user=me.name, reason=request.form.get("reason", ""))
                flash(f"item {item_id}: retracted", "ok")
                _after_review(db)
            elif action == "keep":
                if not wf.role_satisfies(me.role, "editor"):
                    abort(403, "keeping an item its source took down needs the editor role")
                actions.keep(db, item_id, user=me.name, reason=request.form.get("reason", ""))
                flash(f"item {item_id}: kept on the portal", "ok")
            elif action == "unlock":
                locks.unlock(db, item_id, user=me.name)
                back = url_for(".queue_page")
            elif action == "lock":
                locks.lock(db, item_id, user=me.name)
            else:
                abort(404, f"no action {action!r}")
        except PermissionDenied as exc:
            abort(403, str(exc))
        except ReviewError as exc:
            flash(str(exc), "error")
        return redirect(back)

    @bp.route("/item/<int(max=9223372036854775807):item_id>/edit", methods=["GET", "POST"])
    @requires("reviewer")
    def edit_page(item_id: int) -> Any:
        db = get_db()
        row, item = _item_or_404(item_id)
        me = current_user()
        config = get_config()
        if request.method == "POST":
            topics = [t for t in request.form.getlist("topics") if t]
            try:
                changes = actions.edit(
                    db, item_id, user=me.name, title=request.form.get("title"), text=request.form.get("text"),
                    column=request.form.get("column") or None, topics=topics, config=config,
                )
                flash(f"item {item_id}: {len(changes)} 处修改已保存 (saved)", "ok")
                return redirect(url_for(".item_page", item_id=item_id))
            except PermissionDenied as exc:
                abort(403, str(exc))
            except ReviewError as exc:
                flash(str(exc), "error")
        elif row["state"] in wf.EDITABLE:
            try:
                locks.lock(db, item_id, user=me.name)
            except ReviewError as exc:
                flash(str(exc), "error")
        view = actions.publish_view(db, item_id)
        topics = view["topics"] if view["topics"] is not None else (row["routed_topics"] or item.get("topics") or [])
        return render_template(
            "review_queue/edit.html", row=row, item=item,
            title=view["title"] if view["title"] is not None else item.get("title", ""),
            text=view["text"] if view["text"] is not None else item.get("text", ""),
            column=actions.effective_column(row, item), topics=topics,
            columns=list(config.columns.values()) if config else [],
        )

    @bp.get("/published")
    @requires("reviewer")
    def published_page() -> Any:
        db = get_db()
        rows = db.execute(
            "SELECT item_id, state, published_seq, published_at, approved_by FROM reviews "
            "WHERE state IN (?, ?, ?) ORDER BY coalesce(published_at, updated_at) DESC LIMIT 200",
            [wf.PUBLISHED, wf.CORRECTED, wf.RETRACTED],
        ).fetchall()
        items = {actions.member_id(i): i for i in normalizers.list_items(db, ids=[r[0] for r in rows], bodies=False)} if rows else {}
        entries = [
            {"id": r[0], "state": r[1], "seq": r[2], "published_at": r[3], "approved_by": r[4],
             "item": items.get(r[0], {})}
            for r in rows
        ]
        return render_template("review_queue/published.html", entries=entries)

    # --- users (admin) -----------------------------------------------------------------------

    @bp.route("/users", methods=["GET", "POST"])
    @requires("admin")
    def users_page() -> Any:
        db = get_db()
        if request.method == "POST":
            try:
                users.add_user(db, request.form.get("name", ""), request.form.get("role", ""),
                               request.form.get("password", ""))
                flash(f"user {request.form.get('name', '').strip()} added", "ok")
                return redirect(url_for(".users_page"))
            except ReviewError as exc:
                flash(str(exc), "error")
        return render_template("review_queue/users.html", users=users.list_users(db), roles=wf.ROLES)

    @bp.post("/users/<name>/<action>")
    @requires("admin")
    def user_action(name: str, action: str) -> Any:
        db = get_db()
        me = current_user()
        try:
            if action == "role":
                if name == me.name:
                    raise PermissionDenied("you cannot change your own role")
                users.set_role(db, name, request.form.get("role", ""))
            elif action == "password":
                users.set_password(db, name, request.form.get("password", ""))
            elif action in ("disable", "enable"):
                if name == me.name:
                    raise PermissionDenied("you cannot disable yourself")
                users.disable_user(db, name, disabled=action == "disable")
            else:
                abort(404, f"no action {action!r}")
            flash(f"user {name}: {action} done", "ok")
        except ReviewError as exc:
            flash(str(exc), "error")
        return redirect(url_for(".users_page"))

    return bp
