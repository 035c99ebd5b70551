"""Core markup as Discord markdown, and the escaping that keeps member text inert. Imports nothing of
discord.py, so the platform's descriptor can name :func:`escape` without loading it."""

from __future__ import annotations

import re
from datetime import datetime

from bot.markup import render

# A bare link is left whole (it shows where it goes); everything else Discord reads as markdown gets a
# backslash: emphasis, spoilers and code, the brackets of a masked link ``[text](url)``, the ``<`` of a
# mention, channel, command or timestamp tag, and at a line's start headings, quotes, lists and ``-#``.
_MARKDOWN = re.compile(r"(?P<url>https?://[^\s<>\[\]()|`\\]+)|(?P<mark>[\\*_~|`\[\]]|<(?=[@#:/]|a:|t:))"
                       r"|^(?P<lead>[ \t]*)(?P<line>[-+>#])", re.M)
_MASS = re.compile(r"@(everyone|here)")


def _mark(match: re.Match[str]) -> str:
    if match.group("url"):
        return match.group("url")
    if match.group("mark"):
        return "\\" + match.group("mark")
    return match.group("lead") + "\\" + match.group("line")


def escape(text: str) -> str:
    """Member text shown as text: markdown is escaped, so ``[Vote here](https://…)`` can't become a
    link that hides where it goes, nor a heading shout over the bot's own words. Beside
    ``AllowedMentions.none()``, a zero-width space keeps ``@everyone`` and ``@here`` from even looking
    like a ping."""
    return _MASS.sub("@\u200b\\1", _MARKDOWN.sub(_mark, text))


def timestamp(moment: datetime) -> str:
    return f"<t:{int(moment.timestamp())}:F>"


def to_markdown(text: str) -> str:
    return render(text, escape=escape, time=timestamp, strong=lambda s: f"**{s}**")
