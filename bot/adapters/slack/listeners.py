"""slack-bolt listeners: acknowledge at once, run the command after the ack, answer afterwards.

Slack wants an answer within 3 seconds; a command may take longer (a busy database, a big
fan-out). So every listener acks first and replies through ``response_url`` or the Web API.
The one exception is a form submission, whose ack can carry field errors: it waits for the
command briefly and, if that is not enough, acks anyway and answers by message.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from slack_bolt.app.async_app import AsyncApp
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.repeats import Recent
from bot.adapters.slack import inbound, render
from bot.adapters.slack.directory import Directory
from bot.app import App
from bot.i18n import N_
from bot.types import Identity, Invocation, Message, Reply

log = logging.getLogger(__name__)

SUBMIT_WAIT = 2.0  # seconds a form submission waits for its command before acking without errors
CLICK_WINDOW = 30.0  # seconds in which the same click on the same message is a double click


class Listeners:
    def __init__(self, app: App, client: AsyncWebClient, directory: Directory) -> None:
        self.app = app
        self.client = client
        self.directory = directory
        self.clicks = Recent(CLICK_WINDOW)

    def register(self, bolt: AsyncApp) -> None:
        bolt.middleware(skip_redeliveries)
        for name in self.app.registry.groups:
            bolt.command(f"/{name}")(self.on_command)
        bolt.action(re.compile(f"^{render.BUTTON_ACTION}"))(self.on_click)
        bolt.view_submission(render.FORM_CALLBACK)(self.on_submit)

    async def on_command(self, ack, body: dict[str, Any], respond) -> None:
        await ack()
        who = inbound.identity(body)
        reply = await self.app.run_line(who, inbound.command_line(body), **await self._context(who, body))
        await self.answer(reply, body, respond)

    async def on_click(self, ack, body: dict[str, Any], action: dict[str, Any], respond) -> None:
        await ack()
        if not self.clicks.first(inbound.click_key(body, action)):
            return
        who = inbound.identity(body)
        reply = await self.app.run_line(who, action["value"], **await self._context(who, body))
        await self.answer(reply, body, respond, replace_original=inbound.is_ephemeral(body))

    async def on_submit(self, ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        target = inbound.form_target(view)
        running = asyncio.ensure_future(self._submitted(body, view, target))
        done, _ = await asyncio.wait({running}, timeout=SUBMIT_WAIT)
        if done and running.result().error and running.result().message:
            await ack(response_action="errors", errors=render.form_errors(view, running.result().message.text))
            return
        await ack()
        await self.answer(await running, {"user": body["user"], "channel_id": target.get("channel")}, None)

    async def _submitted(self, body: dict[str, Any], view: dict[str, Any], target: dict[str, Any]) -> Reply:
        who = inbound.identity(body)
        context = {**await self._context(who, body), "channel": target.get("channel"), "can_open_forms": False}
        return await self.app.run(Invocation(who, target["group"], target["sub"], inbound.form_values(view), **context))

    async def _context(self, who: Identity, body: Mapping[str, Any]) -> dict[str, Any]:
        claims, locale = await asyncio.gather(self.directory.claims(who.user_id), self.directory.locale(who.user_id))
        return {"channel": inbound.channel(body), "claims": claims, "locale": locale, "can_open_forms": True}

    async def answer(self, reply: Reply, body: Mapping[str, Any], respond, *, replace_original: bool = False) -> None:
        """A reply to the member who asked: a modal, or messages (ephemeral unless public), then files."""
        tr = self.app.translator(reply.lang)
        if reply.form is not None:
            reply = await self._open_form(reply, body, tr)
        if reply.message is None:
            return
        channel = inbound.channel(body)
        user = inbound.identity(body).user_id
        for index, part in enumerate(render.messages(reply.message, tr)):
            if respond is not None:
                await respond(response_type="in_channel" if reply.public else "ephemeral",
                              replace_original=replace_original and index == 0, **part)
            elif channel and reply.public:
                await self.client.chat_postMessage(channel=channel, **part)
            else:
                await self._private(channel, user, part)
        for attachment in reply.message.attachments:
            target = channel if channel and reply.public else await self._dm_channel(user)
            await self.client.files_upload_v2(channel=target, content=attachment.data, filename=attachment.filename,
                                              title=attachment.title or attachment.filename)

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

    async def _dm_channel(self, user: str) -> str:
        """The DM's own ID, which file uploads need (a message can take the user ID instead)."""
        return (await self.client.conversations_open(users=user))["channel"]["id"]


async def skip_redeliveries(req, resp, next) -> BoltResponse | None:
    """Slack redelivers a request it thinks went unanswered; the first delivery already ran it."""
    if req.headers.get("x-slack-retry-num"):
        return BoltResponse(status=200, body="")
    return await next()
