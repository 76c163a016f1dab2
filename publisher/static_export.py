"""``publish --export DIR``: the static tree (publisher/static_tree.py) written once, for any web server.

Every link in it is to a file in it: the catalog leaves out the cursor API, which needs the
daemon. Files Huiju did not write are left alone; an export killed half-way is finished by the
next one (its temporary files are cleaned).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import sqlite_utils

from publisher.feeds import DEFAULT_DELETED_DAYS, DEFAULT_FEED_LIMIT
from publisher.static_tree import MANIFEST, ExportError, _read_manifest, sync
from settings import Config

__all__ = ["export", "ExportError"]


def export(
    db: sqlite_utils.Database,
    config: Config,
    directory: str | Path,
    *,
    base_url: str,
    limit: int = DEFAULT_FEED_LIMIT,
    deleted_days: int = DEFAULT_DELETED_DAYS,
    now: datetime | None = None,
) -> list[Path]:
    """Write or update feeds/{column}.rss|.atom|.json (and all.*), api/v1/columns (and .json),
    api/v1/items/{id} (and .json) and api/v1/openapi.json under *directory*.

    Returns the paths of the tree's files (not their .gz/.br twins). Raises
    :class:`ExportError` with a one-line reason when the directory cannot be written.
    """
    sync(db, config, directory, base_url=base_url, cursor_api=False, limit=limit, deleted_days=deleted_days,
         now=now)
    root = Path(directory).resolve()
    files = _read_manifest(root)["files"]
    return [root / rel for rel in sorted(files) if not rel.endswith((".gz", ".br")) and rel != MANIFEST]
