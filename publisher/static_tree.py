"""A static copy of the feeds and API at the daemon's URLs, kept current file by file.

Used two ways: the daemon keeps a *live* tree (``[web] static_dir``) current within seconds of
each publish, for nginx to serve (deploy/nginx/huiju.conf); ``publish --export DIR`` writes the
same tree once. Either way:

- each file is written to a temporary name in its own folder and renamed over the old one, so
  a reader sees the old or the new bytes, never half of them; unchanged files are not touched
  (their mtime, nginx's Last-Modified, stays the time of their last change);
- a manifest (``.huiju-manifest.json``) lists every file this module wrote; only those are ever
  replaced or removed: anything else in the folder is left alone (a file in the way is
  reported, not overwritten);
- temporary files of a run that was killed (``.huiju-tmp-*``) and the temporary trees of
  earlier versions' exports are cleaned at the next run;
- feeds and the catalog get ``.gz`` and ``.br`` twins for nginx's ``gzip_static`` /
  ``brotli_static``; item pages are small and are compressed by nginx on the fly.

Order: item files first, then feeds, then the catalog, so a link a reader follows exists.
The URLs are the daemon's: ``/feeds/{column}.{rss,atom,json}``, ``/api/v1/columns`` (file
``api/v1/columns``, and ``columns.json``), ``/api/v1/items/{id}`` (files ``{id}`` and
``{id}.json``), ``/api/v1/openapi.json``; the cursor API (``/api/v1/items?since=``) and search
stay with the daemon (the nginx configuration sends them there).
"""

from __future__ import annotations

import fcntl
import gzip
import hashlib
import json
import logging
import os
import secrets
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

import store
from publisher import epoch as stream_epoch
from publisher import openapi
from publisher.catalog import catalog
from publisher.errors import PublisherError
from publisher.feeds import (
    ALL,
    DEFAULT_DELETED_DAYS,
    DEFAULT_FEED_LIMIT,
    render_atom,
    render_json_feed,
    render_rss,
)
from publisher.stream import SHANGHAI, public_view
from settings import Config

try:
    import brotli
except ImportError:  # pragma: no cover - brotli is a pinned dependency
    brotli = None

__all__ = ["sync", "SyncResult", "ExportError", "Keeper", "MANIFEST", "TMP_PREFIX"]

log = logging.getLogger("huiju.publisher")

MANIFEST = ".huiju-manifest.json"
JOURNAL = ".huiju-journal"  # each file's name is appended before it is renamed in: a killed run's files stay ours
LOCK = ".huiju-lock"
TMP_PREFIX = ".huiju-tmp-"
COMPRESS_MIN = 1024
FORMAT = 1


class ExportError(PublisherError):
    """The static tree cannot be written (folder not writable, not a folder)."""


@dataclass
class SyncResult:
    """What one run changed, by path relative to the tree."""

    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[str] = field(default_factory=list)  # files in the way that this module did not write
    epoch: str = ""
    seq: int = 0


def _dump(obj: object) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode("utf-8")


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


class _Tree:
    def __init__(self, root: Path, manifest: dict[str, str], result: SyncResult) -> None:
        self.root, self.old, self.result = root, manifest, result
        self.new: dict[str, str] = {}
        self.journal = open(root / JOURNAL, "ab", buffering=0)  # noqa: SIM115 - closed by sync()

    def put(self, rel: str, data: bytes, *, twins: bool = False) -> None:
        self._put(rel, data)
        if twins and len(data) >= COMPRESS_MIN and rel in self.new:
            digest = self.new[rel]
            if self.old.get(rel) == digest and self.old.get(rel + ".gz") and (self.root / (rel + ".gz")).exists():
                self._keep(rel + ".gz")
                if brotli is not None and self.old.get(rel + ".br"):
                    self._keep(rel + ".br")
                return
            self._put(rel + ".gz", gzip.compress(data, compresslevel=9, mtime=0))
            if brotli is not None:
                self._put(rel + ".br", brotli.compress(data, quality=11))

    def _keep(self, rel: str) -> None:
        self.new[rel] = self.old[rel]
        self.result.unchanged += 1

    def _put(self, rel: str, data: bytes) -> None:
        digest = _digest(data)
        path = self.root / rel
        self.new[rel] = digest
        if self.old.get(rel) == digest and path.is_file():
            self.result.unchanged += 1
            return
        if rel not in self.old and (path.exists() or path.is_symlink()):
            self.result.skipped.append(rel)  # not ours: never overwritten
            del self.new[rel]
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.parent / f"{TMP_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
        try:
            with open(tmp, "wb") as fh:
                fh.write(data)
            os.chmod(tmp, 0o644)
            self.journal.write(rel.encode("utf-8") + b"\n")  # unbuffered: in the kernel before the rename
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        self.result.written.append(rel)

    def keep_all(self, prefix: str) -> None:
        """Files under *prefix* this run did not rewrite stay as they are (incremental item pages)."""
        for rel, digest in self.old.items():
            if rel.startswith(prefix) and rel not in self.new:
                self.new[rel] = digest


