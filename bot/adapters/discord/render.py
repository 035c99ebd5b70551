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

from bot.adapters.discord.markdown import to_markdown
from bot.markup import paragraphs, split
from bot.types import Button, Message

log = logging.getLogger(__name__)

CONTENT_LIMIT = 2000
CUSTOM_ID_LIMIT = 100
BUTTON_PREFIX = "ob:"
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


def view_for(buttons: tuple[Button, ...]) -> discord.ui.View | None:
    """Buttons in rows of five (Discord allows 25); one whose command is too long for a custom_id is left out."""
    view = discord.ui.View(timeout=None)
    for button in buttons[:25]:
        line = button.command.strip()
        if len(BUTTON_PREFIX + line) > CUSTOM_ID_LIMIT:
            log.error("button %r dropped: its command is longer than Discord's custom_id allows", button.label)
            continue
        view.add_item(CommandButton(line, button.label, _STYLES[button.style]))
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


def to_discord(message: Message, *, ping_role: int | None = None) -> list[Outgoing]:
    """The message as one or more Discord messages; buttons and files ride on the last one.

    ``ping_role`` is set only for a message that asks to ping (``Message.ping``), and then that
    single role, and nothing else, is mentioned."""
    rendered = [to_markdown(p) for p in paragraphs(message.text)]
    mentions = NO_PINGS
    if message.ping and ping_role is not None:
        rendered.insert(0, f"<@&{ping_role}>")
        mentions = discord.AllowedMentions(everyone=False, users=False, roles=[discord.Object(ping_role)],
                                           replied_user=False)
    chunks = split(rendered, CONTENT_LIMIT)
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
