"""The detectors on case files: each case marks what must be found, and nothing else may be."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

import checks
from checks.personal import id_check_digit, luhn_ok, valid_id15, valid_id18

CASES = Path(__file__).parent / "cases"
MARK = re.compile(r"⟦([A-Za-z-]+):([^⟧]*)⟧")


def marked_lines(name: str) -> list[tuple[int, str]]:
    out = []
    for n, line in enumerate((CASES / name).read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip() and not line.startswith("#"):
            out.append((n, line))
    return out


def unmark(line: str) -> tuple[str, list[tuple[str, str, int]]]:
    """The plain text of a case line and its expected (kind, text, offset) hits."""
    text, expected, pos = "", [], 0
    for m in MARK.finditer(line):
        text += line[pos:m.start()]
        expected.append((m.group(1), m.group(2), len(text)))
        text += m.group(2)
        pos = m.end()
    return text + line[pos:], expected


PERSONAL = marked_lines("personal.txt")


@pytest.mark.parametrize(("n", "line"), PERSONAL, ids=[f"personal.txt:{n}" for n, _ in PERSONAL])
def test_personal_case(n: int, line: str) -> None:
    text, expected = unmark(line)
    found = [(h.kind, h.text, h.start) for h in checks.find_personal(text, today=date(2026, 12, 1))]
    assert found == expected, f"personal.txt:{n}: {text}"


def test_the_check_digit_and_dates_are_what_decide() -> None:
    assert id_check_digit("11010519491231002") == "X"
    assert valid_id18("11010519491231002X") and not valid_id18("110105194912310021")
    # a birth date after today is no birth date
    assert not valid_id18("230102" + "20990101" + "001" + id_check_digit("23010220990101001"))
    assert valid_id15("230102850312004") and not valid_id15("230102850230004")
    assert luhn_ok("4367420012345673") and not luhn_ok("4367420012345674")


TERMS_CASES = marked_lines("terms.txt")


@pytest.fixture(scope="module")
def term_checker() -> checks.Checker:
    terms = checks.TermSet.from_files([CASES / "terms_list.txt"])
    return checks.Checker(terms=terms)


@pytest.mark.parametrize(("n", "line"), TERMS_CASES, ids=[f"terms.txt:{n}" for n, _ in TERMS_CASES])
def test_terms_case(term_checker: checks.Checker, n: int, line: str) -> None:
    text, expected = unmark(line)
    found = [(f.code, f.text, f.offset) for f in term_checker.run(checks.ItemText(title=text, text=""))
             if f.code.startswith("TERM-")]
    assert sorted(found, key=lambda x: x[2]) == expected, f"terms.txt:{n}: {text}"


BAD = sorted((CASES / "bad_terms").glob("*.txt"))


@pytest.mark.parametrize("path", BAD, ids=[p.name for p in BAD])
def test_a_term_file_with_a_mistake_is_refused_naming_file_and_line(path: Path) -> None:
    first = path.read_bytes().splitlines()[0].decode("ascii")  # "# expect: :LINE: words of the message"
    line, words = re.fullmatch(r"# expect: :(\d+): (.+)", first).groups()
    with pytest.raises(checks.TermError) as info:
        checks.TermSet.from_files([path])
    msg = str(info.value)
    assert "\n" not in msg
    assert msg.startswith(f"{path}:{line}: "), msg
    assert words in msg, msg


def test_the_shipped_list_loads_and_finds_an_old_name() -> None:
    found = checks.checker().run(checks.ItemText(title="", text="黑龙江省国土资源厅发布通知"))
    assert [(f.code, f.text) for f in found] == [("TERM-NAME", "黑龙江省国土资源厅")]
    assert "黑龙江省自然资源厅" in found[0].message
