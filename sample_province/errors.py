"""Errors the sample province raises, each named by its condition; messages are one line."""

from __future__ import annotations


class ProvinceError(Exception):
    """Base class: something about the sample province's options or state is wrong."""


class UnknownFaultError(ProvinceError):
    """A fault profile, fault kind or fault parameter that does not exist."""


class UnknownSiteError(ProvinceError):
    """A site id that the province does not have."""


class BadOptionError(ProvinceError):
    """An option value out of range (sites, speed, latency, start day…)."""