def _clean_leftovers(root: Path) -> None:
    """Temporary files of killed runs (ours by name) and old-style export trees beside the folder."""
    for sub in ("feeds", "api"):
        base = root / sub
        if not base.is_dir():
            continue
        for dirpath, _dirs, files in os.walk(base):
            for name in files:
                if name.startswith(TMP_PREFIX):
                    Path(dirpath, name).unlink(missing_ok=True)
    for name in os.listdir(root):
        if name.startswith(TMP_PREFIX):
            (root / name).unlink(missing_ok=True)
    parent = root.parent
    for pattern in (f".{root.name}.tmp-", f".{root.name}.old-"):  # what exports before the manifest left
        for stale in parent.glob(pattern + "*"):
            if stale.is_dir() and not stale.is_symlink():
                shutil.rmtree(stale, ignore_errors=True)


def _read_manifest(root: Path) -> dict:
    """The manifest, plus the files a killed run journaled (ours, content unknown: rewritten)."""
    try:
        data = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
        if not (isinstance(data, dict) and isinstance(data.get("files"), dict)):
            data = {"files": {}}
    except (OSError, ValueError):
        data = {"files": {}}
    try:
        pending = (root / JOURNAL).read_bytes().decode("utf-8", "replace").splitlines()
    except OSError:
        pending = []
    for rel in pending:
        if rel and rel not in data["files"] and not rel.startswith(("/", "..")) and "/../" not in rel:
            data["files"][rel] = ""
            data["format"] = 0  # a killed run: rebuild everything once
    return data


def _write_manifest(root: Path, data: dict) -> None:
    tmp = root / f"{TMP_PREFIX}manifest-{os.getpid()}"
    tmp.write_text(json.dumps(data, ensure_ascii=False, sort_keys=True), encoding="utf-8")
    os.replace(tmp, root / MANIFEST)


def _items_since(db: sqlite_utils.Database, seq: int) -> Iterator[dict]:
    from publisher.stream import _LATEST, _latest_dict

    for r in db.conn.execute(_LATEST + "WHERE i.last_seq > ? ORDER BY i.item_id", [seq]):
        yield _latest_dict(r)


