"""The queue page, its row and bulk actions, and the list of published items."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

import checks
import normalizers
from review_queue import actions, queueview, search
from review_queue import workflow as wf
from review_queue.errors import ReviewError
from review_queue.messages import error_message
from review_queue.web.common import (
    after_review,
    approval_hold,
    catalog,
    current_user,
    get_config,
    get_db,
    ids_from_form,
    requires,
    safe_next,
)

PER_PAGE = 50


def _page_number() -> int:
    raw = request.args.get("page", "1")
    return max(1, min(int(raw), 10**6)) if raw.isdigit() else 1


def _search(db: Any, entries: list[queueview.QueueEntry], q: str) -> list[queueview.QueueEntry]:
    """The units whose title or body (the representative's, or a waiting member's) has every word."""
    wanted = search.words(q)
    if not wanted:
        return entries
    texts = search.folded_texts(db, [i for e in entries for i in e.members])
    return [e for e in entries if search.matches_folded(wanted, search.fold(e.title), *(texts.get(i) for i in e.members))]


@requires("reviewer")
def queue_page() -> Any:
    """The queue: filters, text search, oldest first (or newest), 50 units a page, overdue flagged."""
    db = get_db()
    now = datetime.now(UTC)
    entries = queueview.queue(db, now=now, cached=True)
    filters = {k: request.args.get(k) or "" for k in ("column", "source", "flag", "state", "q", "sort")}
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
        if (not filters["column"] or e.column == filters["column"])
        and (not filters["source"] or e.source == filters["source"])
        and (not filters["flag"] or filters["flag"] in e.flags)
        and (not filters["state"] or e.state == filters["state"])
    ]
    if filters["q"]:
        shown = _search(db, shown, filters["q"])
    if filters["sort"] == "newest":
        shown.reverse()
    config = get_config()
    alert_minutes = getattr(getattr(config, "web", None), "queue_alert_minutes", 240) or 0
    overdue_before = (now - timedelta(minutes=alert_minutes)).isoformat(timespec="seconds") if alert_minutes else ""
    overdue = {e.item_id for e in entries if overdue_before and e.submitted_at < overdue_before}
    pages = max(1, -(-len(shown) // PER_PAGE))
    page = min(_page_number(), pages)
    columns = catalog()
    return render_template(
        "review_queue/queue.html", entries=shown[(page - 1) * PER_PAGE:page * PER_PAGE], counts=counts,
        columns=columns, matched=len(shown), page=page, pages=pages, overdue=overdue,
        alert_minutes=alert_minutes, waited=lambda ts: _waited(now, ts),
        withdrawn=actions.withdrawn_upstream(db),
        findings=checks.open_findings(db, [e.item_id for e in shown[(page - 1) * PER_PAGE:page * PER_PAGE]]),
        undoable=actions.undoable(db, current_user().name),
        column_ids={c.id for c in columns},
        filters=filters,
        page_url=lambda n: url_for(".queue_page", **{k: v for k, v in filters.items() if v}, page=n),
    )


def _waited(now: datetime, submitted_at: str) -> str:
    """How long an item has waited, in the desk's words (3 小时 20 分)."""
    try:
        minutes = int((now - datetime.fromisoformat(submitted_at)).total_seconds() // 60)
    except ValueError:
        return ""
    hours, minutes = divmod(max(0, minutes), 60)
    return _("%(h)s 小时 %(m)s 分", h=hours, m=minutes) if hours else _("%(m)s 分", m=minutes)


@requires("reviewer")
def act() -> Any:
    """Queue actions: one row's button (act=approve:12) or the bulk buttons on checked rows."""
    db = get_db()
    me = current_user()
    one = request.form.get("act", "")
    if ":" in one:
        action, _sep, raw = one.partition(":")
        ids = [int(raw)] if raw.isdigit() else []
    else:
        action = request.form.get("bulk", "")
        ids = ids_from_form("ids")
    if action not in ("approve", "reject") or not ids:
        flash(_("请选择条目"), "error")
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
            flash(error_message(exc), "error")
    if done and action == "approve" and approved and approval_hold() > 0:
        flash(_("%(n)s 条已通过：%(s)s 秒后发布，此前可撤销（按 u）", n=done, s=approval_hold()), "ok")
    elif done:
        flash(_("%(n)s 条已通过", n=done) if action == "approve" else _("%(n)s 条已退回", n=done), "ok")
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
