"""The daemon: scheduled collection, the pipeline pass, publishing, and the web server, in one process.

APScheduler 3.11's BlockingScheduler runs two interval jobs: the collectors' dispatcher (which
picks due sources from their own rows and runs them on a bounded pool) and the pipeline pass.
Both jobs coalesce and never overlap, so a paused daemon catches up with one run, not a pile.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from pathlib import Path

from apscheduler.schedulers.blocking import BlockingScheduler
from waitress.server import create_server

import checks
import collectors
import evaluation
import publisher
import store
from pages.times import SHANGHAI
from pipeline.flow import init_all, run_once
from pipeline.web import create_app
from settings import Config

log = logging.getLogger("huiju.daemon")

LINK_PASS_EVERY = 600  # seconds between link passes (each checks at most [checks] links_per_pass links)
JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 600}


class Daemon:
    """Everything `run.py daemon` runs; `start()` blocks until `stop()` or SIGINT/SIGTERM."""

    def __init__(self, config: Config, db_path: str, *, host: str | None = None, port: int | None = None,
                 pass_every: int | None = None, on_ready: Callable[[Daemon], None] | None = None) -> None:
        self.config = config
        self.db_path = db_path
        self.host = host or config.web.host
        self.port = config.web.port if port is None else port
        self.pass_every = pass_every or config.web.publish_every
        self.on_ready = on_ready
        db = store.open_db(db_path)
        init_all(db)
        db.conn.close()
        self.app = create_app(db_path, config, public_url=config.web.public_url or "")
        self.server = create_server(self.app, host=self.host, port=self.port, threads=8,
                                    ident="huiju")
        self.port = self.server.effective_port
        # the live static tree nginx serves (deploy/nginx/huiju.conf), kept current within seconds
        self.static = publisher.StaticTreeKeeper(
            db_path, config, config.web.static_dir, base_url=config.web.public_url or self.url,
            deleted_days=config.web.deleted_days) if config.web.static_dir else None
        self.dispatcher = collectors.Dispatcher(
            db_path, [s for s in config.sources if s.enabled], config.collector)
        self.scheduler = BlockingScheduler(timezone=SHANGHAI, job_defaults=JOB_DEFAULTS)
        self._pass_lock = threading.Lock()
        self.freshness_watch = publisher.FreshnessWatch()  # logs a column reaching warn / alert / stale
        self._web_thread: threading.Thread | None = None
        self._stopped = threading.Event()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def pipeline_pass(self) -> None:
        """Ingest and publish; one at a time, errors logged, never fatal."""
        if not self._pass_lock.acquire(blocking=False):
            return
        try:
            db = store.open_db(self.db_path)
            try:
                stats = run_once(db, self.config)
                self.freshness_watch.check(db, self.config.columns)
            finally:
                db.conn.close()
            if stats.withdrawn:
                log.warning("pipeline: %d item(s) taken down at their source: flagged for review "
                            "(run.py queue --withdrawn)", stats.withdrawn)
            if stats.ingested or stats.published or stats.retracted:
                log.info("pipeline: ingested %d (new %d, joined a known story %d, upstream versions %d), "
                         "queued %d, auto-approved %d, duplicates of published stories %d, published %d, "
                         "retracted %d", stats.ingested, stats.new, stats.joined, stats.versions, stats.queued,
                         stats.auto_approved, stats.duplicates, stats.published, stats.retracted)
            for err in stats.errors:
                log.error("pipeline: %s", err)
        except Exception:
            log.exception("pipeline pass failed")
        finally:
            self._pass_lock.release()

    def link_pass(self) -> None:
        """Check the links that are due (checks.link_pass), off the ingest path; never fatal."""
        try:
            db = store.open_db(self.db_path)
            try:
                stats = checks.link_pass(db, self.config)
            finally:
                db.conn.close()
            if stats.dead:
                log.info("links: checked %d, %d answer 404/410", stats.checked, stats.dead)
        except Exception:
            log.exception("link pass failed")

    def evaluation_job(self) -> None:
        """Daily: the checks' retention, and last month's site evaluation into data/reports/YYYY-MM/."""
        try:
            db = store.open_db(self.db_path)
            try:
                written = evaluation.monthly(db, self.config, Path(self.db_path).parent / "reports")
            finally:
                db.conn.close()
            if written:
                log.info("evaluation: last month's report written to %s", written)
        except Exception:
            log.exception("evaluation job failed")

    def start(self) -> None:
        collectors.schedule_jobs(self.scheduler, self.dispatcher, every_seconds=5)
        self.scheduler.add_job(self.pipeline_pass, "interval", seconds=self.pass_every, id="pipeline",
                               name="ingest + publish")
        self.scheduler.add_job(self.link_pass, "interval", seconds=LINK_PASS_EVERY, id="links",
                               name="check body links (404/410)")
        self.scheduler.add_job(self.evaluation_job, "cron", hour=2, minute=30, id="evaluation",
                               name="checks' retention; last month's evaluation report on the 1st")
        self._web_thread = threading.Thread(target=self.server.run, name="web", daemon=True)
        self._web_thread.start()
        if self.static is not None:
            self.static.start()
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, lambda *_: self.stop())
            signal.signal(signal.SIGTERM, lambda *_: self.stop())
        log.info("web server on %s (review UI %s/review/, feeds %s/feeds/all.rss)", self.url, self.url,
                 self.url)
        if self.on_ready:
            self.on_ready(self)
        try:
            if not self._stopped.is_set():
                self.scheduler.start()
        finally:
            self._shutdown()

    def stop(self) -> None:
        """Ask the daemon to stop: the scheduler returns and everything is closed."""
        if self._stopped.is_set():
            return
        self._stopped.set()
        try:
            self.scheduler.shutdown(wait=False)
        except Exception:  # not running yet
            pass

    def _shutdown(self) -> None:
        if self.static is not None:
            self.static.stop()
        self.dispatcher.shutdown()
        self.server.close()
        log.info("stopped")
