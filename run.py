#!/usr/bin/env python3
"""Huiju (汇聚) command line: run the daemon or the demo, collect, probe, review, publish, inspect.

Every command has --help. Errors are one line on stderr and a non-zero exit; --debug shows the
traceback instead.
"""

from __future__ import annotations

import dataclasses
import getpass
import json
import logging
import os
import sys
from datetime import UTC, datetime
from typing import Any

import click

from pages.times import SHANGHAI
from settings.model import ROLE_DUTIES, ROLES

DEFAULT_CONFIG = "schedules.toml"
DEFAULT_DB = os.path.join("data", "huiju.db")


LANGUAGE: str | None = None  # --lang; None: from LC_ALL / LC_MESSAGES / LANG (review_queue.catalogs)


def use_language() -> str:
    """Apply --lang (else the environment's language) to the review commands' messages."""
    from review_queue import catalogs

    catalogs.use(LANGUAGE or catalogs.language_from_env(os.environ))
    return catalogs.current_language()


def _(msgid: str, **variables: Any) -> str:
    """A message of the review commands in the chosen language: Chinese (the message ids), or
    English from the catalog domain "cli" (review_queue/translations/en/LC_MESSAGES/cli.po)."""
    from review_queue import catalogs

    use_language()
    return catalogs.gettext(msgid, "cli", **variables)


def _n(msgid: str, n: int, **variables: Any) -> str:
    """Like :func:`_`, for a message counting *n* things (English has a singular and a plural)."""
    from review_queue import catalogs

    use_language()
    return catalogs.ngettext(msgid, n, "cli", **variables)


def state_name(state: str | None) -> str:
    """A workflow state as the desk names it, in the chosen language."""
    from review_queue import messages

    use_language()
    return messages.state_label(state)


def review_error(exc: BaseException) -> str:
    """A workflow error in the chosen language: its own one-line English, or the desk's Chinese."""
    from review_queue import messages

    return one_line(exc) if use_language() == "en" else messages.error_message(exc)


class Fail(click.ClickException):
    """A user-facing error: printed as one line, exit status 1."""

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.message}", err=True)


