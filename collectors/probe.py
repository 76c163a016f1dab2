"""``run.py probe URL``: what would be collected from one URL, without storing anything."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

from collectors.collection import gather, guess_type
from collectors.errors import CollectError, NothingCollected
from collectors.http import Fetcher, HostLimiter
from collectors.model import CollectedItem
from settings.model import SOURCE_TYPES, CollectorSettings, Source

__all__ = ["probe", "PROBE_DETAILS"]

PROBE_DETAILS = 20  # detail pages fetched at most, to show text length and publish time


def probe(url: str, type: str | None = None, settings: CollectorSettings | None = None,  # noqa: A002
          *, source: Source | None = None, details: int = PROBE_DETAILS) -> list[CollectedItem]:
    """Items that *url* would yield; raises a CollectError subclass with a one-line reason if none.

    ``type`` is guessed from the response when None. A configured *source* (selectors, headers,
    encoding) may be given to test its settings against the live page.
    """
    settings = settings or CollectorSettings()
    if type is not None and type not in SOURCE_TYPES:
        raise CollectError(f"unknown type {type!r} (use one of {', '.join(SOURCE_TYPES)})")
    if urlsplit(url).scheme not in ("http", "https"):
        raise CollectError(code="not-http-url", params={"url": url})
    limiter = HostLimiter(settings.per_host)
    fetcher = Fetcher(settings, limiter, source=source)
    try:
        if type is None and (source is None):
            first = fetcher.get(url, conditional=False)
            type = guess_type(first)  # noqa: A001
        src = source or Source(id="probe", name=urlsplit(url).hostname or url, kind="portal", type=type or "html",
                               url=url, column="probe")
        if source is not None and type and type != source.type:
            src = Source(**{**source.__dict__, "type": type})
        if src.url != url:
            src = Source(**{**src.__dict__, "url": url})
        g = gather(src, fetcher, now=datetime.now(UTC), seen=lambda urls: set(), conditional=False,
                   detail_limit=details)
    finally:
        fetcher.close()
    items = [item for item, _ in g.items]
    if not items:
        if g.first_detail_error:
            raise NothingCollected(code="probe-details-failed", params=dict(g.first_detail))
        raise NothingCollected(code="nothing-found", params={"url": url, "type": src.type})
    return items
