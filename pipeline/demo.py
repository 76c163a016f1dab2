"""`run.py demo`: the sample province on 127.0.0.1 plus the daemon collecting it."""

from __future__ import annotations

import errno
import logging
import secrets
from datetime import datetime, timedelta

import click

import review_queue
import settings
import store
from pages.times import SHANGHAI
from pipeline.daemon import Daemon
from pipeline.flow import init_all
from review_queue import catalogs, messages

log = logging.getLogger("huiju.demo")


def _(msgid: str, **variables: object) -> str:
    """What the demo tells the operator, in the command line's language (catalog domain "cli":
    the Chinese id, English in review_queue/translations/en/LC_MESSAGES/cli.po)."""
    return catalogs.gettext(msgid, "cli", **variables)


def ensure_demo_user(db_path: str, username: str) -> str:
    """Create (or reset) the demo reviewer with a fresh random password, and return it."""
    db = store.open_db(db_path)
    try:
        init_all(db)
        password = secrets.token_urlsafe(9)
        if any(u.name == username for u in review_queue.list_users(db)):
            review_queue.set_password(db, username, password)
        else:
            review_queue.add_user(db, username, "editor", password)
        return password
    finally:
        db.conn.close()


def banner(*, province_url: str, web_url: str, username: str, password: str, corpus_dir: object,
           db_path: str, config_path: str) -> list[str]:
    """What the demo prints once it is ready: where everything is and how to log in, in the command
    line's language (a separate function so that both languages are tested without starting it)."""
    text_note = _("真实文本，来自 %(dir)s", dir=corpus_dir) if corpus_dir else _("生成的文本：没有找到语料")
    return [
        "",
        _("汇聚演示正在运行（Ctrl-C 全部停止）。"),
        _("  示例省份      ：%(url)s/   （%(text)s）", url=province_url, text=text_note),
        _("  审核界面      ：%(url)s/review/   用户：%(user)s（%(role)s）   密码：%(password)s",
          url=web_url, user=username, role=messages.role_label("editor"), password=password),
        _("  订阅源        ：%(url)s/feeds/all.rss   %(url)s/feeds/city-news.atom", url=web_url),
        _("  JSON 接口     ：%(url)s/api/v1/items   %(url)s/api/v1/columns", url=web_url),
        _("  健康、指标    ：%(url)s/healthz   %(url)s/metrics", url=web_url),
        _("  数据库        ：%(db)s   配置：%(config)s", db=db_path, config=config_path),
        "",
    ]


def run_demo(config_path: str, db_path: str, *, port: int, speed: float, seed: int,
             corpus: str | None, username: str) -> None:
    """Start everything, print how to use it, block until Ctrl-C, stop everything."""
    import sample_province

    # The simulated week starts seven days ago, so that for the first hour or so (at the default
    # speed) every simulated publish time lies in the past and column freshness is meaningful.
    today = datetime.now(SHANGHAI).date()
    start_day = (today - timedelta(days=7)).isoformat()
    try:
        province = sample_province.start(port=port + 1, seed=seed, speed=speed, corpus=corpus,
                                         start_day=start_day)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise OSError(_("端口 %(port)s（示例省份）已被占用；用 --port 另选一个", port=port + 1)) from None
        raise
    try:
        # A day of history is already online when the demo starts, as on a real morning.
        province.advance(days=1)
        config = settings.load(config_path, variables={"province": province.url})
        password = ensure_demo_user(db_path, username)
        try:
            daemon = Daemon(config, db_path, host="127.0.0.1", port=port,
                            reload_config=lambda: settings.load(config_path, variables={"province": province.url}))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise OSError(_("端口 %(port)s 已被占用；用 --port 另选一个", port=port)) from None
            raise

        corpus_dir = sample_province.find_corpus(corpus)

        def ready(d: Daemon) -> None:
            for line in banner(province_url=province.url, web_url=d.url, username=username, password=password,
                               corpus_dir=corpus_dir, db_path=db_path, config_path=config_path):
                click.echo(line)

        daemon.on_ready = ready
        daemon.start()
    finally:
        province.stop()
