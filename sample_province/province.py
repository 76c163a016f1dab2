"""A running sample province: the sites, the world, the clock, the faults and the server thread."""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sample_province.catalog import Site, build_sites
from sample_province.corpus import CorpusReader, find_corpus
from sample_province.errors import BadOptionError
from sample_province.faults import FaultPlan
from sample_province.server import App, Counters, ProvinceServer
from sample_province.sources import all_sources
from sample_province.urls import list_url
from sample_province.world import TZ, Clock, World

log = logging.getLogger("sample_province")


def parse_day(text: str) -> datetime:
    """``YYYY-MM-DD`` → midnight of that day in Asia/Shanghai."""
    try:
        return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=TZ)
    except (TypeError, ValueError):
        raise BadOptionError(f"start day {text!r} is not YYYY-MM-DD") from None


class Province:
    """A simulated Heilongjiang government web on 127.0.0.1; see ``start``."""

    def __init__(self, port: int = 0, *, seed: int = 1, speed: float = 0.0,
                 faults: str | Mapping[str, str] | None = None, sites: int | None = None,
                 latency_ms: int = 0, corpus: str | os.PathLike[str] | None = None,
                 stories_per_day: int = 200, start_day: str = "2025-03-01", days: int | None = None) -> None:
        if not 0 <= port <= 65535:
            raise BadOptionError(f"port {port} is out of range 0-65535")
        if speed < 0:
            raise BadOptionError(f"speed must not be negative, got {speed}")
        if latency_ms < 0:
            raise BadOptionError(f"latency must not be negative, got {latency_ms} ms")
        if stories_per_day < 1:
            raise BadOptionError(f"stories per day must be at least 1, got {stories_per_day}")
        if days is not None and days < 1:
            raise BadOptionError(f"days must be at least 1, got {days}")
        self.seed = seed
        self.latency_ms = latency_ms
        self.sites: list[Site] = build_sites(sites)
        self.site_by_id = {s.id: s for s in self.sites}
        start = parse_day(start_day)
        self.clock = Clock(start, speed)
        # Every option is checked and the port bound before the corpus is looked for, so that a
        # wrong option is the only line a user sees.
        self.faults = FaultPlan(faults, [s.id for s in self.sites], seed, self._templates())
        self.counters = Counters()
        self.stop_event = threading.Event()
        self._server = ProvinceServer(port, App(self))
        self.port: int = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread: threading.Thread | None = None
        root = find_corpus(corpus)
        reader: CorpusReader | None = None
        if root is not None:
            try:
                reader = CorpusReader(root, seed)
            except FileNotFoundError:
                reader = None
        if reader is None:
            if corpus:
                log.warning("示例省份：在 %(path)s 没有找到语料；使用生成的政务新闻文本", {"path": corpus})
            else:
                log.warning("示例省份：没有找到语料；使用生成的政务新闻文本")
        self.corpus_path: Path | None = reader.root if reader else None
        self.world = World(self.sites, seed=seed, start=start, stories_per_day=stories_per_day,
                           corpus=reader, days=days)

    # ------------------------------------------------------------------ lifecycle
    def serve_background(self) -> Province:
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.2},
                                        name=f"sample-province-{self.port}", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._server.serve_forever(poll_interval=0.2)

    def stop(self) -> None:
        """Stop serving: hanging and trickling responses end, the port is released."""
        self.stop_event.set()
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=10)
        self._server.server_close()

    def __enter__(self) -> Province:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ clock
    def now(self) -> datetime:
        """The simulated time (Asia/Shanghai)."""
        return self.clock.now()

    def advance(self, days: float = 0, hours: float = 0) -> datetime:
        """Move the simulated clock forward, releasing the stories due by then; returns the new time."""
        if days < 0 or hours < 0:
            raise BadOptionError("the clock only moves forward")
        t = self.clock.advance(timedelta(days=days, hours=hours).total_seconds())
        self.world.ensure(t)
        return t

    # ------------------------------------------------------------------ faults
    def set_faults(self, profile: str | Mapping[str, str] | None) -> None:
        """Switch faults: a profile ("none", "flaky", "all", "chaos"), a kind, or {site: kind}."""
        self.faults = FaultPlan(profile, [s.id for s in self.sites], self.seed, self._templates())

    def _templates(self) -> dict[str, str]:
        return {s.id: s.template for s in self.sites}

    # ------------------------------------------------------------------ truth and sources
    def truth(self) -> dict[str, Any]:
        """Ground truth of everything released so far (the same as GET /_truth.json)."""
        now = self.now()
        items = self.world.truth(now)
        for it in items:
            it["url"] = self.url + it["url"]
        faults = self.faults.describe()
        return {
            "now": now.isoformat(),
            "seed": self.seed,
            "text": "corpus" if self.corpus_path else "generated",
            "faults": faults,
            "sites": [{
                "id": s.id, "name": s.name, "kind": s.kind, "template": s.template,
                "encoding": s.charset, "declared_charset": s.declared, "header_charset": s.header_charset,
                "encoding_mode": s.encoding,
                "base_url": f"{self.url}/{s.id}/", "list_urls": [self.url + list_url(s, c) for c in s.channels],
                "list_date": s.list_date, "detail_date": s.detail_date, "validators": s.validators,
                "cookie_bootstrap": s.cookie, "referer_required": s.referer, "city": s.city,
                "default_column": s.default_column, "fault": faults.get(s.id),
            } for s in self.sites],
            "items": items,
        }

    def sources(self, base: str | None = None) -> list[dict[str, Any]]:
        """Huiju source definitions (schedules.toml form) for every list of every site."""
        return all_sources(self.sites, self.url if base is None else base)

    # ------------------------------------------------------------------ observation
    def counters_snapshot(self, settle: float = 1.0) -> dict[str, dict[str, Any]]:
        """Per site: requests, bytes, statuses, active and max concurrent connections.

        Waits up to *settle* s for requests in flight to be recorded (a hanging fault keeps one
        in flight: the snapshot then shows it as ``active``).
        """
        self.counters.settle(settle)
        return self.counters.snapshot()

    def requests_log(self, settle: float = 1.0) -> list[dict[str, Any]]:
        """Recent requests (site, path, status, bytes, fault), oldest first, after *settle* as above."""
        self.counters.settle(settle)
        return list(self.counters.log)

    def reset_counters(self) -> None:
        self.counters.reset()

    def cookie_value(self, site: Site) -> str:
        return hashlib.sha1(f"{self.seed}:{site.id}:jsluid".encode()).hexdigest()[:32]


def start(port: int = 0, *, seed: int = 1, speed: float = 0.0, faults: str | Mapping[str, str] | None = None,
          sites: int | None = None, latency_ms: int = 0, corpus: str | os.PathLike[str] | None = None,
          stories_per_day: int = 200, start_day: str = "2025-03-01", days: int | None = None) -> Province:
    """Start a province serving in a background thread; returns at once. ``speed=0``: manual clock."""
    return Province(port, seed=seed, speed=speed, faults=faults, sites=sites, latency_ms=latency_ms,
                    corpus=corpus, stories_per_day=stories_per_day, start_day=start_day,
                    days=days).serve_background()
