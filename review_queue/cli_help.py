"""The command line's help in the language chosen for the invocation: Chinese first, English as a locale.

run.py writes every command's description, short help and epilog and every option's and argument's
help in Chinese; those texts are message ids of the catalog domain ``cli`` (English in
``translations/en/LC_MESSAGES/cli.po``). Click only reads them when it formats ``--help`` (after
``--lang`` or the environment chose the language, :func:`catalogs.use`), so the command classes
here translate them then, on a copy of the command: the command stays as declared, and the output
is never rewritten afterwards. Chinese is wrapped by its width on the terminal (two columns a
character), which click's wrapping, counting characters, does not know.
"""

from __future__ import annotations

import copy
import inspect
import re
import unicodedata
from collections.abc import Iterable, Iterator
from typing import Any

import click

from review_queue import catalogs

DOMAIN = "cli"
_NO_LINE_START = set("，。、；：？！）》」』”’…")  # Chinese punctuation that never begins a line
_NO_LINE_END = set("（《「『“‘")  # …and that never ends one


def translate(text: str | None) -> str | None:
    """A help text of run.py (a Chinese message id, cleaned like click cleans it) in the current language."""
    return catalogs.gettext(inspect.cleandoc(text), DOMAIN) if text else text


def help_texts(command: click.Command) -> Iterator[str]:
    """Every help text *command* declares (its own, its options' and arguments'), as message ids."""
    for text in (command.help, command.short_help, command.epilog,
                 *(getattr(p, "help", None) for p in command.params)):
        if text:
            yield inspect.cleandoc(text)


def width(text: str) -> int:
    """Columns *text* takes on a terminal: two for a wide (Chinese) character."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def wrap(text: str, columns: int) -> list[str]:
    """*text* (one paragraph) in lines of at most *columns* terminal columns: English breaks at
    spaces, Chinese between any two characters; a closing mark (，。）) never begins a line (it
    takes the character before it along), an opening bracket never ends one."""
    words: list[str] = []  # runs of narrow characters stay whole; a wide character is a word; " " a gap
    for ch in text:
        if ch.isspace():
            if words and words[-1] != " ":
                words.append(" ")
        elif width(ch) == 1 and words and words[-1] != " " and width(words[-1][-1]) == 1:
            words[-1] += ch
        else:
            words.append(ch)
    lines: list[list[str]] = [[]]
    for word in words:
        line = lines[-1]
        if word == " ":
            if line:
                line.append(word)
            continue
        if line and width("".join(line) + word) > columns:
            carried: list[str] = []
            while True:
                while line and line[-1] == " ":
                    line.pop()
                follows = carried[0] if carried else word
                if len(line) > 1 and (follows[0] in _NO_LINE_START or line[-1][-1] in _NO_LINE_END):
                    carried.insert(0, line.pop())
                else:
                    break
            lines.append(line := carried)
        line.append(word)
    return ["".join(line).rstrip() for line in lines if line]


def join_lines(text: str) -> str:
    """A paragraph's lines as one: a space between them, except between two Chinese characters
    or next to Chinese punctuation."""
    out = ""
    for line in (part.strip() for part in text.splitlines()):
        if out and line:
            a, b = out[-1], line[0]
            tight = (width(a) == 2 and width(b) == 2) or any(
                width(c) == 2 and unicodedata.category(c).startswith("P") for c in (a, b))
            out += "" if tight else " "
        out += line
    return out


class WideHelpFormatter(click.HelpFormatter):
    """Click's formatter, wrapping by terminal columns (Chinese help lines fit the terminal)."""

    def _paragraphs(self, text: str, columns: int) -> list[str]:
        out: list[str] = []
        for para in re.split(r"\n\s*\n", text.expandtabs()):
            if para.lstrip(" ").startswith("\b"):  # click's "do not rewrap" block
                out.extend(para.split("\n")[1:])
            else:
                out.extend(wrap(join_lines(para), columns))
            out.append("")
        return out[:-1]

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        lines = self._paragraphs(text, max(self.width - self.current_indent, 11))
        self.write("\n".join(indent + line if line else "" for line in lines) + "\n")

    def write_dl(self, rows: Iterable[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        rows = list(rows)
        first_col = min(max((width(first) for first, _ in rows), default=0), col_max) + col_spacing
        for first, second in rows:
            self.write(f"{'':>{self.current_indent}}{first}")
            if not second:
                self.write("\n")
                continue
            if width(first) <= first_col - col_spacing:
                self.write(" " * (first_col - width(first)))
            else:
                self.write("\n" + " " * (first_col + self.current_indent))
            lines = self._paragraphs(second, max(self.width - first_col - 2, 10)) or [""]
            pad = " " * (first_col + self.current_indent)
            self.write("\n".join([lines[0], *(pad + line if line else "" for line in lines[1:])]) + "\n")


class HelpContext(click.Context):
    """Click's context, formatting help with :class:`WideHelpFormatter`."""

    formatter_class = WideHelpFormatter


def short_help(text: str, limit: int) -> str:
    """The first sentence of a Chinese help text (to its 。); when it does not fit in *limit*
    columns, cut before a comma, an enumeration mark or an opening bracket, and marked "…"."""
    sentence = " ".join(text.partition("\n\n")[0].split()).split("。")[0]
    if width(sentence) <= limit:
        return sentence
    cut = ""
    for ch in sentence:
        if width(cut + ch) > limit - 1:
            break
        cut += ch
    if cut.count("（") > cut.count("）"):  # never leave a bracket open: cut before it
        return cut[:cut.rindex("（")].rstrip() + "…"
    at = max(cut.rfind(mark) for mark in "，；：、")
    return (cut[:at] if at > len(cut) // 3 else cut).rstrip() + "…"


class TranslatedMixin:
    """Formats help from a translated copy of the command (click's own words: catalogs.click_language)."""

    context_class = HelpContext

    def _translated(self) -> Any:
        shown = copy.copy(self)
        shown.help, shown.short_help, shown.epilog = (translate(t) for t in (self.help, self.short_help, self.epilog))
        shown.params = [p if not getattr(p, "help", None) else copy.copy(p) for p in self.params]
        for param in shown.params:
            if getattr(param, "help", None):
                param.help = translate(param.help)
        shown._help_option = None  # click caches --help with its text in the language of its first use
        return shown

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super(TranslatedMixin, self._translated()).format_help(ctx, formatter)  # type: ignore[misc]

    def get_short_help_str(self, limit: int = 45) -> str:
        shown = self._translated()
        if catalogs.current_language() == catalogs.DEFAULT and not shown.short_help and shown.help:
            return short_help(shown.help, limit)
        return super(TranslatedMixin, shown).get_short_help_str(limit)  # type: ignore[misc]


class TranslatedCommand(TranslatedMixin, click.Command):
    """A command whose help is shown in the invocation's language."""


class TranslatedGroup(TranslatedMixin, click.Group):
    """A group whose help, and its commands' and sub-groups' (made with ``@group.command()`` /
    ``@group.group()``), is shown in the invocation's language."""

    command_class = TranslatedCommand


TranslatedGroup.group_class = TranslatedGroup
