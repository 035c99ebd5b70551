"""What happens after the ack: run the member's command and answer them.

Kept apart from the listeners (which only acknowledge) so the same code runs in the process that
acks or in a command process (:mod:`bot.handoff`); either way it needs only the app, a Web API client
and the directory, and every answer goes out through :func:`bot.adapters.slack.outbound.send`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack import PLATFORM, home, inbound, onboarding, render
from bot.adapters.slack.inbound import GROUP_CLAIM, Directory
from bot.adapters.slack.outbound import REFUSED, To, call, reason, send, web_client
from bot.app import App
from bot.budget import refused_notice
from bot.i18n import N_, Translator
from bot.types import Attachment, Identity, Invocation, Message, Reply

log = logging.getLogger(__name__)
FACTORY = f"{__name__}:CommandWork.for_app"  # how a command process builds it (bot.handoff)


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
        """One acknowledged request: ``command`` (a slash command), ``click`` (a button, a picked option) or
        ``joined`` (a member joined: :mod:`bot.adapters.slack.onboarding`) or ``home`` (the member opened the Home
        tab: :mod:`bot.adapters.slack.home`)."""
        if kind == "command":
            await self.command(body)
        elif kind == "joined":
            await onboarding.welcome(self, body)
        elif kind == "home":
            await home.opened(self, body)
        else:
            await self.click(body)

    async def command(self, body: dict[str, Any]) -> None:
        who = inbound.identity(body)
        reply = await self.app.run_line(who, inbound.command_line(body), **await self._context(who, body))
        await self.answer(reply, body)

    async def click(self, body: dict[str, Any]) -> None:
        who = inbound.identity(body)
        reply = await self.app.run_line(who, inbound.action_line(body["actions"][0]), **await self._context(who, body))
        if inbound.turns_page(body):
            await self.turn_page(reply, body)
        else:
            await self.answer(reply, body, replace_original=inbound.is_ephemeral(body))

    async def turn_page(self, reply: Reply, body: Mapping[str, Any]) -> None:
        """Previous/Next shows the page in the message clicked on, when those who see that message may see the
        page: an answer to the member alone (only its ``response_url`` can replace an ephemeral message), the
        member's DM with the bot, or a public answer turned to a public page (``chat.update`` of its ``ts``).
        A refusal, a page with files, or a private page under a message the channel sees comes as a new answer."""
        message, source = reply.message, inbound.source_message(body)
        whole = message is not None and not reply.error and not message.attachments
        if whole and inbound.is_ephemeral(body):
            await self.answer(reply, body, replace_original=not reply.public)
            return
        if whole and message is not None and source and (reply.public or source[0].startswith("D")):
            parts = render.messages(message, self.app.translator(reply.lang))
            if len(parts) == 1:
                try:
                    await call(self.client.chat_update, channel=source[0], ts=source[1], **parts[0])
                    return
                except REFUSED as exc:
                    log.info("Slack did not update the page in place (%s); answering anew", reason(exc))
        await self.answer(reply, body)

    async def submitted(self, body: dict[str, Any], view: dict[str, Any], target: dict[str, Any]) -> Reply:
        who = inbound.identity(body)
        context = {**await self._context(who, body), "channel": target.get("channel"), "can_open_forms": False}
        return await self.app.run(Invocation(who, target["group"], target["sub"], inbound.form_values(view), **context))

    async def _context(self, who: Identity, body: Mapping[str, Any]) -> dict[str, Any]:
        if inbound.from_elsewhere(body, PLATFORM.settings_of(self.app.config).team_id):
            return {"channel": inbound.channel(body), "outside": True}  # refused before anyone is looked up
        claims, profile = await asyncio.gather(self.directory.claims(who.user_id), self.directory.profile(who.user_id))
        return {"channel": inbound.channel(body), "claims": claims, "locale": profile.locale, "email": profile.email,
                "can_open_forms": True}

    async def answer(self, reply: Reply, body: Mapping[str, Any], *, replace_original: bool = False) -> None:
        """A reply to the member who asked: a modal, or messages (ephemeral unless public), then files."""
        tr = self.app.translator(reply.lang)
        if reply.form is not None:
            reply = await self._open_form(reply, body, tr)
        if reply.message is None:
            return
        to = To(channel=inbound.channel(body), user=inbound.identity(body).user_id, answer=True,
                response_url=body.get("response_url"), public=reply.public, replace=replace_original)

        async def not_sent(attachment: Attachment) -> None:
            """The member was shown the text of a reply whose file Slack refused: say so, and what to do."""
            name, typed = attachment.title or attachment.filename, inbound.typed(body)
            text = tr._(N_("“{file}” could not be sent. Try {command} again."), file=name, command=typed) if typed \
                else tr._(N_("“{file}” could not be sent. Try the command again."), file=name)
            await send(self.client, replace(to, public=False, replace=False), Message(text), tr)

        try:
            await send(self.client, to, reply.message, tr, refused_file=not_sent)
        except REFUSED as exc:
            await self._refused(to, body, tr, reason(exc))

    async def _refused(self, to: To, body: Mapping[str, Any], tr: Translator, why: str) -> None:
        """Slack did not take an answer: the member is told in a short message (through the same
        ``response_url``, else privately where they are, else by DM), and the log says why."""
        typed = inbound.typed(body)
        log.warning("Slack refused the answer to %s (%s)", " ".join((typed or "a request").split()[:2]), why)
        text = refused_notice(tr, PLATFORM.title, why, typed)
        for target in (replace(to, public=False, replace=False), replace(to, public=False, replace=False,
                                                                         response_url=None)):
            try:
                await send(self.client, target, Message(text), tr)
                return
            except REFUSED as exc:
                log.warning("Slack refused the notice of a refused answer too (%s)", reason(exc))

    async def _open_form(self, reply: Reply, body: Mapping[str, Any], tr: Translator) -> Reply:
        form = reply.form
        assert form is not None
        metadata = {"group": form.group, "sub": form.sub, "channel": inbound.channel(body)}
        try:
            await self.client.views_open(trigger_id=body["trigger_id"], view=render.modal(form, metadata))
            return replace(reply, message=None)
        except (SlackApiError, KeyError):
            command = self.app.registry.find(form.group, form.sub)
            text = tr._(N_("The form didn’t open. Type the command with its values instead: {usage}"),
                        usage=command.usage())
            return Reply(Message(text), error=True, lang=reply.lang)

    async def close(self) -> None:
        if self.client.session is not None:
            await self.client.session.close()
