"""Chant text: the rules for reading what a member types, and how a chant reads on a phone and on paper.

A chant is stored exactly as written; :func:`parse_lines` is run when it is written (to refuse
mistakes) and again whenever it is shown, so the stored text stays the member's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from bot.errors import UserError
from bot.i18n import N_
from bot.markup import bold

if TYPE_CHECKING:
    from bot.i18n import Translator

# With these limits one chant, labels and all, always fits in one chat message (2,000 characters, the least a
# platform here allows).
MAX_CHARS = 1200
MAX_LINES = 20
MAX_TITLE = 100
_QUOTES = {'"': '"', "\u201c": "\u201d", "\u00ab": "\u00bb"}



@cache
def _html():
    """The template environment, built on first use (Jinja2 need not load for a session that prints no sheet)."""
    from jinja2 import Environment, PackageLoader

    return Environment(loader=PackageLoader("commands", "templates"), autoescape=True, trim_blocks=True,
                       lstrip_blocks=True)


@dataclass(frozen=True)
class Line:
    """One line of a chant: the leader's ``call`` and the crowd's ``response``, or (no response) a line
    everyone says together."""

    call: str
    response: str | None = None


@dataclass(frozen=True)
class SheetChant:
    title: str
    lang: str
    lines: tuple[Line, ...]


def parse_lines(text: str) -> tuple[Line, ...]:
    """Lines are separated by new lines or " / "; "call | response" is a pair. Inside double quotes
    ("…", “…”, «…») neither "|" nor " / " separates anything. Blank lines are skipped."""
    if len(text) > MAX_CHARS:
        raise UserError(N_("A chant can have at most {limit} characters; this one has {length}."),
                        limit=MAX_CHARS, length=len(text))
    lines: list[Line] = []
    for number, (piece, bars) in enumerate(_pieces(text), start=1):
        if not piece.strip():
            continue
        if len(bars) > 1:
            raise UserError(N_("Line {number} has more than one “|”: write one call and one response."),
                            number=number)
        if not bars:
            lines.append(Line(piece.strip()))
            continue
        call, response = piece[:bars[0]].strip(), piece[bars[0] + 1:].strip()
        if not call:
            raise UserError(N_("Line {number} has nothing before “|”: write the leader’s call there."), number=number)
        if not response:
            raise UserError(N_("Line {number} has nothing after “|”: write the crowd’s response there, or leave "
                               "out the “|” if everyone says the line."), number=number)
        lines.append(Line(call, response))
    if not lines:
        raise UserError(N_("A chant needs at least one line."))
    if len(lines) > MAX_LINES:
        raise UserError(N_("A chant can have at most {limit} lines; this one has {count}."),
                        limit=MAX_LINES, count=len(lines))
    return tuple(lines)


def _pieces(text: str) -> list[tuple[str, list[int]]]:
    """Split into raw lines, each with the positions of its "|" outside quotes."""
    out: list[tuple[str, list[int]]] = []
    piece: list[str] = []
    bars: list[int] = []
    closing: str | None = None
    i = 0
    while i < len(text):
        char = text[i]
        if closing is None and (char == "\n" or text.startswith(" / ", i)):
            out.append(("".join(piece), bars))
            piece, bars = [], []
            i += 1 if char == "\n" else 3
            continue
        if closing is not None and char == "\n":
            break
        if closing is not None:
            closing = None if char == closing else closing
        elif char in _QUOTES:
            closing = _QUOTES[char]
        elif char == "|":
            bars.append(len(piece))
        piece.append(char)
        i += 1
    if closing is not None:
        raise UserError(N_("Line {number} has a quote that is not closed."), number=len(out) + 1)
    out.append(("".join(piece), bars))
    return out


def chant_paragraph(tr: Translator, heading: str, lines: tuple[Line, ...]) -> str:
    """A chant as one paragraph: the leader's calls plain, what the crowd says in bold."""
    rows = [bold(heading)]
    for line in lines:
        if line.response is None:
            rows.append(bold(tr._("All: {text}", text=line.call)))
        else:
            rows.append(tr._("Leader: {text}", text=line.call))
            rows.append(bold(tr._("All: {text}", text=line.response)))
    return "\n".join(rows)


def sheet_html(tr: Translator, heading: str, lang: str, chants: list[SheetChant]) -> bytes:
    """A printable sheet: numbered chants, call and response side by side."""
    page = _html().get_template("chant_sheet.html").render(
        heading=heading, lang=lang, chants=chants, leader=tr._("Leader"), everyone=tr._("All"))
    return page.encode("utf-8")
