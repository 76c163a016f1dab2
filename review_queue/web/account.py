"""Logging in and out, and changing one's own password."""

from __future__ import annotations

import threading
import time
from typing import Any

from flask import current_app, flash, redirect, render_template, request, session, url_for

from review_queue import users
from review_queue.errors import ReviewError
from review_queue.web.common import (
    SESSION_KEY,
    SESSION_STARTED,
    current_user,
    get_db,
    log,
    requires,
    safe_next,
)


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


_throttle_lock = threading.Lock()


def throttles() -> tuple[LoginThrottle, LoginThrottle]:
    """This blueprint's throttles: one account guessed at, one client guessing many."""
    key = f"huiju.review.throttle.{request.blueprint}"
    with _throttle_lock:
        if key not in current_app.extensions:
            # the per-address limit is high: a reverse proxy shares one address
            current_app.extensions[key] = (LoginThrottle(limit=10), LoginThrottle(limit=100))
        return current_app.extensions[key]


def login() -> Any:
    nxt = request.values.get("next")
    if request.method == "POST":
        by_name, by_addr = throttles()
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
        return redirect(safe_next(nxt))
    return render_template("review_queue/login.html", error=None, next=nxt)


def logout() -> Any:
    session.clear()
    return redirect(url_for(".login"))


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


ROUTES = (
    ("/login", login, ("GET", "POST")),
    ("/logout", logout, ("POST",)),
    ("/password", own_password, ("GET", "POST")),
)
