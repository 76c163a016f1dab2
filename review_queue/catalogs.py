"""The message catalogs of the desk and of the review commands: Chinese ids, English as a locale.

The message ids are the Chinese texts themselves, so Chinese needs no catalog and can never miss a
string; ``translations/en/LC_MESSAGES/<domain>.po`` holds the English: domain ``messages`` for the
web desk (and the workflow's errors wherever they are shown), domain ``cli`` for what the review
commands of ``run.py`` print. The .po files are read and compiled in memory, once per process:
nothing is written anywhere (a read-only install works, and no temporary folder is left behind).

Outside a web request the language is the process's: :func:`use` sets it (the command line does,
from ``--lang`` or the environment, see :func:`language_from_env`).

Click's own strings ("Usage:", "Options:", its usage errors) are the exception: click marks them
for the standard library's gettext, which reads compiled catalogs only and picks the language
from the environment. ``translations/zh_CN/LC_MESSAGES/click.po`` (English ids, click's) is
therefore shipped compiled beside it (``click.mo``, made with ``pybabel compile``; a test checks
the two agree), and :func:`click_language` points gettext at it in the language chosen here.
"""

from __future__ import annotations

import functools
import gettext as stdlib_gettext
import io
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALES = ("zh", "en")
DEFAULT = "zh"
CATALOGS = Path(__file__).resolve().parent / "translations"
CLICK_DOMAIN = "click"  # translations/zh_CN/LC_MESSAGES/click.po (+ .mo): click's own strings
GETTEXT_LANGUAGE = {"zh": "zh_CN", "en": "en"}  # our locale -> the name gettext looks up
_process_language = DEFAULT


@functools.cache
def translations(locale: str, domain: str = "messages") -> NullTranslations:
    """The compiled catalog of *domain* for *locale* (Chinese, or a locale without one: the ids)."""
    po = CATALOGS / locale / "LC_MESSAGES" / f"{domain}.po"
    if locale == DEFAULT or not po.is_file():
        return NullTranslations()
    with po.open("rb") as fh:
        buf = io.BytesIO()
        write_mo(buf, read_po(fh, locale=locale, domain=domain))
    buf.seek(0)
    return Translations(buf, domain=domain)


def language_from_env(environ: Mapping[str, str]) -> str:
    """The language the environment asks for, as gettext reads it: the first of LC_ALL,
    LC_MESSAGES and LANG that is set. ``en…`` gives English; anything else (zh_CN, C, POSIX,
    nothing) Chinese, the default."""
    for key in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(key)
        if value:
            return "en" if value.lower().startswith("en") else DEFAULT
    return DEFAULT


def use(locale: str) -> None:
    """Set the language of this process's messages outside web requests (the command line)."""
    global _process_language
    _process_language = locale if locale in LOCALES else DEFAULT


def current_language() -> str:
    """The language of the web request being answered, else the process's (:func:`use`)."""
    try:
        import flask
        import flask_babel

        if flask.has_request_context():
            locale = flask_babel.get_locale()
            return str(locale) if locale is not None else DEFAULT
    except ImportError:  # pragma: no cover - flask is a dependency of this package
        pass
    return _process_language


def gettext(msgid: str, domain: str = "messages", **variables: object) -> str:
    """*msgid* in the current language, with %(name)s *variables* filled in."""
    text = translations(current_language(), domain).gettext(msgid)
    return text % variables if variables else text


def pgettext(context: str, msgid: str, domain: str = "messages", **variables: object) -> str:
    """Like :func:`gettext`, for a message whose id alone is ambiguous (编辑 the role, 编辑 the verb)."""
    text = translations(current_language(), domain).pgettext(context, msgid)
    return text % variables if variables else text


def ngettext(msgid: str, n: int, domain: str = "messages", **variables: object) -> str:
    """A message that counts *n* things: Chinese has one form (the id), English singular and plural
    (``msgid_plural`` in the catalog, the same Chinese id); ``%(n)s`` is filled in."""
    text = translations(current_language(), domain).ngettext(msgid, msgid, n)
    return text % {"n": n, **variables}


Message = str | Callable[[Mapping[str, Any]], str]  # a catalog id, or a function of the params that translates


def message(table: Mapping[str, Message], code: str | None, params: Mapping[str, Any] | None = None, *,
            domain: str = "messages", fallback: str = "") -> str:
    """A coded condition (an error, a note) in the current language: *table* (the package's codes ->
    catalog messages, Chinese ids) gives the message of *code*, translated in *domain* and filled
    with *params*, or a function of the params that translates its own parts. Every package keeps
    its own codes and English; this is the one place a code becomes words in the reader's language.
    A code the table has no message for, or params that do not fit it, give *fallback* (the
    package's own English line, as stored): nothing is lost."""
    entry = table.get(code) if code else None
    if entry is None:
        return fallback
    facts = dict(params or {})
    try:
        return entry(facts) if callable(entry) else gettext(entry, domain, **facts)
    except (KeyError, IndexError, TypeError, ValueError):
        return fallback


@contextmanager
def click_language(locale: str) -> Iterator[None]:
    """Click's own strings in *locale* while the block runs (then gettext is as it was).

    Click calls ``gettext.gettext``: the process's text domain, looked up in the language named
    by LANGUAGE (before LC_ALL, LC_MESSAGES, LANG). This binds the domain ``click`` to the
    shipped catalog, makes it the text domain and sets LANGUAGE to *locale*, so click follows
    the choice the command line made (``--lang``, else :func:`language_from_env`), Chinese by
    default even where the environment says C.
    """
    saved_domain, saved_language = stdlib_gettext.textdomain(), os.environ.get("LANGUAGE")
    stdlib_gettext.bindtextdomain(CLICK_DOMAIN, str(CATALOGS))
    stdlib_gettext.textdomain(CLICK_DOMAIN)
    os.environ["LANGUAGE"] = GETTEXT_LANGUAGE.get(locale, GETTEXT_LANGUAGE[DEFAULT])
    try:
        yield
    finally:
        stdlib_gettext.textdomain(saved_domain)
        if saved_language is None:
            os.environ.pop("LANGUAGE", None)
        else:
            os.environ["LANGUAGE"] = saved_language
