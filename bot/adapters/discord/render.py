"""A core :class:`Message` as Discord messages: content split at 2,000 characters between paragraphs,
buttons as restart-proof components, files, and mentions switched off.

Text goes out as message content rather than embeds: content shows in push notifications and
needs no second set of limits. Times become ``<t:…:F>`` so each reader sees their own timezone.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass, field
from typing import Any

import discord

from bot.adapters.discord import BUDGET
from bot.adapters.discord.markdown import escape, to_markdown
from bot.budget import Budget, cut_notice
from bot.i18n import Translator
from bot.markup import paragraphs, split
from bot.types import Button, Message

log = logging.getLogger(__name__)

CUT_RESERVE = 300  # characters kept for the notice of a cut
CUSTOM_ID_LIMIT = 100
BUTTON_PREFIX = "ob:"
PAGE_PREFIX = "op:"  # as long as BUTTON_PREFIX: the custom_id limit is checked once for both
_STYLES = {"primary": discord.ButtonStyle.primary, "danger": discord.ButtonStyle.danger,
           "default": discord.ButtonStyle.secondary}
NO_PINGS = discord.AllowedMentions.none()


class CommandButton(discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=r"ob:(?P<line>.+)"):
    """A button whose custom_id is the command line it runs, so it works on any message, even one
    posted before the bot last restarted."""

    def __init__(self, line: str, label: str = "…", style: discord.ButtonStyle = discord.ButtonStyle.secondary):
        super().__init__(discord.ui.Button(label=label[:80], style=style, custom_id=BUTTON_PREFIX + line))
        self.line = line

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> CommandButton:
        return cls(match["line"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        from bot.adapters.discord.commands import run_line

        await run_line(interaction, self.line)


class PageButton(discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=r"op:(?P<line>.+)"):
    """A button to another page of the answer it is under (:mod:`bot.paging`): the page replaces the
    message, when only the member who clicked sees it."""

    def __init__(self, line: str, label: str = "…", style: discord.ButtonStyle = discord.ButtonStyle.secondary):
        super().__init__(discord.ui.Button(label=label[:80], style=style, custom_id=PAGE_PREFIX + line))
        self.line = line

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> PageButton:
        return cls(match["line"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        from bot.adapters.discord.commands import run_line

        await run_line(interaction, self.line, turns_page=True)


def view_for(buttons: tuple[Button, ...]) -> discord.ui.View | None:
    """Buttons in rows of five (Discord allows 25); one whose command is too long for a custom_id is left out."""
    view = discord.ui.View(timeout=None)
    for button in buttons[:25]:
        line = button.command.strip()
        if len(BUTTON_PREFIX + line) > CUSTOM_ID_LIMIT:
            log.error("button %r dropped: its command is longer than Discord's custom_id allows", button.label)
            continue
        kind = PageButton if button.turns_page else CommandButton
        view.add_item(kind(line, button.label, _STYLES[button.style]))
    return view if view.children else None


@dataclass
class Outgoing:
    """One Discord message's worth: pass as ``**out.kwargs()`` to send or follow up."""

    content: str
    view: discord.ui.View | None = None
    files: list[discord.File] = field(default_factory=list)
    allowed_mentions: discord.AllowedMentions = NO_PINGS

    def kwargs(self) -> dict[str, Any]:
        out: dict[str, Any] = {"content": self.content, "allowed_mentions": self.allowed_mentions}
        if self.view is not None:
            out["view"] = self.view
        if self.files:
            out["files"] = self.files
        return out


def to_discord(message: Message, tr: Translator, *, ping_role: int | None = None,
               budget: Budget = BUDGET) -> list[Outgoing]:
    """The message as at most ``budget.messages`` Discord messages; buttons and files ride on the last one.
    What would go past that is left out and the last message says so (and the log), which a handler that
    pages its answer (:mod:`bot.paging`) never meets.

    ``ping_role`` is set only for a message that asks to ping (``Message.ping``), and then that
    single role, and nothing else, is mentioned."""
    rendered = [to_markdown(p) for p in paragraphs(message.text)]
    mentions = NO_PINGS
    if message.ping and ping_role is not None:
        rendered.insert(0, f"<@&{ping_role}>")
        mentions = discord.AllowedMentions(everyone=False, users=False, roles=[discord.Object(ping_role)],
                                           replied_user=False)
    chunks = split(rendered, budget.text)
    if len(chunks) > budget.messages:
        last = split([chunks[budget.messages - 1]], budget.text - CUT_RESERVE)[0]
        left = sum(map(len, chunks[budget.messages - 1:])) - len(last)
        log.error("a Discord message was cut to fit: %d characters left out", left)
        notice = escape(cut_notice(tr, left))
        chunks = [*chunks[:budget.messages - 1], f"{last}\n\n{notice}"]
    out = [Outgoing(chunk or "\u200b") for chunk in chunks]
    out[0].allowed_mentions = mentions
    out[-1].view = view_for(message.buttons)
    files = [discord.File(io.BytesIO(a.data), filename=a.filename, description=a.title or None)
             for a in message.attachments]
    for start in range(0, len(files), 10):  # ten files per message
        if start:
            out.append(Outgoing("\u200b"))
        out[-1].files = files[start:start + 10]
    return out
