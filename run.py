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
from pipeline import wording
from pipeline.wording import (
    _,
    _n,
    charset_note,
    collect_reason,
    config_error,
    entry_note,
    identity_note,
    log_words,
    miss_detail,
    report_warning,
    use_language,
)
from review_queue.cli_help import TranslatedGroup
from review_queue.cli_help import width as columns_of
from settings.model import ROLES

DEFAULT_CONFIG = "schedules.toml"
DEFAULT_DB = os.path.join("data", "huiju.db")


def state_name(state: str | None) -> str:
    """A workflow state as the desk names it, in the chosen language."""
    from review_queue import messages

    use_language()
    return messages.state_label(state)


def review_error(exc: BaseException) -> str:
    """A workflow or database error in the chosen language: its own one-line English, or the desk's Chinese."""
    from review_queue import messages

    return one_line(exc) if use_language() == "en" else messages.error_message(exc)


class Fail(click.ClickException):
    """A user-facing error: printed as one line, exit status 1."""

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.message}", err=True)


def language_of(args: list[str] | tuple[str, ...]) -> str:
    """The language a command line asks for, before click parses it (its own usage errors and
    --help are already in it): --lang, else LC_ALL / LC_MESSAGES / LANG (review_queue.catalogs)."""
    from review_queue import catalogs

    for i, arg in enumerate(args):
        if arg == "--":
            break
        chosen = args[i + 1] if arg == "--lang" and i + 1 < len(args) else arg[7:] if arg.startswith("--lang=") else None
        if chosen in catalogs.LOCALES:
            return chosen
    return catalogs.language_from_env(os.environ)


class HuijuGroup(TranslatedGroup):
    """Turns any error raised by a command into one line on stderr (no traceback unless --debug);
    click's own strings (usage, help, its errors) and every command's help are in the chosen language."""

    def main(self, args: Any = None, *pos: Any, **kwargs: Any) -> Any:
        from review_queue import catalogs

        argv = list(sys.argv[1:] if args is None else args)
        wording.LANGUAGE = language_of(argv)  # (the group's --lang sets it again once parsed)
        catalogs.use(wording.LANGUAGE)  # the commands' help (review_queue.cli_help) is translated in it
        with catalogs.click_language(wording.LANGUAGE):
            return super().main(argv, *pos, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            click.echo(_("已中断"), err=True)
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

                exc = store.as_store_error(exc, ctx.find_root().params.get("db_path", ""))
            if any(c.__name__ in ("ReviewError", "StoreError") for c in type(exc).__mro__):
                raise Fail(review_error(exc)) from None
            if type(exc).__name__ == "ConfigError":  # a malformed configuration: file, where, cause
                raise Fail(config_error(exc)) from None
            if any(c.__name__ == "CollectError" for c in type(exc).__mro__):  # probe: why nothing was read
                raise Fail(collect_reason(getattr(exc, "code", None), getattr(exc, "params", None),
                                          one_line(exc))) from None
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
    """Log lines on stderr in the chosen language (pipeline.logs), unless a handler is set up already."""
    from pipeline import logs

    if not logging.getLogger().handlers:
        logs.configure("text", debug=debug, language=use_language(), words=log_words)
    logging.getLogger().setLevel(logging.DEBUG if debug else logging.INFO)
    for noisy in logs.NOISY:
        logging.getLogger(noisy).setLevel(logging.WARNING)


@click.group(cls=HuijuGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", default=DEFAULT_CONFIG, show_default=True, metavar="PATH",
              help="配置文件（栏目、来源、规则）。")
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, metavar="PATH",
              help="SQLite 数据库文件（不存在时创建）。")
@click.option("--debug", is_flag=True, help="详细日志和完整的错误回溯。")
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None,
              help="命令行的语言：帮助和每个命令的消息（默认看 LC_ALL、LC_MESSAGES 或 LANG；"
                   "除非它们指明英语，都是中文）。")
@click.pass_context
def cli(ctx: click.Context, config_path: str, db_path: str, debug: bool, lang: str | None) -> None:
    """汇聚（Huiju）：采集政府信息，清洗、去重，审核，发布。"""
    wording.LANGUAGE = lang
    from pipeline import logs

    logging.lastResort = logs.last_resort(use_language(), log_words)  # warnings of any command: its language
    ctx.obj = Ctx(config_path, db_path)
    if debug:
        setup_logging(True)


