"""The audit trail: who did what to an item, when, and what changed (as a diff)."""

from __future__ import annotations

import difflib
import json
import re
from typing import Any

import sqlite_utils

TEXT_FIELDS = ("title", "text", "html")
# the body's HTML is diffed one block (paragraph, table row, list item, image) per line
_BLOCK = re.compile(r"(?=<(?:p|div|h[1-6]|table|thead|tbody|tr|ul|ol|li|img|figure|blockquote|pre)\b)", re.I)


def html_lines(html: str | None) -> list[str]:
    """*html* cut before each block tag: a readable line diff of a structured body."""
    return [line for line in (part.strip() for part in _BLOCK.split(html or "")) if line]


def html_source(html: str | None) -> str:
    """*html* as source to edit by hand: one block per line (what :func:`html_lines` cuts)."""
    return "\n".join(html_lines(html))


def compact_source(html: str) -> str:
    """Edited source back to HTML: the line breaks before block tags (:func:`html_source`, or a
    browser's CR LF) dropped, which HTML ignores anyway."""
    return re.sub(r"[ \t]*\r?\n\s*" + _BLOCK.pattern, "", html.replace("\r\n", "\n"))


def change(field: str, old: Any, new: Any) -> dict[str, Any]:
    """One changed field: a unified diff for text fields, ``old → new`` for scalars and lists."""
    if field in TEXT_FIELDS:
        a = html_lines(old) if field == "html" else (old or "").splitlines()
        b = html_lines(new) if field == "html" else (new or "").splitlines()
        diff = "\n".join(
            difflib.unified_diff(a, b, fromfile=f"{field} (before)", tofile=f"{field} (after)", lineterm="")
        )
        return {"field": field, "diff": diff}
    return {"field": field, "old": old, "new": new, "diff": f"{_show(old)} → {_show(new)}"}


def _show(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "—"
    return str(value)


def record(db: sqlite_utils.Database, item_id: int, *, at: str, actor: str, action: str,
           from_state: str | None = None, to_state: str | None = None, note: str | None = None,
           changes: list[dict[str, Any]] | None = None) -> None:
    """Append one history entry (inside the caller's transaction)."""
    db.execute(
        "INSERT INTO history (item_id, at, actor, action, from_state, to_state, note, changes) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [item_id, at, actor, action, from_state, to_state, note,
         json.dumps(changes or [], ensure_ascii=False)],
    )


def history(db: sqlite_utils.Database, item_id: int) -> list[dict[str, Any]]:
    """Every recorded change of *item_id*, oldest first.

    Each entry: id, item_id, at, actor, action, from_state, to_state, note, changes
    (a list of {field, diff[, old, new]}).
    """
    rows = db.execute(
        "SELECT id, item_id, at, actor, action, from_state, to_state, note, changes "
        "FROM history WHERE item_id = ? ORDER BY id",
        [item_id],
    ).fetchall()
    keys = ("id", "item_id", "at", "actor", "action", "from_state", "to_state", "note", "changes")
    out = []
    for r in rows:
        entry = dict(zip(keys, r, strict=True))
        entry["changes"] = json.loads(entry["changes"] or "[]")
        out.append(entry)
    return out
