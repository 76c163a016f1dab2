"""bench.dedup.real: the hand-labelled real re-posts (texts outside the repository, in
$HUIJU_REAL_DEDUP). Without them the bench says why and measures nothing; with them no page of
another story may join a corpus story (precision 1.0), whatever the recall."""

from __future__ import annotations

import hashlib
import json
import os
import tomllib
from pathlib import Path

import pytest

from bench.dedup import real


def test_manifest_labels_are_well_formed() -> None:
    pages = tomllib.loads(real.MANIFEST.read_text(encoding="utf-8"))["pages"]
    assert len({p["id"] for p in pages}) == len(pages) >= 20
    for p in pages:
        assert p["url"].startswith("http") and len(p["sha256"]) == 64 and p["set"] in ("development", "held-out")
        assert p["label"] == "none" or p["label"][:8].isdigit() and "/" in p["label"]
        assert "story" not in p or p["label"] == "none"  # a shared name only for copies of a story the corpus lacks
    shared = [p.get("story") for p in pages if p.get("story")]
    assert all(shared.count(name) >= 2 for name in shared), "a story name given to one page joins nothing"


def test_without_the_pages_the_bench_says_why(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.delenv("HUIJU_REAL_DEDUP", raising=False)
    assert real.main(["--pages", str(tmp_path)]) == 0
    assert "not measured" in capsys.readouterr().out


@pytest.mark.skipif(not os.environ.get("HUIJU_REAL_DEDUP"), reason="the real re-post pages are not in the "
                    "repository: set HUIJU_REAL_DEDUP to a directory holding pages/<id>.json")
def test_no_real_look_alike_joins_a_story(corpus_dir: Path, capsys) -> None:
    assert real.main([]) == 0
    out = capsys.readouterr().out
    assert "precision" in out and "FALSE MERGE" not in out, out  # (two corpus stories may still be: "wrongly together")


def _page(text: str) -> dict:
    return {"id": "x-page", "url": "https://example.cn/a.html", "sha256": hashlib.sha256(text.encode()).hexdigest()}


def test_check_says_which_pages_are_saved_as_labelled(tmp_path: Path) -> None:
    """A new machine has no saved pages: --check tells the ones there as labelled, changed and missing."""
    same, changed = _page("正文第一段。\n正文第二段。"), {**_page("正文。"), "id": "y-page"}
    (tmp_path / "pages").mkdir()
    for page, text in ((same, "正文第一段。\n正文第二段。"), (changed, "正文已改。")):
        (tmp_path / "pages" / f"{page['id']}.json").write_text(json.dumps({**page, "title": "", "text": text}),
                                                               encoding="utf-8")
    assert real.check_pages(tmp_path, [same, changed, {**same, "id": "gone"}]) == {
        "ok": ["x-page"], "differs": ["y-page"], "missing": ["gone"]}
