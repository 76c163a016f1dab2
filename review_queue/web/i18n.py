"""The desk's languages: Chinese first, English as a locale (Flask-Babel, gettext catalogs).

The message ids are the Chinese labels themselves, so Chinese needs no catalog and can never be
missing a string; ``review_queue/translations/en/LC_MESSAGES/messages.po`` holds the English. The
catalog is compiled in memory (:mod:`review_queue.catalogs`; the desk needs no compiled file, only
click's catalog for the command line is shipped compiled, as the standard library's gettext needs),
and a reviewer picks the language with the link in the page header (kept in the session).
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

import flask
from babel.support import NullTranslations
from flask import redirect, request, session
from flask_babel import Babel, Domain, get_locale

from review_queue import catalogs
from review_queue.web.common import safe_next

LOCALES = catalogs.LOCALES
DEFAULT = catalogs.DEFAULT


class CatalogDomain(Domain):
    """Flask-Babel's domain, reading the catalogs :mod:`review_queue.catalogs` compiled in memory."""

    def get_translations(self) -> NullTranslations:
        locale = get_locale()
        return catalogs.translations(str(locale) if locale is not None else DEFAULT, "messages")


class DeskBabel(Babel):
    """Flask-Babel whose translations come from :class:`CatalogDomain`, not from .mo files."""

    @cached_property
    def domain_instance(self) -> Domain:
        return CatalogDomain(domain=self.domain)


def select_locale() -> str:
    chosen = session.get("lang")
    return chosen if chosen in LOCALES else DEFAULT


def init_babel(app: flask.Flask) -> None:
    """Flask-Babel on the host app (unless it has its own), Beijing time as the default zone."""
    if "babel" in app.extensions:
        return
    DeskBabel(app, locale_selector=select_locale, default_locale=DEFAULT, default_timezone="Asia/Shanghai")


def set_language(code: str) -> Any:
    """Switch the language for this browser and go back where the reviewer was."""
    if code in LOCALES:
        session["lang"] = code
    return redirect(safe_next(request.args.get("next")))


ROUTES = (("/lang/<code>", set_language, ("GET",)),)
