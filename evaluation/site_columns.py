"""A website's columns and the veto "栏目不更新" (国办秘函〔2019〕19号): news/动态 columns not updated
within their days, 通知公告/政策文件 columns within their calendar months — more than five such
on one site, or more than five empty columns (空白栏目), fail the whole site.

A *website* is every source with the same ``site`` key (by default the list URL's host): the
portal's 龙江动态, 政务动态 and 通知公告 lists are three columns of one site. A *column* of a site is
one enabled source (one list page or feed Huiju reads) with the kind of the catalog column it
feeds. Huiju sees only the columns it collects, so the counts are a lower bound of what an
inspector crawling the whole site would find.
"""

from __future__ import annotations

from typing import Any

from evaluation.indicators import SiteIndicators
from settings.model import EvaluationSettings

__all__ = ["STALE_COLUMNS", "site_columns"]

STALE_COLUMNS = "stale-columns"


def _column_name(entry: SiteIndicators) -> str:
    """The list's own name: what follows the site's name in "黑龙江省教育厅·通知公告"."""
    return entry.name.split("·", 1)[1] if "·" in entry.name else entry.name


def site_columns(entries: list[SiteIndicators], settings: EvaluationSettings) -> list[dict[str, Any]]:
    """One row per website (in the order its first source is configured) with its columns, the
    counts of stale, empty and unknown ones, and the veto; the veto and its reason are also set
    on every enabled source of a vetoed site (the site fails, so each of its lists ranks so)."""
    groups: dict[str, list[SiteIndicators]] = {}
    for e in entries:
        groups.setdefault(e.site, []).append(e)
    out = []
    for key, group in groups.items():
        watched = [e for e in group if e.enabled]
        stale = [e for e in watched if e.stale]
        empty = [e for e in watched if e.empty]
        unknown = [e for e in watched if e.stale is None and not e.empty and e.stale_limit]
        reasons = []
        if len(stale) > settings.max_stale_columns:
            names = "、".join(f"{_column_name(e)}（最新 {(e.newest_item_at or '?')[:10]}，时限 {e.stale_limit}）"
                             for e in stale)
            reasons.append(f"{len(stale)} 个栏目超过更新时限未更新（上限 {settings.max_stale_columns} 个）：{names}")
        if len(empty) > settings.max_empty_columns:
            names = "、".join(_column_name(e) for e in empty)
            reasons.append(f"{len(empty)} 个栏目从未有信息（空白栏目，上限 {settings.max_empty_columns} 个）：{names}")
        reason = "；".join(reasons)
        if reason:
            for e in watched:
                e.vetoes.append(STALE_COLUMNS)
                e.veto_reasons[STALE_COLUMNS] = reason
        first = group[0]
        out.append({
            "site": key, "name": first.name.split("·", 1)[0], "kind": first.kind,
            "columns": [{"source": e.source, "name": _column_name(e), "column": e.column, "kind": e.column_kind,
                         "enabled": e.enabled, "limit": e.stale_limit, "newest_item_at": e.newest_item_at,
                         "due_by": e.due_by, "items_total": e.items_total, "stale": e.stale, "empty": e.empty}
                        for e in group],
            "stale_columns": len(stale), "empty_columns": len(empty), "unknown_columns": len(unknown),
            "vetoes": [STALE_COLUMNS] if reason else [], "veto_reasons": {STALE_COLUMNS: reason} if reason else {},
        })
    return out
