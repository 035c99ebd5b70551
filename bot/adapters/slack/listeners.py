"""slack-bolt listeners: acknowledge at once and hand the request on (:mod:`bot.handoff`).

Slack wants an answer within 3 seconds; a command may take longer (a busy database, a big
fan-out). So every listener acks first and the work answers afterwards through ``response_url``
or the Web API. The one exception is a form submission, whose ack can carry field errors: it
runs here, waits for the command briefly and, if that is not enough, acks anyway and answers by
message.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from slack_bolt.app.async_app import AsyncApp

from bot.adapters.repeats import Recent
from bot.adapters.slack import inbound, render
from bot.adapters.slack.work import CommandWork
from bot.handoff import CommandProcesses, Inline

SUBMIT_WAIT = 2.0  # seconds a form submission waits for its command before acking without errors
CLICK_WINDOW = 30.0  # seconds in which the same click on the same message is a double click


class Listeners:
    def __init__(self, work: CommandWork, handoff: Inline | CommandProcesses) -> None:
        self.work = work
        self.handoff = handoff
        self.clicks = Recent(CLICK_WINDOW)

    def register(self, bolt: AsyncApp) -> None:
        for name in self.work.app.registry.groups:
            bolt.command(f"/{name}")(self.on_command)
        bolt.action(re.compile(f"^{render.BUTTON_ACTION}"))(self.on_click)
        bolt.view_submission(render.FORM_CALLBACK)(self.on_submit)

    async def on_command(self, ack, body: dict[str, Any]) -> None:
        await ack()
        await self.handoff.run("command", body)

    async def on_click(self, ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        if self.clicks.first(inbound.click_key(body, action)):
            await self.handoff.run("click", body)

    async def on_submit(self, ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        target = inbound.form_target(view)
        running = asyncio.ensure_future(self.work.submitted(body, view, target))
        done, _ = await asyncio.wait({running}, timeout=SUBMIT_WAIT)
        errors = render.form_errors(view, running.result().message.text) \
            if done and running.result().error and running.result().message else None
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        await ack()
        await self.work.answer(await running, {"user": body["user"], "channel_id": target.get("channel")})
