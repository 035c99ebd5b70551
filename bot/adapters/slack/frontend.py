"""The Slack front-end on slack-bolt's AsyncApp: slash commands, buttons, forms, DMs, posts and files.

Two modes from config: Socket Mode (``SLACK_APP_TOKEN``, no public URL) and HTTP mode (serves
``/slack/events`` on ``slack.host``:``slack.port``, verified with ``SLACK_SIGNING_SECRET``). One
slash command per command group in the registry, so a new feature needs no change here.

The listeners (:class:`Listeners`) acknowledge at once and hand the request on (:mod:`bot.handoff`).
Slack wants an answer within 3 seconds; a command may take longer (a busy database, a big
fan-out). So every listener acks first and the work answers afterwards through ``response_url``
or the Web API. The one exception is a form submission, whose ack can carry field errors: it
runs here, waits for the command briefly and, if that is not enough, acks anyway and answers by
message.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.error import BoltUnhandledRequestError
from slack_bolt.response import BoltResponse
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from bot import incidents
from bot.adapters.repeats import Recent
from bot.adapters.slack import PLATFORM, door, home, inbound, onboarding, render
from bot.adapters.slack.inbound import Directory
from bot.adapters.slack.outbound import SlackSender, web_client
from bot.adapters.slack.work import FACTORY, CommandWork, uses_groups
from bot.app import App
from bot.config import ConfigError
from bot.handoff import CommandProcesses, Inline

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
SLACK_CONTENT_TYPES = ("application/x-www-form-urlencoded", "application/json")  # all Slack ever sends
ENVELOPE_WINDOW = 600.0  # seconds: Slack's retries of an envelope come within a few minutes
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
        onboarding.register(bolt, self)
        home.register(bolt, self)

    async def on_command(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        await self.handoff.run("command", body)

    async def on_click(self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        if self.clicks.first(inbound.click_key(body, action)):
            await self.handoff.run("click", body)

    async def on_submit(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        target = inbound.form_target(view)
        running = asyncio.ensure_future(self.work.submitted(body, view, target))
        done, _ = await asyncio.wait({running}, timeout=SUBMIT_WAIT)
        refused = running.result() if done and running.result().error else None
        errors = render.form_errors(view, refused.message.text, refused.field) if refused and refused.message else None
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        await ack()
        await self.work.answer(await running, {"user": body["user"], "channel_id": target.get("channel")})


class OnceSocketModeHandler(AsyncSocketModeHandler):
    """Socket Mode: Slack may send a request again, as a new envelope marked as a retry or as the
    same envelope after a reconnect; each is acknowledged every time but run once. A payload the bot
    cannot read (:func:`bot.adapters.slack.inbound.unreadable`) is acknowledged and not run."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.envelopes = Recent(ENVELOPE_WINDOW)

    async def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        unreadable = inbound.unreadable(req.payload)
        if unreadable:
            log.warning("refused a Socket Mode envelope that cannot be read (%s)", unreadable)
        if not unreadable and not req.retry_attempt and self.envelopes.first(req.envelope_id):
            await super().handle(client, req)
        else:
            await client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))