class HuijuGroup(click.Group):
    """Turns any error raised by a command into one line on stderr (no traceback unless --debug)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)
        except BrokenPipeError:
            # the reader went away (`run.py items | head`): stop quietly, as Unix tools do
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(141)
        except Exception as exc:
            if ctx.find_root().params.get("debug"):
                raise
            import sqlite3

            if isinstance(exc, sqlite3.Error):
                import store

                raise Fail(store.describe_error(exc, ctx.find_root().params.get("db_path", ""))) from None
            if any(c.__name__ == "ReviewError" for c in type(exc).__mro__):
                raise Fail(review_error(exc)) from None
            raise Fail(one_line(exc)) from None


def one_line(exc: BaseException) -> str:
    """The first line of *exc*'s message; prefixed with its class name unless it is one of ours.

    Each package's errors derive from one base (matched anywhere in the class's MRO), so every
    error a package defines, now or later, reads as its own message without a prefix.
    """
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    known = ("ConfigError", "StoreError", "CollectError", "ReviewError", "PublisherError", "ProvinceError",
             "NormalizerError", "CheckError")
    names = {c.__name__ for c in type(exc).__mro__}
    if names & set(known) or isinstance(exc, (OSError, ValueError)):
        return text or type(exc).__name__
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class Ctx:
    def __init__(self, config_path: str, db_path: str) -> None:
        self.config_path = config_path
        self.db_path = db_path
        self._config = None

    def config(self, variables: dict[str, str] | None = None):
        import settings

        if self._config is None or variables:
            self._config = settings.load(self.config_path, variables=variables)
        return self._config

    def db(self, *, readonly: bool = False):
        import pipeline
        import store

        db = store.open_db(self.db_path, readonly=readonly)
        pipeline.init_all(db)  # read-only: checks the schema is this release's, writes nothing
        return db

    def db_in_memory(self):
        """An empty database with every table, for read-only commands before the first run."""
        import pipeline
        import store

        db = store.open_db(":memory:")
        pipeline.init_all(db)
        return db


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def setup_logging(debug: bool) -> None:
    logging.basicConfig(level=logging.DEBUG if debug else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("apscheduler.executors.default", "apscheduler.scheduler", "urllib3", "jieba",
                  "waitress.queue"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


@click.group(cls=HuijuGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", default=DEFAULT_CONFIG, show_default=True, metavar="PATH",
              help="Configuration file (columns, sources, rules).")
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, metavar="PATH",
              help="SQLite database file (created if missing).")
@click.option("--debug", is_flag=True, help="Verbose logs and full tracebacks.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None,
              help="Language of the review commands' messages (default: LC_ALL, LC_MESSAGES or LANG; "
                   "Chinese unless they name English).")
@click.pass_context
def cli(ctx: click.Context, config_path: str, db_path: str, debug: bool, lang: str | None) -> None:
    """Huiju (汇聚): collect government information, clean and de-duplicate it, review it, publish it."""
    global LANGUAGE
    LANGUAGE = lang
    ctx.obj = Ctx(config_path, db_path)
    if debug:
        setup_logging(True)


# --------------------------------------------------------------------------- daemon / demo
@cli.command()
@click.option("--host", default=None, help="Address to listen on (default from [web] host).")
@click.option("--port", type=int, default=None, help="Port to listen on (default from [web] port).")
@click.pass_obj
def daemon(obj: Ctx, host: str | None, port: int | None) -> None:
    """Run scheduled collection, the pipeline, publishing and the web server until stopped."""
    from pipeline import logs
    from pipeline.daemon import Daemon

    debug = logging.getLogger().level == logging.DEBUG
    setup_logging(debug)
    import errno

    config = obj.config()
    logs.configure(config.daemon.log_format, debug=debug, window=config.daemon.log_repeat_window)
    import checks

    try:
        d = Daemon(config, obj.db_path, host=host, port=port, exit_on_stop=True)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise Fail(f"port {port or config.web.port} is in use; choose another with --port") from None
        raise
    checks.checker(config)  # term lists with a mistake: refuse to start, one line naming file and line
    click.echo(f"Huiju daemon: {len([s for s in config.sources if s.enabled])} sources enabled, "
               f"web on {d.url} (Ctrl-C stops)")
    d.start()  # with exit_on_stop it ends the process itself (os._exit after a flush) within stop_timeout


@cli.command()
@click.option("--port", type=int, default=8080, show_default=True,
              help="Web port for the review UI and feeds; the sample province uses PORT+1.")
@click.option("--speed", type=float, default=144.0, show_default=True,
              help="Simulated seconds per real second (144 = one simulated day per ten minutes).")
@click.option("--seed", type=int, default=1, show_default=True, help="Seed of the sample province.")
@click.option("--corpus", default=None, metavar="DIR",
              help="Real text corpus for the sample province (default $HUIJU_CORPUS or ../shared/corpus; "
                   "generated text when absent).")
@click.option("--user", "username", default="demo", show_default=True, help="Demo reviewer's user name.")
@click.pass_obj
def demo(obj: Ctx, port: int, speed: float, seed: int, corpus: str | None, username: str) -> None:
    """Start the sample province on 127.0.0.1 and run the daemon against it (uses demo.toml, data/demo.db)."""
    from pipeline.demo import run_demo

    setup_logging(logging.getLogger().level == logging.DEBUG)
    config_path = obj.config_path if obj.config_path != DEFAULT_CONFIG else "demo.toml"
    db_path = obj.db_path if obj.db_path != DEFAULT_DB else os.path.join("data", "demo.db")
    run_demo(config_path, db_path, port=port, speed=speed, seed=seed, corpus=corpus, username=username)


# --------------------------------------------------------------------------- collection
@cli.command()
@click.option("--source", "source_ids", multiple=True, metavar="ID", help="Only this source (repeatable).")
@click.option("--recheck", is_flag=True,
              help="Also re-fetch now every detail page still in its correction window (48 h), to pick up "
                   "a correction the site announced; normally they are re-checked 3, 6, 12, 24 and 48 h "
                   "after first sight.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
def collect(obj: Ctx, source_ids: tuple[str, ...], recheck: bool, as_json: bool) -> None:
    """Run one collection pass now, then ingest and publish; prints per-source results."""
    import collectors
    import pipeline

    config = obj.config()
    if source_ids:
        known = {s.id: s for s in config.sources}
        missing = [s for s in source_ids if s not in known]
        if missing:
            raise Fail(f"unknown source {missing[0]!r} (see `run.py sources`)")
        sources = []
        for sid in source_ids:
            src = known[sid]
            if not src.enabled:  # named on purpose (trying a site before enabling it): run it, say so
                click.echo(f"note: source {sid!r} has enabled = false; collected anyway because it was named",
                           err=True)
                src = dataclasses.replace(src, enabled=True)
            sources.append(src)
    else:
        sources = [s for s in config.sources if s.enabled]
    db = obj.db()
    results = collectors.collect(db, sources, config.collector, recheck_all=recheck)
    stats = pipeline.run_once(db, config)
    if as_json:
        emit_json({"sources": [vars_of(r) for r in results], "pipeline": vars_of(stats)})
    else:
        for r in results:
            status = "ok" if r.ok else f"ERROR {r.error}"
            gone = f"  withdrawn upstream {r.withdrawn}" if r.withdrawn else ""
            click.echo(f"{r.source_id:28} new {r.new:4}  versions {r.versions:3}  unchanged {r.unchanged:4}  "
                       f"{r.duration:6.2f}s  {status}{gone}")
        click.echo(f"pipeline: ingested {stats.ingested} (new {stats.new}, joined a known story {stats.joined}, "
                   f"upstream versions {stats.versions}), queued {stats.queued}, "
                   f"auto-approved {stats.auto_approved}, duplicates of published stories {stats.duplicates}, "
                   f"published {stats.published}"
                   + (f", taken down at the source {stats.withdrawn} (run.py queue --withdrawn)"
                      if stats.withdrawn else ""))
        for err in stats.errors:
            click.echo(f"pipeline error: {err}", err=True)
    if results and not any(r.ok for r in results):
        sys.exit(1)


@cli.command()
@click.argument("url")
@click.option("--type", "kind", type=click.Choice(["rss", "html", "json"]), default=None,
              help="Source type (guessed from the response when omitted and no source settings are given).")
@click.option("--source", "source_id", default=None, metavar="ID",
              help="Use this configured source's selectors, headers, Referer, cookie bootstrap and encoding.")
@click.option("--referer", default=None, metavar="URL", help="Send this Referer (for sites that demand one).")
@click.option("--cookie-bootstrap", default=None, metavar="URL",
              help="GET this URL first to obtain the session cookies the site demands.")
@click.option("--encoding", default=None, help="Force this charset (for a site known to lie about it).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
def probe(obj: Ctx, url: str, kind: str | None, source_id: str | None, referer: str | None,
          cookie_bootstrap: str | None, encoding: str | None, as_json: bool) -> None:
    """Fetch and parse one URL without storing anything: what would be collected.

    For onboarding a site: try the URL alone, then with the settings it turns out to need
    (--referer, --cookie-bootstrap, --encoding), or with a configured source's (--source).
    """
    import collectors
    import normalizers
    import settings

    collector_settings, source = None, None
    if source_id:
        config = obj.config()
        try:
            source = config.source(source_id)
        except KeyError:
            raise Fail(f"unknown source {source_id!r} (see `run.py sources`)") from None
        collector_settings = config.collector
    if referer or cookie_bootstrap or encoding:
        base = vars(source).copy() if source else {
            "id": "probe", "name": "probe", "kind": "portal", "type": kind or "html", "column": "city-news",
            "every": "1h"}
        base.update({k: v for k, v in (("referer", referer), ("cookie_bootstrap", cookie_bootstrap),
                                       ("encoding", encoding)) if v})
        if source:
            base = {k: v for k, v in base.items() if v is not None and k not in ("every", "cron", "template")}
            base["every"] = "1h"
        base["url"] = url
        source = settings.source_from_dict(base, name="probe")
    items = collectors.probe(url, kind, collector_settings, source=source)  # raises (one line) when none
    src = source or settings.Source(id="probe", name="probe", kind="partner", type=kind or "html", url=url,
                                    column="city-news", every=3600)
    rows = []
    for it in items:
        doc = normalizers.clean_item(it, src)
        rows.append({"title": doc.title, "url": doc.url, "published_at": doc.published_at,
                     "text_length": len(doc.text), "source_line": doc.source_line,
                     "identity_rule": it.identity_rule, "flags": doc.flags, "charset": it.charset,
                     "charset_note": next((w for w in it.warnings if w.startswith("charset:")), None)})
    if as_json:
        emit_json(rows)
        return
    for r in rows:
        click.echo(f"{r['published_at'] or 'date unknown':25}  {r['text_length']:6} chars  {r['title']}")
        click.echo(f"{'':25}  {r['url']}" + (f"  来源: {r['source_line']}" if r["source_line"] else ""))
    for charset, note in dict.fromkeys((r["charset"], r["charset_note"]) for r in rows):  # how the bytes were read
        click.echo(f"charset: {charset or 'unknown'}" + (f" ({note.removeprefix('charset: ')})" if note else ""))
    click.echo(plural(len(rows), "item"))


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
def sources(obj: Ctx, as_json: bool) -> None:
    """Sources with health: state, last success, last error, items in 24 h, check interval, next check."""
    import collectors
    import settings

    config = obj.config()
    # read-only: never creates nor changes the database; before the first run every source is unchecked
    db = obj.db(readonly=True) if os.path.exists(obj.db_path) else obj.db_in_memory()
    rows = collectors.health(db, list(config.sources), settings=config.collector)
    if as_json:
        emit_json([vars_of(h) for h in rows])
        return
    click.echo(f"{'SOURCE':26} {'STATE':12} {'24H':>4}  {'LAST SUCCESS':20} {'EVERY':6} {'NEXT CHECK':20} "
               f"{'MISSES':>6} LAST ERROR")
    for h in rows:
        flag = "!" if h.alert else " "
        state = "unchecked" if h.state == "ok" and h.never_checked else h.state
        every = "cron" if h.check_every is None else settings.format_every(h.check_every) + ("*" if h.relaxed else "")
        click.echo(f"{h.id:26} {flag}{state:11} {h.items_24h:4}  {short_time(h.last_success_at):20} {every:6} "
                   f"{short_time(h.next_check_at):20} {len(h.misses) or '':>6} {h.last_error or ''}")
        if h.charset_note:  # the bytes were read against a declaration: say how
            click.echo(f"{'':27}{h.charset_note}")
        if h.last_warning and "item(s) kept without what could not be read, or skipped" in h.last_warning:
            click.echo(f"{'':27}{h.last_warning}")
    for h in rows:
        for m in h.misses:
            click.echo(f"possible miss  {h.id}  {short_time(m['run_at'])}  {m['kind']}: {m['detail']}")
    if any(h.relaxed for h in rows):
        click.echo("* checked less often: the server sends the whole list every time and the last checks "
                   "found nothing new (see idle_max)")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
def columns(obj: Ctx, as_json: bool) -> None:
    """Catalog columns with freshness: last update, deadline, status (ok, warn, alert, stale); exit 3 if any is stale."""
    import publisher

    config = obj.config()
    db = obj.db(readonly=True)
    rows = publisher.freshness(db, config.columns)
    if as_json:
        emit_json([r.as_dict() for r in rows])
    else:
        click.echo(f"{'COLUMN':28} {'STATUS':6} {'ITEMS':>6} {'LAST UPDATE':12} {'LIMIT':9} {'DUE BY':11} LEFT")
        for r in rows:
            limit = f"{r.limit_months} months" if r.limit_months else f"{r.limit_days} days" if r.limit_days else "-"
            last = (r.last_published_at or "never")[:10]
            left = "" if r.days_left is None else str(r.days_left)
            click.echo(f"{r.column:28} {r.status:6} {r.items:6} {last:12} {limit:9} {r.due_by or '-':11} {left}")
        for r in rows:
            if r.status != "ok":
                click.echo(r.message)
    if any(r.status == "stale" for r in rows):
        raise SystemExit(3)


@cli.command()
@click.option("--from", "first", default=None, metavar="DATE", help="First day (YYYY-MM-DD, Beijing; default: "
              "the first of last month).")
@click.option("--to", "last", default=None, metavar="DATE", help="Last day, inclusive (default: the end of that month).")
@click.option("--out", "out_dir", default=None, metavar="DIR",
              help="Write report.json, report.html and report.pdf here (default: data/reports/FROM_TO).")
@click.option("--json", "as_json", is_flag=True, help="Print the report (report.json's contents) instead of a summary.")
@click.pass_obj
def evaluate(obj: Ctx, first: str | None, last: str | None, out_dir: str | None, as_json: bool) -> None:
    """Site evaluation (网站评测): availability, updates, links, adoption, vetoes and the ranking per kind."""
    from datetime import date
    from pathlib import Path

    import evaluation

    def day(value: str | None, flag: str) -> date | None:
        try:
            return date.fromisoformat(value) if value else None
        except ValueError:
            raise Fail(f"{flag} {value!r} is not a date (YYYY-MM-DD)") from None

    start, end = day(first, "--from"), day(last, "--to")
    if start and end and start > end:
        raise Fail(f"--from {start} is after --to {end}")
    config = obj.config()
    db = obj.db()
    evaluation.compact_observations(db, config)
    report = evaluation.evaluate(db, config, start, end)
    target = Path(out_dir or os.path.join(os.path.dirname(obj.db_path) or ".", "reports",
                                          f"{report['from']}_{report['to']}"))
    for warning in evaluation.write_report(report, target):
        click.echo(f"warning: {warning}", err=True)
    if as_json:
        emit_json(report)
        return
    ranked = sum(1 for x in report["sites"] if x["rank"] is not None)
    vetoed = [x for x in report["sites"] if x["vetoes"]]
    click.echo(f"评测 {report['from']} 至 {report['to']}: {len(report['sites'])} 个网站, {ranked} 个排名, "
               f"{len(vetoed)} 个单项否决 → {target}")
    for x in vetoed:
        click.echo(f"  {x['source']}: " + "; ".join(f"{c} ({x['veto_reasons'][c]})" for c in x["vetoes"]))


# --------------------------------------------------------------------------- review
@cli.command()
@click.option("--withdrawn", is_flag=True,
              help="Instead: published items whose source took the page down, for an editor to keep or retract.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
def queue(obj: Ctx, withdrawn: bool, as_json: bool) -> None:
    """The review queue, one row per story (duplicates collapsed)."""
    import review_queue

    db = obj.db(readonly=True)
    if withdrawn:
        taken_down = review_queue.withdrawn_upstream(db)
        if as_json:
            emit_json(taken_down)
            return
        for w in taken_down:
            click.echo(f"{w['item_id']:>6}  {state_name(w['state']):10} {w['source'] or '':20} {w['title']}\n"
                       f"{'':8}" + _("%(why)s（发现于北京时间 %(at)s）", why=w["why"], at=short_time(w["at"])))
        click.echo(_n("%(n)s 条已发布的稿件原文已被来源撤下", len(taken_down))
                   + (" (run.py review keep|retract)" if taken_down else ""))
        return
    entries = review_queue.queue(db)
    if as_json:
        emit_json([vars_of(e) for e in entries])
        return
    if entries:
        click.echo(f"{_('编号'):>6}  {_('状态'):16} {_('栏目'):18} {_('来源'):20} " + _("标题（+ 同一报道的其他来源）"))
    for e in entries:
        d = vars_of(e)
        also = d.get("also_reported_by") or []
        also_txt = f"  (+{len(also)}: {', '.join(str(a.get('source') if isinstance(a, dict) else a) for a in also)})" if also else ""
        click.echo(f"{d.get('item_id'):>6}  {state_name(d.get('state')):16} {d.get('column', ''):18} "
                   f"{d.get('source', ''):20} {d.get('title', '')}{also_txt}")
    click.echo(_n("%(n)s 组待审", len(entries)))
    if taken_down := review_queue.withdrawn_upstream(db):
        click.echo(_n("%(n)s 条已发布的稿件原文已被来源撤下：见 run.py queue --withdrawn", len(taken_down)))


def authenticate_cli(db: Any, user: str) -> None:
    """Reviewer actions from the command line are authenticated like the web UI's."""
    import review_queue

    password = os.environ.get("HUIJU_PASSWORD")
    if password is None:
        password = (getpass.getpass(_("%(user)s 的密码：", user=user)) if sys.stdin.isatty()
                    else sys.stdin.readline().rstrip("\n"))
    if not password:
        raise Fail(_("没有给出密码（设置 HUIJU_PASSWORD，或从标准输入写入）"))
    review_queue.authenticate(db, user, password)