# --------------------------------------------------------------------------- daemon / demo
@cli.command()
@click.option("--host", default=None, help="监听地址（默认取 [web] host）。")
@click.option("--port", type=int, default=None, help="监听端口（默认取 [web] port）。")
@click.pass_obj
def daemon(obj: Ctx, host: str | None, port: int | None) -> None:
    """运行定时采集、处理流程、发布和网页服务，直到被停止。"""
    from pipeline import logs
    from pipeline.daemon import Daemon

    debug = logging.getLogger().level == logging.DEBUG
    setup_logging(debug)
    import errno

    config = obj.config()
    logs.configure(config.daemon.log_format, debug=debug, window=config.daemon.log_repeat_window,
                   language=use_language(), words=log_words)
    import checks

    try:
        d = Daemon(config, obj.db_path, host=host, port=port, exit_on_stop=True)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise Fail(_("端口 %(port)s 已被占用；用 --port 另选一个", port=port or config.web.port)) from None
        raise
    checks.checker(config)  # term lists with a mistake: refuse to start, one line naming file and line
    click.echo(_n("汇聚守护进程：已启用 %(n)s 个来源，网页服务 %(url)s（Ctrl-C 停止）",
                  sum(s.enabled for s in config.sources), url=d.url))
    d.start()  # with exit_on_stop it ends the process itself (os._exit after a flush) within stop_timeout


@cli.command()
@click.option("--port", type=int, default=8080, show_default=True,
              help="审核界面和订阅源的网页端口；示例省份使用 PORT+1。")
@click.option("--speed", type=float, default=144.0, show_default=True,
              help="每真实秒对应的模拟秒数（144 = 每十分钟模拟一天）。")
@click.option("--seed", type=int, default=1, show_default=True, help="示例省份的随机种子。")
@click.option("--corpus", default=None, metavar="DIR",
              help="示例省份用的真实文本语料（默认 $HUIJU_CORPUS 或 ../shared/corpus；没有时使用生成的文本）。")
@click.option("--user", "username", default="demo", show_default=True, help="演示审核员的用户名。")
@click.pass_obj
def demo(obj: Ctx, port: int, speed: float, seed: int, corpus: str | None, username: str) -> None:
    """在 127.0.0.1 上启动示例省份，并让守护进程对它运行（使用 demo.toml、data/demo.db）。"""
    from pipeline.demo import run_demo

    setup_logging(logging.getLogger().level == logging.DEBUG)
    config_path = obj.config_path if obj.config_path != DEFAULT_CONFIG else "demo.toml"
    db_path = obj.db_path if obj.db_path != DEFAULT_DB else os.path.join("data", "demo.db")
    run_demo(config_path, db_path, port=port, speed=speed, seed=seed, corpus=corpus, username=username)


# --------------------------------------------------------------------------- collection
@cli.command()
@click.option("--source", "source_ids", multiple=True, metavar="ID", help="只采集这个来源（可重复）。")
@click.option("--recheck", is_flag=True,
              help="同时立即重新抓取仍在更正期（48 小时）内的每个详情页，以获取网站公布的更正；"
                   "平常在首次发现后 3、6、12、24 和 48 小时重新检查。")
@click.option("--json", "as_json", is_flag=True, help="机器可读的输出。")
@click.pass_obj
def collect(obj: Ctx, source_ids: tuple[str, ...], recheck: bool, as_json: bool) -> None:
    """立即运行一轮采集，然后入库并发布；逐个来源显示结果。"""
    import collectors
    import pipeline

    config = obj.config()
    if source_ids:
        known = {s.id: s for s in config.sources}
        missing = [s for s in source_ids if s not in known]
        if missing:
            raise Fail(_("没有来源 %(source)s（见 `run.py sources`）", source=repr(missing[0])))
        sources = []
        for sid in source_ids:
            src = known[sid]
            if not src.enabled:  # named on purpose (trying a site before enabling it): run it, say so
                click.echo("note: " + _("来源 %(source)s 设置了 enabled = false；因为点名了它，仍然采集",
                                        source=repr(sid)), err=True)
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
            status = _("正常") if r.ok else _("错误 %(why)s", why=collect_reason(r.error_code, r.error_params, r.error))
            gone = _("  来源已撤下 %(n)s", n=r.withdrawn) if r.withdrawn else ""
            click.echo(cell(r.source_id, 28) + " "
                       + _("新 %(new)4d  版本 %(versions)3d  未变 %(unchanged)4d  %(secs)6.2f 秒  %(status)s",
                           new=r.new, versions=r.versions, unchanged=r.unchanged, secs=r.duration, status=status)
                       + gone)
        click.echo(_("流程：入库 %(ingested)s（新报道 %(new)s，并入已知报道 %(joined)s，来源的新版本 %(versions)s），"
                     "待审 %(queued)s，自动通过 %(auto)s，已发布报道的重复 %(duplicates)s，已发布 %(published)s",
                     ingested=stats.ingested, new=stats.new, joined=stats.joined, versions=stats.versions,
                     queued=stats.queued, auto=stats.auto_approved, duplicates=stats.duplicates,
                     published=stats.published)
                   + (_("，原文被来源撤下 %(n)s（run.py queue --withdrawn）", n=stats.withdrawn)
                      if stats.withdrawn else ""))
        for err in stats.errors:
            click.echo(_("流程错误：%(error)s", error=err), err=True)
    if results and not any(r.ok for r in results):
        sys.exit(1)


@cli.command()
@click.argument("url", help="要抓取的网址（来源的列表页、订阅源或 JSON 接口）。")
@click.option("--type", "kind", type=click.Choice(["rss", "html", "json"]), default=None,
              help="来源类型（省略且未给出来源设置时，根据响应猜测）。")
