"""`run.py backup`, more publishing, then a restore of that backup: the portal's API answers a new
stream epoch and tells a cursor past the restored end to resync (issue 11), even when the
watermark file beside the database was lost with the disk."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
import requests

import publisher
import store
from pipeline.flow import init_all
from settings import DEFAULT_COLUMNS, Config
from tests.daemon.helpers import cli
from tests.publisher.conftest import make_entry
from tests.publisher.live_portal import serving


def _publish(path: Path, ids: range) -> None:
    db = store.open_db(path)
    with store.transaction(db):
        for i in ids:
            publisher.publish(db, make_entry(i, text="短讯。", html="<p>短讯。</p>", title=f"短讯{i}"))
    db.conn.close()


def _items(base: str, query: str) -> requests.Response:
    return requests.get(f"{base}/api/v1/items?{query}", timeout=30)


@pytest.mark.parametrize("watermark", ["kept", "lost with the disk"])
def test_restoring_a_run_py_backup_changes_the_epoch_and_asks_for_a_resync(tmp_path: Path, watermark: str) -> None:
    path = tmp_path / "h.db"
    db = store.open_db(path)
    init_all(db)
    db.conn.close()
    config = Config(path="test.toml", columns={c.id: c for c in DEFAULT_COLUMNS}, sources=())
    _publish(path, range(1, 4))
    with serving(path, config) as base:
        epoch = _items(base, "since=0").json()["epoch"]
    out = cli(tmp_path, "backup", str(tmp_path / "backup.db"), "--json")  # on path, tmp_path/h.db
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["integrity"] == "ok"

    _publish(path, range(4, 6))  # seq 4, 5: the portal reads them
    with serving(path, config) as base:
        synced = _items(base, "since=3").json()
        assert synced["epoch"] == epoch and synced["next"] == 5 and not synced["more"]

    # the operator restores the backup with the daemon stopped (README, Deployment)
    for extra in (Path(f"{path}-wal"), Path(f"{path}-shm")):
        extra.unlink(missing_ok=True)
    if watermark != "kept":
        Path(f"{path}.stream").unlink()
    shutil.copyfile(tmp_path / "backup.db", tmp_path / "restoring.db")
    os.replace(tmp_path / "restoring.db", path)

    with serving(path, config) as base:
        beyond = _items(base, "since=5")
        assert beyond.status_code == 409
        answer = beyond.json()
        assert answer["code"] == "since_beyond_end" and answer["resync"] == "/api/v1/items?since=0"
        assert answer["epoch"] != epoch and answer["latest_seq"] == 3
        new_epoch = answer["epoch"]
        assert beyond.headers["Content-Type"].startswith("application/json")

    _publish(path, range(10, 13))  # seqs 4..6 again, other items: a cursor at 5 would skip them
    with serving(path, config) as base:
        stale = _items(base, f"since=5&epoch={epoch}")
        assert stale.status_code == 409 and stale.json()["code"] == "epoch_changed"
        fresh = _items(base, "since=0")
        assert fresh.status_code == 200 and fresh.headers["X-Huiju-Epoch"] == new_epoch
        assert [i["item_id"] for i in fresh.json()["items"]] == [1, 2, 3, 10, 11, 12]
