"""A JSON field path that stops at an object gives no garbage title, and says what to configure."""

from __future__ import annotations

from collectors.parsing import parse_json


def test_an_object_where_text_belongs_is_not_printed_as_a_python_dict() -> None:
    data = {"items": [{"title": {"rendered": "哈尔滨市召开常务会议"}, "link": "/a/1.html", "date": "2024-05-01"}]}
    spec = {"items": "items", "title": "title", "url": "link", "date": "date"}
    [entry] = parse_json(data, "https://www.harbin.gov.cn/", spec)
    assert entry.title == ""  # not "{'rendered': …}"
    assert entry.url == "https://www.harbin.gov.cn/a/1.html"
    assert any("'title' is an object" in w and "deeper path" in w for w in entry.warnings)
    [fixed] = parse_json(data, "https://www.harbin.gov.cn/", {**spec, "title": "title.rendered"})
    assert fixed.title == "哈尔滨市召开常务会议" and not fixed.warnings
