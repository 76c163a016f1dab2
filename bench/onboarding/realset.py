"""The labelled set of real pages: its sidecar files (origin and hand-written truth) and the pages.

The pages themselves are not in the repository (they are third parties' pages, kept in public
repositories under those repositories' licences): ``fetch`` brings each one from its repository at
the recorded commit, checks its SHA-256, and keeps it in ``tests/collectors/real/pages/`` (or
``$HUIJU_REAL_PAGES``). Tests and the benchmark skip, saying why, while a page is absent.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent.parent
REAL = REPO / "tests" / "collectors" / "real"
RAW_URL = "https://raw.githubusercontent.com/{repo}/{commit}/{path}"


@dataclass(frozen=True)
class Case:
    """One labelled page: list or detail, where it came from and what is on it."""

    name: str
    kind: str  # "list" | "detail"
    page: str
    url: str
    source: dict[str, str]
    truth: dict[str, Any]
    sidecar: Path

    @property
    def site(self) -> str:
        """The site the page belongs to (its host), for "pages of the same site"."""
        return self.url.split("/")[2]


def pages_dir() -> Path:
    env = os.environ.get("HUIJU_REAL_PAGES")
    return Path(env) if env else REAL / "pages"


def cases(kind: str | None = None) -> list[Case]:
    """Every sidecar of the set (``lists/*.json``, ``details/*.json``), sorted by name."""
    out = []
    for k, sub in (("list", "lists"), ("detail", "details")):
        if kind not in (None, k):
            continue
        for p in sorted((REAL / sub).glob("*.json")):
            d = json.loads(p.read_text(encoding="utf-8"))
            out.append(Case(name=p.stem, kind=k, page=d["page"], url=d["url"], source=d["source"],
                            truth=d["truth"], sidecar=p))
    return out


def page_bytes(case: Case) -> bytes | None:
    """The saved page, or None when it has not been fetched (or was altered since)."""
    p = pages_dir() / case.page
    if not p.is_file():
        return None
    data = p.read_bytes()
    return data if hashlib.sha256(data).hexdigest() == case.source["sha256"] else None


def missing_reason(case: Case) -> str:
    return (f"real page {case.page} is not here ({pages_dir()}): run `python -m bench.onboarding fetch`"
            f" to bring it from {case.source['repo']}")


def _from_mirror(mirrors: Path, src: dict[str, str]) -> bytes | None:
    git_dir = mirrors / src["repo"].replace("/", "+") / "repo"
    if (git_dir / ".git").is_dir():  # a mirror kept as a clone with a work tree
        git_dir = git_dir / ".git"
    if not git_dir.is_dir():
        return None
    r = subprocess.run(["git", "--git-dir", str(git_dir), "show", f"{src['commit']}:{src['path']}"],
                       capture_output=True, check=False)
    return r.stdout if r.returncode == 0 else None


def _from_github(src: dict[str, str]) -> bytes:
    url = RAW_URL.format(**src)
    with urllib.request.urlopen(url, timeout=60) as resp:  # noqa: S310 (a fixed https address)
        return resp.read()


def file_at(src: dict[str, str], mirrors: Path | None = None) -> bytes:
    """The bytes of ``src["path"]`` in ``src["repo"]`` at ``src["commit"]``: from a local mirror when
    *mirrors* holds one (``<owner>+<name>/repo``), else from GitHub (OSError when neither can)."""
    return (_from_mirror(mirrors, src) if mirrors else None) or _from_github(src)


def fetch(mirrors: Path | None = None) -> tuple[int, list[str]]:
    """Bring every absent page; returns (pages now present, one-line errors)."""
    dest = pages_dir()
    dest.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    for case in cases():
        if page_bytes(case) is not None:
            continue
        src = case.source
        try:
            data = file_at(src, mirrors)
        except OSError as exc:
            errors.append(f"error: {case.page}: cannot fetch {src['repo']}/{src['path']}: {exc}")
            continue
        if hashlib.sha256(data).hexdigest() != src["sha256"]:
            errors.append(f"error: {case.page}: {src['repo']}/{src['path']} at {src['commit'][:10]} is not the"
                          " labelled page (SHA-256 differs)")
            continue
        (dest / case.page).write_bytes(data)
    return sum(1 for c in cases() if page_bytes(c) is not None), errors
