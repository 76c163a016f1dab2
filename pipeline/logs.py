"""The daemon's log: one line per event, as text, JSON or key=value (``[daemon] log_format``).

Each line names its source (when the event concerns one) and its cause. Failures an operator
meets in routine (a locked database, a full disk, a read-only file) are one line naming the
cause, without a traceback; a traceback is kept for what is really unexpected. The same error
repeated within ``log_repeat_window`` seconds is written once; the next line after the window
says how many were held back (``repeated=N``), so a full disk writes a handful of lines a
minute, not hundreds.

Log lines are in the operator's language, the one the command line chose (``--lang``, else
LC_ALL / LC_MESSAGES / LANG; Chinese by default). Every module logs a Chinese catalog id with its
facts as named params (``log.info("已采集 %(n)d 条", {"n": n})``: still lazy), and the formatter
translates it when the line is written, from the catalog domain ``log``
(review_queue/translations/en/LC_MESSAGES/log.po): the collectors and the publisher need no
catalog of their own. A param that is a coded condition of its package (a collector's failure
reason, a possible miss, a configuration error: ``extra={"words": {"error": ("collect", code,
params)}}``) is worded by the *words* function it is given (pipeline.wording.log_words), in the same language; without it, or
for a code it does not word, the param's English as given stays.
"""

from __future__ import annotations

import errno
import json
import logging
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from review_queue import catalogs

__all__ = ["configure", "known_cause", "OneLine", "RepeatLimit", "LineFormatter", "MessageFormatter", "message_of",
           "last_resort", "say"]

DOMAIN = "log"  # review_queue/translations/en/LC_MESSAGES/log.po: the English of every log line
Words = Callable[[str, str | None, Mapping[str, Any] | None, str], str]  # (table, code, params, English) -> words

SHANGHAI = ZoneInfo("Asia/Shanghai")
ROUTINE = {"database-locked", "disk-full", "read-only", "disk-io", "cannot-open", "permission-denied",
           "DatabaseError"}
NOISY = ("apscheduler.executors.default", "apscheduler.scheduler", "urllib3", "jieba", "waitress.queue")


def known_cause(exc: BaseException) -> str | None:
    """A routine failure's name (database-locked, disk-full, read-only, disk-io), else None."""
    if isinstance(exc, sqlite3.Error):
        msg = str(exc).lower()
        for needle, cause in (("locked", "database-locked"), ("busy", "database-locked"),
                              ("full", "disk-full"), ("readonly", "read-only"), ("read-only", "read-only"),
                              ("disk i/o", "disk-io"), ("unable to open", "cannot-open")):
            if needle in msg:
                return cause
        return None
    if isinstance(exc, OSError):
        return {errno.ENOSPC: "disk-full", errno.EDQUOT: "disk-full", errno.EROFS: "read-only",
                errno.EIO: "disk-io", errno.EACCES: "permission-denied"}.get(exc.errno or -1)
    return None


def _source_of(record: logging.LogRecord) -> str | None:
    """The source an event concerns: given as ``extra={"source": …}``, or the first argument of
    the collectors' "source %s …" messages."""
    given = getattr(record, "source", None)
    if given:
        return str(given)
    if isinstance(record.args, Mapping) and record.args.get("source"):
        return str(record.args["source"])
    msg = record.msg if isinstance(record.msg, str) else ""
    if msg.startswith(("source %s", "ALERT source %s")) and isinstance(record.args, tuple) and record.args:
        return str(record.args[0])
    return None


