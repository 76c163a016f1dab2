"""The checks package's errors, each a one-line message naming its cause."""

from __future__ import annotations


class CheckError(Exception):
    """Base of every error this package raises."""


class TermError(CheckError):
    """A term file cannot be used: ``file:line: reason``."""



