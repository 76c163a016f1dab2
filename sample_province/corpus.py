"""Where the real story text comes from: the 新闻联播 corpus, read at run time, never copied.

``find_corpus`` looks at the argument if given, else $HUIJU_CORPUS if set, else $HUIJU_SHARED/corpus,
else ../shared/corpus next to the repo.
``CorpusReader`` hands out stories in a seeded order, reading day files only as they are needed.
"""

from __future__ import annotations

import html
import logging
import os
import random
import re
from pathlib import Path

from sample_province.textgen import Story

log = logging.getLogger("sample_province")

REPO = Path(__file__).resolve().parent.parent
_TAG = re.compile(r"<[^>]+>")
_PARA = re.compile(r"<p[^>]*>(.*?)</p>", re.S | re.I)
_LEAD = re.compile(r"^央视网消息（新闻联播）：")


def find_corpus(path: str | os.PathLike[str] | None = None) -> Path | None:
    """The corpus directory (holding xinwen-lianbo/), or None when there is none to read."""
    if path is not None:  # an explicit path is the only place looked at: a typo must not pass unseen
        candidates = [Path(path)]
    elif os.environ.get("HUIJU_CORPUS"):
        candidates = [Path(os.environ["HUIJU_CORPUS"])]
    elif os.environ.get("HUIJU_SHARED"):  # a directory holding corpus/ (and real-pages/), as ../shared does
        candidates = [Path(os.environ["HUIJU_SHARED"]) / "corpus"]
    else:
        candidates = [REPO.parent / "shared" / "corpus"]
    for c in candidates:
        if (c / "xinwen-lianbo").is_dir():
            return c
        if c.name == "xinwen-lianbo" and c.is_dir():
            return c.parent
    return None


def parse_day(text: str, day: str) -> list[Story]:
    """Split one day file into stories (title = the ### heading, body = its <p> paragraphs)."""
    _head, sep, detail = text.partition("## 详细新闻")
    if not sep:
        return []
    out: list[Story] = []
    for k, chunk in enumerate(detail.split("\n### ")[1:]):
        title, _, body = chunk.partition("\n")
        title = title.strip().lstrip("#").strip()
        paras = []
        for p in _PARA.findall(body) or body.split("\n"):
            t = html.unescape(_TAG.sub("", p)).replace("\u3000", " ").strip()
            if t:
                paras.append(t)
        if paras:
            paras[0] = _LEAD.sub("", paras[0]).strip() or paras[0]
        paras = [p for p in paras if p]
        if title and paras:
            out.append(Story(f"xwlb-{day}-{k + 1:02d}", title, tuple(paras), "corpus", "news"))
    return out


class CorpusReader:
    """Stories from the corpus in a seeded, repeatable order; files are read lazily."""

    def __init__(self, root: Path, seed: int) -> None:
        self.root = root
        files = sorted((root / "xinwen-lianbo").glob("*.md"))
        if not files:
            raise FileNotFoundError(f"no day files in {root / 'xinwen-lianbo'}")
        rng = random.Random(f"corpus:{seed}")
        start = rng.randrange(len(files))
        self.files = files[start:] + files[:start]
        self._next_file = 0
        self._buffer: list[Story] = []
        self._cycle = 0

    def take(self, n: int) -> list[Story]:
        """The next n stories (wrapping around the corpus with a cycle suffix on ids)."""
        misses = 0
        while len(self._buffer) < n:
            if misses > len(self.files):
                raise FileNotFoundError(f"no readable stories in {self.root / 'xinwen-lianbo'}")
            if self._next_file >= len(self.files):
                self._next_file = 0
                self._cycle += 1
            f = self.files[self._next_file]
            self._next_file += 1
            try:
                text = f.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                log.warning("示例省份：跳过无法读取的语料文件 %(file)s：%(error)s", {"file": f.name, "error": exc})
                misses += 1
                continue
            stories = parse_day(text, f.stem)
            misses = 0 if stories else misses + 1
            if self._cycle:
                stories = [Story(f"{s.id}-r{self._cycle}", s.title, s.paragraphs, s.origin, s.kind)
                           for s in stories]
            self._buffer.extend(stories)
        out, self._buffer = self._buffer[:n], self._buffer[n:]
        return out
