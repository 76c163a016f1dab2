"""Shared test fixtures: where the real corpus is, and whether its absence is allowed.

Tests that need the real text (../shared/corpus, or $HUIJU_CORPUS) use the ``corpus_dir``
fixture. Where it is absent they skip with the reason, unless HUIJU_REQUIRE_CORPUS=1 (set by
.ci/run), which turns the absence into a failure so that CI always runs them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def find_corpus() -> Path | None:
    env = os.environ.get("HUIJU_CORPUS")
    candidates = [Path(env)] if env else []
    candidates.append(REPO.parent / "shared" / "corpus")
    for c in candidates:
        if (c / "xinwen-lianbo").is_dir():
            return c
    return None


def find_real_pages() -> Path | None:
    p = REPO.parent / "shared" / "real-pages"
    return p if p.is_dir() else None


def _missing(what: str) -> None:
    reason = f"{what} not found (set HUIJU_CORPUS or place ../shared next to the repo)"
    if os.environ.get("HUIJU_REQUIRE_CORPUS") == "1":
        pytest.fail(reason + " and HUIJU_REQUIRE_CORPUS=1")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    c = find_corpus()
    if c is None:
        _missing("real corpus")
    return c


@pytest.fixture(scope="session")
def real_pages_dir() -> Path:
    p = find_real_pages()
    if p is None:
        _missing("real pages")
    return p
