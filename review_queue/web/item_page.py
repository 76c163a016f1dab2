"""One item: its page (preview, cluster, history), its actions, and the edit form."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import abort, flash, redirect, render_template, request, send_from_directory, url_for
from flask_babel import gettext as _
from markupsafe import Markup

import checks
import normalizers
from review_queue import actions, explain, locks, signoff, stories
from review_queue import workflow as wf
from review_queue.errors import LockedByOther, PermissionDenied, ReviewError, UnknownItem
from review_queue.history import history, html_source
from review_queue.messages import error_message, state_label
from review_queue.web.common import (
    after_review,
    approval_hold,
    can,
    catalog,
    current_user,
    get_config,
    get_db,
    http_url,
    requires,
    safe_next,
    sanitize_preview,
)

EDITOR_DIR = Path(__file__).resolve().parents[1] / "editor" / "node_modules" / "squire-rte" / "dist"
EDITOR_HELP = "npm ci --prefix review_queue/editor"


def editor_installed() -> bool:
    """Whether the rich-text editor (Squire, from the npm registry at build time) is installed."""
    return (EDITOR_DIR / "squire.js").is_file()


def editor_script() -> Any:
    """The editor's script, served from the package like the desk's own static files."""
    if not editor_installed():
        abort(404, f"the rich-text editor is not installed: {EDITOR_HELP}")
    return send_from_directory(EDITOR_DIR, "squire.js", mimetype="text/javascript", max_age=86400)


# Item ids are SQLite integers: a larger number in an address is no item (404), not a crash.
ITEM = "/item/<int(max=9223372036854775807):item_id>"


def _item_or_404(item_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The review row and the item as published (normalized item + reviewer edits)."""
    db = get_db()
    row = actions.get_row(db, item_id)
    item = normalizers.get_item(db, item_id)
    if row is None or item is None:
        abort(404, error_message(UnknownItem("item-not-in-review", id=item_id)))
    return row, actions.as_published(item, row)


@requires("reviewer")
def item_page(item_id: int) -> Any:
    db = get_db()
    row, shown = _item_or_404(item_id)
    me = current_user()
    lock = locks.current_lock(db, item_id)  # looking takes no lock: only the edit form does
    members = explain.explain(db, item_id)  # why each member is in this story
    possible = explain.possible(db, item_id)  # other stories sharing a stretch of its text: may be this one
    chain = signoff.chain_in_force(row, get_config())
    found = checks.open_findings(db, [item_id]).get(item_id, [])
    preview = sanitize_preview(shown.get("html") or "", base=http_url(shown.get("url")))
    return render_template(
        "review_queue/item.html", row=row, item=shown, lock=lock, members=members, possible=possible,
        findings=found, blocked=any(f.severity == "block" and not f.overridden_by for f in found),
        title_marked=Markup(checks.highlight_text(shown.get("title") or "", found)),
        chain=list(zip(signoff.level_names(row, chain, get_config()), chain, strict=True)),
        history=history(db, item_id), columns=catalog(), column=shown["column"],
        preview=Markup(checks.highlight(str(preview), found)),
        reviewable=row["state"] in wf.REVIEWABLE,
        undoable=row["state"] == wf.APPROVED and (row["approved_by"] == me.name or can("editor")),
        retractable=row["state"] in (wf.PUBLISHED, wf.CORRECTED),
        locked_by_other=lock is not None and lock.holder != me.name,
    )


