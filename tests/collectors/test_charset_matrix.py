"""Data-driven: bench/charsets/cases.toml — GB2312, GBK, GB18030, Big5 and UTF-8 titles served as
list pages and feeds, declared in the document or not, under no header, the right one, the
iso-8859-1 server default and a wrong CJK charset. Every title must come out as written, and a
choice against a declaration must say so."""

from __future__ import annotations

import pytest

from bench.charsets.matrix import Cell, cells, run_matrix

CELLS = cells()


@pytest.fixture(scope="module")
def collected() -> dict[str, Cell]:
    return {c.name: c for c in run_matrix(cells())}


@pytest.mark.parametrize("name", [c.name for c in CELLS])
def test_every_title_decoded_right(collected: dict[str, Cell], name: str) -> None:
    c = collected[name]
    assert c.right, (c.charset, c.error, c.got, c.notes)
    if c.header in ("iso-8859-1", "wrong-cjk"):
        assert any("HTTP" in n for n in c.notes), "a decoding against the HTTP header is reported"
