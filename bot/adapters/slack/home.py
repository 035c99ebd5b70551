"""Slack's App Home: ``app_home_opened`` asks the core to publish the member's page (:mod:`bot.home`), and the
outbox's sender publishes it with ``views.publish`` as a Block Kit home view (:func:`view`).

The page's buttons are the posts' buttons (``run-`` actions running a command line), so a click on the Home
tab runs through the same listener and command as one on a post; its answer, having no ``response_url``,
comes by DM, and the page is published again after it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from slack_bolt.app.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck

from bot.adapters.slack import PLATFORM
from bot.adapters.slack.render import messages
from bot.i18n import Translator
from bot.markup import plain
from bot.types import Home, Identity, Invocation

if TYPE_CHECKING:
    from bot.adapters.slack.frontend import Listeners
    from bot.adapters.slack.work import CommandWork

log = logging.getLogger(__name__)

EVENT = "app_home_opened"
HOME_BLOCKS = 100  # blocks in a home view (Slack's limit for modals and home tabs)
HEADER_LIMIT = 150  # characters of a header block's text


def register(bolt: AsyncApp, listeners: Listeners) -> None:
    async def on_opened(ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        event = body.get("event")
        if not (isinstance(event, Mapping) and isinstance(event.get("user"), str)):
            log.warning("refused an %s event without its member", EVENT)
        elif event.get("tab", "home") == "home":  # the Messages tab opens too; it has no page to fill
            await listeners.handoff.run("home", body)

    bolt.event(EVENT)(on_opened)


async def opened(work: CommandWork, body: Mapping[str, Any]) -> None:
    """The member opened the Home tab: their page is queued with the roles and language Slack vouches for now."""
    user = body["event"]["user"]
    claims = await work.directory.claims(user)
    locale, email = (await work.directory.profile(user))[:2]
    await work.app.home_opened(Invocation(Identity(PLATFORM.name, user), "", "", claims=claims, locale=locale,
                                          email=email))


def view(home: Home, tr: Translator) -> dict[str, Any]:
    """A ``home`` view: each panel a header, its items as messages render (sections and their buttons), panels
    apart by a divider; items past Slack's 100 blocks are left out whole, never cut."""
    blocks: list[dict[str, Any]] = []
    for panel in home.panels:
        header: list[dict[str, Any]] = [*([{"type": "divider"}] if blocks else []),
                  {"type": "header", "text": {"type": "plain_text", "text": plain(panel.title)[:HEADER_LIMIT] or " ",
                                              "emoji": True}}]
        for item in panel.items:
            shown = [block for part in messages(item, tr) for block in part["blocks"]]
            if len(blocks) + len(header) + len(shown) > HOME_BLOCKS:
                break
            blocks += header + shown
            header = []
    return {"type": "home", "blocks": blocks}
