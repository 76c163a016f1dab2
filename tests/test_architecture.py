"""The import rules that keep the stages side by side, read from the code's own imports (ast).

The four stages (collectors → normalizers → review_queue → publisher) stand on ``pages`` (what a
government page is), ``settings`` and ``store``; ``pipeline`` and ``run.py`` wire them together.
A stage never imports the simulated province, the collectors import no later stage, the
normalizers and the publisher never the collectors, and ``pages`` no stage and no HTTP or
database library. Every import counts, those inside functions too.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STAGES = ("collectors", "normalizers", "review_queue", "publisher")
HTTP_DB = ("requests", "urllib3", "http", "urllib.request", "socket", "sqlite3", "sqlite_utils", "store", "flask",
           "waitress", "granian", "apscheduler")

# package → modules it must not import (a module named here covers its submodules)
RULES: dict[str, tuple[str, ...]] = {
    "collectors": ("sample_province", "normalizers", "review_queue", "publisher", "pipeline"),
    "normalizers": ("sample_province", "collectors", "review_queue", "publisher", "pipeline"),
    "review_queue": ("sample_province", "pipeline"),
    "publisher": ("sample_province", "collectors", "pipeline"),
    "pages": ("sample_province", *STAGES, "pipeline", "settings", *HTTP_DB),
}


def imports_of(path: Path, root: Path) -> list[tuple[int, list[str]]]:
    """(line, absolute module names) of every import statement in *path*, relative ones resolved
    (``from a import b`` names both ``a`` and ``a.b``: *b* may be a module)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = list(path.relative_to(root).parent.parts)  # a/b/c.py and a/b/__init__.py: in a.b
    found: list[tuple[int, list[str]]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.append((node.lineno, [alias.name for alias in node.names]))
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # from . import x / from ..y import z
                base = package[: len(package) - node.level + 1]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            found.append((node.lineno, [name, *(f"{name}.{alias.name}" for alias in node.names)]))
    return found


def violations(root: Path, rules: dict[str, tuple[str, ...]]) -> list[str]:
    """One line per import that breaks *rules*: file, line, module and the rule it breaks."""
    out: list[str] = []
    for package, banned in rules.items():
        for path in sorted((root / package).rglob("*.py")):
            for line, names in imports_of(path, root):
                broken = [(n, b) for n in names for b in banned if n == b or n.startswith(b + ".")]
                if broken:
                    name, ban = broken[0]
                    out.append(f"{path.relative_to(root)}:{line}: {package} imports {name} ({ban} is off limits)")
    return out


def test_the_stages_keep_their_import_rules() -> None:
    assert violations(ROOT, RULES) == []


def test_every_ruled_package_exists() -> None:
    for package in RULES:
        assert (ROOT / package / "__init__.py").is_file(), package


@pytest.mark.parametrize(
    ("package", "source", "expected"),
    [
        ("normalizers", "from collectors.model import CollectedItem\n", "normalizers imports collectors.model"),
        ("collectors", "def f():\n    import publisher.feeds\n", "collectors imports publisher.feeds"),
        ("pages", "import requests\n", "pages imports requests"),
        ("pages", "from store import connect\n", "pages imports store"),
        ("publisher", "from sample_province import world\n", "publisher imports sample_province"),
        ("review_queue", "import os\nfrom pipeline import flow\n", "review_queue/sub/bad.py:2: review_queue imports pipeline"),
    ],
)
def test_a_wrong_import_is_caught(tmp_path: Path, package: str, source: str, expected: str) -> None:
    pkg = tmp_path / package / "sub"
    pkg.mkdir(parents=True)
    (tmp_path / package / "__init__.py").write_text("")
    (pkg / "bad.py").write_text(source)
    found = violations(tmp_path, RULES)
    assert len(found) == 1 and expected in found[0], found


def test_allowed_imports_pass(tmp_path: Path) -> None:
    (tmp_path / "normalizers").mkdir()
    (tmp_path / "normalizers" / "ok.py").write_text("import pages\nfrom pages.item import CollectedItem\nimport re\n")
    (tmp_path / "collectors").mkdir()
    (tmp_path / "collectors" / "ok.py").write_text("from . import parsers\nimport requests\nimport pages.urls\n")
    assert violations(tmp_path, RULES) == []


@pytest.mark.parametrize(("package", "absent"), [
    ("normalizers", ("requests", "urllib3", "collectors", "feedparser", "trafilatura")),
    ("pages", ("requests", "urllib3", "sqlite3", "collectors", "normalizers", "store")),
])
def test_importing_a_package_loads_no_http_stack(package: str, absent: tuple[str, ...]) -> None:
    """``import normalizers`` (ingest, a worker with no network) must not pay for the HTTP stack."""
    code = f"import sys, {package}; print(' '.join(m for m in {absent!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""
