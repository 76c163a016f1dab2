"""The routing benchmark on half a simulated day: the proposed rules keep the ≥ 95% target."""

from __future__ import annotations

import pytest

from bench.routing.__main__ import DEFAULT_RULES, run

sample_province = pytest.importorskip("sample_province")


def test_proposed_rules_route_the_sample_province() -> None:
    res = run(0.5, 1, DEFAULT_RULES)
    assert res["evaluated"] >= 50
    assert res["column_accuracy"] >= 0.95, res["misroutes"]
    assert res["column_accuracy"] >= res["column_accuracy_default_only"]
    assert res["topic_false_positives"] == 0
