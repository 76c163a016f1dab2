"""Start Debian's nginx on a loopback port with the shipped deploy/nginx/huiju.conf (tests, bench).

The shipped file is used as it is, with three substitutions: the listen address, the tree's
root and the daemon's address. nginx gets its own prefix, pid file and logs in a temporary
folder, runs in the foreground as a child process and is stopped by its pid.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "deploy" / "nginx" / "huiju.conf"

MAIN = """{user}daemon off;
master_process on;
worker_processes {workers};
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {site};
{extra}
}}
"""


def nginx_binary() -> str | None:
    return shutil.which("nginx") or (shutil.which("nginx", path="/usr/sbin:/sbin"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def site_config(root: Path, port: int, daemon: str) -> str:
    """The shipped server block, pointed at *root*, listening on 127.0.0.1:*port*, upstream *daemon*."""
    text = SHIPPED.read_text(encoding="utf-8")
    text = re.sub(r"listen 80;", f"listen 127.0.0.1:{port};", text)
    text = re.sub(r"root /srv/huiju/static;", f"root {root};", text)
    text = re.sub(r"server 127\.0\.0\.1:8080;", f"server {daemon};", text)
    return text


@contextmanager
def running(root: Path, prefix: Path, *, daemon: str = "127.0.0.1:9", workers: int = 1,
            extra: str = "") -> Iterator[str]:
    """nginx serving *root* with the shipped configuration; yields its base URL."""
    binary = nginx_binary()
    if binary is None:
        raise RuntimeError("nginx is not installed (apt-get install nginx-light)")
    prefix.mkdir(parents=True, exist_ok=True)
    port = free_port()
    site = prefix / "huiju.conf"
    site.write_text(site_config(root, port, daemon), encoding="utf-8")
    main = prefix / "nginx.conf"
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must read a tree only root may enter
    main.write_text(MAIN.format(user=user, prefix=prefix, site=site, workers=workers, extra=extra),
                    encoding="utf-8")
    proc = subprocess.Popen([binary, "-p", str(prefix), "-c", str(main)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"nginx exited: {proc.stderr.read().decode(errors='replace').strip()[:300]}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
