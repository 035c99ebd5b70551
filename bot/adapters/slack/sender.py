"""The outgoing half for the delivery worker: DMs, channel posts, edits and files through the Web API.

slack_sdk's own 429 retry is left off: a rate limit becomes :class:`bot.delivery.RateLimited`, so
the outbox pauses the whole platform for ``Retry-After`` instead of one call sleeping on its own.

``chat.postMessage`` has no idempotency key, so every message carries its outbox row's key in its
``metadata``; a retry of a row that may already have been delivered (its worker died between Slack's
answer and the "sent" mark) first reads the conversation's history since the row was queued and
sends only the parts Slack does not already hold.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncConnectionErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack import PLATFORM
from bot.adapters.slack.render import messages
from bot.config import Config
from bot.delivery import RateLimited, Undeliverable
from bot.i18n import Translator
from bot.types import Message

log = logging.getLogger(__name__)
T = TypeVar("T")

WEB_API_TIMEOUT = 30  # seconds, slack_sdk's own default
OUTBOX_EVENT = "organizer_outbox"  # the metadata event_type of a message sent from the outbox
CLOCK_SKEW = 300  # seconds of history read before a row's queueing time, for the database's clock vs Slack's

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
    return AsyncWebClient(token=config.secret("slack_bot_token"), base_url=PLATFORM.settings_of(config).api_base_url,
                          retry_handlers=[AsyncConnectionErrorRetryHandler()], session=session,
                          timeout=WEB_API_TIMEOUT)


async def dm_channel(client: AsyncWebClient, user_id: str) -> str:
    """The ID of the app's DM with a member (``D…``), which file uploads and ``conversations.history``
    need; a message alone can go to the member's own ID."""
    return (await client.conversations_open(users=user_id))["channel"]["id"]


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
    platform = PLATFORM.name

    def __init__(self, client: AsyncWebClient, translator: Callable[[str | None], Translator]) -> None:
        self.client = client
        self.translator = translator  # a message's own language, for the fallback text of its dates

    async def send_dm(self, user_id: str, message: Message, dedupe: str,
                      retry_since: datetime | None = None) -> str | None:
        """One call a DM: ``chat.postMessage`` accepts a user's ID as ``channel`` and posts to the app's
        DM with that user, so no ``conversations.open`` comes first (Slack's docs: the ``channel``
        argument of https://api.slack.com/methods/chat.postMessage, and
        https://api.slack.com/scopes/conversations.app_home:create, which says to start a DM by passing
        the user's ID as ``channel`` without a separate ``conversations.open``). No fallback to
        ``conversations.open``: it refuses the same users (``user_not_found``, ``cannot_dm_bot``,
        ``user_disabled``), so ``channel_not_found`` stays a permanent refusal. Only a DM of files alone,
        or a retry (``conversations.history`` wants the DM's own ``D…`` ID), opens the conversation."""
        channel = await call(dm_channel, client=self.client, user_id=user_id) if retry_since else user_id
        return await self._post(channel, message, dedupe, retry_since, dm=channel == user_id)

    async def post(self, channel_id: str, message: Message, dedupe: str,
                   retry_since: datetime | None = None) -> str:
        """Returns the first message's ``ts``, which is what a later edit replaces."""
        return await self._post(channel_id, message, dedupe, retry_since, dm=False)

    async def _post(self, channel: str, message: Message, dedupe: str, retry_since: datetime | None, *,
                    dm: bool) -> str:
        delivered = await self._delivered(channel, dedupe, retry_since) if retry_since else {}
        first = ""
        for number, part in enumerate(messages(message, self.translator(message.lang))):
            ts = delivered.get(number)
            if ts is None:
                sent = await call(self.client.chat_postMessage, channel=channel, unfurl_links=False,
                                  metadata={"event_type": OUTBOX_EVENT,
                                            "event_payload": {"key": dedupe, "part": number}}, **part)
                channel, ts = sent["channel"], sent["ts"]  # for a user ID, the DM's own ID, which uploads need
            first = first or ts
        if dm and not first and message.attachments:
            channel = await call(dm_channel, client=self.client, user_id=channel)
        for attachment in message.attachments:
            uploaded = await call(self.client.files_upload_v2, channel=channel, content=attachment.data,
                                  filename=attachment.filename, title=attachment.title or attachment.filename)
            first = first or uploaded["files"][0]["id"]
        return first


    async def _delivered(self, channel: str, dedupe: str, since: datetime) -> dict[int, str]:
        """The parts of outbox row ``dedupe`` already in ``channel`` (part number → ``ts``), from the
        conversation's history since the row was queued. History Slack will not show (a scope the
        workspace has not granted) means sending again: at least once, as without the look."""
        found: dict[int, str] = {}
        cursor = None
        try:
            while True:
                page = await call(self.client.conversations_history, channel=channel, cursor=cursor, limit=200,
                                  oldest=f"{since.timestamp() - CLOCK_SKEW:.6f}", include_all_metadata=True)
                for sent in page.get("messages", []):
                    metadata = sent.get("metadata") or {}
                    payload = metadata.get("event_payload") or {}
                    if metadata.get("event_type") == OUTBOX_EVENT and payload.get("key") == dedupe:
                        found.setdefault(int(payload.get("part", 0)), sent["ts"])
                cursor = (page.get("response_metadata") or {}).get("next_cursor")
                if not page.get("has_more") or not cursor:
                    return found
        except Undeliverable as refused:
            log.warning("cannot read a conversation's history (%s): sending again", refused)
            return found

    async def edit(self, channel_id: str, message_id: str, message: Message) -> None:
        first = messages(message, self.translator(message.lang))[0]
        await call(self.client.chat_update, channel=channel_id, ts=message_id, **first)
