"""What a collector hands on: the record is ``pages.CollectedItem`` (below both stages)."""

from __future__ import annotations

from pages.item import CollectedItem

__all__ = ["CollectedItem"]
