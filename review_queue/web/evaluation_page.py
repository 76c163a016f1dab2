"""The site evaluation (网站评测) for editors and admins: the ranking per kind, drill-down per site.

The report is computed by the host app's ``HUIJU_EVALUATE(db, first, last)`` (pipeline/web.py
wires in ``evaluation.evaluate``), so the review desk shows it without owning its rules; a chart
comes from ``HUIJU_EVALUATION_CHART`` (inline SVG, allowed by the page's CSP).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, current_app, render_template, request
from markupsafe import Markup

from review_queue.web.common import get_db, requires


def _report() -> dict[str, Any]:
    evaluate = current_app.config.get("HUIJU_EVALUATE")
    if evaluate is None:
        abort(404, "site evaluation is not configured in this app")
    days = []
    for key in ("from", "to"):
        raw = request.args.get(key) or None
        try:
            days.append(date.fromisoformat(raw) if raw else None)
        except ValueError:
            abort(400, f"{key} {raw!r} is not a date (YYYY-MM-DD)")
    if days[0] and days[1] and days[0] > days[1]:
        abort(400, "from is after to")
    return evaluate(get_db(), days[0], days[1])


@requires("editor")
def evaluation_page() -> Any:
    report = _report()
    kinds = report["kinds"]  # kind → its name, in the report's order
    groups = [(name, [s for s in report["sites"] if s["kind"] == k]) for k, name in kinds.items()]
    return render_template("review_queue/evaluation.html", report=report, groups=[g for g in groups if g[1]])


@requires("editor")
def evaluation_site(source_id: str) -> Any:
    report = _report()
    site = next((s for s in report["sites"] if s["source"] == source_id), None)
    if site is None:
        abort(404, f"no source {source_id!r} in the evaluation")
    chart = current_app.config.get("HUIJU_EVALUATION_CHART")
    svg = Markup(chart(site["days"], report["from"], report["measured_days"])) if chart else ""
    return render_template("review_queue/evaluation_site.html", report=report, site=site, chart=svg,
                           kind_name=report["kinds"].get(site["kind"], site["kind"]))


ROUTES = (
    ("/evaluation", evaluation_page, ("GET",)),
    ("/evaluation/<source_id>", evaluation_site, ("GET",)),
)
