"""The queue page, its row and bulk actions, and the list of published items."""

from __future__ import annotations

from collections import Counter
from typing import Any

from flask import flash, redirect, render_template, request

import normalizers
from review_queue import actions, queueview
from review_queue import workflow as wf
from review_queue.errors import ReviewError
from review_queue.web.common import (
    after_review,
    catalog,
    current_user,
    get_config,
    get_db,
    ids_from_form,
    requires,
    safe_next,
)


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
    columns = catalog()
    return render_template(
        "review_queue/queue.html", entries=shown, counts=counts, columns=columns,
        withdrawn=actions.withdrawn_upstream(db),
        undoable=actions.undoable(db, current_user().name),
        column_ids={c.id for c in columns},
        filters={"column": f_column, "source": f_source, "flag": f_flag, "state": f_state},
    )


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
        ids = ids_from_form("ids")
    if action not in ("approve", "reject") or not ids:
        flash("请选择条目 (select items first)", "error")
        return redirect(safe_next(request.form.get("back")))
    reason = request.form.get("reason", "").strip()
    done, approved = 0, False
    # rejecting a unit rejects its reviewable members: only a rejection needs the queue built
    units = {e.item_id: e for e in queueview.queue(db)} if action == "reject" else {}
    for item_id in ids:
        try:
            if action == "approve":
                column = request.form.get(f"column-{item_id}") or None
                states = actions.approve(db, [item_id], user=me.name, column=column, reason=reason,
                                         config=get_config())
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
        after_review(db)
    return redirect(safe_next(request.form.get("back")))


@requires("reviewer")
def published_page() -> Any:
    db = get_db()
    rows = db.execute(
        "SELECT item_id, state, published_seq, published_at, approved_by FROM reviews "
        "WHERE state IN (?, ?, ?) ORDER BY coalesce(published_at, updated_at) DESC LIMIT 200",
        [wf.PUBLISHED, wf.CORRECTED, wf.RETRACTED],
    ).fetchall()
    found = normalizers.list_items(db, ids=[r[0] for r in rows], bodies=False) if rows else []
    items = {actions.member_id(i): i for i in actions.published_items(db, found)}
    entries = [
        {"id": r[0], "state": r[1], "seq": r[2], "published_at": r[3], "approved_by": r[4],
         "item": items.get(r[0], {})}
        for r in rows
    ]
    return render_template("review_queue/published.html", entries=entries)


ROUTES = (
    ("/", queue_page, ("GET",)),
    ("/act", act, ("POST",)),
    ("/published", published_page, ("GET",)),
)
