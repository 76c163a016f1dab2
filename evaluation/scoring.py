"""Vetoes by the national rules (单项否决), the weighted score and the ranking within each kind.

The weighting is data ([evaluation] in schedules.toml). A component whose value is unknown is
left out and the other weights count in proportion; a site with too few checks gets no score and
no rank (``insufficient_data``), never a perfect or a failing one.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from evaluation.indicators import Period, SiteIndicators
from settings.model import EvaluationSettings

__all__ = ["VETOES", "rank", "score", "vetoes"]

VETOES = {
    "unreachable": "站点无法访问（单项否决）",
    "not-updated": "首页/动态栏目长期未更新（单项否决）",
    "stale-columns": "栏目不更新（单项否决）",
}
NEWS_COLUMN_KINDS = ("news",)


def vetoes(site: SiteIndicators, period: Period, settings: EvaluationSettings, column_kind: str | None,
           first_check: datetime | None) -> None:
    """Set the site's vetoes, each with its reason in Chinese (the report is sent as a document)."""
    if not site.enabled:
        return
    if not site.insufficient_data and site.available_share is not None and site.checks:
        bad = round((1 - site.available_share) * site.checks)
        share = 1 - site.available_share
        if share > settings.max_failure_share:
            site.vetoes.append("unreachable")
            site.veto_reasons["unreachable"] = (
                f"监测 {site.monitored_days} 天共访问 {site.checks} 次，{bad} 次未能在 "
                f"{settings.open_within_seconds:g} 秒内打开（{share:.1%}，上限 {settings.max_failure_share:.0%}）")
    if column_kind not in NEWS_COLUMN_KINDS:
        return
    limit = settings.news_stale_days
    if site.days_since_update is not None:
        if site.days_since_update > limit:
            site.vetoes.append("not-updated")
            site.veto_reasons["not-updated"] = (
                f"最新信息发布于 {site.newest_item_at[:10] if site.newest_item_at else '?'}，"
                f"已 {site.days_since_update} 天未更新（上限 {limit} 天）")
    elif first_check is not None and site.checks and period.until - first_check > timedelta(days=limit):
        days = (period.until - first_check).days
        site.vetoes.append("not-updated")
        site.veto_reasons["not-updated"] = f"监测 {days} 天未采集到任何带发布时间的信息（上限 {limit} 天）"


def score(site: SiteIndicators, settings: EvaluationSettings, stale_days: float | None) -> None:
    """0-100 from the weighted components; None without enough checks or for a disabled source."""
    if not site.enabled or site.insufficient_data or site.available_share is None:
        site.score = None
        return
    parts: list[tuple[float, float | None]] = [
        (settings.weight_availability, site.available_share),
        (settings.weight_updates, None if site.days_since_update is None or not stale_days
         else max(0.0, 1 - site.days_since_update / stale_days)),
        (settings.weight_links, None if site.dead_link_share is None else 1 - site.dead_link_share),
        (settings.weight_adoption, None if site.approved + site.rejected == 0
         else site.approved / (site.approved + site.rejected)),
        (settings.weight_originality, site.original_share),
        (settings.weight_timeliness, None if site.median_delay_minutes is None or not settings.timely_minutes
         else max(0.0, 1 - site.median_delay_minutes / settings.timely_minutes)),
    ]
    known = [(w, v) for w, v in parts if v is not None and w > 0]
    total = sum(w for w, _ in known)
    site.score = round(100 * sum(w * v for w, v in known) / total, 1) if total else None


def rank(sites: list[SiteIndicators]) -> None:
    """Rank within each kind: sites without a veto first, then by score; unscored sites get no rank."""
    by_kind: dict[str, list[SiteIndicators]] = {}
    for s in sites:
        if s.score is not None:
            by_kind.setdefault(s.kind, []).append(s)
    for group in by_kind.values():
        group.sort(key=lambda s: (bool(s.vetoes), -(s.score or 0), s.source))
        for n, s in enumerate(group, start=1):
            s.rank = n