@cli.group()
def review() -> None:
    """Approve, reject, retract or keep items from the command line (password from $HUIJU_PASSWORD or stdin)."""


@review.command("approve")
@click.argument("item_ids", nargs=-1, required=True, type=int)
@click.option("--column", default=None, help="Publish into this column instead of the routed one.")
@click.option("--reason", default="", help="Why an editor moves items out of a column with a stricter sign-off.")
@click.option("--user", required=True, help="Reviewer's user name.")
@click.option("--override-checks", "override_checks", default=None, metavar="REASON",
              help="Editors: approve although a check found a block problem (kept in the history).")
@click.pass_obj
def review_approve(obj: Ctx, item_ids: tuple[int, ...], column: str | None, reason: str, user: str,
                   override_checks: str | None) -> None:
    """Approve items or give their next sign-off (items whose sign-off chain is complete are published).

    An item with a block finding of the checks (run.py checks) is refused unless an editor gives
    --override-checks REASON."""
    import pipeline
    import review_queue

    config = obj.config()
    if column is not None and column not in config.columns:
        raise Fail(_("没有栏目 %(column)s（已有：%(known)s）", column=repr(column), known=", ".join(config.columns)))
    db = obj.db()
    authenticate_cli(db, user)
    review_queue.approve(db, list(item_ids), user=user, column=column, reason=reason, config=config,
                         override_checks=override_checks)
    stats = pipeline.publish_due(db, config)  # what needs no hold (approval_hold = 0)
    held = {h["item_id"]: h for h in review_queue.held(db, hold=config.web.approval_hold)}
    for item_id in dict.fromkeys(item_ids):
        if item_id in held:
            click.echo(_("#%(id)s：已通过，暂缓发布至北京时间 %(t)s；此前可撤销：run.py review undo %(id)s --user %(user)s",
                         id=item_id, t=short_time(held[item_id]["publishes_at"]), user=user))
        else:
            click.echo(_("#%(id)s：%(state)s", id=item_id, state=state_name(review_queue.state(db, item_id))))
    if stats.published:
        click.echo(_n("已发布 %(n)s 条", stats.published))


