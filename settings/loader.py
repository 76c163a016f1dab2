"""Parse and validate schedules.toml (full implementation in progress)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from settings.model import Column, Config, Source


class ConfigError(Exception):
    """schedules.toml is wrong; the message is one line naming the file, the entry and the reason."""


def load(path: str | Path) -> Config:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{p.name}: cannot read: {exc.strerror}") from None
    return loads(text, name=str(p))


def loads(text: str, name: str = "schedules.toml") -> Config:
    data = tomllib.loads(text)
    columns = {c["id"]: Column(id=c["id"], name=c["name"], kind=c["kind"]) for c in data.get("columns", [])}
    sources = tuple(Source(**s) for s in data.get("sources", []))
    return Config(path=name, columns=columns, sources=sources)
