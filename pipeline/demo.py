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

log = logging.getLogger("huiju.demo")


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
            raise OSError(f"port {port + 1} (sample province) is in use; choose another with --port") from None
        raise
    try:
        # A day of history is already online when the demo starts, as on a real morning.
        province.advance(days=1)
        config = settings.load(config_path, variables={"province": province.url})
        password = ensure_demo_user(db_path, username)
        try:
            daemon = Daemon(config, db_path, host="127.0.0.1", port=port)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise OSError(f"port {port} is in use; choose another with --port") from None
            raise

        corpus_dir = sample_province.find_corpus(corpus)
        text_note = f"real text from {corpus_dir}" if corpus_dir else "generated text: no corpus found"

        def ready(d: Daemon) -> None:
            click.echo("")
            click.echo("Huiju demo is running (Ctrl-C stops everything).")
            click.echo(f"  sample province : {province.url}/   ({text_note})")
            click.echo(f"  review UI       : {d.url}/review/   user: {username} (editor)   password: {password}")
            click.echo(f"  feeds           : {d.url}/feeds/all.rss   {d.url}/feeds/city-news.atom")
            click.echo(f"  JSON API        : {d.url}/api/v1/items   {d.url}/api/v1/columns")
            click.echo(f"  health, metrics : {d.url}/healthz   {d.url}/metrics")
            click.echo(f"  database        : {db_path}   config: {config_path}")
            click.echo("")

        daemon.on_ready = ready
        daemon.start()
    finally:
        province.stop()
