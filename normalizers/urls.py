"""Canonical URLs: one spelling per page, so that re-collected and re-posted links match.

The canonical form is for identity and matching only; the URL shown and published stays the one
collected. http and https are treated as the same page (many government sites serve both).
"""

from __future__ import annotations

from pages.urls import DEFAULT_DOCUMENTS, TRACKING_PARAMS, canonical_url, resolve_url

__all__ = ["DEFAULT_DOCUMENTS", "TRACKING_PARAMS", "canonical_url", "resolve_url"]
