"""The daemon: scheduled collection, the pipeline pass, publishing, and the web server, in one process.

APScheduler 3.11's BlockingScheduler runs interval jobs: the collectors' dispatcher (which picks
due sources from their own rows and runs them on a bounded pool), the pipeline pass, a heartbeat
(readiness, systemd's watchdog), and the daily prune and scheduled backup. All jobs coalesce and
never overlap, so a paused daemon catches up with one run, not a pile.

Signals: SIGTERM/SIGINT stop within ``[daemon] stop_timeout`` (no new request after the signal,
requests in flight cut at the deadline, what was fetched is stored); a second one exits at once.
The deadline runs from the signal handler (wall-clock time; the bench saw it run within 11 ms of
its kill, under 1 ms in the 14 other trials, at load 7-23). Its budget, from the end: the process's
own end (the kernel freeing ~250 MB took 0.6-0.9 s on 2 cores shared with 8 CPU burners), closing
(the pipeline pass, the static tree, the web server), and the grace in which runs whose requests
were cut store what they had; the cut comes before those (at 6.5 s of 10). Each phase is logged at
INFO with its time since the signal (``stop: web server closed +6.52s``). With ``exit_on_stop``
(``run.py daemon``) the process then ends with ``os._exit`` after flushing the log: everything was
stored transactionally by then, and the interpreter's teardown (freeing jieba's dictionaries and
every other object) took 4 s at load 12, past the deadline. faulthandler's watchdog (a C thread
that needs no GIL), armed at the signal, ends a phase that still overruns its budget, with every
thread's stack in the log (exit 1).
SIGHUP reloads the configuration file: validated first, a bad file is logged as one line and the
running configuration kept.
"""

from __future__ import annotations

import faulthandler
import logging
import os
import queue
import signal
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn

from apscheduler.schedulers.blocking import BlockingScheduler

import checks
import collectors
import evaluation
import normalizers
import publisher
import review_queue
import settings
import store
from pages.times import SHANGHAI
from pipeline import logs, maintenance, systemd
from pipeline.flow import init_all, publish_due, run_once
from pipeline.http_server import HttpServer
from pipeline.web import create_app
from settings import Config

log = logging.getLogger("huiju.daemon")

LINK_PASS_EVERY = 600  # seconds between link passes (each checks at most [checks] links_per_pass links)
JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 600}
HEARTBEAT_EVERY = 5.0  # seconds between scheduler heartbeats (readiness, WATCHDOG=1)
HELD_EVERY = 5.0  # seconds between looks for approvals whose [web] approval_hold has passed
# The stop deadline's budget, from its end (each at most this share of stop_timeout: 50 %, 5 %, 15 %;
# the exit's is the least proportional: the kernel's work does not shrink with a short stop_timeout):
EXIT_RESERVE = 1.5  # the process's own end: the kernel frees ~250 MB, 0.6-0.9 s with 8 CPU burners on 2 cores
CLOSE_RESERVE = 0.5  # before that: the pipeline pass, the static tree, the web server
STORE_GRACE = 1.5  # before that: runs whose requests were cut store what they had


class StopClock:
    """The stop deadline, measured from the first signal, and its phases logged as they end."""

    def __init__(self, timeout: float, asked: float | None = None) -> None:
        self.timeout = timeout
        self.asked = time.monotonic() if asked is None else asked  # time.monotonic() of the signal
        self.asked_wall = time.time() - (time.monotonic() - self.asked)
        self.deadline = self.asked + timeout
        self.exit_reserve = min(EXIT_RESERVE, timeout * 0.5)
        self.close_reserve = min(CLOSE_RESERVE, timeout * 0.05)
        self.grace = min(STORE_GRACE, timeout * 0.15)

    def elapsed(self) -> float:
        return time.monotonic() - self.asked

    def left(self, keep: float = 0.0) -> float:
        """Seconds until the deadline less *keep* (never negative)."""
        return max(0.0, self.deadline - keep - time.monotonic())

    def phase(self, msgid: str, **params: object) -> None:
        """Log a stop phase: *msgid* (a catalog id ending in its time since the signal, ``+%(t).2fs``)."""
        log.info(msgid, {**params, "t": self.elapsed()})

    def arm_backstop(self) -> None:
        """End the process at the deadline less most of the exit reserve whatever still runs
        (faulthandler's C watchdog thread needs no GIL: it fires even while a C call holds it),
        dumping every thread's stack first."""
        try:
            faulthandler.dump_traceback_later(max(0.05, self.left(self.exit_reserve * 0.8)), exit=True)
        except (RuntimeError, ValueError, OSError) as exc:  # no usable stderr: the stop goes on without it
            log.warning("停止：截止时间没有看门狗（%(error)s）", {"error": exc})


