"""History notes are codes with params: every code reads in both languages, the old English notes
are converted once by schema step 6 and read as they did before, and no code writes a note
without a code.

cases/notes/legacy.json: each old note (as releases before step 6 wrote it, with the action of its
entry), the code and params the migration must give it, and what the desk showed for it in
Chinese and in English — the zh/en columns were produced by the regex reader this replaces
(review_queue/messages.py at af8462d); the rows with "was" are notes it did not translate.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

import checks
import review_queue
import store
from review_queue import catalogs, messages, notes, schema
from review_queue.history import history, record
from tests.review_queue.languages import shown_in

CASES = json.loads((Path(__file__).parent / "cases/notes/legacy.json").read_text(encoding="utf-8"))
ROOT = Path(review_queue.__file__).parent.parent


def _in(locale: str, value: object) -> str:
    return shown_in(locale, messages.history_note, value)


def test_every_note_code_has_a_message_and_a_case() -> None:
    assert set(messages.NOTES) == set(notes.ENGLISH)
    assert {c["code"] for c in CASES if c["code"]} == set(notes.ENGLISH), "each code needs a case in legacy.json"


@pytest.mark.parametrize("case", [c for c in CASES if c["code"]], ids=lambda c: c["note"][:40])
def test_each_code_reads_in_chinese_and_in_english_and_its_english_line_is_the_old_note(case: dict) -> None:
    note = notes.note(case["code"], **case["params"])
    assert note.english() == case["note"]
    entry = {"note": note.english(), "note_code": note.code, "note_params": dict(note.params)}
    zh, en = _in("zh", entry), _in("en", entry)
    assert zh == case["zh"]
    assert en == case["en"]
    assert zh != en, "the English catalog has no message for this code"


def _old_database(tmp_path: Path):
    """A database at review_queue schema 5 (before notes had codes), with the old notes in it."""
    db = store.open_db(tmp_path / "old.db")
    checks.init(db)
    store.migrate(db, "review_queue", schema.STEPS[:5])
    for n, case in enumerate(CASES, start=1):
        if case["action"] is None:  # a review row's own note
            db.execute("INSERT INTO reviews (item_id, state, note, submitted_at, updated_at) "
                       "VALUES (?, 'duplicate', ?, 't', 't')", [n, case["note"]])
        else:
            db.execute("INSERT INTO history (item_id, at, actor, action, note) VALUES (?, 't', 'system', ?, ?)",
                       [n, case["action"], case["note"]])
    return db


def test_schema_step_6_converts_the_old_notes_once_and_they_read_as_before(tmp_path: Path) -> None:
    db = _old_database(tmp_path)
    assert store.migrate(db, "review_queue", schema.STEPS) == 6
    for n, case in enumerate(CASES, start=1):
        if case["action"] is None:
            row = review_queue.actions.get_row(db, n)
            entry = {k: row[k] for k in ("note", "note_code", "note_params")}
        else:
            (entry,) = history(db, n)
        assert (entry["note_code"], entry["note_params"]) == (case["code"], case["params"]), case["note"]
        assert entry["note"] == case["note"]  # the English line (scripts, logs, --json) is unchanged
        assert _in("zh", entry) == case["zh"]
        assert _in("en", entry) == case["en"]
    stored = db.execute("SELECT count(*) FROM history WHERE note IS NOT NULL").fetchone()[0]
    assert stored == sum(1 for c in CASES if c["action"] and not c["code"])  # only a person's words stay text


def test_a_note_is_written_as_its_code_and_a_persons_reason_as_text(tmp_path: Path) -> None:
    db = store.open_db(tmp_path / "new.db")
    review_queue.init(db)
    record(db, 1, at="t", actor="ana", action="lock", note=notes.note("locked-until", until="2026-01-13T02:10:00+00:00"))
    record(db, 1, at="t", actor="ana", action="reject", note="不是本省新闻")
    rows = db.execute("SELECT note, note_code, note_params FROM history ORDER BY id").fetchall()
    assert rows == [(None, "locked-until", '{"until": "2026-01-13T02:10:00+00:00"}'), ("不是本省新闻", None, None)]
    with pytest.raises(TypeError, match="Note or a person's text"):
        record(db, 1, at="t", actor="ana", action="lock", note={"code": "locked-until"})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="system wrote a history note as text"):
        record(db, 1, at="t", actor="system", action="upstream-withdrawn", note="the source took the page down")
    with pytest.raises(ValueError, match="undeclared history note code 'lock-gone'"):
        notes.note("lock-gone")


def test_a_code_of_a_newer_release_still_shows_its_facts() -> None:
    entry = {"note": None, "note_code": "stolen-by-aliens", "note_params": {"id": 3}}
    entry["note"] = notes.Note("stolen-by-aliens", {"id": 3}).english()
    assert _in("zh", entry) == "stolen-by-aliens (id=3)"


def _literal_notes(path: Path) -> list[str]:
    """Calls in *path* passing ``note=`` an English sentence (a literal, an f-string, text + text)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "attr", getattr(node.func, "id", ""))
        if name in ("check_item", "Source"):  # not history: a check's note, a source's description
            continue
        for kw in node.keywords:
            value = kw.value
            if kw.arg == "note" and (isinstance(value, ast.JoinedStr | ast.BinOp)
                                     or isinstance(value, ast.Constant) and isinstance(value.value, str)):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_no_code_writes_a_history_note_without_a_code() -> None:
    files = [p for pkg in ("review_queue", "normalizers", "publisher", "pipeline") for p in (ROOT / pkg).rglob("*.py")]
    assert len(files) > 20
    offenders = [hit for f in files for hit in _literal_notes(f)]
    assert not offenders, f"history notes written as English text (use review_queue.notes.note): {offenders}"


def _recorded_actions() -> set[str]:
    """Every action name the code can write into the history (literals given to record, _move,
    _clear_withdrawn, or assigned to a variable ``action``)."""
    found: set[str] = set()

    def strings(node: ast.AST) -> set[str]:
        return {n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)}

    for path in (p for p in (ROOT / "review_queue").rglob("*.py") if "web" not in p.parts):  # web: form fields
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "attr", getattr(node.func, "id", ""))
                if name in ("_move", "_clear_withdrawn") and len(node.args) > 2:
                    found |= strings(node.args[2])
                found |= {s for kw in node.keywords if kw.arg == "action" and name == "record" for s in strings(kw.value)}
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    names = [t.id for t in ast.walk(target) if isinstance(t, ast.Name)]
                    if "action" in names and node.value is not None and isinstance(target, ast.Name | ast.Tuple):
                        found |= strings(node.value) if isinstance(target, ast.Name) else set()
    return found


def test_every_action_the_history_records_has_a_name_in_both_languages() -> None:
    actions = _recorded_actions()
    assert {"lock", "break-lock", "take-over-lock", "column", "upstream-restored", "publish", "keep"} <= actions
    chinese = {a: messages.history_action(a) for a in actions}
    unnamed = sorted(a for a, n in chinese.items() if not re.search(r"[\u4e00-\u9fff]", n))
    assert not unnamed, f"history actions without a Chinese name: {unnamed}"
    catalogs.use("en")
    try:
        english = {a: messages.history_action(a) for a in actions}
    finally:
        catalogs.use("zh")
    untranslated = sorted(a for a, n in english.items() if not n.isascii())
    assert not untranslated, f"history actions without an English name: {untranslated}"