@click.option("--source", "source_id", default=None, metavar="ID",
              help="使用这个已配置来源的选择器、请求头、Referer、Cookie 引导和编码。")
@click.option("--referer", default=None, metavar="URL", help="发送这个 Referer（给要求它的网站）。")
@click.option("--cookie-bootstrap", default=None, metavar="URL",
              help="先 GET 这个网址，取得网站要求的会话 Cookie。")
@click.option("--encoding", default=None, help="强制使用这个字符集（给已知声明不实的网站）。")
@click.option("--json", "as_json", is_flag=True, help="机器可读的输出。")
@click.pass_obj
def probe(obj: Ctx, url: str, kind: str | None, source_id: str | None, referer: str | None,
          cookie_bootstrap: str | None, encoding: str | None, as_json: bool) -> None:
    """抓取并解析一个网址，不存储任何内容：看看会采集到什么。

    用于接入网站：先只试网址，再加上它需要的设置（--referer、--cookie-bootstrap、
    --encoding），或使用已配置来源的设置（--source）。
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
            raise Fail(_("没有来源 %(source)s（见 `run.py sources`）", source=repr(source_id))) from None
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
                     "charset_note": next((w for w in it.warnings if w.startswith("charset:")), None),
                     "charset_note_facts": it.charset_note})
    if as_json:
        emit_json(rows)
        return
    for r in rows:
        click.echo(f"{cell(r['published_at'] or _('日期不明'), 25)}  "
                   f"{cell(_n('%(n)s 字', r['text_length']), 12, right=True)}  {r['title']}")
        click.echo(f"{'':25}  {r['url']}"
                   + ("  " + _("来源行：%(line)s", line=r["source_line"]) if r["source_line"] else ""))
    ways = {(r["charset"], r["charset_note"]): r["charset_note_facts"] for r in rows}  # one line per note's words
    for (charset, note), facts in ways.items():  # how the bytes were read
        click.echo(_("字符集：%(charset)s", charset=charset or _("不明"))
                   + (_("（%(note)s）", note=charset_note(facts, note)) if note else ""))
    click.echo(_n("%(n)s 条", len(rows)))


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="机器可读的输出。")
@click.pass_obj
def sources(obj: Ctx, as_json: bool) -> None:
    """来源及其健康状况：状态、上次成功、上次错误、24 小时内条目数、检查间隔、下次检查。"""
    import collectors
    import settings

    config = obj.config()
    # read-only: never creates nor changes the database; before the first run every source is unchecked
    db = obj.db(readonly=True) if os.path.exists(obj.db_path) else obj.db_in_memory()
    rows = collectors.health(db, list(config.sources), settings=config.collector)
    if as_json:
        emit_json([vars_of(h) for h in rows])
        return
    click.echo(f"{cell(_('来源'), 26)} {cell(_('状态'), 12)} {cell(_('24小时'), 6, right=True)}  "
               f"{cell(_('上次成功'), 20)} {cell(_('间隔'), 6)} {cell(_('下次检查'), 20)} "
               f"{cell(_('疑似漏采'), 8, right=True)} " + _("上次错误"))
    for h in rows:
        flag = "!" if h.alert else " "
        state = source_state_name("unchecked" if h.state == "ok" and h.never_checked else h.state)
        every = "cron" if h.check_every is None else settings.format_every(h.check_every) + ("*" if h.relaxed else "")
        click.echo(f"{cell(h.id, 26)} {flag}{cell(state, 11)} {h.items_24h:6}  {short_time(h.last_success_at):20} "
                   f"{every:6} {short_time(h.next_check_at):20} {len(h.misses) or '':>8} "
                   + collect_reason(h.last_error_code, h.last_error_params, h.last_error))
        if h.charset_note:  # the bytes were read against a declaration: say how
            click.echo(f"{'':27}" + _("字符集：%(charset)s", charset=h.charset or _("不明"))
                       + _("（%(note)s）", note=charset_note(h.charset_note_facts, h.charset_note)))
        if h.identity_note:  # its items are identified by a fallback rule: say why
            click.echo(f"{'':27}" + _("条目身份：%(note)s", note=identity_note(h.identity_note_facts, h.identity_note)))
        if h.last_warning_facts and h.last_warning_facts.get("code") == "items-kept-or-skipped":
            click.echo(f"{'':27}" + entry_note(h.last_warning_facts, h.last_warning))
        elif h.last_warning and "item(s) kept without what could not be read, or skipped" in h.last_warning:
            click.echo(f"{'':27}{h.last_warning}")  # stored by an older release, without its facts
    for h in rows:
        for m in h.misses:
            click.echo(_("疑似漏采  %(source)s  %(at)s  %(kind)s：%(detail)s", source=h.id,
                         at=short_time(m["run_at"]), kind=m["kind"],
                         detail=miss_detail(m["kind"], m.get("params"), m["detail"])))
    if any(h.relaxed for h in rows):
        click.echo(_("* 检查得更少：服务器每次都发送整个列表，且最近几次检查没有发现新内容（见 idle_max）"))


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="机器可读的输出。")
@click.pass_obj
def columns(obj: Ctx, as_json: bool) -> None:
    """目录栏目及其更新情况：上次更新、期限、状态（ok、warn、alert、stale）；有栏目超期（stale）时退出码为 3。"""
    import publisher

    config = obj.config()
    db = obj.db(readonly=True)
    rows = publisher.freshness(db, config.columns)
    if as_json:
        emit_json([r.as_dict() for r in rows])
    else:
        click.echo(f"{cell(_('栏目'), 28)} {cell(_('状态'), 6)} {cell(_('条目'), 6, right=True)} "
                   f"{cell(_('上次更新'), 12)} {cell(_('期限'), 9)} {cell(_('最迟更新'), 11)} " + _("剩余天数"))
        for r in rows:
            limit = (_n("%(n)s 个月", r.limit_months) if r.limit_months
                     else _n("%(n)s 天", r.limit_days) if r.limit_days else "-")
            last = (r.last_published_at or "")[:10] or _("从未")
            left = "" if r.days_left is None else str(r.days_left)
            click.echo(f"{cell(r.column, 28)} {r.status:6} {r.items:6} {cell(last, 12)} {cell(limit, 9)} "
                       f"{r.due_by or '-':11} {left}")
        for r in rows:
            if r.status != "ok":
                click.echo(column_message(r))
    if any(r.status == "stale" for r in rows):
        raise SystemExit(3)


@cli.command()
@click.option("--from", "first", default=None, metavar="DATE", help="第一天（YYYY-MM-DD，北京时间；"
              "默认：上个月的第一天）。")
@click.option("--to", "last", default=None, metavar="DATE", help="最后一天，含当天（默认：那个月的最后一天）。")
@click.option("--out", "out_dir", default=None, metavar="DIR",
              help="把 report.json、report.html 和 report.pdf 写到这里（默认：data/reports/FROM_TO）。")
@click.option("--json", "as_json", is_flag=True, help="打印报告（report.json 的内容），而不是摘要。")
@click.pass_obj
def evaluate(obj: Ctx, first: str | None, last: str | None, out_dir: str | None, as_json: bool) -> None:
    """网站评测：可用性、更新、链接、采用情况、单项否决和按类别的排名。"""
    from datetime import date
    from pathlib import Path

    import evaluation

    def day(value: str | None, flag: str) -> date | None:
        try:
            return date.fromisoformat(value) if value else None
        except ValueError:
            raise Fail(_("%(flag)s %(value)s 不是日期（YYYY-MM-DD）", flag=flag, value=repr(value))) from None

    start, end = day(first, "--from"), day(last, "--to")
    if start and end and start > end:
        raise Fail(_("--from %(start)s 晚于 --to %(end)s", start=start, end=end))
    config = obj.config()
    db = obj.db()
    evaluation.compact_observations(db, config)
    report = evaluation.evaluate(db, config, start, end)
    target = Path(out_dir or os.path.join(os.path.dirname(obj.db_path) or ".", "reports",
                                          f"{report['from']}_{report['to']}"))
    for warning in evaluation.write_report(report, target):
        click.echo("warning: " + report_warning(warning), err=True)
    if as_json:
        emit_json(report)
        return
    ranked = sum(1 for x in report["sites"] if x["rank"] is not None)
    vetoed = [x for x in report["sites"] if x["vetoes"]]
    click.echo(_("评测 %(start)s 至 %(end)s：%(sites)s 个网站，%(ranked)s 个排名，%(vetoed)s 个单项否决 → %(target)s",
                 start=report["from"], end=report["to"], sites=len(report["sites"]), ranked=ranked,
                 vetoed=len(vetoed), target=target))
    for x in vetoed:
        click.echo(f"  {x['source']}: " + "; ".join(f"{c} ({x['veto_reasons'][c]})" for c in x["vetoes"]))


# --------------------------------------------------------------------------- review
@cli.command()
@click.option("--withdrawn", is_flag=True,
              help="改为显示：来源已撤下原页面的已发布稿件，由编辑决定保留还是撤稿。")
@click.option("--json", "as_json", is_flag=True, help="机器可读的输出。")
@click.pass_obj
def queue(obj: Ctx, withdrawn: bool, as_json: bool) -> None:
    """审核队列，每个报道一行（重复的合并显示）。"""
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
    """从命令行通过、退回、撤稿或保留稿件（密码来自 $HUIJU_PASSWORD 或标准输入）。"""


@review.command("approve")
@click.argument("item_ids", nargs=-1, required=True, type=int, help="稿件编号（一个或多个）。")
@click.option("--column", default=None, help="发布到这个栏目，而不是分配到的栏目。")
@click.option("--reason", default="", help="编辑把稿件移出签发要求更严的栏目时说明原因。")
@click.option("--user", required=True, help="审核员的用户名。")
@click.option("--override-checks", "override_checks", default=None, metavar="REASON",
              help="编辑：即使检查发现阻止级问题也通过（记入历史）。")
@click.pass_obj
def review_approve(obj: Ctx, item_ids: tuple[int, ...], column: str | None, reason: str, user: str,
                   override_checks: str | None) -> None:
    """通过稿件，或给出下一级签发（签发链已完成的稿件随即发布）。

    检查（run.py checks）发现阻止级问题的稿件会被拒绝，除非编辑给出
    --override-checks REASON。"""
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
@click.argument("item_ids", nargs=-1, required=True, type=int, help="稿件编号（一个或多个）。")
@click.option("--reason", default="", help="原因（记入历史）。")
@click.option("--user", required=True, help="审核员的用户名。")
@click.pass_obj
def review_reject(obj: Ctx, item_ids: tuple[int, ...], reason: str, user: str) -> None:
    """退回稿件；它们留下墓碑记录，不再回到队列。"""
    import review_queue

    db = obj.db()
    authenticate_cli(db, user)
    review_queue.reject(db, list(item_ids), user=user, reason=reason)
    for item_id in item_ids:
        click.echo(_("#%(id)s：%(state)s", id=item_id, state=state_name(review_queue.state(db, item_id))))


@review.command("retract")
@click.argument("item_id", type=int, help="稿件编号。")
@click.option("--reason", required=True, help="原因（门户的变更流和历史中显示）。")
@click.option("--user", required=True, help="编辑的用户名。")
@click.pass_obj
def review_retract(obj: Ctx, item_id: int, reason: str, user: str) -> None:
    """从门户撤下已发布的稿件（编辑）；撤稿立即发布。"""
    import pipeline
    import review_queue

    config = obj.config()
    db = obj.db()
    authenticate_cli(db, user)
    review_queue.retract(db, item_id, user=user, reason=reason)
    stats = pipeline.publish_due(db, config)
    click.echo(_("#%(id)s：已撤稿，撤稿已发布", id=item_id) if stats.retracted else _("#%(id)s：已撤稿", id=item_id))


@review.command("keep")
@click.argument("item_id", type=int, help="稿件编号。")
@click.option("--reason", default="", help="保留的原因（记入历史）。")
@click.option("--user", required=True, help="编辑的用户名。")
@click.pass_obj
def review_keep(obj: Ctx, item_id: int, reason: str, user: str) -> None:
    """来源撤下了原页面，但仍在门户上保留这篇已发布的稿件（编辑）。"""
    import review_queue

    db = obj.db()
    authenticate_cli(db, user)
    review_queue.keep(db, item_id, user=user, reason=reason)
    click.echo(_("#%(id)s：保留在门户", id=item_id))


@review.command("undo")
@click.argument("item_id", type=int, help="稿件编号。")
@click.option("--reason", default="", help="原因（记入历史）。")
@click.option("--user", required=True, help="通过者（或编辑）的用户名。")
@click.pass_obj
def review_undo(obj: Ctx, item_id: int, reason: str, user: str) -> None:
    """撤销尚未发布的通过（时限见 [web] approval_hold）；稿件重新等待审核。"""
    import review_queue

    db = obj.db()
    authenticate_cli(db, user)
    state = review_queue.undo_approve(db, item_id, user=user, reason=reason)
    click.echo(_("#%(id)s：通过已撤销，%(state)s", id=item_id, state=state_name(state)))


@review.command("unreject")
@click.argument("item_id", type=int, help="稿件编号。")
@click.option("--reason", required=True, help="退回错在哪里（记入历史）。")
@click.option("--user", required=True, help="编辑的用户名。")
@click.pass_obj
def review_unreject(obj: Ctx, item_id: int, reason: str, user: str) -> None:
    """撤销退回（编辑）：解除墓碑记录，稿件重新等待审核。"""
    import review_queue

    db = obj.db()
    authenticate_cli(db, user)
    state = review_queue.unreject(db, item_id, user=user, reason=reason)
    click.echo(_("#%(id)s：退回已撤销，%(state)s", id=item_id, state=state_name(state)))


@review.command("correct")
@click.argument("item_id", type=int, help="稿件编号。")
@click.option("--reason", required=True, help="已发布的报道错在哪里。")
@click.option("--user", required=True, help="审核员的用户名。")
@click.pass_obj
def review_correct(obj: Ctx, item_id: int, reason: str, user: str) -> None:
    """打开已发布的报道进行更正：在网页界面中编辑，再按签发流程通过。"""
    import review_queue

    db = obj.db()
    authenticate_cli(db, user)
    review_queue.start_correction(db, item_id, user=user, reason=reason)
    click.echo(_("#%(id)s：更正已开始（编辑后再通过，门户收到更新）", id=item_id))


@review.command("split")
@click.argument("item_id", type=int, help="稿件编号。")
@click.option("--reason", required=True, help="为什么是另一篇报道（记入历史）。")
@click.option("--user", required=True, help="编辑的用户名。")
@click.pass_obj
def review_split(obj: Ctx, item_id: int, reason: str, user: str) -> None:
    """把稿件从所在报道中拆出，成为单独的报道（编辑）；以后入库也保持分开。"""
    import review_queue

    db = obj.db()
    authenticate_cli(db, user)
    cluster = review_queue.split_story(db, item_id, user=user, reason=reason)
    click.echo(_("#%(id)s：已拆出为报道 %(story)s（%(state)s）", id=item_id, story=cluster,
                 state=state_name(review_queue.state(db, item_id))))


@review.command("merge")
@click.argument("item_id", type=int, help="留下的报道中的一个稿件编号。")
@click.argument("other_id", type=int, help="并入它的报道中的一个稿件编号。")
@click.option("--reason", required=True, help="为什么是同一篇报道（记入历史）。")
@click.option("--user", required=True, help="编辑的用户名。")
@click.pass_obj
def review_merge(obj: Ctx, item_id: int, other_id: int, reason: str, user: str) -> None:
    """把 OTHER_ID 所在的报道并入 ITEM_ID 的报道（编辑）；以后两者的转载都并入它。"""
    import review_queue

    db = obj.db()
    authenticate_cli(db, user)
    cluster = review_queue.merge_stories(db, item_id, other_id, user=user, reason=reason)
    click.echo(_("#%(other)s：所在报道已并入 #%(id)s 的报道 %(story)s", other=other_id, id=item_id, story=cluster))


# --------------------------------------------------------------------------- publishing
@cli.command()
@click.option("--export", "export_dir", default=None, metavar="DIR",
              help="同时把静态订阅源和 API 文件写到 DIR（供 nginx 或 CDN 使用）。")
@click.option("--base-url", default=None, help="导出的链接所用的公开基础网址。")
@click.option("--json", "as_json", is_flag=True, help="机器可读的输出。")
@click.pass_obj
def publish(obj: Ctx, export_dir: str | None, base_url: str | None, as_json: bool) -> None:
    """把已采集的内容入库，发布所有已通过的稿件；可选导出静态文件。"""
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
    click.echo(_("已发布 %(published)s，已撤稿 %(retracted)s", published=stats.published, retracted=stats.retracted)
               + (_("，暂缓 %(held)s（approval_hold；下一条于北京时间 %(t)s 发布）", held=len(held),
                    t=short_time(held[0]["publishes_at"])) if held else ""))
    if export_dir:
        click.echo(_n("已导出 %(n)s 个文件到 %(dir)s", len(written), dir=export_dir))


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="机器可读的输出（一个 JSON 数组）。")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="最多这么多条（最新的在前）。")
@click.option("--state", default=None, help="只显示处于这个状态的条目（new、pending、published……）。")
@click.option("--column", default=None, help="只显示这个栏目的条目（目录中的栏目 id）。")
@click.pass_obj
def items(obj: Ctx, as_json: bool, limit: int | None, state: str | None, column: str | None) -> None:
    """已存储的条目，及其状态、栏目和聚类（以及检查尚未处理的发现）。"""
    import checks
    import normalizers
    import review_queue

    if state is not None and state not in ("new", *review_queue.STATES):
        raise Fail(_("没有状态 %(state)s（已有：%(known)s）", state=repr(state),
                     known=", ".join(("new", *review_queue.STATES))))
    if column is not None and column not in obj.config().columns:
        raise Fail(_("没有栏目 %(column)s（已有：%(known)s）", column=repr(column), known=", ".join(obj.config().columns)))
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
                   f"{cell(o['published_at'] or _('日期不明'), 25)} {o['title']}")
    click.echo(_n("%(n)s 条", len(out)))


@cli.command("checks")
@click.option("--all", "every_state", is_flag=True, help="任何状态的条目，而不只是等待审核的。")
@click.option("--links", is_flag=True, help="先检查到期的链接（404/410），与守护进程的做法相同。")
@click.option("--json", "as_json", is_flag=True, help="机器可读的输出（一个 JSON 数组）。")
@click.pass_obj
def checks_cmd(obj: Ctx, every_state: bool, links: bool, as_json: bool) -> None:
    """发布前检查尚未处理的发现（个人信息、用语、链接、日期、来源行）。"""
    import checks
    import review_queue

    config = obj.config()
    checks.checker(config)  # a term file with a mistake: one line naming file and line
    db = obj.db() if links else obj.db(readonly=True)
    if links:
        stats = checks.link_pass(db, config)
        if not as_json:
            click.echo(_("已检查链接 %(checked)s 个，回答 404/410 的 %(dead)s 个，无法访问的 %(errors)s 个",
                         checked=stats.checked, dead=stats.dead, errors=stats.errors))
    found = checks.open_findings(db)
    states = review_queue.states(db, list(found))
    rows = [{"item_id": item_id, "state": states.get(item_id, "new"), **f.as_dict()}
            for item_id, fs in found.items() for f in fs
            if every_state or states.get(item_id) in review_queue.REVIEWABLE]
    if as_json:
        emit_json(rows)
        return
    if rows:
        click.echo(f"{cell(_('编号'), 6, right=True)}  {cell(_('状态'), 16)} {cell(_('级别'), 8)} "
                   f"{cell(_('代码'), 15)} {cell(_('位置'), 8)} " + _("文本"))
    for r in rows:
        place = "-" if r["paragraph"] is None else (_("标题") if r["paragraph"] == 0
                                                     else f"p{r['paragraph']}:{r['offset']}")
        click.echo(f"{r['item_id']:>6}  {cell(r['state'], 16)} {r['severity']:8} {r['code']:15} {cell(place, 8)} "
                   f"{r['text']}" + (_("（已由 %(user)s 放行）", user=r["overridden_by"]) if r["overridden_by"] else ""))
    blocks = sum(r["severity"] == "block" and not r["overridden_by"] for r in rows)
    click.echo(_n("%(n)s 个未处理的发现，其中 %(blocks)s 个阻止通过", len(rows), blocks=blocks))


# --------------------------------------------------------------------------- maintenance
@cli.command()
@click.argument("dest", metavar="DEST", help="副本的文件路径（已有的文件被替换）。")
@click.option("--json", "as_json", is_flag=True, help="机器可读的输出。")
@click.pass_obj
def backup(obj: Ctx, dest: str, as_json: bool) -> None:
    """在数据库使用中把它复制到 DEST（一致的副本），然后校验副本。

    副本取得它的名字之前，先重新打开并检查（PRAGMA integrity_check）；它有自己的变更流
    纪元（epoch），所以恢复之后门户会重新同步（见 README 的 Deployment 一节）。
    """
    from pipeline import maintenance

    result = maintenance.backup(obj.db(readonly=True), dest)
    if as_json:
        emit_json(vars_of(result))
        return
    click.echo(_("备份 %(path)s：%(bytes)s 字节，用时 %(secs).1f 秒，完整性检查 %(integrity)s", path=result.path,
                 bytes=format(result.bytes, ","), secs=result.seconds, integrity=result.integrity))


@cli.command()
@click.option("--dry-run", is_flag=True, help="只统计会清理多少。")
@click.option("--json", "as_json", is_flag=True, help="机器可读的输出。")
@click.pass_obj
def prune(obj: Ctx, dry_run: bool, as_json: bool) -> None:
    """立即执行保留策略（配置中的 [retention]）；守护进程每天执行一次。

    清理超过保留天数的已采集页面原文和被取代的版本、旧的检查记录；已发布的条目和
    每个条目的最新版本都保留。
    """
    from pipeline import maintenance

    config = obj.config()
    report = maintenance.prune(obj.db(readonly=dry_run) if dry_run else obj.db(), config, dry_run=dry_run)
    if as_json:
        emit_json({**vars_of(report), "total": report.total})
        return
    for package in ("collectors", "normalizers"):
        for kind, n in getattr(report, package).items():
            what = f"{package}.{kind}"
            click.echo(_("将清理 %(n)8d  %(what)s", n=n, what=what) if dry_run
                       else _("已清理 %(n)8d  %(what)s", n=n, what=what))
    sizes = {"db": report.db_bytes / 2**20, "free": report.free_bytes / 2**20}
    click.echo(_n("共将清理 %(n)s 行；数据库 %(db).1f MB，其中 %(free).1f MB 可重新使用", report.total, **sizes)
               if dry_run else
               _n("共已清理 %(n)s 行；数据库 %(db).1f MB，其中 %(free).1f MB 可重新使用", report.total, **sizes))


# --------------------------------------------------------------------------- users
@cli.group()
def users() -> None:
    """管理审核员账户。"""


@users.command("add")
@click.argument("name", help="用户名。")
@click.option("--role", required=True, type=click.Choice(ROLES),
              help="reviewer：通过、退回和编辑（初审）；editor：还可签发（终审）、撤稿、撤销退回、"
                   "接管编辑锁；admin：还可管理用户、释放任何编辑锁。")
@click.pass_obj
def users_add(obj: Ctx, name: str, role: str) -> None:
    """创建用户；密码从标准输入读取（在终端上输入两次）。"""
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
@click.option("--json", "as_json", is_flag=True, help="机器可读的输出。")
@click.pass_obj
def users_list(obj: Ctx, as_json: bool) -> None:
    """列出用户及其角色。"""
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
@click.argument("name", help="用户名。")
@click.pass_obj
def users_passwd(obj: Ctx, name: str) -> None:
    """设置用户的密码（从标准输入读取）；该用户的所有会话立即结束。"""
    import review_queue

    review_queue.set_password(obj.db(), name, read_new_password())
    click.echo(_("用户 %(name)s：密码已设置，%(name)s 的所有会话已结束", name=name))


@users.command("role")
@click.argument("name", help="用户名。")
@click.argument("role", type=click.Choice(ROLES), help="新角色：reviewer、editor 或 admin。")
@click.pass_obj
def users_role(obj: Ctx, name: str, role: str) -> None:
    """更改用户的角色（在该用户的下一个请求时生效）。"""
    import review_queue

    review_queue.set_role(obj.db(), name, role)
    click.echo(_("用户 %(name)s：角色%(role)s", name=name, role=role_name(role)))


@users.command("disable")
@click.argument("name", help="用户名。")
@click.pass_obj
def users_disable(obj: Ctx, name: str) -> None:
    """停用账户；它的所有会话立即结束（历史保留）。"""
    import review_queue

    review_queue.disable_user(obj.db(), name)
    click.echo(_("用户 %(name)s：已停用，所有会话已结束", name=name))


@users.command("enable")
@click.argument("name", help="用户名。")
@click.pass_obj
def users_enable(obj: Ctx, name: str) -> None:
    """重新启用已停用的账户。"""
    import review_queue

    review_queue.disable_user(obj.db(), name, disabled=False)
    click.echo(_("用户 %(name)s：已启用", name=name))


@cli.command()
@click.argument("item_id", type=int, help="稿件编号。")
@click.option("--user", required=True, help="管理员的用户名（密码来自 $HUIJU_PASSWORD 或标准输入）。")
@click.pass_obj
def unlock(obj: Ctx, item_id: int, user: str) -> None:
    """释放稿件的编辑锁，无论谁持有（管理员；记入历史）。"""
    import review_queue

    db = obj.db()
    authenticate_cli(db, user)
    released = review_queue.unlock(db, item_id, user=user)
    click.echo(_("#%(id)s：编辑锁已释放", id=item_id) if released else _("#%(id)s：没有编辑锁", id=item_id))


@cli.command()
@click.argument("item_id", type=int, help="稿件编号。")
@click.option("--json", "as_json", is_flag=True, help="机器可读的输出。")
@click.pass_obj
def history(obj: Ctx, item_id: int, as_json: bool) -> None:
    """稿件经历的一切：谁、何时（北京时间）、改了什么。"""
    import review_queue

    db = obj.db(readonly=True)
    review_queue.state(db, item_id)  # UnknownItem (one line) for an item never in review
    entries = review_queue.history(db, item_id)
    from review_queue import messages

    use_language()
    if as_json:  # note_code/note_params and the English note for scripts, the names in the chosen language
        emit_json([{**h, "action_name": messages.history_action(h["action"]), "note_text": messages.history_note(h)}
                   for h in entries])
        return
    for h in entries:
        states = f"{state_name(h['from_state']) if h['from_state'] else '-'} → {state_name(h['to_state'])}"
        click.echo(f"{short_time(h['at'])}  {messages.actor_label(h['actor']):12} "
                   f"{messages.history_action(h['action']):16} {states}"
                   + (f"  {messages.history_note(h)}" if h["note"] else ""))
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


def cell(text: Any, width: int, *, right: bool = False) -> str:
    """*text* padded to *width* terminal columns: a Chinese character takes two (str.ljust counts one),
    so the translated headers and names line up with the columns under them in both languages."""
    text = str(text)
    pad = " " * max(0, width - columns_of(text))
    return pad + text if right else text + pad


def source_state_name(state: str) -> str:
    """A source's health state (collectors.health: ok, failing, …) in the chosen language; --json keeps the code."""
    names = {"ok": _("正常"), "failing": _("失败"), "backing-off": _("退避中"), "quiet": _("沉寂"),
             "disabled": _("已停用"), "unchecked": _("未检查")}
    return names.get(state, state)


