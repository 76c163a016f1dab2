"""What a reader of a given language is shown, outside a web request (tests of catalog messages)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from review_queue import catalogs


def shown_in(locale: str, show: Callable[[Any], str], value: Any) -> str:
    """``show(value)`` with the process's language set to *locale* (then back to Chinese)."""
    catalogs.use(locale)
    try:
        return show(value)
    finally:
        catalogs.use("zh")