class SlackFrontEnd:
    def __init__(self, app: App) -> None:
        settings = PLATFORM.settings_of(app.config)
        if settings.mode == "http" and not app.config.secret("slack_signing_secret"):
            raise ConfigError("Slack HTTP mode needs SLACK_SIGNING_SECRET in the environment")
        if settings.mode == "socket" and not app.config.secret("slack_app_token"):
            raise ConfigError("Slack Socket Mode needs SLACK_APP_TOKEN (an xapp- token) in the environment")
        self.app = app
        self.client = web_client(app.config)
        self.signing_secret = (app.config.secret("slack_signing_secret") or "").encode()
        self.refusals = door.Refusals(log)
        # the HTTP endpoint verifies each request itself, before parsing it (bot.adapters.slack.door)
        self.bolt = AsyncApp(client=self.client, request_verification_enabled=False,
                             raise_error_for_unhandled_request=True)
        self.bolt.error(self._failed)
        self.work = CommandWork(app, self.client, Directory(self.client, use_groups=uses_groups(app)))
        processes = settings.command_processes
        self.handoff = CommandProcesses(app.config, processes, work=FACTORY, platform=PLATFORM.name) if processes \
            else Inline(self.work)
        Listeners(self.work, self.handoff).register(self.bolt)
        self.sender = SlackSender(self.client, app.translator, channel_ping=settings.allow_channel_ping)

    def web_app(self) -> web.Application:
        async def events(request: web.Request) -> web.Response:
            if request.content_type not in SLACK_CONTENT_TYPES:
                return web.Response(status=415)
            if (request.content_length or 0) > door.MAX_BODY:
                return web.Response(status=413)
            refused = door.unsigned_headers(request.headers, self.app.clock().timestamp())
            if refused:
                self.refusals.note(refused)
                return web.Response(status=401)
            try:
                body = await door.signed_body(request.content, self.signing_secret, request.headers)
            except ConnectionError:  # the client left mid-body: nobody to answer
                log.debug("a client left before sending its whole request")
                return web.Response(status=400)
            if body is None:
                self.refusals.note("a bad signature")
                return web.Response(status=401)
            if request.headers.get("X-Slack-Retry-Num"):  # a redelivery: the first delivery already ran it
                return web.Response(status=200)
            try:
                bolt_request = door.parse(body, request.query_string, request.headers)
            except door.Malformed as exc:
                log.warning("refused a signed request to %s that cannot be read (%s)", EVENTS_PATH, exc)
                return web.Response(status=400)
            return await to_aiohttp_response(await self.bolt.async_dispatch(bolt_request))

        web_app = web.Application(client_max_size=door.MAX_BODY)
        web_app.router.add_post(EVENTS_PATH, events)
        return web_app

    async def _failed(self, error: Exception, body: dict[str, Any],
                      response: BoltResponse | None) -> BoltResponse | None:
        """bolt's handler for what a listener or bolt itself raised: one line, no traceback above DEBUG.
        After the ack (``response`` None) there is no answer left to give."""
        if isinstance(error, BoltUnhandledRequestError):
            log.warning("no listener for a Slack %s request", str(body.get("type") or "command")[:40])
            status = 404
        else:
            incidents.report(log, "a Slack request", error=error)
            status = 500
        return None if response is None else BoltResponse(status=status, body="")

    async def serve_http(self, host: str, port: int) -> web.AppRunner:
        """Start listening; the caller owns the runner (``await runner.cleanup()``) and closes this."""
        await self.handoff.start()
        runner = web.AppRunner(self.web_app(), logger=door.ServerLog(self.refusals, log))
        await runner.setup()
        await web.TCPSite(runner, host, port).start()
        log.info("Slack HTTP mode listening on %s", runner.addresses)
        return runner

    def socket_handler(self) -> AsyncSocketModeHandler:
        return OnceSocketModeHandler(self.bolt, self.app.config.secret("slack_app_token"), web_client=self.client)

    async def run(self) -> None:
        """Serve until cancelled, in the configured mode."""
        settings = PLATFORM.settings_of(self.app.config)
        if settings.mode == "http":
            runner = await self.serve_http(settings.host, settings.port)
            try:
                await asyncio.Event().wait()
            finally:
                await runner.cleanup()
                await self.close()
        else:
            handler = self.socket_handler()
            await self.handoff.start()
            try:
                await handler.start_async()
            finally:
                await handler.close_async()
                await self.close()

    async def close(self) -> None:
        """Stop the command processes (after what they hold) and close the Web API client's HTTP session."""
        await self.handoff.close()
        if self.client.session is not None:
            await self.client.session.close()


async def start(app: App) -> tuple[SlackSender, asyncio.Task[None]]:
    front = SlackFrontEnd(app)
    return front.sender, asyncio.create_task(front.run())
