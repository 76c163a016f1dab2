"""One Flask app for everything HTTP: portal feeds and API, the reviewer UI, health, metrics."""

from __future__ import annotations

import hmac
import ipaddress
import os
import secrets
import shutil
import time
from pathlib import Path

import flask
from markupsafe import escape

import checks
import collectors
import evaluation
import normalizers
import publisher
import review_queue
import store
from settings import Config


def secret_key(db_path: str) -> str:
    """The session-signing key: $HUIJU_SECRET_KEY, else a random key kept next to the database.

    Never in the repository; created once with owner-only permissions.
    """
    env = os.environ.get("HUIJU_SECRET_KEY")
    if env:
        return env
    if db_path == ":memory:":
        return secrets.token_hex(32)
    path = Path(db_path).resolve().parent / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def metrics_allowed(request: flask.Request, config: Config) -> bool:
    """/metrics names sources and errors: only a configured bearer token or client network reads it.

    Neither is set by default (behind the README's reverse proxy every client looks local).
    """
    token = os.environ.get("HUIJU_METRICS_TOKEN", "")
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    networks = config.web.metrics_networks
    if not networks:
        return False
    client = review_queue.client_address(request.remote_addr, request.headers.get("X-Forwarded-For"),
                                         config.web.trusted_proxies)
    try:
        ip = ipaddress.ip_address(client)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(n, strict=False) for n in networks)


def create_app(db_path: str, config: Config, *, public_url: str = "") -> flask.Flask:
    """The WSGI app served by the daemon (pipeline/http_server.py) and by tests (Flask's test client)."""
    from pipeline.flow import publish_due

    app = flask.Flask("huiju")
    app.config.update(
        SECRET_KEY=secret_key(db_path),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        HUIJU_DB=db_path,
        HUIJU_CONFIG=config,
        HUIJU_PUBLIC_URL=public_url.rstrip("/"),
        HUIJU_DELETED_DAYS=config.web.deleted_days,
        HUIJU_AFTER_REVIEW=lambda db: publish_due(db, app.config["HUIJU_CONFIG"]),
        HUIJU_EVALUATE=lambda db, first, last: evaluation.evaluate(db, app.config["HUIJU_CONFIG"], first, last),
        HUIJU_EVALUATION_CHART=evaluation.site_chart,
        JSON_AS_ASCII=False,
    )
    app.json.ensure_ascii = False
    review_queue.init_app(app)
    app.register_blueprint(publisher.create_blueprint())
    app.register_blueprint(review_queue.create_blueprint(), url_prefix="/review")

    def db() -> store.sqlite_utils.Database:
        return store.open_db(db_path)

    @app.get("/")
    def index() -> str:
        cols = "".join(
            f'<li>{escape(c.name)} — <a href="/feeds/{c.id}.rss">RSS</a> · <a href="/feeds/{c.id}.atom">Atom</a>'
            f' · <a href="/feeds/{c.id}.json">JSON Feed</a> · <a href="/api/v1/items?column={c.id}">API</a></li>'
            for c in config.columns.values()
        )
        return (
            '<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>Huiju 汇聚</title>'
            "<h1>Huiju 汇聚</h1><p><a href=\"/review/\">审核 Review queue</a> · "
            '<a href="/feeds/all.rss">All columns (RSS)</a> · <a href="/api/v1/columns">API</a> · '
            '<a href="/healthz">health</a> · <a href="/metrics">metrics</a></p>'
            f"<h2>栏目 Columns</h2><ul>{cols}</ul></html>"
        )

    @app.get("/healthz/live")
    def healthz_live() -> flask.Response:
        # Liveness: the process answers HTTP. Restarting it would not fix a full disk, so nothing else.
        return flask.jsonify({"status": "alive"})

    @app.get("/healthz/ready")
    def healthz_ready() -> tuple[flask.Response, int]:
        checks = readiness(db_path, flask.current_app.config.get("HUIJU_STATUS"))
        failed = [name for name, c in checks.items() if not c["ok"]]
        return flask.jsonify({"status": "not-ready" if failed else "ready", "failed": failed,
                              "checks": checks}), 503 if failed else 200

    @app.get("/healthz")
    def healthz() -> flask.Response:
        config = flask.current_app.config["HUIJU_CONFIG"]
        try:
            conn = db()
            backlog = collectors.backlog(conn, normalizers.last_ingested(conn), 1000)
            health = collectors.health(conn, list(config.sources), settings=config.collector)
            quarantined = [{"collected_id": f["collected_id"], "source": f["source"], "error": f["last_error"]}
                           for f in normalizers.failed_ingests(conn)]
            taken_down = [w["item_id"] for w in review_queue.withdrawn_upstream(conn)]
            conn.close()
        except Exception as exc:
            return flask.jsonify({"status": "error", "error": f"{type(exc).__name__}: {exc}"}), 503
        # "ok" means the daemon works; sources in trouble are listed for the operator to act on.
        return flask.jsonify({
            "status": "ok", "ingest_backlog": backlog, "sources": len(health),
            "sources_failing": [h.id for h in health if h.state == "failing"],
            "sources_backing_off": [h.id for h in health if h.state == "backing-off"],
            "sources_alerting": [h.id for h in health if h.alert],
            "ingest_quarantined": quarantined,
            "published_withdrawn_upstream": taken_down,
            "checks_terms_error": checks.last_error(),  # a term file refused at reload (the old lists stay)
        })

    @app.get("/metrics")
    def metrics() -> flask.Response:
        config = flask.current_app.config["HUIJU_CONFIG"]
        status = flask.current_app.config.get("HUIJU_STATUS")
        if not metrics_allowed(flask.request, config):
            return flask.Response("metrics: a bearer token ($HUIJU_METRICS_TOKEN) or a client in "
                                  "[web] metrics_networks is needed\n", status=403, mimetype="text/plain")
        conn = db()
        try:
            lines = []
            gauges = dict(collectors.metrics(conn, list(config.sources), settings=config.collector))
            gauges["huiju_review_queue_clusters"] = len(review_queue.queue(conn))
            gauges["huiju_ingest_backlog"] = collectors.backlog(conn, normalizers.last_ingested(conn), 100000)
            gauges["huiju_ingest_quarantined"] = len(normalizers.failed_ingests(conn))
            # published items whose source took the page down, waiting for an editor's decision
            gauges["huiju_published_withdrawn_upstream"] = len(review_queue.withdrawn_upstream(conn))
            # open findings of the checks on items waiting for review, one gauge per code
            found = checks.open_findings(conn)
            waiting = {i for i, st in review_queue.states(conn, list(found)).items() if st in review_queue.REVIEWABLE}
            by_code = checks.counts(conn, waiting) if waiting else {}
            for code in checks.CODES:
                gauges[f'huiju_check_findings{{code="{code}"}}'] = by_code.get(code, 0)
            if status is not None:
                st = status()
                gauges["huiju_sources_state_unsaved"] = len(st["state_unsaved"])
                if st["heartbeat"]:
                    gauges["huiju_scheduler_heartbeat_age_seconds"] = round(time.time() - st["heartbeat"], 1)
                gauges["huiju_config_reloads_total"] = st["reloads"]
            for f in publisher.freshness(conn, config.columns):
                days = f.days_since if f.days_since is not None else -1
                gauges[f'huiju_column_days_since_update{{column="{f.column}"}}'] = days
                gauges[f'huiju_column_stale{{column="{f.column}"}}'] = 1 if f.status == "stale" else 0
                # 0 ok, 1 warn (half the limit), 2 alert (due today), 3 stale (overdue)
                gauges[f'huiju_column_freshness_level{{column="{f.column}"}}'] = publisher.FRESHNESS_LEVELS.index(f.status)
                if f.days_left is not None:
                    gauges[f'huiju_column_days_left{{column="{f.column}"}}'] = f.days_left
        finally:
            conn.close()
        for name, value in sorted(gauges.items()):
            lines.append(f"{name} {value}")
        return flask.Response("\n".join(lines) + "\n", mimetype="text/plain; version=0.0.4")

    return app


