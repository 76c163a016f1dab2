"""Build the charset case matrix from cases.toml, serve it on 127.0.0.1 and collect every cell.

A cell is one family (GB2312, GBK, GB18030, Big5, UTF-8) × kind (an HTML list page with its
detail pages, or an RSS feed) × whether the document declares its charset (meta / XML prolog) ×
the HTTP header (none, the right charset, iso-8859-1, a wrong CJK charset). Each cell goes through
``collectors.probe`` — the real fetcher, decoder and parsers — and is right when every title comes
out exactly as written.
"""

from __future__ import annotations

import threading
import tomllib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import collectors

__all__ = ["Cell", "cells", "run_matrix", "HEADERS"]

CASES = Path(__file__).with_name("cases.toml")
HEADERS = ("none", "right", "iso-8859-1", "wrong-cjk")


@dataclass
class Cell:
    family: str
    kind: str  # "page" | "feed"
    declared: bool  # the document names its charset
    header: str  # one of HEADERS
    titles: list[str]
    routes: dict[str, tuple[bytes, str]] = field(repr=False, default_factory=dict)  # path -> (body, content type)
    got: list[str] = field(default_factory=list)
    charset: str | None = None
    notes: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def name(self) -> str:
        return f"{self.family}-{self.kind}-{'declared' if self.declared else 'undeclared'}-{self.header}"

    @property
    def right(self) -> bool:
        # the collector squashes runs of whitespace (an ideographic space too) in titles, by design
        return self.error is None and sorted(self.got) == sorted(" ".join(t.split()) for t in self.titles)


def _content_type(base: str, header: str, spec: dict) -> str:
    if header == "none":
        return base
    label = {"right": spec["label"], "iso-8859-1": "iso-8859-1", "wrong-cjk": spec["wrong_cjk"]}[header]
    return f"{base}; charset={label}"


def cells() -> list[Cell]:
    """Every cell of the matrix with the bytes it serves (paths are relative to the cell's prefix)."""
    families = tomllib.loads(CASES.read_text(encoding="utf-8"))["families"]
    out: list[Cell] = []
    for family, spec in families.items():
        titles = spec["titles"]
        enc = spec["encode"]
        for kind in ("page", "feed"):
            for declared in (True, False):
                for header in HEADERS:
                    c = Cell(family, kind, declared, header, titles)
                    if kind == "feed":
                        prolog = f'<?xml version="1.0" encoding="{spec["label"]}"?>\n' if declared else ""
                        items = "".join(
                            f"<item><title>{t}</title><link>http://example.gov.cn/{n}.html</link>"
                            f"<guid>{family}-{n}</guid><pubDate>Mon, 0{n + 1} Mar 2025 08:00:00 +0800</pubDate></item>"
                            for n, t in enumerate(titles))
                        body = f'{prolog}<rss version="2.0"><channel><title>{titles[0][:4]}</title>{items}</channel></rss>'
                        c.routes["feed.xml"] = (body.encode(enc), _content_type("application/rss+xml", header, spec))
                    else:
                        meta = f'<meta http-equiv="Content-Type" content="text/html; charset={spec["label"]}">' \
                            if declared else ""
                        rows = "".join(f'<li><a href="d{n}.html">{t}</a><span>2025-03-0{n + 1}</span></li>'
                                       for n, t in enumerate(titles))
                        page = f"<html><head>{meta}<title>{titles[0][:6]}</title></head><body><ul>{rows}</ul></body></html>"
                        c.routes["list.html"] = (page.encode(enc), _content_type("text/html", header, spec))
                        for n, t in enumerate(titles):
                            detail = (f"<html><head>{meta}<title>{t}</title></head><body><h1>{t}</h1>"
                                      f"<div class='content'><p>{t}。{t}。</p></div></body></html>")
                            c.routes[f"d{n}.html"] = (detail.encode(enc), _content_type("text/html", header, spec))
                    out.append(c)
    return out


def _server(routes: dict[str, tuple[bytes, str]]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            hit = routes.get(self.path)
            if hit is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body, ctype = hit
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def run_matrix(selected: list[Cell] | None = None) -> list[Cell]:
    """Collect every cell through ``collectors.probe`` and fill in what came out."""
    todo = selected if selected is not None else cells()
    routes = {f"/{c.name}/{path}": v for c in todo for path, v in c.routes.items()}
    srv = _server(routes)
    base = f"http://127.0.0.1:{srv.server_address[1]}"
    try:
        for c in todo:
            path = "feed.xml" if c.kind == "feed" else "list.html"
            try:
                items = collectors.probe(f"{base}/{c.name}/{path}", "rss" if c.kind == "feed" else "html")
            except collectors.CollectError as exc:
                c.error = str(exc)
                continue
            c.got = [" ".join(it.title.split()) for it in items]
            c.charset = items[0].charset if items else None
            c.notes = sorted({w for it in items for w in it.warnings if w.startswith("charset:")})
    finally:
        srv.shutdown()
        srv.server_close()
    return todo