@review.command("reject")
@click.argument("item_ids", nargs=-1, required=True, type=int)
@click.option("--reason", default="", help="Why (kept in the history).")
@click.option("--user", required=True, help="Reviewer's user name.")
@click.pass_obj
def review_reject(obj: Ctx, item_ids: tuple[int, ...], reason: str, user: str) -> None:
    """Reject items; they leave a tombstone and never return to the queue."""
    import review_queue

    db = obj.db()
    authenticate_cli(db, user)
    review_queue.reject(db, list(item_ids), user=user, reason=reason)
    for item_id in item_ids:
        click.echo(_("#%(id)s：%(state)s", id=item_id, state=state_name(review_queue.state(db, item_id))))


@review.command("retract")
@click.argument("item_id", type=int)
@click.option("--reason", required=True, help="Why (the portal's change stream and the history show it).")
@click.option("--user", required=True, help="Editor's user name.")
@click.pass_obj
def review_retract(obj: Ctx, item_id: int, reason: str, user: str) -> None:
    """Withdraw a published item from the portal (editor); the retraction is published at once."""
    import pipeline
    import review_queue

    config = obj.config()
    db = obj.db()
    authenticate_cli(db, user)
    review_queue.retract(db, item_id, user=user, reason=reason)
    stats = pipeline.publish_due(db, config)
    click.echo(_("#%(id)s：已撤稿，撤稿已发布", id=item_id) if stats.retracted else _("#%(id)s：已撤稿", id=item_id))


