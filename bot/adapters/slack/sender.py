"""The outgoing half for the delivery worker: DMs, channel posts, edits and files through the Web API.

slack_sdk's own 429 retry is left off: a rate limit becomes :class:`bot.delivery.RateLimited`, so
the outbox pauses the whole platform for ``Retry-After`` instead of one call sleeping on its own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncConnectionErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.render import messages
from bot.config import Config
from bot.delivery import RateLimited, Undeliverable
from bot.i18n import Translator
from bot.types import Message

T = TypeVar("T")

WEB_API_TIMEOUT = 30  # seconds, slack_sdk's own default

PERMANENT = frozenset({
    "channel_not_found", "user_not_found", "cannot_dm_bot", "is_archived", "not_in_channel", "user_disabled",
    "account_inactive", "restricted_action", "message_not_found", "cant_update_message", "invalid_auth",
    "not_authed", "token_revoked", "missing_scope", "msg_too_long", "no_text", "invalid_blocks",
})


def web_client(config: Config) -> AsyncWebClient:
    """A client whose calls share one keep-alive HTTP session (call it inside the event loop). Left to
    itself slack_sdk opens a new session, and connection, per call, which held a 35,000-member fan-out
    to well under Slack's rate limit (bench/fanout.py)."""
    session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=WEB_API_TIMEOUT))
    return AsyncWebClient(token=config.secrets.slack_bot_token, base_url=config.slack.api_base_url,
                          retry_handlers=[AsyncConnectionErrorRetryHandler()], session=session,
                          timeout=WEB_API_TIMEOUT)


async def call(fn: Callable[..., Awaitable[T]], **kwargs: Any) -> T:
    """One Web API call with Slack's refusals translated for the outbox."""
    try:
        return await fn(**kwargs)
    except SlackApiError as exc:
        response = exc.response
        if response.status_code == 429:
            headers = {k.lower(): v for k, v in (response.headers or {}).items()}
            raise RateLimited(float(headers.get("retry-after", 1))) from None
        error = response.get("error") if isinstance(response.data, dict) else None
        if error in PERMANENT:
            raise Undeliverable(error) from None
        raise


class SlackSender:
    platform = "slack"

    def __init__(self, client: AsyncWebClient, translator: Callable[[str | None], Translator]) -> None:
        self.client = client
        self.translator = translator  # a message's own language, for the fallback text of its dates

    async def send_dm(self, user_id: str, message: Message, dedupe: str) -> str | None:
        """One call a DM: ``chat.postMessage`` accepts a user's ID as ``channel`` and posts to the app's
        DM with that user, so no ``conversations.open`` comes first (Slack's docs: the ``channel``
        argument of https://api.slack.com/methods/chat.postMessage, and
        https://api.slack.com/scopes/conversations.app_home:create, which says to start a DM by passing
        the user's ID as ``channel`` without a separate ``conversations.open``). No fallback to
        ``conversations.open``: it refuses the same users (``user_not_found``, ``cannot_dm_bot``,
        ``user_disabled``), so ``channel_not_found`` stays a permanent refusal. Only a DM of files alone
        opens the conversation, because uploads need the DM's own ``D…`` ID."""
        return await self._post(user_id, message, dm=True)

    async def post(self, channel_id: str, message: Message, dedupe: str) -> str:
        """Returns the first message's ``ts``, which is what a later edit replaces."""
        return await self._post(channel_id, message, dm=False)

    async def _post(self, channel: str, message: Message, *, dm: bool) -> str:
        first = ""
        for part in messages(message, self.translator(message.lang)):
            sent = await call(self.client.chat_postMessage, channel=channel, unfurl_links=False, **part)
            channel = sent["channel"]  # for a user ID, the DM's own ID, which file uploads need
            first = first or sent["ts"]
        if dm and not first and message.attachments:
            channel = (await call(self.client.conversations_open, users=channel))["channel"]["id"]
        for attachment in message.attachments:
            uploaded = await call(self.client.files_upload_v2, channel=channel, content=attachment.data,
                                  filename=attachment.filename, title=attachment.title or attachment.filename)
            first = first or uploaded["files"][0]["id"]
        return first

    async def edit(self, channel_id: str, message_id: str, message: Message) -> None:
        first = messages(message, self.translator(message.lang))[0]
        await call(self.client.chat_update, channel=channel_id, ts=message_id, **first)
