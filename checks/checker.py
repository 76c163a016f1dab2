"""Running every check on one item, and the loaded term lists that the checks share.

:func:`checker` hands out the lists of a configuration, loaded once and loaded again when a
file changes (its size or modification time; looked at on every pass, at most once a second).
A file with a mistake is refused with ``file:line: reason`` and the lists loaded before stay in
force; with nothing loaded before, the error is raised, so that a daemon does not start with
lists it cannot read.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from checks.errors import TermError
from checks.findings import CODES, Finding
from checks.links import HARMLESS_SCHEMES, scheme_of
from checks.personal import find_personal
from checks.terms import TermSet
from settings import CheckSettings, Config

log = logging.getLogger("huiju.checks")

__all__ = ["Checker", "ItemText", "checker", "default_term_files"]

TERMS_DIR = Path(__file__).resolve().parent / "terms"
_PII_CODES = {"id": "PII-ID", "card": "PII-CARD", "mobile": "PII-MOBILE", "passport": "PII-PASSPORT"}
_NEWLINE = re.compile("\n")
_TERM_CODES = {"banned": "TERM-BANNED", "variant": "TERM-VARIANT", "name": "TERM-NAME", "title": "TERM-TITLE"}


def default_term_files() -> list[Path]:
    """The term list shipped with Huiju (checks/terms/*.txt)."""
    return sorted(TERMS_DIR.glob("*.txt"))


@dataclass
class ItemText:
    """What the checks read of one item (the reviewer's edits already applied)."""

    title: str
    text: str
    links: list[str] = field(default_factory=list)
    published_at: str | None = None
    collected_at: str | None = None
    source_line: str | None = None
    column: str | None = None


def _when(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        t = datetime.fromisoformat(value)
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=UTC)


@dataclass
class Checker:
    """The checks of one configuration: its settings, term lists and the columns' rules."""

    settings: CheckSettings = field(default_factory=CheckSettings)
    terms: TermSet = field(default_factory=TermSet)
    source_required: frozenset[str] = frozenset()

    def severity(self, code: str) -> str:
        return dict(self.settings.severity).get(code, CODES[code][1])

    def _finding(self, code: str, text: str, paragraph: int | None, offset: int | None, message: str,
                 severity: str | None = None) -> Finding:
        sev = dict(self.settings.severity).get(code) or severity or CODES[code][1]
        return Finding(code, sev, text, paragraph, offset, message)

    def run(self, item: ItemText, *, dead: dict[str, int] | None = None,
            families: Iterable[str] | None = None) -> list[Finding]:
        """Every finding on *item*; *dead* maps its links known to answer 404/410 to the status."""
        fams = set(families) if families is not None else None
        out: list[Finding] = []
        # one pass over title and body together (a newline never joins a match); places per paragraph
        whole = f"{item.title or ''}\n{item.text or ''}"
        starts = [0, *(m.end() for m in _NEWLINE.finditer(whole))]

        def place(offset: int) -> tuple[int, int]:
            n = bisect_right(starts, offset) - 1
            return n, offset - starts[n]

        if fams is None or "personal" in fams:
            for hit in find_personal(whole):
                code = _PII_CODES[hit.kind]
                out.append(self._finding(code, hit.text, *place(hit.start),
                                         f"{CODES[code][2]}: 公开前请删除或打码 remove or mask it"))
        if fams is None or "terms" in fams:
            for th in self.terms.find(whole):
                t = th.term
                code = _TERM_CODES[t.kind]
                if t.kind == "title":
                    msg = f"{t.key} 应带职务 must appear with the title {' / '.join(t.titles)}"
                elif t.right:
                    msg = f"应写作「{t.right}」 write {t.right} ({t.where})"
                else:
                    msg = f"{CODES[code][2]} ({t.where})"
                out.append(self._finding(code, th.text, *place(th.start), msg, severity=t.severity))
        if fams is None or "links" in fams:
            for url in item.links:
                scheme = scheme_of(url)
                if scheme and scheme not in HARMLESS_SCHEMES:
                    out.append(self._finding("LINK-SCHEME", url, None, None,
                                             f"链接使用 {scheme}: 协议，门户无法打开 the portal cannot open a {scheme}: link"))
                elif dead and url in dead:
                    out.append(self._finding("LINK-DEAD", url, None, None,
                                             f"链接返回 {dead[url]} the link answers {dead[url]}"))
        if fams is None or "dates" in fams:
            out.extend(self._dates(item))
        if (fams is None or "source" in fams) and item.column in self.source_required \
                and not (item.source_line or "").strip():
            out.append(self._finding("SOURCE-MISSING", "", None, None,
                                     f"栏目 {item.column} 要求注明来源 the column requires a source line"))
        return out

    def _dates(self, item: ItemText) -> list[Finding]:
        published, collected = _when(item.published_at), _when(item.collected_at)
        if published is None or collected is None:
            return []
        s = self.settings
        if published - collected > timedelta(hours=s.date_future_hours):
            return [self._finding("DATE-FUTURE", item.published_at or "", None, None,
                                  f"发布时间晚于采集时间 {published - collected} later than collected")]
        if s.date_far_days and collected - published > timedelta(days=s.date_far_days):
            days = (collected - published).days
            return [self._finding("DATE-FAR", item.published_at or "", None, None,
                                  f"发布时间早于采集时间 {days} 天 published {days} days before it was collected")]
        return []


class _Cache:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.stamp: tuple[Any, ...] | None = None
        self.checker: Checker | None = None
        self.looked_at = 0.0
        self.key: tuple[Any, ...] | None = None
        self.error: str | None = None


_cache = _Cache()


def _files(settings: CheckSettings) -> list[Path]:
    return [*(default_term_files() if settings.default_terms else []), *(Path(p) for p in settings.terms)]


def _stamp(files: list[Path]) -> tuple[Any, ...]:
    out = []
    for f in files:
        try:
            st = f.stat()
            out.append((str(f), st.st_mtime_ns, st.st_size))
        except OSError:
            out.append((str(f), None, None))
    return tuple(out)


def checker(config: Config | None = None, *, force: bool = False) -> Checker:
    """The checker of *config* (the shipped defaults when None), reloaded when a term file changed.

    Raises TermError only when no lists of this configuration were loaded before; later mistakes
    are logged in one line and the lists in force stay.
    """
    settings = config.checks if config is not None else CheckSettings()
    required = frozenset(c.id for c in (config.columns.values() if config is not None else ())
                         if getattr(c, "source_required", False))
    key = (settings, required)
    with _cache.lock:
        now = time.monotonic()
        if not force and _cache.key == key and _cache.checker is not None and now - _cache.looked_at < 1.0:
            return _cache.checker
        files = _files(settings)
        stamp = _stamp(files)
        _cache.looked_at = now
        if not force and _cache.key == key and _cache.stamp == stamp and _cache.checker is not None:
            return _cache.checker
        try:
            terms = TermSet.from_files(files)
        except TermError as exc:
            if _cache.key == key and _cache.checker is not None:
                if _cache.error != str(exc):
                    log.error("词表未重新加载，原来的继续有效：%(error)s", {"error": exc})
                _cache.error = str(exc)
                _cache.stamp = stamp  # said once; tried again when the file changes again
                return _cache.checker
            raise
        _cache.checker = Checker(settings, terms, required)
        _cache.key, _cache.stamp, _cache.error = key, stamp, None
        if len(terms):
            log.info("词表已加载：%(n)d 条，来自 %(files)d 个文件", {"n": len(terms), "files": len(files)})
        return _cache.checker


def last_error() -> str | None:
    """The mistake that kept the last term reload from taking effect, if any (for /healthz)."""
    return _cache.error