@requires("reviewer")
def item_action(item_id: int, action: str) -> Any:
    db = get_db()
    _item_or_404(item_id)
    me = current_user()
    back = url_for(".item_page", item_id=item_id)
    try:
        if action == "approve":
            states = actions.approve(db, [item_id], user=me.name, column=request.form.get("column") or None,
                                     reason=request.form.get("move_reason", ""), config=get_config(),
                                     override_checks=request.form.get("override_checks", "").strip() or None)
            if states[0] == wf.APPROVED and approval_hold() > 0:
                flash(_("#%(id)s 已通过：%(s)s 秒后发布，此前可撤销（按 u）", id=item_id, s=approval_hold()), "ok")
            else:
                flash(_("#%(id)s：%(state)s", id=item_id, state=state_label(states[0])), "ok")
            if states[0] == wf.APPROVED:
                after_review(db)
            back = url_for(".queue_page")
        elif action == "reject":
            actions.reject(db, [item_id], user=me.name, reason=request.form.get("reason", ""))
            flash(_("#%(id)s 已退回", id=item_id), "ok")
            back = url_for(".queue_page")
        elif action == "retract":
            if not wf.role_satisfies(me.role, "editor"):
                abort(403, _("撤稿需要编辑角色"))
            actions.retract(db, item_id, user=me.name, reason=request.form.get("reason", ""))
            flash(_("#%(id)s 已撤稿", id=item_id), "ok")
            after_review(db)
        elif action == "keep":
            if not wf.role_satisfies(me.role, "editor"):
                abort(403, _("保留来源已撤下的稿件需要编辑角色"))
            actions.keep(db, item_id, user=me.name, reason=request.form.get("reason", ""))
            flash(_("#%(id)s 保留在门户", id=item_id), "ok")
        elif action == "unreject":
            actions.unreject(db, item_id, user=me.name, reason=request.form.get("reason", ""))
            flash(_("#%(id)s 已撤销退回，重新待审", id=item_id), "ok")
        elif action == "undo":
            actions.undo_approve(db, item_id, user=me.name, reason=request.form.get("reason", ""))
            flash(_("#%(id)s 已撤销通过", id=item_id), "ok")
            back = safe_next(request.form.get("back")) if request.form.get("back") else back
        elif action == "correct":
            actions.start_correction(db, item_id, user=me.name, reason=request.form.get("reason", ""))
            flash(_("#%(id)s 更正已开始，修改后再审核", id=item_id), "ok")
            back = url_for(".edit_page", item_id=item_id)
        elif action in ("split", "merge"):
            if not wf.role_satisfies(me.role, stories.EDITS_STORIES):
                abort(403, _("拆分或合并报道需要编辑角色"))
            reason = request.form.get("reason", "")
            if action == "split":
                stories.split_story(db, item_id, user=me.name, reason=reason)
                flash(_("#%(id)s 已拆分为独立报道", id=item_id), "ok")
            else:
                other = request.form.get("other", "").strip().lstrip("#")
                if not other.isdigit() or actions.get_row(db, int(other)) is None:
                    flash(_("没有这条稿件：%(other)s", other=other or "—"), "error")
                else:
                    stories.merge_stories(db, item_id, int(other), user=me.name, reason=reason)
                    flash(_("#%(other)s 所在报道已并入 #%(id)s 的报道", other=other, id=item_id), "ok")
            back = safe_next(request.form.get("back")) if request.form.get("back") else back
        elif action == "unlock":
            locks.unlock(db, item_id, user=me.name)
            back = url_for(".queue_page")
        elif action == "lock":
            locks.lock(db, item_id, user=me.name)
        elif action == "take-over":
            locks.take_over(db, item_id, user=me.name)
            flash(_("#%(id)s 已接管编辑锁", id=item_id), "ok")
            back = url_for(".edit_page", item_id=item_id)
        else:
            abort(404, f"no action {action!r}")
    except PermissionDenied as exc:
        abort(403, error_message(exc))
    except ReviewError as exc:
        flash(error_message(exc), "error")
    return redirect(back)


@requires("reviewer")
def edit_page(item_id: int) -> Any:
    db = get_db()
    row, shown = _item_or_404(item_id)
    me = current_user()
    if request.method == "POST":
        topics = [t for t in request.form.getlist("topics") if t]
        try:
            changes = actions.edit(
                db, item_id, user=me.name, title=request.form.get("title"), text=request.form.get("text"),
                html=request.form.get("html"),
                column=request.form.get("column") or None, topics=topics,
                reason=request.form.get("move_reason", ""), config=get_config(),
            )
            flash(_("#%(id)s：%(n)s 处修改已保存", id=item_id, n=len(changes)), "ok")
            return redirect(url_for(".item_page", item_id=item_id))
        except PermissionDenied as exc:
            abort(403, error_message(exc))
        except ReviewError as exc:
            flash(error_message(exc), "error")
    lock = None
    if row["state"] in wf.EDITABLE:
        try:
            lock = locks.lock(db, item_id, user=me.name)
        except LockedByOther:
            lock = locks.current_lock(db, item_id)  # the page says who edits it, until when
        except ReviewError as exc:
            flash(error_message(exc), "error")
    return render_template(
        "review_queue/edit.html", row=row, item=shown, lock=lock, rich=editor_installed(),
        # escaped in the form; one block per line, for editing the source when the editor is absent
        html=html_source(str(sanitize_preview(shown.get("html") or "", base=http_url(shown.get("url"))))),
        locked_by_other=lock is not None and lock.holder != me.name, title=shown.get("title") or "",
        text=shown.get("text") or "", column=shown["column"], topics=shown["topics"], columns=catalog(),
    )


ROUTES = (
    (ITEM, item_page, ("GET",)),
    (ITEM + "/<action>", item_action, ("POST",)),
    (ITEM + "/edit", edit_page, ("GET", "POST")),
    ("/static/editor/squire.js", editor_script, ("GET",)),  # a static file of the desk, from node_modules
)
