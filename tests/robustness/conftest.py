"""The hostile outside world for end-to-end tests: a local web server serving real-world defects.

``web`` is a tiny http.server on 127.0.0.1 (free port) whose routes a test sets and changes
(a story corrected upstream, then deleted, then restored). ``Huiju`` drives the REAL pipeline
on it: settings.loads → collectors.collect → pipeline.run_once → review_queue → publish_due,
and reads every output a user or the portal sees.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

import collectors
import pipeline
import publisher
import review_queue
import settings
import store

PASSWORD = "correct-horse-battery-staple"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Route:
    body: bytes
    status: int = 200
    content_type: str = "text/html"


@dataclass
class Web:
    """Routes by path; a missing path answers 404."""

    routes: dict[str, Route] = field(default_factory=dict)
    base: str = ""
    hits: list[str] = field(default_factory=list)

    def put(self, path: str, body: str | bytes, *, status: int = 200, content_type: str = "text/html") -> str:
        self.routes[path] = Route(body.encode("utf-8") if isinstance(body, str) else body, status, content_type)
        return self.base + path

    def delete(self, path: str) -> None:
        self.routes.pop(path, None)


def _handler(web: Web) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            web.hits.append(self.path)
            route = web.routes.get(self.path) or web.routes.get(self.path.split("?")[0])
            if route is None:
                route = Route(b"<html><body>404 Not Found</body></html>", 404)
            self.send_response(route.status)
            self.send_header("Content-Type", route.content_type)
            self.send_header("Content-Length", str(len(route.body)))
            self.end_headers()
            self.wfile.write(route.body)

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture(scope="session")
def web_server():
    web = Web()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(web))
    web.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield web
    server.shutdown()
    server.server_close()


@pytest.fixture()
def web(web_server: Web) -> Web:
    web_server.routes.clear()
    web_server.hits.clear()
    return web_server


SOURCE_TOML = """
[[sources]]
id = "{id}"
name = "{name}"
kind = "{kind}"
type = "{type}"
url = "{url}"
column = "{column}"
every = "15m"
review = "{review}"
{extra}
"""


def config_for(sources: list[dict[str, str]]) -> settings.Config:
    """A settings.Config from schedules.toml text (the same loader operators use)."""
    text = "[collector]\nbackoff_base = 1\nconnect_timeout = 2\nread_timeout = 5\ntotal_timeout = 10\n"
    for s in sources:
        fields = {"name": "测试来源", "kind": "city", "column": "city-news", "review": "required",
                  "extra": "", **s}
        text += SOURCE_TOML.format(**fields)
    return settings.loads(text, "robustness.toml")


class Huiju:
    """One Huiju installation (a temporary database) collecting from the hostile web."""

    def __init__(self, db_path: Path, config: settings.Config, now: datetime | None = None) -> None:
        self.db_path = str(db_path)
        self.db = store.open_db(self.db_path)
        self.config = config
        self.now = now or datetime.now(UTC)
        pipeline.init_all(self.db)
        review_queue.add_user(self.db, "zhang", "editor", PASSWORD)

    # --- the pipeline ----------------------------------------------------------------------
    def collect(self, advance: timedelta = timedelta(hours=1)) -> list[collectors.SourceResult]:
        self.now += advance
        results = collectors.collect(self.db, self.config.sources, self.config.collector, now=self.now)
        return results

    def run(self) -> pipeline.PassStats:
        stats = pipeline.run_once(self.db, self.config, now=self.now)
        assert stats.errors == [], stats.errors
        return stats

    def cycle(self, advance: timedelta = timedelta(hours=1)) -> list[collectors.SourceResult]:
        results = self.collect(advance)
        self.run()
        return results

    def items(self) -> list[dict[str, Any]]:
        import normalizers

        return list(reversed(normalizers.list_items(self.db)))

    def state(self, item_id: int) -> str:
        return review_queue.state(self.db, item_id)

    def approve_all(self) -> list[int]:
        ids = [i for e in review_queue.queue(self.db) for i in e.members[:1]]
        if ids:
            review_queue.approve(self.db, ids, user="zhang", now=self.now, config=self.config)
        pipeline.publish_due(self.db, self.config, now=self.past_the_hold())
        return ids

    def past_the_hold(self) -> datetime:
        """The harness's time once a person's approval given now has waited out [web] approval_hold."""
        return self.now + timedelta(seconds=self.config.web.approval_hold)

    def reject(self, item_id: int) -> None:
        review_queue.reject(self.db, [item_id], user="zhang", reason="not ours", now=self.now)

    # --- what users and the portal see -----------------------------------------------------
    def feeds(self) -> dict[str, bytes]:
        base = "https://huiju.example.gov.cn"
        return {
            "rss": publisher.render_rss(self.db, self.config, None, base),
            "atom": publisher.render_atom(self.db, self.config, None, base),
            "json": publisher.render_json_feed(self.db, self.config, None, base),
        }

    def client(self):
        app = pipeline.create_app(self.db_path, self.config)
        app.config["TESTING"] = True
        return app.test_client()

    def reviewer(self):
        client = self.client()
        page = client.get("/review/login").get_data(as_text=True)
        token = TOKEN.search(page).group(1)
        resp = client.post("/review/login", data={"name": "zhang", "password": PASSWORD, "csrf_token": token})
        assert resp.status_code == 302, resp.get_data(as_text=True)[:300]
        return client

    def all_outputs(self, query: str = "") -> dict[str, str]:
        """Every surface a payload could reach: review UI, feeds, API, search, static export."""
        out = {k: v.decode("utf-8") for k, v in self.feeds().items()}
        rc = self.reviewer()
        out["review-queue"] = rc.get("/review/").get_data(as_text=True)
        out["review-published"] = rc.get("/review/published").get_data(as_text=True)
        for it in self.items():
            out[f"review-item-{it['id']}"] = rc.get(f"/review/item/{it['id']}").get_data(as_text=True)
            out[f"review-edit-{it['id']}"] = rc.get(f"/review/item/{it['id']}/edit").get_data(as_text=True)
        c = self.client()
        out["api-items"] = c.get("/api/v1/items").get_data(as_text=True)
        for it in json.loads(out["api-items"])["items"]:
            out[f"api-item-{it['item_id']}"] = c.get(f"/api/v1/items/{it['item_id']}").get_data(as_text=True)
        if query:
            out["search"] = c.get("/api/v1/search", query_string={"q": query}).get_data(as_text=True)
        export_dir = Path(self.db_path).parent / "export"
        for p in publisher.export(self.db, self.config, export_dir, base_url="https://huiju.example.gov.cn",
                                  now=self.now):
            out[f"export:{p.relative_to(export_dir)}"] = p.read_text("utf-8")
        return out


@pytest.fixture()
def huiju_for(tmp_path):
    made: list[Huiju] = []

    def make(sources: list[dict[str, str]], now: datetime | None = None) -> Huiju:
        h = Huiju(tmp_path / f"huiju{len(made)}.db", config_for(sources), now)
        made.append(h)
        return h

    yield make
    for h in made:
        h.db.conn.close()


# --- what "safe" means for every output ------------------------------------------------------
_BAD_TAGS = {"script", "iframe", "frame", "object", "embed", "applet", "svg", "math", "base", "style",
             "link", "form", "input", "button", "textarea", "noscript", "template", "meta"}
_URL_ATTRS = ("href", "src", "action", "formaction", "xlink:href", "poster", "background", "srcset")


def _bad_url(value: str) -> bool:
    v = re.sub(r"[\x00-\x20\x7f]", "", value or "").lower()
    m = re.match(r"([a-z][a-z0-9+.\-]*):", v)
    return bool(m) and m.group(1) not in ("http", "https", "mailto")


def html_dangers(fragment: str, *, page: bool = False) -> list[str]:
    """Executable things a browser would find in *fragment* (or a whole page of our own UI)."""
    import lxml.html

    if not fragment or not fragment.strip():
        return []
    root = lxml.html.document_fromstring(fragment) if page else lxml.html.fragment_fromstring(
        fragment, create_parent="div")
    found = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        tag = el.tag.lower()
        if tag in _BAD_TAGS:
            own = page and (
                (tag == "script" and (el.get("src") or "").startswith("/review/static/") and not (el.text or "").strip())
                or (tag == "link" and (el.get("href") or "").startswith("/review/static/"))
                or (tag == "meta" and not el.get("http-equiv"))
                or (tag in ("form", "input", "button", "textarea") and not _bad_url(el.get("action") or "")))
            if not own:
                found.append(f"<{tag}> element")
        for name, value in el.attrib.items():
            low = name.lower()
            if low.startswith("on") or low in ("style", "srcdoc"):
                found.append(f"{tag} @{name}={value[:60]!r}")
            elif low in _URL_ATTRS and _bad_url(value):
                found.append(f"{tag} @{name}={value[:60]!r}")
    return found


def feed_dangers(name: str, body: str) -> list[str]:
    """Markup in feed titles and executable HTML in feed bodies (RSS, Atom, JSON Feed, API)."""
    from lxml import etree

    out: list[str] = []
    if body.lstrip().startswith(("{", "[")):
        def walk(obj: Any, key: str = "") -> None:
            if isinstance(obj, dict):
                for k, v in obj.items():
                    walk(v, k)
            elif isinstance(obj, list):
                for v in obj:
                    walk(v, key)
            elif isinstance(obj, str):
                if key in ("content_html", "html", "excerpt_html", "title_html"):  # HTML fields: checked as HTML
                    out.extend(f"{key}: {d}" for d in html_dangers(obj))
                elif key in ("url", "external_url", "home_page_url", "feed_url") and _bad_url(obj):
                    out.append(f"{key}: {obj[:60]!r}")
                elif "<" in obj and re.search(r"<[a-zA-Z/!]", obj):
                    out.append(f"{key}: markup in text {obj[:80]!r}")

        walk(json.loads(body))
        return out
    root = etree.fromstring(body.encode("utf-8"))
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        local = etree.QName(el).localname
        text = el.text or ""
        if local in ("description", "content", "summary", "encoded"):
            out.extend(f"{local}: {d}" for d in html_dangers(text))
        elif local in ("title", "creator", "name", "category") and re.search(r"<[a-zA-Z/!]", text):
            out.append(f"{local}: markup in text {text[:80]!r}")
        for attr in ("href", "url", "uri"):
            if el.get(attr) and _bad_url(el.get(attr)):
                out.append(f"{local} @{attr}={el.get(attr)[:60]!r}")
    return out


def output_dangers(outputs: dict[str, str]) -> list[str]:
    found = []
    for name, body in outputs.items():
        if name.startswith("review-"):
            found.extend(f"{name}: {d}" for d in html_dangers(body, page=True))
        else:
            found.extend(f"{name}: {d}" for d in feed_dangers(name, body))
    return found
