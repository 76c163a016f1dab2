"""Shared test fixtures: where the real corpus is, and whether its absence is allowed.

Tests that need the real text use the ``corpus_dir`` fixture, tests that need the saved real
pages ``real_pages_dir``. They are found, in this order, through ``$HUIJU_CORPUS`` (the corpus
directory itself), ``$HUIJU_SHARED`` (a directory holding ``corpus/`` and ``real-pages/``, as
../shared does) and ../shared next to the clone. Where they are absent the tests skip with the
reason, unless HUIJU_REQUIRE_CORPUS=1 (set by .ci/run), which turns the absence into a failure so
that CI always runs them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def shared_dirs() -> list[Path]:
    """Where the shared test material may be: $HUIJU_SHARED, then ../shared next to the clone."""
    env = os.environ.get("HUIJU_SHARED")
    return [*([Path(env)] if env else []), REPO.parent / "shared"]


def find_corpus() -> Path | None:
    env = os.environ.get("HUIJU_CORPUS")
    candidates = [Path(env)] if env else []
    candidates += [d / "corpus" for d in shared_dirs()]
    for c in candidates:
        if (c / "xinwen-lianbo").is_dir():
            return c
    return None


def find_real_pages() -> Path | None:
    for d in shared_dirs():
        if (d / "real-pages").is_dir():
            return d / "real-pages"
    return None


def _missing(what: str) -> None:
    reason = (f"{what} not found (set HUIJU_CORPUS to the corpus directory or HUIJU_SHARED to a directory "
              "holding corpus/ and real-pages/, or place ../shared next to the repo)")
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
