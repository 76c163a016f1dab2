"""Fixtures: one province per module, started on a free port and stopped afterwards."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

import sample_province
from sample_province import Province


@pytest.fixture(scope="module")
def province() -> Iterator[Province]:
    """Two simulated days released, manual clock, no faults."""
    p = sample_province.start(seed=7, stories_per_day=120, days=10)
    p.advance(days=2)
    yield p
    p.stop()


@pytest.fixture()
def http() -> Iterator[requests.Session]:
    s = requests.Session()
    yield s
    s.close()