def sync(
    db: sqlite_utils.Database,
    config: Config,
    directory: str | Path,
    *,
    base_url: str,
    cursor_api: bool = True,
    limit: int = DEFAULT_FEED_LIMIT,
    deleted_days: int = DEFAULT_DELETED_DAYS,
    now: datetime | None = None,
) -> SyncResult:
    """Bring the tree at *directory* up to date with the stream; returns what changed.

    *cursor_api*: the catalog links to the daemon's cursor API (a live tree behind nginx);
    without it (a plain export) those links are left out, every link being to a file.
    Raises :class:`ExportError` with a one-line reason when the folder cannot be written.
    """
    root = Path(directory).resolve()
    if root.exists() and not root.is_dir():
        raise ExportError(f"{root}: exists and is not a directory")
    try:
        root.mkdir(parents=True, exist_ok=True)
        lock = open(root / LOCK, "a")  # noqa: SIM115 - held for the whole run
    except OSError as exc:
        raise ExportError(f"{root}: cannot write the static tree: {exc.strerror or exc}") from None
    result = SyncResult()
    state: dict = {"files": {}}
    tree: _Tree | None = None
    done = False
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        _clean_leftovers(root)
        state = _read_manifest(root)
        ident = stream_epoch.identity(db)
        result.epoch, result.seq = ident.epoch, ident.latest_seq
        same_history = state.get("epoch") == ident.epoch and state.get("format") == FORMAT \
            and state.get("base_url") == base_url and int(state.get("seq", 0)) <= ident.latest_seq
        tree = _Tree(root, state["files"], result)
        # Item pages: only those changed since the last run (all of them after a rewritten history).
        for d in _items_since(db, int(state.get("seq", 0)) if same_history else 0):
            body = _dump({**public_view(d), "epoch": ident.epoch})
            tree.put(f"api/v1/items/{d['item_id']}.json", body)
            tree.put(f"api/v1/items/{d['item_id']}", body)
        if same_history:
            tree.keep_all("api/v1/items/")
        for col in [*config.columns, ALL]:
            for fmt, render in (("rss", render_rss), ("atom", render_atom), ("json", render_json_feed)):
                body = render(db, config, col, base_url, limit=limit, deleted_days=deleted_days, now=now)
                tree.put(f"feeds/{col}.{fmt}", body, twins=True)
        payload = catalog(db, config, base_url, now=now)
        payload["epoch"] = ident.epoch
        if not cursor_api:
            for c in payload["columns"]:
                c.pop("api", None)
        body = _dump(payload)
        tree.put("api/v1/columns.json", body, twins=True)
        tree.put("api/v1/columns", body, twins=True)
        tree.put("api/v1/openapi.json", _dump(openapi.document(base_url)), twins=True)
        for rel in sorted(set(state["files"]) - set(tree.new)):
            (root / rel).unlink(missing_ok=True)
            result.removed.append(rel)
        _write_manifest(root, {"format": FORMAT, "epoch": ident.epoch, "seq": ident.latest_seq,
                               "base_url": base_url, "files": tree.new,
                               "written_at": datetime.now(UTC).isoformat(timespec="seconds")})
        tree.journal.truncate(0)
        done = True
    except OSError as exc:
        raise ExportError(f"{root}: cannot write the static tree: {exc.strerror or exc}") from None
    finally:
        if not done and tree is not None and result.written:
            # A failed run still owns what it wrote: recorded, so that the next run replaces it.
            # The seq is not advanced (format 0 forces a full run next time).
            files = {**state["files"], **{rel: tree.new[rel] for rel in result.written if rel in tree.new}}
            try:
                _write_manifest(root, {**state, "format": 0, "files": files})
                tree.journal.truncate(0)
            except OSError:
                log.warning("发布：无法记录写在 %(path)s 中的文件", {"path": root})
        if tree is not None:
            tree.journal.close()
        lock.close()
    for rel in result.skipped:
        log.warning("发布：%(path)s/%(file)s 不是汇聚写的文件；保持原样", {"path": root, "file": rel})
    return result


class Keeper:
    """Keeps a live static tree current: a thread that syncs it whenever the stream moves.

    It looks every *every* seconds (one indexed read) and syncs when the stream's generation
    changed, and at least once a minute otherwise (freshness and deletion windows age).
    """

    def __init__(self, db_path: str, config: Config, directory: str | Path, *, base_url: str,
                 every: float = 1.0, deleted_days: int = DEFAULT_DELETED_DAYS) -> None:
        self.db_path, self.config, self.directory = db_path, config, Path(directory)
        self.base_url, self.every, self.deleted_days = base_url, every, deleted_days
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.syncs = 0

    def sync_now(self) -> SyncResult:
        db = store.open_db(self.db_path)
        try:
            result = sync(db, self.config, self.directory, base_url=self.base_url, deleted_days=self.deleted_days)
        finally:
            db.conn.close()
        self.syncs += 1
        if result.written or result.removed:
            log.info("静态目录 %(path)s：写入 %(written)d 个，删除 %(removed)d 个（序号 %(seq)d）",
                     {"path": self.directory, "written": len(result.written), "removed": len(result.removed),
                      "seq": result.seq})
        return result

    def _run(self) -> None:
        seen: tuple | None = None
        last = 0.0
        import time

        while not self._stop.is_set():
            try:
                db = store.open_db(self.db_path, readonly=True)
                try:
                    row = db.conn.execute(
                        "SELECT (SELECT epoch FROM published_stream), (SELECT coalesce(max(seq), 0) FROM published)"
                    ).fetchone()
                finally:
                    db.conn.close()
                today = datetime.now(SHANGHAI).date()
                if (tuple(row), today) != seen or time.monotonic() - last >= 60:
                    self.sync_now()
                    seen, last = (tuple(row), today), time.monotonic()
            except Exception:  # noqa: BLE001 - logged; the next round tries again
                log.exception("静态目录 %(path)s：同步失败", {"path": self.directory})
            self._stop.wait(self.every)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="static-tree", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the keeper to stop; wait at most *timeout* s (each file is renamed in whole: a sync cut short is safe)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