def column_message(r: Any) -> str:
    """Why a column of ``run.py columns`` needs attention (publisher.ColumnFreshness), in the chosen language."""
    facts = {"name": r.name, "column": r.column, "due": r.due_by}
    if r.status == "stale":
        if r.due_by is None:
            return _("栏目「%(name)s」(%(column)s) 从未发布有日期的信息：已超期", **facts)
        return _n("栏目「%(name)s」(%(column)s) 已超期 %(n)s 天未更新，期限 %(due)s", -(r.days_left or 0), **facts)
    if r.status == "alert":
        return _("栏目「%(name)s」(%(column)s) 今天是更新期限 %(due)s", **facts)
    if r.status == "warn":
        return _n("栏目「%(name)s」(%(column)s) 需在 %(due)s 前更新，还剩 %(n)s 天", r.days_left or 0, **facts)
    return _("栏目「%(name)s」(%(column)s) 正常", **facts)


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
    """Entry point: like click's, but a usage error is one line too (in the chosen language)."""
    from review_queue import catalogs

    with catalogs.click_language(language_of(sys.argv[1:])):
        _main()


def _main() -> None:
    try:
        cli.main(standalone_mode=False, prog_name="run.py")
    except click.UsageError as exc:
        where = exc.ctx.command_path if exc.ctx else "run.py"
        click.echo(f"error: {exc.format_message()} " + _("（见 `%(where)s --help`）", where=where), err=True)
        sys.exit(2)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo(_("已取消"), err=True)
        sys.exit(1)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)


if __name__ == "__main__":
    main()
