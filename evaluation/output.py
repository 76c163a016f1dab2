"""Writing a report: report.json, report.html and report.pdf (headless Chromium prints the HTML)."""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evaluation.html_report import render_html

__all__ = ["ReportWarning", "find_chromium", "write_report"]

log = logging.getLogger("huiju.evaluation")
PDF_TIMEOUT = 120  # seconds for Chromium to print a report of 1,000 sites


ENGLISH = {  # code -> the one line logs and English users read; pipeline.wording words each code in Chinese (domain cli)
    "pdf-no-chromium": "report.pdf not written: chromium is not installed (apt-get install chromium fonts-noto-cjk)",
    "pdf-chromium-failed": "report.pdf not written: chromium failed: %(error)s",
    "pdf-chromium-exited": "report.pdf not written: chromium exited %(status)s: %(detail)s",
}


@dataclass(frozen=True)
class ReportWarning:
    """Why part of a report was not written, as a stable code and its facts (so that the command
    line can say it in the operator's language); ``str()`` is the English line of ENGLISH."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return ENGLISH[self.code] % self.params


def find_chromium() -> str | None:
    """Debian's ``chromium`` (or another name it goes by), or None."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def write_report(report: dict[str, Any], out_dir: Path, *, pdf: bool = True) -> list[ReportWarning]:
    """Write the three files into *out_dir*; returns warnings (one line each as str()), e.g. no PDF."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    html_path = out_dir / "report.html"
    html_path.write_text(render_html(report), encoding="utf-8")
    if not pdf:
        return []
    chromium = find_chromium()
    if chromium is None:
        return [ReportWarning("pdf-no-chromium")]
    target = out_dir / "report.pdf"
    with tempfile.TemporaryDirectory(prefix="huiju-chromium-") as profile:
        cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
               f"--user-data-dir={profile}", f"--print-to-pdf={target}", html_path.resolve().as_uri()]
        try:
            done = subprocess.run(cmd, capture_output=True, timeout=PDF_TIMEOUT, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return [ReportWarning("pdf-chromium-failed", {"error": str(exc)})]
    if done.returncode != 0 or not target.exists() or target.stat().st_size == 0:
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
        return [ReportWarning("pdf-chromium-exited", {"status": done.returncode, "detail": tail[0][:200]})]
    return []