@review.command("keep")
@click.argument("item_id", type=int)
@click.option("--reason", default="", help="Why it stays (kept in the history).")
@click.option("--user", required=True, help="Editor's user name.")
@click.pass_obj
def review_keep(obj: Ctx, item_id: int, reason: str, user: str) -> None:
    """Keep a published item on the portal although its source took the page down (editor)."""
    import review_queue

    db = obj.db()
    authenticate_cli(db, user)
    review_queue.keep(db, item_id, user=user, reason=reason)
    click.echo(_("#%(id)s：保留在门户", id=item_id))


@review.command("undo")
@click.argument("item_id", type=int)
@click.option("--reason", default="", help="Why (kept in the history).")
@click.option("--user", required=True, help="The approver's (or an editor's) user name.")
@click.pass_obj
def review_undo(obj: Ctx, item_id: int, reason: str, user: str) -> None:
    """Undo an approval that is not published yet ([web] approval_hold gives the time); it waits again."""
    import review_queue

    db = obj.db()
    authenticate_cli(db, user)
    state = review_queue.undo_approve(db, item_id, user=user, reason=reason)
    click.echo(_("#%(id)s：通过已撤销，%(state)s", id=item_id, state=state_name(state)))


@review.command("unreject")
@click.argument("item_id", type=int)
@click.option("--reason", required=True, help="Why the rejection was wrong (kept in the history).")
@click.option("--user", required=True, help="Editor's user name.")
@click.pass_obj
def review_unreject(obj: Ctx, item_id: int, reason: str, user: str) -> None:
    """Take back a rejection (editor): the tombstone is lifted and the item waits for review again."""
    import review_queue

    db = obj.db()
    authenticate_cli(db, user)
    state = review_queue.unreject(db, item_id, user=user, reason=reason)
    click.echo(_("#%(id)s：退回已撤销，%(state)s", id=item_id, state=state_name(state)))


