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


CODEC = {"gb2312": "gb18030", "gbk": "gb18030", "gb18030": "gb18030", "big5": "cp950", "utf-8": "utf-8"}


@pytest.mark.parametrize("name", [c.name for c in CELLS if c.header in ("iso-8859-1", "wrong-cjk")])
def test_the_charset_read_is_reported_on_the_item(collected: dict[str, Cell], name: str) -> None:
    """What probe shows (its charset line and --json "charset"), for pages and feeds alike."""
    c = collected[name]
    assert c.charset == CODEC[c.family]


def test_sources_shows_how_a_lying_feed_was_read(web, db) -> None:
    import collectors
    from tests.collectors.sources import FAST, make_source

    [cell] = [c for c in CELLS if c.name == "big5-feed-declared-iso-8859-1"]
    body, ctype = cell.routes["feed.xml"]
    web.route("/feed.xml", body, headers={"Content-Type": ctype})
    src = make_source("tw", web.url, "/feed.xml", type="rss")
    [r] = collectors.collect(db, [src], FAST)
    assert r.ok and r.new == 3
    [h] = collectors.health(db, [src])
    assert h.charset == "cp950"
    assert h.charset_note and "iso-8859-1" in h.charset_note and "document wins" in h.charset_note
    assert h.charset_note_facts == {"code": "server-default", "params": {  # what `sources` words in Chinese
        "http": "iso-8859-1", "declared": "big5", "where": "XML declaration"}}


def test_the_frequent_characters_in_traditional_script_are_opencc_s(monkeypatch) -> None:
    """The written-out traditional forms that score Big5 text are what OpenCC's s2t makes of
    charset-normalizer's 100 most frequent characters, and building them needs no converter
    (an s2t converter leaves 25 MB of heap behind in a collecting process)."""
    import opencc
    from charset_normalizer.constant import FREQUENCIES

    from collectors import decoding

    simple = "".join(FREQUENCIES["Chinese"])
    trad = opencc.OpenCC("s2t").convert(simple)

    def no_converter(*_a: object) -> None:
        raise AssertionError("an OpenCC converter was built for the frequent characters")

    monkeypatch.setattr(decoding, "_TOP", frozenset())
    monkeypatch.setattr(opencc, "OpenCC", no_converter)
    assert decoding._top_chars() == frozenset(simple) | frozenset(trad)


def test_every_charset_note_the_decoder_makes_has_words_in_both_languages() -> None:
    """A new note without its Chinese (wording.CHARSET_NOTES) and English (cli.po) would reach the operator
    as the decoder's English line in a Chinese `probe` or `sources`."""
    import ast
    from pathlib import Path

    from collectors import decoding
    from pipeline import wording

    tree = ast.parse(Path(decoding.__file__).read_text(encoding="utf-8"))
    codes = {n.args[0].value for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") ==
             "CharsetNote" and n.args and isinstance(n.args[0], ast.Constant)}
    assert len(codes) >= 15 and codes <= set(wording.CHARSET_NOTES), codes - set(wording.CHARSET_NOTES)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_how_the_bytes_were_read_is_said_in_the_operators_language(collected: dict[str, Cell], lang: str,
                                                                   monkeypatch) -> None:
    """English: the decoder's own line, word for word, through the catalog; Chinese: a Chinese sentence."""
    import re

    from collectors.decoding import CharsetNote
    from pipeline import wording
    from review_queue import catalogs

    notes = {n for c in collected.values() for n in c.notes}
    assert len(notes) >= 5 and all(isinstance(n, CharsetNote) for n in notes)
    monkeypatch.setattr(wording, "LANGUAGE", lang)
    try:
        for n in notes:
            said = wording.charset_note(n.facts, n)
            if lang == "en":
                assert said == n.removeprefix("charset: ")
            else:
                assert re.search(r"[\u4e00-\u9fff]", said) and "declared" not in said and "bytes" not in said, said
    finally:
        catalogs.use(catalogs.DEFAULT)
