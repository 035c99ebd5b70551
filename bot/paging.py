"""A long answer as pages that fit the member's platform: a head (the summary, the same on every page), one
page of the list, and Previous/Next buttons.

Nothing is kept between pages: a button carries the command line with ``page:N``, and a click runs that line
through the normal path (:meth:`bot.app.App.run_line`), so the permission is checked again and the page is
computed again from what the database holds then. The page is sized with the platform's own budget
(:attr:`bot.platforms.Platform.budget`): the head, a page and the buttons fit in one message, so a page
turn can replace the message it is on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.budget import UNLIMITED, Budget
from bot.i18n import N_
from bot.markup import split
from bot.registry import Param
from bot.types import Button

if TYPE_CHECKING:
    from collections.abc import Callable

    from bot.context import Context

PAGE = Param("page", N_("Which page of a long answer (the buttons under it turn the pages)"), type=int,
             required=False, default=1, min_value=1)
NAVIGATION = 200  # characters kept for the "Page 2 of 9" line
SMALLEST = 600  # a page never holds less, however long the head


@dataclass(frozen=True)
class Page:
    """The text to send (head, this page's items, where it is), the buttons to the pages beside it, and
    which page of how many it is (files go with the first only: a page turn does not send them again)."""

    text: str
    buttons: tuple[Button, ...]
    number: int
    pages: int

    @property
    def first(self) -> bool:
        return self.number == 1


def budget_of(ctx: Context) -> tuple[Budget, Callable[[str], str]]:
    """The asking member's platform's budget and escaping (a job or an unknown platform: no limit)."""
    name = ctx.inv.identity.platform if ctx.inv else None
    platforms = ctx.config.platforms
    if name is None or name not in platforms:
        return UNLIMITED, str
    platform = platforms[name]
    return platform.budget, platform.escape


def pages(items: list[str], room: int, size: Callable[[str], int], *, first: int | None = None) -> list[list[str]]:
    """Items (paragraphs of core markup) in order into pages of at most ``room`` characters as the platform
    renders them (``first`` for the first page, when it differs); an item longer than a page is split between
    its lines (then words), never otherwise cut."""
    out: list[list[str]] = [[]]
    used = 0
    for item in items:
        limit = room if len(out) > 1 or first is None else first
        measured = size(item)
        pieces = [item] if measured <= limit else split([item], max(1, min(room, limit) * len(item) // measured))
        for piece in pieces:
            length = size(piece)
            limit = room if len(out) > 1 or first is None else first
            if out[-1] and used + 2 + length > limit:
                out.append([])
                used = 0
            out[-1].append(piece)
            used += length + (2 if used else 0)
    return out


def page(ctx: Context, head: str, items: list[str], number: int, line: str, *, title: str | None = None,
         tail: str = "") -> Page:
    """Page ``number`` (kept within the pages there are) of ``items``, the first under ``head`` (the summary),
    the others under ``title`` (what the answer is; the head when not given); ``line`` is the command line
    that makes this answer, to which the buttons add ``page:N``; ``tail`` ends every page."""
    budget, escape = budget_of(ctx)

    def size(text: str) -> int:
        return budget.measure(text, escape)

    def room(top: str) -> int:
        return max(SMALLEST, min(budget.page, budget.text - size(top) - size(tail) - NAVIGATION))

    title = head if title is None else title
    found = pages(items, room(title), size, first=room(head)) if items else [[]]
    number = min(max(1, number), len(found))
    blocks = [head if number == 1 else title, *found[number - 1]]
    buttons: list[Button] = []
    if len(found) > 1:
        blocks.append(ctx._("Page {page} of {pages}", page=ctx.tr.number(number), pages=ctx.tr.number(len(found))))
        if number > 1:
            buttons.append(Button(ctx._("◀ Previous"), f"{line} page:{number - 1}", turns_page=True))
        if number < len(found):
            buttons.append(Button(ctx._("Next ▶"), f"{line} page:{number + 1}", "primary", turns_page=True))
    if tail:
        blocks.append(tail)
    return Page("\n\n".join(b for b in blocks if b), tuple(buttons), number, len(found))


def command_line(base: str, **named: str | int | None) -> str:
    """``base`` with each option given as ``name:value``, quoted so that the line reads back whole."""
    return " ".join([base, *(f"{name}:{_quoted(str(value))}" for name, value in named.items() if value is not None)])


def _quoted(value: str) -> str:
    if value and not any(c.isspace() or c in '"\\' for c in value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