@review.command("correct")
@click.argument("item_id", type=int)
@click.option("--reason", required=True, help="What is wrong in the published story.")
@click.option("--user", required=True, help="Reviewer's user name.")
@click.pass_obj
def review_correct(obj: Ctx, item_id: int, reason: str, user: str) -> None:
    """Open a published story for correction: edit it in the web UI, then approve it through its sign-off."""
    import review_queue

    db = obj.db()
    authenticate_cli(db, user)
    review_queue.start_correction(db, item_id, user=user, reason=reason)
    click.echo(_("#%(id)s：更正已开始（编辑后再通过，门户收到更新）", id=item_id))


@review.command("split")
@click.argument("item_id", type=int)
@click.option("--reason", required=True, help="Why it is another story (kept in the history).")
@click.option("--user", required=True, help="Editor's user name.")
@click.pass_obj
def review_split(obj: Ctx, item_id: int, reason: str, user: str) -> None:
    """Split an item out of its story into its own (editor); later ingests keep it apart."""
    import review_queue

    db = obj.db()
    authenticate_cli(db, user)
    cluster = review_queue.split_story(db, item_id, user=user, reason=reason)
    click.echo(_("#%(id)s：已拆出为报道 %(story)s（%(state)s）", id=item_id, story=cluster,
                 state=state_name(review_queue.state(db, item_id))))


@review.command("merge")
@click.argument("item_id", type=int)
@click.argument("other_id", type=int)
@click.option("--reason", required=True, help="Why they are one story (kept in the history).")
@click.option("--user", required=True, help="Editor's user name.")
@click.pass_obj
def review_merge(obj: Ctx, item_id: int, other_id: int, reason: str, user: str) -> None:
    """Merge OTHER_ID's story into ITEM_ID's (editor); later re-posts of either join it."""
    import review_queue

    db = obj.db()
    authenticate_cli(db, user)
    cluster = review_queue.merge_stories(db, item_id, other_id, user=user, reason=reason)
    click.echo(_("#%(other)s：所在报道已并入 #%(id)s 的报道 %(story)s", other=other_id, id=item_id, story=cluster))


# --------------------------------------------------------------------------- publishing
@cli.command()
@click.option("--export", "export_dir", default=None, metavar="DIR",
              help="Also write the static feeds and API files into DIR (for nginx or a CDN).")