class OneLine(logging.Filter):
    """Routine failures lose their traceback and say their cause; every record gets source and cause."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.source = _source_of(record)
        cause = getattr(record, "cause", None)
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            known = known_cause(exc)
            if known:  # the library's own text, a quoted detail after the translated message
                record.detail = " ".join(str(exc).split())[:200]
                record.exc_info = None
                record.exc_text = None
                cause = known
            else:
                cause = cause or type(exc).__name__
        record.cause = cause
        return True


class RepeatLimit(logging.Filter):
    """The same event (logger, message template, source, cause) at most once per *window* seconds;
    the first one after the window carries how many were held back."""

    def __init__(self, window: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.window = window
        self.clock = clock
        self._lock = threading.Lock()
        self._seen: dict[tuple, list[float | int]] = {}  # key -> [last written at, held back since]

    def filter(self, record: logging.LogRecord) -> bool:
        record.repeated = 0
        if self.window <= 0 or record.levelno < logging.WARNING:
            return True
        cause = getattr(record, "cause", None)
        # a full disk or a locked database fails every source alike: one line for all of them
        key = ((record.levelno, cause) if cause in ROUTINE else
               (record.name, record.levelno, str(record.msg), getattr(record, "source", None), cause))
        now = self.clock()
        with self._lock:
            entry = self._seen.get(key)
            if entry is not None and now - entry[0] < self.window:
                entry[1] += 1
                return False
            record.repeated = int(entry[1]) if entry else 0
            self._seen[key] = [now, 0]
            if len(self._seen) > 10_000:  # forget the oldest keys; a key seen again restarts its count
                for k in sorted(self._seen, key=lambda k: self._seen[k][0])[:5_000]:
                    del self._seen[k]
        return True


def message_of(record: logging.LogRecord, language: str = catalogs.DEFAULT, words: Words | None = None) -> str:
    """The record's message in *language*: its catalog id translated (Chinese: the id itself), the
    params filled in, a coded reason worded by *words*, a routine failure's detail after it. A
    message the catalog does not know is written as it is; params that do not fit the translation
    give the untranslated line: a log line is never lost to a catalog mistake."""
    text = str(record.msg)
    if language != catalogs.DEFAULT:
        text = catalogs.translations(language, DOMAIN).gettext(text)
    args: Any = record.args
    coded = getattr(record, "words", None)
    if words is not None and coded and isinstance(args, Mapping):
        args = dict(args)
        for key, (table, code, params) in coded.items():
            if key in args:
                try:
                    args[key] = words(table, code, params, str(args[key]))
                except Exception:  # noqa: BLE001 - a wording mistake costs the words, never the line
                    pass
    try:
        text = text % args if args else text
    except (TypeError, ValueError, KeyError):
        try:
            text = record.getMessage()
        except (TypeError, ValueError, KeyError):
            text = f"{record.msg} {record.args!r}"
    detail = getattr(record, "detail", None)
    return text + ("：" if language == catalogs.DEFAULT else ": ") + detail if detail else text


class LineFormatter(logging.Formatter):
    """text: ``time LEVEL logger: message [source=… cause=… repeated=N]``; json: one object per
    line; kv: ``time=… level=… logger=… source=… cause=… msg="…"``. Times in Beijing time, the
    message in *language* (see :func:`message_of`)."""

    def __init__(self, kind: str = "text", language: str = catalogs.DEFAULT, words: Words | None = None) -> None:
        super().__init__()
        self.kind = kind
        self.language = language
        self.words = words

    def format(self, record: logging.LogRecord) -> str:
        when = datetime.fromtimestamp(record.created, SHANGHAI).isoformat(timespec="milliseconds")
        message = message_of(record, self.language, self.words)
        if record.exc_info:
            record.exc_text = record.exc_text or self.formatException(record.exc_info)
        fields = {"time": when, "level": record.levelname.lower(), "logger": record.name,
                  "source": getattr(record, "source", None), "cause": getattr(record, "cause", None),
                  "repeated": getattr(record, "repeated", 0) or None, "msg": message}
        if self.kind == "json":
            if record.exc_text:
                fields["traceback"] = record.exc_text
            return json.dumps({k: v for k, v in fields.items() if v is not None}, ensure_ascii=False)
        if self.kind == "kv":
            parts = [f"{k}={_kv(v)}" for k, v in fields.items() if v is not None]
            if record.exc_text:
                parts.append(f"traceback={_kv(record.exc_text)}")
            return " ".join(parts)
        extra = " ".join(f"{k}={fields[k]}" for k in ("source", "cause", "repeated") if fields[k] is not None)
        line = f"{when} {record.levelname} {record.name}: {message}" + (f" [{extra}]" if extra else "")
        return line + ("\n" + record.exc_text if record.exc_text else "")


def _kv(value: object) -> str:
    text = str(value)
    if text and not any(c in text for c in ' "=\n\t'):
        return text
    return json.dumps(text, ensure_ascii=False)


class MessageFormatter(logging.Formatter):
    """The bare message (logging's ``%(message)s``), in *language*."""

    def __init__(self, language: str = catalogs.DEFAULT, words: Words | None = None) -> None:
        super().__init__()
        self.language, self.words = language, words

    def format(self, record: logging.LogRecord) -> str:
        return message_of(record, self.language, self.words)


class _Stderr(logging.StreamHandler):
    """Writes to whatever sys.stderr is when a line is written (as logging's last resort does)."""

    @property  # type: ignore[override]
    def stream(self):  # noqa: ANN201
        return sys.stderr

    @stream.setter
    def stream(self, value: object) -> None:
        pass


def last_resort(language: str = catalogs.DEFAULT, words: Words | None = None) -> logging.Handler:
    """What a command without a log handler writes its warnings with (logging.lastResort: the bare
    message on stderr), in the command line's language."""
    handler = _Stderr()
    handler.setLevel(logging.WARNING)
    handler.setFormatter(MessageFormatter(language, words))
    return handler


_language = catalogs.DEFAULT  # the language configure() was given: say() writes in it too


def say(msgid: str, **params: object) -> str:
    """*msgid* (a catalog id of the domain ``log``) in the language of the log, for what is written
    to stderr without the logging machinery (a signal handler's last words)."""
    return message_of(logging.LogRecord("huiju", logging.INFO, "", 0, msgid, (params,) if params else None, None),
                      _language)


def configure(kind: str = "text", *, debug: bool = False, window: float = 60.0, stream=None,  # noqa: ANN001
              language: str = catalogs.DEFAULT, words: Words | None = None) -> logging.Handler:
    """Send every log record through one handler on stderr (or *stream*) in the chosen format and
    the operator's *language*."""
    global _language
    _language = language
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(LineFormatter(kind, language, words))
    handler.addFilter(OneLine())
    handler.addFilter(RepeatLimit(window))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if debug else logging.INFO)
    for noisy in NOISY:
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return handler
