"""Data-driven: each folder under cases/ is a site (routes + files), a source, and what must come out."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

import collectors
from tests.collectors.sources import FAST, make_source

CASES = Path(__file__).parent / "cases"
_PAD_RE = re.compile(rb"/\*PAD (\d+)\*/")
CASE_DIRS = sorted(p for p in CASES.iterdir() if (p / "case.toml").is_file())


def _mojibake_titles(data: bytes) -> bytes:
    import json

    obj = json.loads(data)

    def walk(o):
        if isinstance(o, dict):
            return {k: (v.encode("gb18030").decode("latin-1") if k == "title" else walk(v)) for k, v in o.items()}
        if isinstance(o, list):
            return [walk(x) for x in o]
        return o

    return json.dumps(walk(obj), ensure_ascii=False).encode("utf-8")


def _serve(web, case_dir: Path, spec: dict) -> None:
    for r in spec["routes"]:
        body = (case_dir / r["file"]).read_bytes() if "file" in r else r.get("body", "").encode("utf-8")
        if r.get("transform") == "mojibake-titles":
            body = _mojibake_titles(body)
        if r.get("encode"):
            body = body.decode("utf-8").encode(r["encode"])
        # "/*PAD n*/": n lines of style rules, the ASCII bulk of a CMS page, made here, not stored
        body = _PAD_RE.sub(lambda m: b"".join(b".col-%d { margin: 0 %dpx; padding: 2px 4px; color: #333; }\n"
                                              % (i, i) for i in range(int(m.group(1)))), body)
        headers = {"Content-Type": r.get("content_type", "text/html; charset=utf-8")}
        web.route(r["path"], body, status=r.get("status", 200), headers=headers)


@pytest.mark.parametrize("case_dir", CASE_DIRS, ids=[p.name for p in CASE_DIRS])
def test_case(case_dir: Path, web, db) -> None:
    spec = tomllib.loads((case_dir / "case.toml").read_text(encoding="utf-8"))
    _serve(web, case_dir, spec)
    src_spec = dict(spec["source"])
    source = make_source(case_dir.name, web.url, src_spec.pop("url"), **src_spec)
    exp = spec["expect"]
    [result] = collectors.collect(db, [source], FAST)
    items = [it for _, it in collectors.pending(db, 0)]
    if "error" in exp:
        assert not result.ok
        assert result.error_kind == exp["error"], result.error
        assert result.error and "\n" not in result.error and len(result.error) < 300
        assert items == []
        with pytest.raises(getattr(collectors, exp["error"])):
            collectors.probe(source.url, source.type, FAST, source=source)
        return
    assert result.ok, result.error
    assert result.new == exp["count"] == len(items), [i.title for i in items]
    if "titles" in exp:
        assert [i.title for i in items] == exp["titles"]
    if "published" in exp:
        assert [i.published or "" for i in items] == exp["published"]
    if "list_dates" in exp:
        assert [i.list_date for i in items] == exp["list_dates"]
    if "identity_rule" in exp:
        assert {i.identity_rule for i in items} == {exp["identity_rule"]}
        [h] = collectors.health(db, [source])
        assert h.identity_rule == exp["identity_rule"]
    if "charset" in exp:
        assert {i.charset for i in items} == {exp["charset"]}
    if "warning_contains" in exp:
        texts = " | ".join(result.warnings + [w for i in items for w in i.warnings])
        assert exp["warning_contains"] in texts
    if "attachments" in exp:
        assert sum(len(i.attachments) for i in items) == exp["attachments"]
        for i in items:
            for a in i.attachments:
                assert a["url"].startswith("http")
    if "attachment_names" in exp:
        assert [a["name"] for i in items for a in i.attachments] == exp["attachment_names"]
    if "meta_source" in exp:
        assert items[0].meta.get("ContentSource") == exp["meta_source"]
    if "sources" in exp:  # every item's 来源, "" for none
        assert [i.meta.get("ContentSource", "") for i in items] == exp["sources"]
    if "body_contains" in exp:
        assert exp["body_contains"] in items[0].html
    if "urls_start" in exp:
        assert all(i.url.startswith(exp["urls_start"]) for i in items)
    if "urls" in exp:
        assert [i.url for i in items] == exp["urls"]
    assert len({i.identity for i in items}) == len(items)
    # A second pass finds nothing new: no duplicates, no lost items.
    [again] = collectors.collect(db, [source], FAST)
    assert again.ok and again.new == 0 and again.versions == 0
    assert len(collectors.pending(db, 0)) == len(items)
    # probe sees the same items without storing anything
    probed = collectors.probe(source.url, source.type, FAST, source=source)
    assert [p.title for p in probed] == [i.title for i in items]