@click.option("--base-url", default=None, help="Public base URL used in exported links.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
def publish(obj: Ctx, export_dir: str | None, base_url: str | None, as_json: bool) -> None:
    """Ingest what was collected and publish everything approved; optionally export static files."""
    import pipeline
    import publisher

    config = obj.config()
    db = obj.db()
    stats = pipeline.run_once(db, config)
    import review_queue

    held = review_queue.held(db, hold=config.web.approval_hold)  # approvals still undoable: published later
    written = []
    if export_dir:
        base = base_url or config.web.public_url or f"http://{config.web.host}:{config.web.port}"
        written = [str(p) for p in publisher.export(db, config, export_dir, base_url=base)]
    if as_json:
        emit_json({"published": stats.published, "retracted": stats.retracted, "held": len(held),
                   "exported": written})
        return
    click.echo(f"published {stats.published}, retracted {stats.retracted}"
               + (f", held {len(held)} (approval_hold; next at {short_time(held[0]['publishes_at'])} Beijing time)"
                  if held else ""))
    if export_dir:
        click.echo(f"exported {len(written)} files to {export_dir}")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output (a JSON array).")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="At most this many (newest first).")
@click.option("--state", default=None, help="Only items in this state (new, pending, published, …).")
@click.option("--column", default=None, help="Only items in this column (a column id of the catalog).")
@click.pass_obj
def items(obj: Ctx, as_json: bool, limit: int | None, state: str | None, column: str | None) -> None:
    """Stored items with their state, column and cluster (and the open findings of the checks)."""
    import checks
    import normalizers
    import review_queue

    if state is not None and state not in ("new", *review_queue.STATES):
        raise Fail(f"unknown state {state!r} (known: new, {', '.join(review_queue.STATES)})")
    if column is not None and column not in obj.config().columns:
        raise Fail(f"unknown column {column!r} (known: {', '.join(obj.config().columns)})")
    db = obj.db(readonly=True)
    rows = normalizers.list_items(db, limit=None if (state or column) else limit, bodies=False)
    found = checks.open_findings(db, [r["id"] for r in rows])
    out = []
    for r in review_queue.published_items(db, rows):
        out.append({"id": r["id"], "source": r["source"], "title": r["title"], "url": r["url"],
                    "published_at": r["published_at"], "state": r["state"],
                    "column": r["column"], "topics": r["topics"],
                    "cluster": r["cluster"], "version": r["version"], "flags": r.get("flags") or [],
                    "checks": [f.as_dict() for f in found.get(r["id"], [])]})
    if state:
        out = [o for o in out if o["state"] == state]
    if column:
        out = [o for o in out if o["column"] == column]
    if limit is not None:
        out = out[:limit]
    if as_json:
        emit_json(out)
        return
    for o in out:
        click.echo(f"{o['id']:>6}  {o['state']:10} {o['column']:18} c{o['cluster']:<6} {o['source']:20} "
                   f"{o['published_at'] or 'date unknown':25} {o['title']}")
    click.echo(plural(len(out), "item"))


@cli.command("checks")
@click.option("--all", "every_state", is_flag=True, help="Items in any state, not only those waiting for review.")
@click.option("--links", is_flag=True, help="First check the links that are due (404/410), as the daemon does.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output (a JSON array).")
@click.pass_obj
def checks_cmd(obj: Ctx, every_state: bool, links: bool, as_json: bool) -> None:
    """Open findings of the checks before publishing (personal data, terms, links, dates, source lines)."""
    import checks
    import review_queue

    config = obj.config()
    checks.checker(config)  # a term file with a mistake: one line naming file and line
    db = obj.db() if links else obj.db(readonly=True)
    if links:
        stats = checks.link_pass(db, config)
        if not as_json:
            click.echo(f"links checked {stats.checked}, answering 404/410 {stats.dead}, unreachable {stats.errors}")
    found = checks.open_findings(db)
    states = review_queue.states(db, list(found))
    rows = [{"item_id": item_id, "state": states.get(item_id, "new"), **f.as_dict()}
            for item_id, fs in found.items() for f in fs
            if every_state or states.get(item_id) in review_queue.REVIEWABLE]
    if as_json:
        emit_json(rows)
        return
    if rows:
        click.echo(f"{'ITEM':>6}  {'STATE':16} {'SEVERITY':8} {'CODE':15} {'PLACE':8} TEXT")
    for r in rows:
        place = "-" if r["paragraph"] is None else ("title" if r["paragraph"] == 0 else f"p{r['paragraph']}:{r['offset']}")
        click.echo(f"{r['item_id']:>6}  {r['state']:16} {r['severity']:8} {r['code']:15} {place:8} {r['text']}"
                   + (f"  (overridden by {r['overridden_by']})" if r["overridden_by"] else ""))
    blocks = sum(r["severity"] == "block" and not r["overridden_by"] for r in rows)
    click.echo(plural(len(rows), "open finding") + f", {blocks} blocking approval")


# --------------------------------------------------------------------------- maintenance
@cli.command()
@click.argument("dest", metavar="DEST")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
def backup(obj: Ctx, dest: str, as_json: bool) -> None:
    """Copy the database to DEST while it is in use (consistent), then verify the copy.

    The copy is checked by reopening it (PRAGMA integrity_check) before it takes its name; it
    gets its own stream epoch, so portals resync after a restore (README, Deployment).
    """
    from pipeline import maintenance

    result = maintenance.backup(obj.db(readonly=True), dest)
    if as_json:
        emit_json(vars_of(result))
        return
    click.echo(f"backup {result.path}: {result.bytes:,} bytes in {result.seconds:.1f}s, integrity {result.integrity}")


@cli.command()
@click.option("--dry-run", is_flag=True, help="Only count what would be pruned.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
def prune(obj: Ctx, dry_run: bool, as_json: bool) -> None:
    """Apply the retention policy ([retention] in the configuration) now; the daemon does it daily.

    Raw bodies of collected pages and superseded versions past their days, old check
    observations; published items and every item's latest version are kept.
    """
    from pipeline import maintenance

    config = obj.config()
    report = maintenance.prune(obj.db(readonly=dry_run) if dry_run else obj.db(), config, dry_run=dry_run)
    if as_json:
        emit_json({**vars_of(report), "total": report.total})
        return
    verb = "would prune" if dry_run else "pruned"
    for package in ("collectors", "normalizers"):
        for kind, n in getattr(report, package).items():
            click.echo(f"{verb} {n:8}  {package}.{kind}")
    click.echo(f"{verb} {report.total} row(s); database {report.db_bytes / 2**20:.1f} MB, "
               f"{report.free_bytes / 2**20:.1f} MB of it free for reuse")


# --------------------------------------------------------------------------- users
@cli.group()
def users() -> None:
    """Manage reviewer accounts."""


@users.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(ROLES),
              help="; ".join(f"{r}: {d}" for r, d in ROLE_DUTIES.items()) + ".")
@click.pass_obj
def users_add(obj: Ctx, name: str, role: str) -> None:
    """Create a user; the password is read from stdin (asked twice on a terminal)."""
    import review_queue

    if sys.stdin.isatty():
        password = getpass.getpass(_("密码："))
        if getpass.getpass(_("再输一次：")) != password:
            raise Fail(_("两次输入的密码不同"))
    else:
        password = sys.stdin.readline().rstrip("\n")
    db = obj.db()
    review_queue.add_user(db, name, role, password)  # WeakPassword (one line) when it is too short
    click.echo(_("已添加用户 %(name)s，角色%(role)s", name=name, role=role_name(role)))


@users.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
def users_list(obj: Ctx, as_json: bool) -> None:
    """List users and their roles."""
    import review_queue

    rows = [vars_of(u) for u in review_queue.list_users(obj.db(readonly=True))]
    if as_json:
        emit_json(rows)
        return
    if rows:
        click.echo(f"{_('用户名'):20} " + _("角色"))
    for u in rows:
        click.echo(f"{u.get('name'):20} {role_name(u.get('role'))}" + (_("（已停用）") if u.get("disabled") else ""))


def read_new_password() -> str:
    """A new password from stdin (asked twice on a terminal)."""
    if sys.stdin.isatty():
        password = getpass.getpass(_("新密码："))
        if getpass.getpass(_("再输一次：")) != password:
            raise Fail(_("两次输入的密码不同"))
        return password
    return sys.stdin.readline().rstrip("\n")


@users.command("passwd")
@click.argument("name")
@click.pass_obj
def users_passwd(obj: Ctx, name: str) -> None:
    """Set a user's password (read from stdin); every session of that user ends at once."""
    import review_queue

    review_queue.set_password(obj.db(), name, read_new_password())
    click.echo(_("用户 %(name)s：密码已设置，%(name)s 的所有会话已结束", name=name))


@users.command("role")
@click.argument("name")
@click.argument("role", type=click.Choice(ROLES))
@click.pass_obj
def users_role(obj: Ctx, name: str, role: str) -> None:
    """Change a user's role (takes effect on the user's next request)."""
    import review_queue

    review_queue.set_role(obj.db(), name, role)
    click.echo(_("用户 %(name)s：角色%(role)s", name=name, role=role_name(role)))


@users.command("disable")
@click.argument("name")
@click.pass_obj
def users_disable(obj: Ctx, name: str) -> None:
    """Disable an account; every session of it ends at once (its history stays)."""
    import review_queue

    review_queue.disable_user(obj.db(), name)
    click.echo(_("用户 %(name)s：已停用，所有会话已结束", name=name))


@users.command("enable")
@click.argument("name")
@click.pass_obj
def users_enable(obj: Ctx, name: str) -> None:
    """Enable a disabled account again."""
    import review_queue

    review_queue.disable_user(obj.db(), name, disabled=False)
    click.echo(_("用户 %(name)s：已启用", name=name))


@cli.command()
@click.argument("item_id", type=int)
@click.option("--user", required=True, help="An admin's user name (password from $HUIJU_PASSWORD or stdin).")
@click.pass_obj
def unlock(obj: Ctx, item_id: int, user: str) -> None:
    """Release the edit lock on an item, whoever holds it (admin; recorded in its history)."""
    import review_queue

    db = obj.db()
    authenticate_cli(db, user)
    released = review_queue.unlock(db, item_id, user=user)
    click.echo(_("#%(id)s：编辑锁已释放", id=item_id) if released else _("#%(id)s：没有编辑锁", id=item_id))


@cli.command()
@click.argument("item_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
def history(obj: Ctx, item_id: int, as_json: bool) -> None:
    """Everything that happened to an item: who, when (Beijing time), what changed."""
    import review_queue

    db = obj.db(readonly=True)
    review_queue.state(db, item_id)  # UnknownItem (one line) for an item never in review
    entries = review_queue.history(db, item_id)
    if as_json:
        emit_json(entries)
        return
    from review_queue import messages

    use_language()
    for h in entries:
        states = f"{state_name(h['from_state']) if h['from_state'] else '-'} → {state_name(h['to_state'])}"
        click.echo(f"{short_time(h['at'])}  {messages.actor_label(h['actor']):12} "
                   f"{messages.history_action(h['action']):16} {states}"
                   + (f"  {messages.history_note(h['note'])}" if h["note"] else ""))
        for c in h["changes"]:
            click.echo(f"    {messages.field_label(c['field'])}:\n    " + c["diff"].replace("\n", "\n    "))


# --------------------------------------------------------------------------- helpers
def vars_of(obj: Any) -> dict[str, Any]:
    if isinstance(obj, dict):
        return obj
    if hasattr(obj, "__dataclass_fields__"):
        from dataclasses import asdict

        return asdict(obj)
    return dict(vars(obj))


def role_name(role: str | None) -> str:
    """A role as the desk names it, in the chosen language."""
    from review_queue import messages

    use_language()
    return messages.role_label(role or "")


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def short_time(value: Any) -> str:
    """A machine time shown to an operator: Beijing time, to the second."""
    if not value:
        return "-"
    if not isinstance(value, datetime):
        try:
            value = datetime.fromisoformat(str(value))
        except ValueError:
            return str(value)[:19]
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")


def main() -> None:
    """Entry point: like click's, but a usage error is one line too."""
    try:
        cli.main(standalone_mode=False, prog_name="run.py")
    except click.UsageError as exc:
        where = exc.ctx.command_path if exc.ctx else "run.py"
        click.echo(f"error: {exc.format_message()} (see `{where} --help`)", err=True)
        sys.exit(2)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("aborted", err=True)
        sys.exit(1)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)


if __name__ == "__main__":
    main()
