"""The item as published: the normalized item with the reviewer's edits laid over it.

One definition, so that the portal's entry, the item page, the edit form, the queue and
``run.py items`` can never disagree on which title, body, column or topics are in effect.
The normalizers' item is never changed; reviewer edits live in the ``reviews`` row.
"""

from __future__ import annotations

from typing import Any

OVERLAID = ("title", "text", "html", "column", "topics")


def column_in_effect(row: dict[str, Any] | None, item: dict[str, Any] | None = None) -> str | None:
    """The reviewer's column, else the one the item was routed to, else the item's own."""
    if row is None:
        return (item or {}).get("column")
    return row["edit_column"] or row["routed_column"] or (item or {}).get("column")


def topics_in_effect(row: dict[str, Any] | None, item: dict[str, Any] | None = None) -> list[str]:
    """The reviewer's topic columns, else the routed ones, else the item's own."""
    if row is not None and row["edit_topics"] is not None:
        return list(row["edit_topics"])
    return list((row or {}).get("routed_topics") or (item or {}).get("topics") or [])


def as_published(item: dict[str, Any], row: dict[str, Any] | None) -> dict[str, Any]:
    """*item* (a normalizers item) with the edits of its review *row* (None = not in review).

    Returns a copy of *item* whose title, text, html, column and topics are the ones in effect,
    plus ``state`` ("new" when not in review), ``edited`` (which of those a reviewer changed) and
    ``original`` (the item's own values of the changed fields).
    """
    out = dict(item)
    edited: dict[str, Any] = {}
    if row is not None:
        overrides = {
            "title": row["edit_title"] or None,
            "text": row["edit_text"] or None,  # an emptied body keeps the item's own
            "html": row["edit_html"] or None,
            "column": row["edit_column"] or None,
            "topics": row["edit_topics"],
        }
        for key, value in overrides.items():
            if value is not None:
                edited[key] = item.get(key)
                out[key] = value
    out["column"] = column_in_effect(row, item)
    out["topics"] = topics_in_effect(row, item)
    out["state"] = row["state"] if row is not None else "new"
    out["edited"] = tuple(k for k in OVERLAID if k in edited)
    out["original"] = edited
    return out
