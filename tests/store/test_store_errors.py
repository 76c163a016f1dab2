"""store.StoreError carries a code and params: str() stays one line of English (logs, scripts),
and every code has a catalog message in Chinese (the id) and English (the .po) for the desk and
the command line."""

from __future__ import annotations

import pickle
import re
import sqlite3
from pathlib import Path

import pytest

import store
from review_queue import messages
from tests.review_queue.languages import shown_in


def _in(locale: str, value: object) -> str:
    return shown_in(locale, messages.error_message, value)


def _sample(code: str) -> store.StoreError:
    names = set(re.findall(r"\{(\w+)", store.ENGLISH[code]))
    facts = {"path": "/srv/huiju/h.db", "why": "unable to open database file", "mode": "delete", "owner": "publisher",
             "done": 7, "known": 6, "seconds": 10.0}
    return store.StoreError(code, **{k: v for k, v in facts.items() if k in names})


@pytest.mark.parametrize("code", sorted(store.ENGLISH))
def test_every_store_error_code_reads_in_both_languages_and_its_str_is_one_english_line(code: str) -> None:
    exc = _sample(code)
    assert code in messages.STORE_ERRORS
    line = str(exc)
    assert line.startswith("/srv/huiju/h.db: ") and "\n" not in line and line.isascii()
    zh, en = _in("zh", exc), _in("en", exc)
    assert zh.startswith("/srv/huiju/h.db：") and re.search(r"[\u4e00-\u9fff]", zh)
    assert en == line, "the English catalog message should say what str() says"
    assert "%(" not in zh and "{" not in zh
    assert pickle.loads(pickle.dumps(exc)).params == exc.params


def test_the_store_raises_coded_errors_a_reader_sees_in_their_language(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.db"
    bogus.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(store.StoreError) as caught:
        store.open_db(bogus)
    assert (caught.value.code, caught.value.params) == ("not-a-database", {"path": str(bogus)})
    assert str(caught.value) == f"{bogus}: file is not a SQLite database"
    assert _in("zh", caught.value) == f"{bogus}：该文件不是 SQLite 数据库"
    with pytest.raises(store.StoreError) as missing:
        store.open_db(tmp_path / "typo" / "h.db", readonly=True)
    assert missing.value.code == "no-database" and not (tmp_path / "typo").exists()
    with pytest.raises(store.StoreError) as folder:
        store.backup(store.open_db(tmp_path / "h.db"), tmp_path)
    assert folder.value.code == "backup-is-folder" and "这是文件夹" in _in("zh", folder.value)


def test_a_database_error_met_while_working_is_named_by_its_cause() -> None:
    cases = {"database is locked": "locked-waited", "database or disk is full": "disk-full",
             "attempt to write a readonly database": "read-only", "disk I/O error": "disk-io",
             "database disk image is malformed": "damaged", "no such table: x": "database-error"}
    for message, code in cases.items():
        exc = store.as_store_error(sqlite3.OperationalError(message), "h.db")
        assert exc.code == code, message
        assert store.describe_error(sqlite3.OperationalError(message), "h.db") == str(exc)


def test_a_message_without_a_code_is_kept_whole() -> None:
    exc = store.StoreError("h.db: something new went wrong")
    assert (exc.code, str(exc)) == ("other", "h.db: something new went wrong")
    assert _in("zh", exc) == "未完成：h.db: something new went wrong"
