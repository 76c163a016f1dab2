"""A static copy of the feeds and API for nginx or a CDN, swapped in as a whole.

Everything is written to a temporary sibling directory first; the finished tree then replaces
the old one with two renames, so readers never see a half-written file or a mix of two exports.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from datetime import datetime
from pathlib import Path

import sqlite_utils

from publisher.catalog import catalog
from publisher.errors import PublisherError
from publisher.feeds import ALL, DEFAULT_FEED_LIMIT, render_atom, render_json_feed, render_rss
from publisher.stream import iter_latest, public_view
from settings import Config

__all__ = ["export", "ExportError"]


class ExportError(PublisherError):
    """The export directory cannot be written or replaced."""


def _dump(obj: object) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode("utf-8")


def _write(root: Path, rel: str, data: bytes, written: list[str]) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    written.append(rel)


def _swap(tmp: Path, target: Path) -> None:
    old = None
    if target.exists() or target.is_symlink():
        if not target.is_dir() or target.is_symlink():
            raise ExportError(f"{target}: exists and is not a directory")
        old = target.parent / f".{target.name}.old-{os.getpid()}"
        if old.exists():
            shutil.rmtree(old)
        os.rename(target, old)
    try:
        os.rename(tmp, target)
    except OSError:
        if old is not None:
            os.rename(old, target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def export(
    db: sqlite_utils.Database,
    config: Config,
    directory: str | Path,
    *,
    base_url: str,
    limit: int = DEFAULT_FEED_LIMIT,
    now: datetime | None = None,
) -> list[Path]:
    """Write feeds/{column}.rss|.atom|.json (and all.*), api/v1/columns.json, api/v1/items/{id}.json.

    Returns the paths of the files written (inside *directory*). Raises :class:`ExportError`
    with a one-line reason when the directory cannot be written.
    """
    target = Path(directory).resolve()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    except OSError as exc:
        raise ExportError(f"{target}: cannot write the export: {exc.strerror}") from None
    written: list[str] = []
    try:
        os.chmod(tmp, 0o755)  # mkdtemp makes it private; the web server must read it
        for col in [*config.columns, ALL]:
            _write(tmp, f"feeds/{col}.rss", render_rss(db, config, col, base_url, limit=limit), written)
            _write(tmp, f"feeds/{col}.atom", render_atom(db, config, col, base_url, limit=limit), written)
            _write(tmp, f"feeds/{col}.json", render_json_feed(db, config, col, base_url, limit=limit), written)
        _write(tmp, "api/v1/columns.json", _dump(catalog(db, config, base_url, now=now)), written)
        items_dir = tmp / "api" / "v1" / "items"
        items_dir.mkdir(parents=True, exist_ok=True)
        for d in iter_latest(db):
            _write(tmp, f"api/v1/items/{d['item_id']}.json", _dump(public_view(d)), written)
        _swap(tmp, target)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise ExportError(f"{target}: cannot write the export: {exc.strerror or exc}") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return [target / rel for rel in written]
