"""Checks before publishing (三审三校): personal data, term lists, links, dates, source lines.

Every item is checked at ingest (:func:`check_ingested`, called by the pipeline between the
normalizers and the review queue) and again after every reviewer edit (:func:`check_item`,
called by review_queue.edit). Each finding has a code, a severity (``block`` or ``warn``), the
matched text and its place; it is stored with the item version in ``check_findings`` (this
package's table) and closes by itself when a re-check no longer finds it. A ``block`` finding
stops a reviewer's approval (:func:`blocking`); an editor may :func:`override` it with a reason.
Links are checked for 404/410 by :func:`link_pass`, off the ingest path.
"""

from __future__ import annotations

from checks.checker import Checker, ItemText, checker, default_term_files, last_error
from checks.errors import CheckError, TermError
from checks.findings import CODES, Finding, init, open_findings, override
from checks.highlight import highlight, highlight_text
from checks.personal import find_personal
from checks.recheck import blocking, check_ingested, check_item, counts, link_pass
from checks.terms import TermSet, parse_terms

__all__ = [
    "CODES",
    "CheckError",
    "Checker",
    "Finding",
    "ItemText",
    "TermError",
    "TermSet",
    "blocking",
    "check_ingested",
    "check_item",
    "checker",
    "counts",
    "default_term_files",
    "find_personal",
    "highlight",
    "highlight_text",
    "init",
    "last_error",
    "link_pass",
    "open_findings",
    "override",
    "parse_terms",
]
