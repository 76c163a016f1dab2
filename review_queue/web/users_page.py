"""Reviewer accounts, for admins."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from review_queue import users
from review_queue import workflow as wf
from review_queue.errors import PermissionDenied, ReviewError
from review_queue.messages import error_message
from review_queue.web.common import current_user, get_db, requires


@requires("admin")
def users_page() -> Any:
    db = get_db()
    if request.method == "POST":
        try:
            users.add_user(db, request.form.get("name", ""), request.form.get("role", ""),
                           request.form.get("password", ""))
            flash(_("已添加用户 %(name)s", name=request.form.get("name", "").strip()), "ok")
            return redirect(url_for(".users_page"))
        except ReviewError as exc:
            flash(error_message(exc), "error")
    return render_template("review_queue/users.html", users=users.list_users(db), roles=wf.ROLES)


@requires("admin")
def user_action(name: str, action: str) -> Any:
    db = get_db()
    me = current_user()
    try:
        if action == "role":
            if name == me.name:
                raise PermissionDenied("own-role", user=name)
            users.set_role(db, name, request.form.get("role", ""))
        elif action == "password":
            users.set_password(db, name, request.form.get("password", ""))
        elif action in ("disable", "enable"):
            if name == me.name:
                raise PermissionDenied("disable-self", user=name)
            users.disable_user(db, name, disabled=action == "disable")
        else:
            abort(404, f"no action {action!r}")
        flash(_("用户 %(name)s：%(action)s 完成", name=name, action=action), "ok")
    except ReviewError as exc:
        flash(error_message(exc), "error")
    return redirect(url_for(".users_page"))


ROUTES = (
    ("/users", users_page, ("GET", "POST")),
    ("/users/<name>/<action>", user_action, ("POST",)),
)
