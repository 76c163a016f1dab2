"""The label vocabulary (pages.labels) against every reader of it.

Two halves: the case table (``label_cases/*.toml``: a detail page and a body line, with what the
collectors and the normalizers must read from them) and a check of every row of the table
against every reader, so that a label added as one line of data is known everywhere its row says.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from collectors.parsers import parse_detail
from collectors.parsers.details import _NOT_TITLE_RE, _labelled_date, _labelled_source
from normalizers.bylines import parse_byline_line
from normalizers.keys import comparison_key
from pages.labels import DATE_RANK, LABELS, _table, labels

CASES = sorted((Path(__file__).parent / "label_cases").glob("*.toml"))
BODY = "3月1日，某某区召开安全生产工作推进会，部署下一阶段重点工作。"
URL = "https://www.example.gov.cn/gzdt/202503/t20250301_101.html"


def _byline_fields(line: str) -> dict[str, object] | None:
    b = parse_byline_line(line)
    if b is None:
        return None
    found = {k: getattr(b, k) for k in ("source_line", "author", "reporter", "editor", "date") if getattr(b, k)}
    if b.editor_is_chief:
        found["editor_is_chief"] = True
    return found


def test_case_table_is_populated() -> None:
    assert len(CASES) >= 4


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_case(path: Path) -> None:
    case = tomllib.loads(path.read_text(encoding="utf-8"))
    expect = case["expect"]
    detail = parse_detail(case["page"], URL)
    assert (detail.source or "") == expect["page_source"]
    assert (detail.published or "") == expect["page_date"]
    assert _byline_fields(case["line"]) == expect.get("byline")
    dropped = comparison_key(BODY + "\n" + case["line"]) == comparison_key(BODY)
    assert dropped is expect["key_drops_line"]


def _value(field: str) -> str:
    return "2025-03-01 09:30" if field in DATE_RANK or field == "date" else "张三"


@pytest.mark.parametrize("label", [x for x in LABELS if "page" in x.roles], ids=lambda x: x.text)
def test_page_labels_are_read_on_detail_pages(label) -> None:
    if label.field == "source":
        assert _labelled_source(f"\n{label.text}：市政府办公室\n发布时间：2025-03-01\n") == "市政府办公室"
    else:
        assert _labelled_date(f"\n{label.text}：2025-03-01 09:30\n") == "2025-03-01 09:30"


@pytest.mark.parametrize("label", [x for x in LABELS if "end" in x.roles], ids=lambda x: x.text)
def test_end_labels_cut_a_source_that_runs_into_them(label) -> None:
    assert _labelled_source(f"来源：市应急局{label.text}：{_value(label.field)}") == "市应急局"


@pytest.mark.parametrize("label", [x for x in LABELS if "byline" in x.roles], ids=lambda x: x.text)
def test_byline_labels_make_a_byline_line(label) -> None:
    line = f"{label.text}：{_value(label.field)}"
    b = parse_byline_line(line)
    if "weak" in label.roles:  # alone it is a line of a notice, with a strong label a byline
        assert b is None
        b = parse_byline_line(f"{line} 责任编辑：李四")
    assert b is not None
    if label.field in ("source", "author", "reporter"):
        assert getattr(b, "source_line" if label.field == "source" else label.field) == "张三"
    elif label.field in ("editor", "chief_editor"):
        assert b.editor == "张三" and b.editor_is_chief == (label.field == "chief_editor")
    else:
        assert b.others[label.text] == _value(label.field)
        if label.field in DATE_RANK or label.field == "date":
            assert b.date == "2025-03-01 09:30"


@pytest.mark.parametrize("label", [x for x in LABELS if "key" in x.roles], ids=lambda x: x.text)
def test_key_labels_leave_comparison_keys(label) -> None:
    assert comparison_key(f"{BODY}\n{label.text}：张三") == comparison_key(BODY)


def test_labels_outside_the_key_role_stay_in_comparison_keys() -> None:
    for label in (x for x in LABELS if "key" not in x.roles):
        assert comparison_key(f"{BODY}\n{label.text}：张三") != comparison_key(BODY), label.text


@pytest.mark.parametrize("label", [x for x in LABELS if "title" in x.roles], ids=lambda x: x.text)
def test_title_labels_mark_an_info_line(label) -> None:
    assert _NOT_TITLE_RE.search(f"{label.text}：{_value(label.field)}")


def test_a_misspelt_row_fails_naming_its_line() -> None:
    with pytest.raises(ValueError, match="line 2"):
        _table("来源 source page\n稿源 source pgae\n")
    with pytest.raises(ValueError, match="repeated"):
        _table("来源 source page\n来源 source key\n")


def test_labels_by_reader() -> None:
    assert labels("page", "source")[0] == "来源"
    assert "发文日期" in labels("page") and "发文日期" not in labels("byline")
    with pytest.raises(ValueError):
        labels("pgae")