class Daemon:
    """Everything `run.py daemon` runs; `start()` blocks until `stop()` or SIGINT/SIGTERM."""

    def __init__(self, config: Config, db_path: str, *, host: str | None = None, port: int | None = None,
                 pass_every: int | None = None, on_ready: Callable[[Daemon], None] | None = None,
                 reload_config: Callable[[], Config] | None = None, exit_on_stop: bool = False) -> None:
        self.config = config
        # run.py's daemon: end the process right after the stop (os._exit after a flush), within the deadline
        self.exit_on_stop = exit_on_stop
        # how SIGHUP reads the configuration again (the demo adds its province's address)
        self.reload_config = reload_config or (lambda: settings.load(config.path))
        self.db_path = db_path
        self.host = host or config.web.host
        self.port = config.web.port if port is None else port
        self.pass_every = pass_every or config.web.publish_every
        self.on_ready = on_ready
        db = store.open_db(db_path)
        init_all(db)
        db.conn.close()
        # jieba's dictionaries (routing's, with rule keywords; search's, the default): ~70 MB each,
        # loaded before READY=1 rather than by the first ingest and the first publish
        normalizers.warm_up()
        publisher.warm_up()
        self.app = create_app(db_path, config, public_url=config.web.public_url or "")
        self.app.config["HUIJU_STATUS"] = self.status
        # Granian; cached feed and API pages are answered before Flask (pipeline/http_server.py)
        self.server = HttpServer(self.app, host=self.host, port=self.port, threads=8,
                                 front=publisher.cached_front(self.app))
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
        self._stop_asked: float | None = None  # time.monotonic() of the first stop signal
        self._clock: StopClock | None = None  # the stop's deadline, from the first signal or stop()
        self._control: queue.SimpleQueue[str] = queue.SimpleQueue()  # what signal handlers ask for
        self.heartbeat: float | None = None  # time.time() of the scheduler's last heartbeat
        self.reloads = 0  # configurations taken by SIGHUP

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
                log.warning("处理流程：%(n)d 条已被来源撤下，已标记待审核（run.py queue --withdrawn）",
                            {"n": stats.withdrawn})
            if stats.ingested or stats.published or stats.retracted:
                log.info("处理流程：接收 %(ingested)d 条（新报道 %(new)d，并入已知报道 %(joined)d，来源新版本 "
                         "%(versions)d），待审 %(queued)d，自动通过 %(auto)d，已发布报道的重复 %(duplicates)d，"
                         "发布 %(published)d，撤稿 %(retracted)d",
                         {"ingested": stats.ingested, "new": stats.new, "joined": stats.joined,
                          "versions": stats.versions, "queued": stats.queued, "auto": stats.auto_approved,
                          "duplicates": stats.duplicates, "published": stats.published,
                          "retracted": stats.retracted})
            # (each of stats.errors was logged by pipeline.flow as it happened, with its facts)
        except Exception:
            log.exception("处理流程这一轮失败")
        finally:
            self._pass_lock.release()

    def publish_held(self) -> None:
        """Publish the approvals whose hold ([web] approval_hold) has passed, without waiting for
        the next pipeline pass: an approval reaches the portal within seconds of its hold."""
        if self.config.web.approval_hold <= 0 or not self._pass_lock.acquire(blocking=False):
            return
        try:
            db = store.open_db(self.db_path)
            try:
                if review_queue.due_for_publishing(db, hold=self.config.web.approval_hold):
                    stats = publish_due(db, self.config)
                    if stats.published:
                        log.info("处理流程：发布了 %(n)d 条暂缓期已过的通过稿", {"n": stats.published})
                    # (each of stats.errors was logged by pipeline.flow as it happened)
            finally:
                db.conn.close()
        except Exception:
            log.exception("发布暂缓期已过的通过稿失败")
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
                log.info("链接检查：检查了 %(checked)d 个，%(dead)d 个答复 404/410", {"checked": stats.checked, "dead": stats.dead})
        except Exception:
            log.exception("链接检查这一轮失败")

    def status(self) -> dict[str, object]:
        """What /healthz/ready and /metrics need from the running daemon."""
        return {"heartbeat": self.heartbeat, "heartbeat_max": self.config.daemon.heartbeat_max,
                "min_free_mb": self.config.daemon.min_free_mb, "stopping": self._stopped.is_set(),
                "state_unsaved": {sid: {"failures": n, "error": err}
                                  for sid, (_, n, err) in dict(self.dispatcher.unsaved).items()},
                "reloads": self.reloads}

    def beat(self) -> None:
        """The scheduler's heartbeat: readiness reads it, systemd's watchdog hears it."""
        self.heartbeat = time.time()
        if self._watchdog:
            systemd.notify("WATCHDOG=1")

    def prune(self) -> None:
        """The retention policy, applied by each package to its own tables (daily by default)."""
        db = store.open_db(self.db_path)
        try:
            report = maintenance.prune(db, self.config)
            log.info("保留期限：清理了 %(n)d 行（%(tables)s）；数据库 %(mb).1f MB，其中 %(free).1f MB 可再用",
                     {"n": report.total, "tables": ", ".join(
                         f"{k} {v}" for k, v in {**report.collectors, **report.normalizers}.items() if v) or "-",
                      "mb": report.db_bytes / 2**20, "free": report.free_bytes / 2**20})
        except Exception:  # noqa: BLE001 - logged as one line when routine (locked, disk full)
            log.exception("保留期限：清理失败")
        finally:
            db.conn.close()

    def backup(self) -> None:
        """A scheduled backup into [daemon] backup_dir, keeping the newest backup_keep."""
        daemon_settings = self.config.daemon
        db = store.open_db(self.db_path)
        try:
            result, removed = maintenance.scheduled_backup(db, daemon_settings.backup_dir, daemon_settings.backup_keep)
            log.info("备份：%(path)s（%(mb).1f MB，用时 %(seconds).1fs，完整性检查通过）；删除了 %(removed)d 个旧备份",
                     {"path": result.path, "mb": result.bytes / 2**20, "seconds": result.seconds,
                      "removed": len(removed)})
        except Exception:  # noqa: BLE001
            log.exception("备份失败")
        finally:
            db.conn.close()

    def _schedule_maintenance(self) -> None:
        from datetime import timedelta

        now = _utcnow()
        if self.config.retention.every:
            self.scheduler.add_job(self.prune, "interval", seconds=self.config.retention.every, id="prune",
                                   name="retention", next_run_time=now + timedelta(minutes=10))
        if self.config.daemon.backup_dir:
            every = self.config.daemon.backup_every
            # after a restart the next backup comes one interval after the newest one, not after the restart
            newest = max((p.stat().st_mtime for p in Path(self.config.daemon.backup_dir).glob(
                f"{maintenance.BACKUP_PREFIX}*.db")), default=None)
            first = now + timedelta(seconds=60)
            if newest is not None:
                first = max(first, datetime.fromtimestamp(newest + every, UTC))
            self.scheduler.add_job(self.backup, "interval", seconds=every, id="backup", name="backup",
                                   next_run_time=first)

    def evaluation_job(self) -> None:
        """Daily: the checks' retention, and last month's site evaluation into data/reports/YYYY-MM/."""
        try:
            db = store.open_db(self.db_path)
            try:
                written = evaluation.monthly(db, self.config, Path(self.db_path).parent / "reports")
            finally:
                db.conn.close()
            if written:
                log.info("评估：上个月的报告已写到 %(path)s", {"path": written})
        except Exception:
            log.exception("评估任务失败")

    def start(self) -> bool:
        """Run until stopped; True when everything in flight finished before the stop deadline."""
        collectors.schedule_jobs(self.scheduler, self.dispatcher, every_seconds=5)
        self._schedule_maintenance()
        self.scheduler.add_job(self.pipeline_pass, "interval", seconds=self.pass_every, id="pipeline",
                               name="ingest + publish")
        self.scheduler.add_job(self.publish_held, "interval", seconds=HELD_EVERY, id="held",
                               name="publish approvals past their hold")
        self.scheduler.add_job(self.link_pass, "interval", seconds=LINK_PASS_EVERY, id="links",
                               name="check body links (404/410)")
        self._watchdog = systemd.watchdog_interval()
        self.scheduler.add_job(self.beat, "interval", seconds=min(HEARTBEAT_EVERY, self._watchdog or HEARTBEAT_EVERY),
                               id="heartbeat", name="heartbeat", next_run_time=_utcnow())
        self.beat()
        self.scheduler.add_job(self.evaluation_job, "cron", hour=2, minute=30, id="evaluation",
                               name="checks' retention; last month's evaluation report on the 1st")
        self._web_thread = threading.Thread(target=self.server.run, name="web", daemon=True)
        self._web_thread.start()
        if self.static is not None:
            self.static.start()
        control = threading.Thread(target=self._control_loop, name="control", daemon=True)
        control.start()
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, self._on_stop_signal)
            signal.signal(signal.SIGTERM, self._on_stop_signal)
            signal.signal(signal.SIGHUP, lambda *_: self._control.put("reload"))
        log.info("网页服务在 %(url)s（审核界面 %(url)s/review/，订阅源 %(url)s/feeds/all.rss）", {"url": self.url})
        systemd.notify("READY=1", f"STATUS=collecting {len(self.dispatcher.sources)} sources, web on {self.url}")
        if self.on_ready:
            self.on_ready(self)
        try:
            if not self._stopped.is_set():
                self.scheduler.start()
        finally:
            clean = self._shutdown()
        if self.exit_on_stop:
            self._start_clock().phase("停止：退出进程：日志已写出，跳过解释器的收尾 +%(t).2fs")
            end_process(0)
        return clean

    def _on_stop_signal(self, signum: int, frame: object) -> None:
        if self._stop_asked is not None:  # a second signal: the operator will not wait
            os.write(2, (logs.say("汇聚：第二次收到 %(signal)s：立即退出", signal=signal.Signals(signum).name)
                         + "\n").encode())
            os._exit(1)
        self._stop_asked = time.monotonic()  # the deadline runs from here, before anything else is done
        self.dispatcher.stop_signal.set()  # no request leaves after the signal, even before the control thread runs
        self._start_clock()
        self._control.put(f"stop:{signal.Signals(signum).name}")

    def _start_clock(self) -> StopClock:
        if self._clock is None:
            if self._stop_asked is None:
                self._stop_asked = time.monotonic()
            self._clock = StopClock(self.config.daemon.stop_timeout, self._stop_asked)
            if self.exit_on_stop:
                self._clock.arm_backstop()
        return self._clock

    def _control_loop(self) -> None:
        """Do what the signal handlers asked for, outside the handlers (which may interrupt anything)."""
        while True:
            what = self._control.get()
            if what.startswith("stop"):
                clock = self._start_clock()
                log.info("收到 %(signal)s：%(timeout)g 秒内停止，最迟北京时间 %(by)s",
                         {"signal": what.partition(":")[2] or "stop", "timeout": clock.timeout,
                          "by": datetime.fromtimestamp(clock.asked_wall + clock.timeout, SHANGHAI).isoformat(
                              timespec="milliseconds")})
                self.stop()
                return
            if what == "reload":
                try:
                    self.reload()
                except Exception:  # noqa: BLE001 - a failed reload must not end the daemon
                    log.exception("重新加载失败；继续使用正在运行的配置")
                    systemd.notify("READY=1")

    def reload(self) -> bool:
        """Read the configuration again (SIGHUP): validated first, applied only when valid."""
        systemd.notify("RELOADING=1")
        try:
            new = self.reload_config()
        except settings.ConfigError as exc:
            log.error("拒绝重新加载，继续使用正在运行的配置：%(error)s", {"error": exc},
                      extra={"words": {"error": ("config", exc.code, exc.params)}})
            systemd.notify("READY=1", "STATUS=reload refused: the configuration file has an error")
            return False
        try:  # the term lists too, read now: a mistake is one line and the lists in force stay
            checks.checker(new, force=True)
        except checks.CheckError as exc:
            log.error("重新加载：词表未采用，继续使用现行词表：%(error)s", {"error": exc})
        changes = self.dispatcher.update([s for s in new.sources if s.enabled], new.collector)
        if new.web.publish_every != self.config.web.publish_every and self.pass_every == self.config.web.publish_every:
            self.pass_every = new.web.publish_every
            self.scheduler.reschedule_job("pipeline", trigger="interval", seconds=self.pass_every)
        if new.web != self.config.web:
            log.warning("重新加载：[web] host/port 在下次重启时生效")
        self.config = new
        self.app.config["HUIJU_CONFIG"] = new
        self.reloads += 1
        log.info("重新加载：已采用 %(path)s：启用 %(n)d 个来源；新增 %(added)s，删除 %(removed)s，修改 %(changed)s",
                 {"path": new.path, "n": len(self.dispatcher.sources), "added": ", ".join(changes["added"]) or "-",
                  "removed": ", ".join(changes["removed"]) or "-", "changed": ", ".join(changes["changed"]) or "-"})
        systemd.notify("READY=1", f"STATUS=collecting {len(self.dispatcher.sources)} sources, web on {self.url}")
        return True

    def stop(self) -> None:
        """Ask the daemon to stop: the scheduler returns and everything is closed."""
        if self._stopped.is_set():
            return
        self._start_clock()
        self._stopped.set()
        self.dispatcher.stop_signal.set()  # from now on no worker sends a request
        systemd.notify("STOPPING=1")
        try:
            self.scheduler.shutdown(wait=False)
        except Exception:  # not running yet
            pass

    def _shutdown(self) -> bool:
        """Close down within the stop deadline; True when nothing was left in flight. Every wait
        is bounded by the deadline: what still runs then is abandoned (it stored what it had)."""
        clock = self._start_clock()
        clock.phase("停止：调度器已停止，不再启动任务 +%(t).2fs")
        if self.static is not None:
            self.static.stop(timeout=0)  # asked now, waited for below; its files are renamed in whole
        # cut at the deadline less the exit, close and store reserves; then the grace to store
        clean = self.dispatcher.stop(clock.left(clock.exit_reserve + clock.close_reserve), grace=clock.grace)
        if self.dispatcher.cut is not None:
            clock.phase("停止：%(n)d 个进行中的请求在 +%(at).2fs 被切断；各次运行已结束，抓到的已保存 +%(t).2fs"
                        if clean else "停止：%(n)d 个进行中的请求在 +%(at).2fs 被切断；仍在保存的运行已放弃 +%(t).2fs",
                        n=self.dispatcher.cut[1], at=self.dispatcher.cut[0] - clock.asked)
        else:
            clock.phase("停止：进行中的运行已结束，抓到的已保存 +%(t).2fs")
        # a pipeline pass in flight is one transaction per item: let it reach the next item boundary
        if self._pass_lock.acquire(timeout=clock.left(clock.exit_reserve + clock.close_reserve * 0.6)):
            self._pass_lock.release()
        else:
            clean = False
            clock.phase("停止：处理流程这一轮中途放弃（每条各是一个事务） +%(t).2fs")
        if self.static is not None:
            self.static.stop(timeout=clock.left(clock.exit_reserve + clock.close_reserve * 0.4))
        closed = self.server.close(timeout=max(0.05, clock.left(clock.exit_reserve)), wait_threads=not self.exit_on_stop)
        clock.phase("停止：网页服务已关闭 +%(t).2fs" if closed else "停止：网页服务已放弃（截止时仍在关闭） +%(t).2fs")
        self.dispatcher.shutdown(wait=False)  # idle workers are not joined: the process ends next
        log.info("已停止，用时 %(t).1fs" if clean else "已停止，用时 %(t).1fs（截止时仍在进行的工作已放弃；抓到的已保存）",
                 {"t": clock.elapsed()})
        return clean


def end_process(code: int = 0) -> NoReturn:
    """End the process now, after the log is flushed: everything was stored transactionally, and
    the interpreter's teardown (atexit joins, freeing jieba's dictionaries and every other large
    object) takes seconds on a loaded machine, past the stop deadline."""
    logging.shutdown()  # flushes every handler
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # closed or gone: nothing left to say
            pass
    os._exit(code)


def _utcnow() -> datetime:
    return datetime.now(UTC)
