"""Conditions the publisher refuses, each a one-line message naming the cause."""

from __future__ import annotations

__all__ = ["PublisherError", "UnknownColumn", "UnknownItem", "InvalidEntry", "StaleVersion", "BadQuery"]


class PublisherError(Exception):
    """Base class: something the publisher cannot do, said in one line."""


class UnknownColumn(PublisherError):
    """A column id that is not in the catalog (a feed URL, an API filter, an export)."""


class UnknownItem(PublisherError):
    """An item id that was never published (retract, /api/v1/items/{id})."""


class InvalidEntry(PublisherError):
    """An entry that cannot reach the portal as given (no title, no http(s) link, no column…)."""


class StaleVersion(PublisherError):
    """A publish of an item version older than the one the portal already shows."""


class BadQuery(PublisherError):
    """A search or API query that cannot be answered (empty, too long, malformed cursor)."""
