"""Structured logs: one line per event with source and cause, routine failures without tracebacks,
repeated errors written once per window with a count."""

from __future__ import annotations

import io
import json
import logging
import sqlite3

import pytest

from pipeline import logs


@pytest.fixture
def capture():
    made = []

    def make(kind: str, window: float = 60.0, clock=None, language: str = "zh"):
        stream = io.StringIO()
        handler = logging.StreamHandler(stream)
        handler.setFormatter(logs.LineFormatter(kind, language))
        handler.addFilter(logs.OneLine())
        handler.addFilter(logs.RepeatLimit(window, clock=clock) if clock else logs.RepeatLimit(window))
        log = logging.getLogger(f"huiju.test.{kind}.{len(made)}")
        log.propagate = False
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        made.append((log, handler))
        return log, stream

    yield make
    for log, handler in made:
        log.removeHandler(handler)


def locked() -> sqlite3.OperationalError:
    try:
        raise sqlite3.OperationalError("database is locked")
    except sqlite3.OperationalError as exc:
        return exc


def test_json_lines_carry_source_and_cause(capture) -> None:
    log, out = capture("json")
    log.warning("source %s failed (%d in a row, next try in %.0fs): %s", "harbin", 2, 120.0, "HTTP 503 at x",
                extra={"cause": "FetchError"})
    log.info("pipeline: ingested %d", 3)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(lines) == 2
    assert lines[0]["source"] == "harbin" and lines[0]["cause"] == "FetchError" and lines[0]["level"] == "warning"
    assert lines[0]["msg"].startswith("source harbin failed (2 in a row") and lines[0]["time"].endswith("+08:00")
    assert "source" not in lines[1]


@pytest.mark.parametrize(("language", "said"), [("zh", "处理流程这一轮失败：database is locked"),
                                              ("en", "pipeline pass failed: database is locked")])
def test_a_locked_database_is_one_line_without_traceback(capture, language: str, said: str) -> None:
    log, out = capture("kv", language=language)
    exc = locked()
    log.error("处理流程这一轮失败", exc_info=(type(exc), exc, exc.__traceback__))
    text = out.getvalue()
    assert text.count("\n") == 1 and "Traceback" not in text
    assert "cause=database-locked" in text and f'msg="{said}"' in text  # the library's text kept as the detail


def test_an_unexpected_error_keeps_its_traceback(capture) -> None:
    log, out = capture("text")
    try:
        {}["x"]
    except KeyError:
        log.exception("pipeline pass failed")
    assert "Traceback" in out.getvalue() and "cause=KeyError" in out.getvalue()


def test_repeated_errors_are_written_once_per_window_with_a_count(capture) -> None:
    now = [0.0]
    log, out = capture("json", window=60, clock=lambda: now[0])
    for sid in ("harbin", "qiqihar", "daqing") * 100:  # a full disk fails every source alike
        exc = sqlite3.OperationalError("database or disk is full")
        log.error("source %s: cannot store", sid, exc_info=(type(exc), exc, None))
        now[0] += 0.1  # 300 errors in 30 s
    log.warning("source %s failed: %s", "harbin", "HTTP 500")  # another event passes
    now[0] = 95.0
    exc = sqlite3.OperationalError("database or disk is full")
    log.error("source %s: cannot store", "harbin", exc_info=(type(exc), exc, None))
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [ln.get("cause") for ln in lines] == ["disk-full", None, "disk-full"]
    assert lines[2]["repeated"] == 299
