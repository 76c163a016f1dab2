"""Conditions the normalizers refuse, each named by what is wrong (as sqlite-utils names its
errors), all under one base class so that a caller can catch "a normalizer said no" at once."""

from __future__ import annotations

__all__ = ["ClusterEditRefused", "NormalizerError", "UnknownItem"]


class NormalizerError(Exception):
    """Base class: something the normalizers cannot do, said in one line."""


class UnknownItem(NormalizerError):
    """No stored item has this id (tombstone, a replayed ingest whose item is gone)."""


class ClusterEditRefused(NormalizerError):
    """A split or merge that cannot be done (the item is alone in its story, the stories are one)."""