def readiness(db_path: str, status: object = None) -> dict[str, dict[str, object]]:
    """The checks behind /healthz/ready, each ``{"ok": bool, …why}``: the database takes a write,
    the scheduler's heartbeat is recent (only under the daemon), free disk is above the threshold,
    and every source's state could be saved."""
    checks: dict[str, dict[str, object]] = {}
    st = status() if callable(status) else None
    try:
        conn = store.open_db(db_path)
        try:
            conn.execute("PRAGMA busy_timeout = 2000")  # readiness answers within seconds, locked or not
            store.probe_write(conn)
        finally:
            conn.conn.close()
        checks["database_write"] = {"ok": True}
    except store.StoreError as exc:
        checks["database_write"] = {"ok": False, "error": str(exc)}
    except Exception as exc:  # noqa: BLE001 - sqlite3.Error and friends: named, one line
        import sqlite3

        why = store.describe_error(exc, db_path) if isinstance(exc, sqlite3.Error) else f"{type(exc).__name__}: {exc}"
        checks["database_write"] = {"ok": False, "error": why}
    min_free = int((st or {}).get("min_free_mb", 200)) * 1024 * 1024
    if db_path != ":memory:":
        folder = Path(db_path).resolve().parent
        try:
            free = shutil.disk_usage(folder).free
            checks["disk_free"] = {"ok": free >= min_free, "free_bytes": free, "min_bytes": min_free,
                                   **({} if free >= min_free else {"error": f"{free // 2**20} MB free next to "
                                       f"the database, below {min_free // 2**20} MB"})}
        except OSError as exc:
            checks["disk_free"] = {"ok": False, "error": f"{folder}: {exc.strerror}"}
    if st is not None:
        age = time.time() - st["heartbeat"] if st["heartbeat"] else None
        ok = age is not None and age <= st["heartbeat_max"] and not st["stopping"]
        checks["scheduler_heartbeat"] = {"ok": ok, "age_seconds": None if age is None else round(age, 1),
                                         "max_seconds": st["heartbeat_max"]}
        if not ok:
            checks["scheduler_heartbeat"]["error"] = ("stopping" if st["stopping"] else
                                                      f"no scheduler heartbeat for {age or 0:.0f} s")
        unsaved = st["state_unsaved"]
        checks["source_state_saved"] = {"ok": not unsaved, "sources": unsaved}
        if unsaved:
            checks["source_state_saved"]["error"] = f"{len(unsaved)} source(s) cannot record their state"
    return checks
