"""bench.dedup.summaries: the evidence behind leaving summary pages unmatched (docs/benchmarks.md,
"Summary pages (i10k-summary)"). Without the real pages it says why; with them it scores the three
summary pages against their own story and the wrong pairs a rule for them would have to leave apart."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bench.dedup import summaries


def test_without_the_pages_the_bench_says_why(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.delenv("HUIJU_REAL_DEDUP", raising=False)
    assert summaries.main(["--pages", str(tmp_path)]) == 0
    assert "not measured" in capsys.readouterr().out
    (tmp_path / "pages").mkdir()  # a pages folder holding another batch only: said, not a traceback
    assert summaries.main(["--pages", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "left out" in out and "not measured" in out


def test_longest_run_counts_key_characters_of_consecutive_shingles() -> None:
    other = {"abcde", "bcdef", "cdefg"}
    assert summaries._longest_run("xabcdefgx", other.__contains__) == 7  # three shingles: abcdefg
    assert summaries._longest_run("xyzzy", other.__contains__) == 0


@pytest.mark.skipif(not os.environ.get("HUIJU_REAL_DEDUP"), reason="the real re-post pages are not in the "
                    "repository: set HUIJU_REAL_DEDUP to a directory holding pages/<id>.json")
def test_summary_pages_are_scored_against_their_story_and_the_wrong_pairs(corpus_dir: Path) -> None:
    r = summaries.measure(Path(os.environ["HUIJU_REAL_DEDUP"]))
    assert {p.page for p in r["summaries"]} == set(summaries.SUMMARY_PAGES)
    for p in r["summaries"]:  # the class: a minority of the page is the story's text, in runs
        assert 0.3 < p.containment < 0.5 and p.run >= 30, p
    # the hard cases a summary rule must leave apart are among the wrong pairs
    assert any(w.page == "hk01-minzhushenghuo-2023" and w.containment > 0.6 for w in r["wrong"])
    assert set(r["verdicts"]) == set(summaries.Pair.SIGNALS)
