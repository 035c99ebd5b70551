"""The Slack front-end on slack-bolt's AsyncApp: slash commands, buttons, forms, DMs, posts and files.

Two modes from config: Socket Mode (``SLACK_APP_TOKEN``, no public URL) and HTTP mode (serves
``/slack/events`` on ``slack.host``:``slack.port``, verified with ``SLACK_SIGNING_SECRET``). One
slash command per command group in the registry, so a new feature needs no change here.
"""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.app.async_app import AsyncApp
from slack_sdk.signature import SignatureVerifier
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from bot.adapters.repeats import Recent
from bot.adapters.slack.directory import Directory
from bot.adapters.slack.handoff import CommandProcesses, Inline
from bot.adapters.slack.listeners import Listeners
from bot.adapters.slack.sender import SlackSender, web_client
from bot.adapters.slack.work import CommandWork, uses_groups
from bot.app import App
from bot.config import ConfigError

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
SLACK_CONTENT_TYPES = ("application/x-www-form-urlencoded", "application/json")  # all Slack ever sends
ENVELOPE_WINDOW = 600.0  # seconds: Slack's retries of an envelope come within a few minutes


class OnceSocketModeHandler(AsyncSocketModeHandler):
    """Socket Mode: Slack may send a request again, as a new envelope marked as a retry or as the
    same envelope after a reconnect; each is acknowledged every time but run once."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.envelopes = Recent(ENVELOPE_WINDOW)

    async def handle(self, client, req: SocketModeRequest) -> None:
        if not req.retry_attempt and self.envelopes.first(req.envelope_id):
            await super().handle(client, req)
        else:
            await client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))


class SlackFrontEnd:
    def __init__(self, app: App) -> None:
        secrets = app.config.secrets
        if app.config.slack.mode == "http" and not secrets.slack_signing_secret:
            raise ConfigError("Slack HTTP mode needs SLACK_SIGNING_SECRET in the environment")
        if app.config.slack.mode == "socket" and not secrets.slack_app_token:
            raise ConfigError("Slack Socket Mode needs SLACK_APP_TOKEN (an xapp- token) in the environment")
        self.app = app
        self.client = web_client(app.config)
        self.verifier = SignatureVerifier(secrets.slack_signing_secret or "")
        self.bolt = AsyncApp(client=self.client, signing_secret=secrets.slack_signing_secret or "",
                             request_verification_enabled=app.config.slack.mode == "http")
        work = CommandWork(app, self.client, Directory(self.client, use_groups=uses_groups(app)))
        processes = app.config.slack.command_processes
        self.handoff = CommandProcesses(app.config, processes) if processes else Inline(work)
        Listeners(work, self.handoff).register(self.bolt)
        self.sender = SlackSender(self.client, app.translator)

    def web_app(self) -> web.Application:
        async def events(request: web.Request) -> web.Response:
            if request.content_type not in SLACK_CONTENT_TYPES:
                return web.Response(status=415)
            if request.headers.get("X-Slack-Retry-Num"):  # a redelivery: the first delivery already ran it
                signed = self.verifier.is_valid(await request.text(), request.headers.get("X-Slack-Request-Timestamp"),
                                                request.headers.get("X-Slack-Signature"))
                return web.Response(status=200 if signed else 401)
            try:
                bolt_request = await to_bolt_request(request)
            except (ValueError, AttributeError):  # not JSON, or JSON that is not an object: not from Slack
                log.info("refused a malformed request to %s", EVENTS_PATH)
                return web.Response(status=400)
            return await to_aiohttp_response(await self.bolt.async_dispatch(bolt_request))

        web_app = web.Application()
        web_app.router.add_post(EVENTS_PATH, events)
        return web_app

    async def serve_http(self, host: str, port: int) -> web.AppRunner:
        """Start listening; the caller owns the runner (``await runner.cleanup()``) and closes this."""
        await self.handoff.start()
        runner = web.AppRunner(self.web_app())
        await runner.setup()
        await web.TCPSite(runner, host, port).start()
        log.info("Slack HTTP mode listening on %s", runner.addresses)
        return runner

    def socket_handler(self) -> AsyncSocketModeHandler:
        return OnceSocketModeHandler(self.bolt, self.app.config.secrets.slack_app_token, web_client=self.client)

    async def run(self) -> None:
        """Serve until cancelled, in the configured mode."""
        settings = self.app.config.slack
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
        await self.client.session.close()


async def start(app: App) -> tuple[SlackSender, asyncio.Task]:
    front = SlackFrontEnd(app)
    return front.sender, asyncio.create_task(front.run())
