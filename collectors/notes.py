"""A warning of a run with its facts: the English line the collectors keep (stored, matched on,
printed by ``collect --json``) and a stable code with named params, which the command line words
in the operator's language (pipeline.wording's tables of each kind of note). A ``Note`` is a ``str``, so
every place that joins, stores or compares warnings keeps working; the facts travel with it as far
as the warning itself goes in memory, and are stored beside it where the command line needs them
later (an item's ``charset_note``, a source's ``last_warning_facts``).
"""

from __future__ import annotations

from typing import Any

__all__ = ["Note", "facts_of"]


class Note(str):
    """An English line (``PREFIX`` + *english*) with its code and params."""

    PREFIX = ""
    code: str
    params: dict[str, Any]

    def __new__(cls, code: str, english: str, **params: Any) -> Note:
        note = super().__new__(cls, cls.PREFIX + english)
        note.code, note.params = code, params
        return note

    @property
    def facts(self) -> dict[str, Any]:
        return {"code": self.code, "params": {k: facts_of(v) for k, v in self.params.items()}}

    def __reduce__(self) -> tuple[Any, ...]:  # copies (dataclasses.asdict) and pickles keep the facts
        return _rebuilt, (type(self), self.code, str(self).removeprefix(self.PREFIX), self.params)


def facts_of(value: Any) -> Any:
    """*value* as JSON can hold it: a note inside another note's params becomes its facts."""
    return value.facts if isinstance(value, Note) else value


def _rebuilt(cls: type[Note], code: str, english: str, params: dict[str, Any]) -> Note:
    return cls(code, english, **params)
