"""The desk's languages: Chinese first, English as a locale (Flask-Babel, gettext catalogs).

The message ids are the Chinese labels themselves, so Chinese needs no catalog and can never be
missing a string; ``review_queue/translations/en/LC_MESSAGES/messages.po`` holds the English. The
catalog is compiled when the app starts (no compiled file in the repository), and a reviewer
picks the language with the link in the page header (kept in the session).
"""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path
from typing import Any

import flask
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import redirect, request, session
from flask_babel import Babel

from review_queue.web.common import safe_next

LOCALES = ("zh", "en")
DEFAULT = "zh"
CATALOGS = Path(__file__).resolve().parents[1] / "translations"
_compiled: str | None = None
_lock = threading.Lock()


def compiled_catalogs() -> str:
    """A folder with the .po catalogs compiled to .mo (once per process)."""
    global _compiled
    with _lock:
        if _compiled is None:
            out = Path(tempfile.mkdtemp(prefix="huiju-i18n-"))
            for po in CATALOGS.glob("*/LC_MESSAGES/*.po"):
                target = out / po.relative_to(CATALOGS).with_suffix(".mo")
                target.parent.mkdir(parents=True, exist_ok=True)
                with po.open("rb") as src, target.open("wb") as dst:
                    write_mo(dst, read_po(src))
            _compiled = str(out)
        return _compiled


def select_locale() -> str:
    chosen = session.get("lang")
    return chosen if chosen in LOCALES else DEFAULT


def init_babel(app: flask.Flask) -> None:
    """Flask-Babel on the host app (unless it has its own), Beijing time as the default zone."""
    if "babel" in app.extensions:
        return
    Babel(app, locale_selector=select_locale, default_locale=DEFAULT, default_timezone="Asia/Shanghai",
          default_translation_directories=compiled_catalogs())


def set_language(code: str) -> Any:
    """Switch the language for this browser and go back where the reviewer was."""
    if code in LOCALES:
        session["lang"] = code
    return redirect(safe_next(request.args.get("next")))


ROUTES = (("/lang/<code>", set_language, ("GET",)),)
