from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.collectors.fakeweb import FakeWeb


@pytest.fixture
def web() -> Iterator[FakeWeb]:
    w = FakeWeb()
    yield w
    w.stop()
