"""Column routing, data-driven: one JSON file per case in ./routing_cases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from normalizers.document import Document
from normalizers.routing import route
from settings import DEFAULT_COLUMNS
from settings.model import RoutingRule, Source

CASES = sorted((Path(__file__).parent / "routing_cases").glob("*.json"))
COLUMNS = {c.id: c for c in DEFAULT_COLUMNS}


def _rule(r: dict) -> RoutingRule:
    return RoutingRule(**{k: tuple(v) if isinstance(v, list) else v for k, v in r.items()})


def _doc(d: dict) -> Document:
    return Document(
        title=d["title"],
        text=d["text"],
        html="",
        url=d["url"],
        canonical_url=d["url"],
        published_at=None,
        date_origin=None,
        source_line=d.get("source_line"),
    )


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_routing_case(path: Path) -> None:
    case = json.loads(path.read_text(encoding="utf-8"))
    s = case["source"]
    source = Source(
        id=s["id"], name=s["id"], kind=s["kind"], type="html", url="https://x.gov.cn/", column=s["column"]
    )
    r = route(_doc(case["doc"]), source, [_rule(x) for x in case["rules"]], COLUMNS)
    assert r.column == case["expect"]["column"], r.reasons
    assert r.topics == case["expect"]["topics"], r.reasons
    assert r.reasons and r.reasons[0].startswith("default column")
    if "reason_contains" in case["expect"]:
        assert any(case["expect"]["reason_contains"] in x for x in r.reasons), r.reasons


def test_no_rules_is_default_and_loads_no_jieba() -> None:
    source = Source(id="a", name="a", kind="city", type="html", url="https://x.gov.cn/", column="city-news")
    doc = _doc({"title": "t", "text": "x", "url": "https://x.gov.cn/1"})
    assert route(doc, source, [], COLUMNS).column == "city-news"


def test_first_route_rule_wins() -> None:
    source = Source(
        id="a", name="a", kind="portal", type="html", url="https://x.gov.cn/", column="gov-affairs"
    )
    doc = _doc({"title": "关于春节放假的通知", "text": "现将通知如下。", "url": "https://x.gov.cn/1"})
    rules = [
        RoutingRule(column="notices", title_any=("通知",)),
        RoutingRule(column="laws", title_any=("通知",)),
    ]
    r = route(doc, source, rules, COLUMNS)
    assert r.column == "notices"
    assert any("rule 1" in x for x in r.reasons) and not any("rule 2" in x for x in r.reasons)
