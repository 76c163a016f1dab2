from __future__ import annotations

from collections.abc import Iterator

import pytest

from store import open_db
from tests.collectors.fakeweb import FakeWeb


@pytest.fixture
def web() -> Iterator[FakeWeb]:
    w = FakeWeb()
    yield w
    w.stop()


@pytest.fixture
def db(tmp_path):
    d = open_db(tmp_path / "huiju.db")
    yield d
    d.conn.close()
