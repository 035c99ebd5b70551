"""What happens after the ack: run the member's command and answer them.

Kept apart from the listeners (which only acknowledge) so the same code runs in the process that
acks or in a command process (:mod:`bot.handoff`); either way it needs only the app,
a Web API client and the directory, and every answer goes out through the Web API or the
interaction's ``response_url``.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.adapters.slack import inbound, render
from bot.adapters.slack.directory import GROUP_CLAIM, Directory
from bot.adapters.slack.sender import dm_channel, web_client
from bot.app import App
from bot.i18n import N_
from bot.types import Identity, Invocation, Message, Reply

log = logging.getLogger(__name__)
_URL = re.compile(r"https?://[^\s'\"]+")


class _WithoutURLs(logging.Filter):
    """slack_sdk's webhook client names the URL it posts to in its log lines (at INFO when it retries);
    a ``response_url`` lets whoever holds it answer as the bot for 30 minutes, so none is logged."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = _URL.sub("<response_url>", record.getMessage()), ()
        return True


FACTORY = f"{__name__}:CommandWork.for_app"  # how a command process builds it (bot.handoff)
RESPONSE_URL_LOG = logging.getLogger(f"{__name__}.response_url")  # the webhook client's, for the filter
RESPONSE_URL_LOG.addFilter(_WithoutURLs())


def uses_groups(app: App) -> bool:
    """Whether any role rule names a Slack user group (otherwise no group lookups at all)."""
    return any(m.startswith(GROUP_CLAIM) for m in app.config.roles.claims())


class CommandWork:
    def __init__(self, app: App, client: AsyncWebClient, directory: Directory) -> None:
        self.app = app
        self.client = client
        self.directory = directory

    @classmethod
    def for_app(cls, app: App) -> CommandWork:
        """Its own Web API client and directory (a command process shares nothing with the acking one)."""
        client = web_client(app.config)
        return cls(app, client, Directory(client, use_groups=uses_groups(app)))

    async def handle(self, kind: str, body: dict[str, Any]) -> None:
        """One acknowledged request: ``command`` (a slash command) or ``click`` (a button)."""
        if kind == "command":
            await self.command(body)
        else:
            await self.click(body)

    async def command(self, body: dict[str, Any]) -> None:
        who = inbound.identity(body)
        reply = await self.app.run_line(who, inbound.command_line(body), **await self._context(who, body))
        await self.answer(reply, body)

    async def click(self, body: dict[str, Any]) -> None:
        who = inbound.identity(body)
        reply = await self.app.run_line(who, body["actions"][0]["value"], **await self._context(who, body))
        await self.answer(reply, body, replace_original=inbound.is_ephemeral(body))

    async def submitted(self, body: dict[str, Any], view: dict[str, Any], target: dict[str, Any]) -> Reply:
        who = inbound.identity(body)
        context = {**await self._context(who, body), "channel": target.get("channel"), "can_open_forms": False}
        return await self.app.run(Invocation(who, target["group"], target["sub"], inbound.form_values(view), **context))

    async def _context(self, who: Identity, body: Mapping[str, Any]) -> dict[str, Any]:
        claims, (locale, email) = await asyncio.gather(self.directory.claims(who.user_id),
                                                       self.directory.profile(who.user_id))
        return {"channel": inbound.channel(body), "claims": claims, "locale": locale, "email": email,
                "can_open_forms": True}

    async def answer(self, reply: Reply, body: Mapping[str, Any], *, replace_original: bool = False) -> None:
        """A reply to the member who asked: a modal, or messages (ephemeral unless public), then files."""
        tr = self.app.translator(reply.lang)
        if reply.form is not None:
            reply = await self._open_form(reply, body, tr)
        if reply.message is None:
            return
        for index, part in enumerate(render.messages(reply.message, tr)):
            await self._say(part, body, public=reply.public, replace_original=replace_original and index == 0)
        channel = inbound.channel(body)
        user = inbound.identity(body).user_id
        for attachment in reply.message.attachments:
            target = channel if channel and reply.public else await dm_channel(self.client, user)
            try:
                await self.client.files_upload_v2(channel=target, content=attachment.data,
                                                  filename=attachment.filename,
                                                  title=attachment.title or attachment.filename)
            except SlackApiError as exc:
                log.warning("Slack refused a file upload (%s)", exc.response.get("error"))
                await self._not_sent(attachment.title or attachment.filename, body, tr)

    async def _not_sent(self, name: str, body: Mapping[str, Any], tr) -> None:
        """The member was shown the text of a reply whose file Slack refused: say so, and what to do."""
        typed = inbound.typed(body)
        text = tr._(N_("“{file}” could not be sent. Try {command} again."), file=name, command=typed) if typed \
            else tr._(N_("“{file}” could not be sent. Try the command again."), file=name)
        for part in render.messages(Message(text), tr):
            await self._say(part, body, public=False, replace_original=False)

    async def _say(self, part: dict[str, Any], body: Mapping[str, Any], *, public: bool,
                   replace_original: bool) -> None:
        """One message to where the request came from: its ``response_url``, else the channel or privately."""
        channel = inbound.channel(body)
        response_url = body.get("response_url")
        if response_url:
            await AsyncWebhookClient(response_url, session=self.client.session, logger=RESPONSE_URL_LOG).send(
                response_type="in_channel" if public else "ephemeral", replace_original=replace_original, **part)
        elif channel and public:
            await self.client.chat_postMessage(channel=channel, **part)
        else:
            await self._private(channel, inbound.identity(body).user_id, part)

    async def _open_form(self, reply: Reply, body: Mapping[str, Any], tr) -> Reply:
        form = reply.form
        metadata = {"group": form.group, "sub": form.sub, "channel": inbound.channel(body)}
        try:
            await self.client.views_open(trigger_id=body["trigger_id"], view=render.modal(form, metadata))
            return replace(reply, message=None)
        except (SlackApiError, KeyError):
            command = self.app.registry.find(form.group, form.sub)
            text = tr._(N_("The form didn’t open. Type the command with its values instead: {usage}"),
                        usage=command.usage())
            return Reply(Message(text), error=True, lang=reply.lang)

    async def _private(self, channel: str | None, user: str, part: dict[str, Any]) -> None:
        """Only this member sees it: ephemeral where they are, or a DM when that is not possible."""
        if channel and not channel.startswith("D"):
            try:
                await self.client.chat_postEphemeral(channel=channel, user=user, **part)
                return
            except SlackApiError as exc:
                log.info("ephemeral reply refused (%s); sending a DM", exc.response.get("error"))
        await self.client.chat_postMessage(channel=user, **part)  # a user ID posts to the DM: sender.send_dm

    async def close(self) -> None:
        await self.client.session.close()
