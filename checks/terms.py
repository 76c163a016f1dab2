"""Term lists as data: banned words, the one right way to write a phrase or a body's name, and
people who must appear with their title; matched with one Aho-Corasick automaton (pyahocorasick),
so the cost of a check hardly grows with the number of terms.

File format (UTF-8 text, one entry a line; ``#`` starts a comment line; blank lines are ignored)::

    [banned]                 # words that must not appear (default severity: block)
    某禁用词
    [variant]                # 规范表述: RIGHT = WRONG | WRONG …  (default: warn)
    新冠病毒感染 = 新冠肺炎
    [name]                   # official names of bodies: RIGHT = OLD OR WRONG NAME | …  (default: warn)
    黑龙江省人力资源和社会保障厅 = 黑龙江省人事厅 | 黑龙江省劳动和社会保障厅
    [title]                  # NAME = TITLE | TITLE: the name must appear with one of the titles (default: warn)
    张三 = 省长
    [banned warn]            # any section may give its severity: block | warn

A file with a mistake is refused as a whole with ``file:line: reason``; the caller keeps the
lists it had (:func:`checks.checker`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import ahocorasick

from checks.errors import TermError

__all__ = ["KINDS", "Term", "TermHit", "TermSet", "fold", "parse_terms"]

KINDS = {"banned": "block", "variant": "warn", "name": "warn", "title": "warn"}
SEVERITIES = ("block", "warn")

# Matching ignores ASCII case and full-width forms, one character for one (offsets stay true).
_FOLD_TABLE = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_FOLD_TABLE |= {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}
_FOLD_TABLE |= {c - 0xFEE0: c - 0xFEE0 + 32 for c in range(0xFF21, 0xFF3B)}


_NEEDS_FOLD = re.compile("[A-Z\uff01-\uff5e\u3000]+")


def _fold_run(m: re.Match[str]) -> str:
    return m.group().translate(_FOLD_TABLE)


def fold(text: str) -> str:
    """*text* as the matcher sees it: same length, ASCII lower case, full-width forms as ASCII
    (only the runs that need it are translated: most Chinese text has none)."""
    return _NEEDS_FOLD.sub(_fold_run, text)


@dataclass(frozen=True)
class Term:
    """One entry of a list: *kind* and *severity* from its section, where it was written."""

    kind: str  # banned | variant | name | title
    severity: str
    key: str  # the word looked for: a banned word, a wrong form, a person's name
    right: str = ""  # variant/name: the right form; title: "" (see titles)
    titles: tuple[str, ...] = ()
    where: str = ""  # file:line


@dataclass(frozen=True)
class TermHit:
    term: Term
    start: int
    end: int
    text: str


_SENTENCE_END = "，。；：！？,;:!?\n（(“\"《「 "


def parse_terms(text: str, name: str) -> list[Term]:
    """The entries of one term file, or TermError ``name:line: reason`` at the first mistake."""
    out: list[Term] = []
    kind: str | None = None
    severity = "warn"
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().lstrip("\ufeff")
        where = f"{name}:{n}"
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            if not line.endswith("]"):
                raise TermError(f"{where}: a section header must end with ']' ({line!r})")
            words = line[1:-1].split()
            if not words or words[0] not in KINDS:
                raise TermError(f"{where}: unknown section {line!r} (known: {', '.join(KINDS)})")
            if len(words) > 2 or (len(words) == 2 and words[1] not in SEVERITIES):
                raise TermError(f"{where}: a section's severity must be block or warn ({line!r})")
            kind = words[0]
            severity = words[1] if len(words) == 2 else KINDS[kind]
            continue
        if kind is None:
            raise TermError(f"{where}: entry before any section ([banned], [variant], [name] or [title])")
        if kind == "banned":
            if "=" in line or "|" in line:
                raise TermError(f"{where}: a [banned] line holds one word, without '=' or '|'")
            out.append(Term(kind, severity, line, where=where))
            continue
        left, eq, right = line.partition("=")
        left = left.strip()
        alts = [a.strip() for a in right.split("|")]
        if not eq or not left or not all(alts):
            form = "NAME = TITLE | TITLE" if kind == "title" else "RIGHT = WRONG | WRONG"
            raise TermError(f"{where}: a [{kind}] line must read {form} ({line!r})")
        if kind == "title":
            out.append(Term(kind, severity, left, titles=tuple(alts), where=where))
            continue
        for wrong in alts:
            if wrong == left:
                raise TermError(f"{where}: the wrong form {wrong!r} is the right form itself")
            out.append(Term(kind, severity, wrong, right=left, where=where))
    return out


@dataclass
class TermSet:
    """Every entry of the loaded files in one automaton."""

    terms: list[Term] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._auto = ahocorasick.Automaton()
        keys: dict[str, list[Term]] = {}
        for t in self.terms:
            keys.setdefault(fold(t.key), []).append(t)
        for key, ts in keys.items():
            self._auto.add_word(key, (len(key), tuple(ts)))
        if keys:
            self._auto.make_automaton()
        self._empty = not keys

    @classmethod
    def from_files(cls, paths: Iterable[Path]) -> TermSet:
        """Load and parse every file; TermError (file:line: reason) if any file has a mistake."""
        terms: list[Term] = []
        for path in paths:
            try:
                text = Path(path).read_text(encoding="utf-8")
            except FileNotFoundError:
                raise TermError(f"{path}: term file not found") from None
            except UnicodeDecodeError as exc:
                line = Path(path).read_bytes()[:exc.start].count(b"\n") + 1
                raise TermError(f"{path}:{line}: not UTF-8 text") from None
            except OSError as exc:
                raise TermError(f"{path}: cannot read term file: {exc.strerror}") from None
            terms.extend(parse_terms(text, str(path)))
        return cls(terms)

    def __len__(self) -> int:
        return len(self.terms)

    def find(self, text: str) -> Iterator[TermHit]:
        """Every finding of the lists in *text*: banned words, wrong forms not inside their right
        form, and names whose every mention lacks the required title."""
        if self._empty or not text:
            return
        folded = fold(text)
        seen_names: dict[Term, tuple[int, int, bool]] = {}
        for end, (length, terms) in self._auto.iter(folded):
            start = end + 1 - length
            for t in terms:
                if t.kind == "title":
                    first = seen_names.get(t)
                    ok = _titled(folded, start, end + 1, t.titles)
                    if first is None:
                        seen_names[t] = (start, end + 1, ok)
                    elif ok and not first[2]:
                        seen_names[t] = (first[0], first[1], True)
                    continue
                if t.right and _inside_right_form(folded, start, end + 1, _folded(t.right), _folded(t.key)):
                    continue
                yield TermHit(t, start, end + 1, text[start:end + 1])
        for t, (start, end, ok) in seen_names.items():
            if not ok:
                yield TermHit(t, start, end, text[start:end])


_folded_cache: dict[str, str] = {}


def _folded(s: str) -> str:
    out = _folded_cache.get(s)
    if out is None:
        out = _folded_cache[s] = fold(s)
    return out


def _inside_right_form(folded: str, start: int, end: int, right: str, wrong: str) -> bool:
    """Whether the wrong form found at start:end is part of the right form written out there."""
    pos = right.find(wrong)
    while pos >= 0:
        at = start - pos
        if at >= 0 and folded.startswith(right, at):
            return True
        pos = right.find(wrong, pos + 1)
    return False


def _titled(folded: str, start: int, end: int, titles: tuple[str, ...]) -> bool:
    """Whether the name at start:end carries one of *titles*: right before it (in a 、 chain of
    titles, 省委书记、省长张三) or right after it (张三省长); 副省长 is not 省长."""
    before = folded[max(0, start - 40):start]
    cut = max(before.rfind(c) for c in _SENTENCE_END)
    chain = before[cut + 1:]
    for title in map(_folded, titles):
        if folded.startswith(title, end):
            return True
        for part in chain.split("、"):
            part = part.strip()
            if part.endswith(title) and not part[:-len(title)].endswith("副"):
                return True
    return False
