"""Logging in and out, and changing one's own password."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from review_queue import sessions, throttle, users
from review_queue.errors import ReviewError
from review_queue.messages import error_message
from review_queue.web.common import (
    SESSION_KEY,
    client_address,
    current_user,
    get_db,
    log,
    requires,
    safe_next,
    start_session,
)


def login() -> Any:
    nxt = request.values.get("next")
    if request.method == "POST":
        db = get_db()
        name = request.form.get("name", "").strip()[:64]
        client = client_address()
        wait = throttle.wait_seconds(db, name, client)
        if wait:
            msg = _("登录失败次数过多，请 %(s)s 秒后再试", s=wait)
            return render_template("review_queue/login.html", error=msg, next=nxt), 429
        try:
            user = users.authenticate(db, name, request.form.get("password", ""))
        except ReviewError as exc:
            throttle.failed(db, name, client)
            # the name typed is not logged (a person's name, or a password typed in the wrong box);
            # the throttle keeps it, per account, in the database
            log.warning("登录失败，来自 %(client)s", {"client": client})
            return render_template("review_queue/login.html", error=error_message(exc), next=nxt), 401
        throttle.succeeded(db, name, client)
        start_session(user.name)
        return redirect(safe_next(nxt))
    return render_template("review_queue/login.html", error=None, next=nxt)


def logout() -> Any:
    sessions.end(get_db(), session.get(SESSION_KEY))
    session.clear()
    return redirect(url_for(".login"))


@requires("reviewer")
def own_password() -> Any:
    me = current_user()
    if request.method == "POST":
        try:
            users.authenticate(get_db(), me.name, request.form.get("old", ""))
            if request.form.get("new", "") != request.form.get("again", ""):
                flash(_("两次输入的新密码不一致"), "error")
            else:
                users.set_password(get_db(), me.name, request.form.get("new", ""))  # ends every session
                start_session(me.name)  # this browser stays logged in; every other one is out
                flash(_("密码已更新，其他设备已退出"), "ok")
                return redirect(url_for(".queue_page"))
        except ReviewError as exc:
            flash(error_message(exc), "error")
    return render_template("review_queue/password.html")


ROUTES = (
    ("/login", login, ("GET", "POST")),
    ("/logout", logout, ("POST",)),
    ("/password", own_password, ("GET", "POST")),
)
