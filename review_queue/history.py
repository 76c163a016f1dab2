"""The audit trail: who did what to an item, when, and what changed (as a diff)."""

from __future__ import annotations

import difflib
import json
import re
from typing import Any

import sqlite_utils

from review_queue.notes import Note

TEXT_FIELDS = ("title", "text", "html")
PIPELINE_ACTORS = ("system", "auto", "publisher")  # they write notes as codes; only people write text
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
           from_state: str | None = None, to_state: str | None = None, note: Note | str | None = None,
           changes: list[dict[str, Any]] | None = None) -> None:
    """Append one history entry (inside the caller's transaction).

    *note* is a :class:`~review_queue.notes.Note` the pipeline writes (stored as its code and
    params), or a person's reason as they typed it (stored as text); text from the pipeline's own
    actors is refused, so a note without a code fails the tests rather than reach a reviewer."""
    if isinstance(note, str) and actor in PIPELINE_ACTORS:
        raise TypeError(f"{actor} wrote a history note as text ({note!r}): write a review_queue.notes.note code")
    code, params = store_note(note)
    db.execute(
        "INSERT INTO history (item_id, at, actor, action, from_state, to_state, note, note_code, note_params, "
        "changes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [item_id, at, actor, action, from_state, to_state, None if code else note, code, params,
         json.dumps(changes or [], ensure_ascii=False)],
    )


def store_note(note: Note | str | None) -> tuple[str | None, str | None]:
    """The (note_code, note_params JSON) columns of *note*: both None for a person's text or none."""
    if isinstance(note, Note):
        return note.code, json.dumps(dict(note.params), ensure_ascii=False)
    if note is not None and not isinstance(note, str):
        raise TypeError(f"a history note is a Note or a person's text, not {type(note).__name__}")
    return None, None


def read_note(entry: dict[str, Any]) -> None:
    """Fill *entry*'s ``note`` from its stored columns: a coded note's English line (``note_code``
    and ``note_params`` stay beside it), a person's text as it is."""
    params = json.loads(entry.get("note_params") or "{}")
    entry["note_params"] = params
    if entry.get("note_code"):
        entry["note"] = Note(entry["note_code"], params).english()


def history(db: sqlite_utils.Database, item_id: int) -> list[dict[str, Any]]:
    """Every recorded change of *item_id*, oldest first.

    Each entry: id, item_id, at, actor, action, from_state, to_state, note (one line: a person's
    text, or the English of the pipeline's note), note_code and note_params (the pipeline's note
    as a code and its facts, else None and {}), changes (a list of {field, diff[, old, new]}).
    """
    keys = ("id", "item_id", "at", "actor", "action", "from_state", "to_state", "note", "note_code",
            "note_params", "changes")
    rows = db.execute(
        f"SELECT {', '.join(keys)} FROM history WHERE item_id = ? ORDER BY id",
        [item_id],
    ).fetchall()
    out = []
    for r in rows:
        entry = dict(zip(keys, r, strict=True))
        entry["changes"] = json.loads(entry["changes"] or "[]")
        read_note(entry)
        out.append(entry)
    return out
