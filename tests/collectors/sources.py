"""Build settings.Source objects for tests."""

from __future__ import annotations

from typing import Any

from settings.model import CollectorSettings, Source

FAST = CollectorSettings(workers=8, per_host=4, connect_timeout=2.0, read_timeout=2.0, total_timeout=4.0,
                         backoff_base=60, backoff_cap=3600, max_body_bytes=2 * 1024 * 1024)


def make_source(sid: str, base: str, url: str, **kw: Any) -> Source:
    full = url if url.startswith("http") else base + url
    for key in ("referer", "cookie_bootstrap"):
        if kw.get(key) and kw[key].startswith("/"):
            kw[key] = base + kw[key]
    kw.setdefault("type", "html")
    kw.setdefault("every", 600)
    return Source(id=sid, name=kw.pop("name", sid), kind=kw.pop("kind", "city"), url=full,
                  column=kw.pop("column", "city-news"), **kw)
