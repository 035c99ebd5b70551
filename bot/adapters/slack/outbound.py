"""Everything the bot sends to Slack goes through :func:`send`: a channel post, a DM, or the answer to a
request (through its ``response_url``, else in its channel or privately). It splits a message within
Slack's limits, finds the DM a file needs and uploads the files, once for all three.

The outbox's half, :class:`SlackSender`, is :func:`send` with the outbox row's key. slack_sdk's own 429
retry is left off: a rate limit becomes :class:`bot.delivery.RateLimited`, so the outbox pauses the whole
platform for ``Retry-After`` instead of one call sleeping on its own.

``chat.postMessage`` has no idempotency key, so every message from the outbox carries its row's key in
its ``metadata``; a retry of a row that may already have been delivered (its worker died between Slack's
answer and the "sent" mark) first reads the conversation's history since the row was queued and sends
only the parts Slack does not already hold.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncConnectionErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.adapters.slack import PLATFORM
from bot.adapters.slack.home import view
from bot.adapters.slack.render import messages
from bot.config import Config
from bot.delivery import RateLimited, Undeliverable, Unreachable
from bot.i18n import Translator
from bot.types import Attachment, Home, Message

log = logging.getLogger(__name__)
T = TypeVar("T")

WEB_API_TIMEOUT = 30  # seconds, slack_sdk's own default
OUTBOX_EVENT = "organizer_outbox"  # the metadata event_type of a message sent from the outbox
CLOCK_SKEW = 300  # seconds of history read before a row's queueing time, for the database's clock vs Slack's

PERMANENT = frozenset({
    "channel_not_found", "is_archived", "not_in_channel", "restricted_action", "message_not_found",
    "cant_update_message", "invalid_auth", "not_authed", "token_revoked", "missing_scope", "msg_too_long", "no_text",
    "invalid_blocks",
    # the message itself: the same message is refused every time, so it is not tried again
    "msg_blocks_too_long", "invalid_blocks_format", "too_many_attachments", "invalid_arguments",
    "invalid_metadata_format", "invalid_metadata_schema", "metadata_too_large", "markdown_text_conflict",
    "expired_url", "used_url", "no_active_hooks", "invalid_payload",
    "not_enabled", "view_too_large",  # views.publish: the app has no Home tab; a page past 250 kB
})
RECIPIENT_REFUSALS = {  # a DM's member refuses, for good: https://api.slack.com/methods/chat.postMessage#errors
    "cannot_dm_bot": Unreachable.CLOSED, "user_not_found": Unreachable.GONE, "account_inactive": Unreachable.GONE,
    "user_disabled": Unreachable.GONE,
}


class ResponseRefused(Exception):
    """A ``response_url`` answered with an error that may pass (Slack's side failed)."""


REFUSED = (SlackApiError, RateLimited, Undeliverable, ResponseRefused)  # what sending raises when Slack says no
_URL = re.compile(r"https?://[^\s'\"]+")


class _WithoutURLs(logging.Filter):
    """slack_sdk's webhook client names the URL it posts to in its log lines (at INFO when it retries);
    a ``response_url`` lets whoever holds it answer as the bot for 30 minutes, so none is logged."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = _URL.sub("<response_url>", record.getMessage()), ()
        return True


RESPONSE_URL_LOG = logging.getLogger(f"{__name__}.response_url")  # the webhook client's, for the filter
RESPONSE_URL_LOG.addFilter(_WithoutURLs())


def web_client(config: Config) -> AsyncWebClient:
    """A client whose calls share one keep-alive HTTP session (call it inside the event loop). Left to
    itself slack_sdk opens a new session, and connection, per call, which held a 35,000-member fan-out
    to well under Slack's rate limit (bench/fanout.py)."""
    session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=WEB_API_TIMEOUT))
    return AsyncWebClient(token=config.secret("slack_bot_token"), base_url=PLATFORM.settings_of(config).api_base_url,
                          retry_handlers=[AsyncConnectionErrorRetryHandler()], session=session,
                          timeout=WEB_API_TIMEOUT)


async def call(fn: Callable[..., Awaitable[T]], **kwargs: Any) -> T:
    """One Web API call with Slack's refusals translated for the outbox: a member's account that refuses a DM
    (:data:`RECIPIENT_REFUSALS`) is :class:`bot.delivery.Unreachable`."""
    try:
        return await fn(**kwargs)
    except SlackApiError as exc:
        response = exc.response
        if response.status_code == 429:
            headers = {k.lower(): v for k, v in (response.headers or {}).items()}
            raise RateLimited(float(headers.get("retry-after", 1))) from None
        error = response.get("error") if isinstance(response.data, dict) else None
        if error in RECIPIENT_REFUSALS:
            raise Unreachable(RECIPIENT_REFUSALS[error], error) from None
        if error in PERMANENT:
            raise Undeliverable(error) from None
        raise


def webhook_refusal(status: int, body: str) -> str | None:
    """What a ``response_url`` said when it did not take the message (None when it did): webhooks answer
    with a status code and the error as text, or a JSON body with ``ok: false``."""
    text = (body or "").strip()
    if text.startswith("{"):
        try:
            answer = json.loads(text)
        except ValueError:
            answer = {}
        if isinstance(answer, dict) and answer.get("ok") is False:
            return str(answer.get("error") or status)
    if status == 200:
        return None
    return text[:100] or f"HTTP {status}"


def reason(refused: Exception) -> str:
    """What Slack said, for the log."""
    return str(refused.response.get("error")) if isinstance(refused, SlackApiError) else str(refused)


async def dm_channel(client: AsyncWebClient, user_id: str) -> str:
    """The ID of the app's DM with a member (``D…``), which file uploads and ``conversations.history``
    need; a message alone can go to the member's own ID."""
    return str((await call(client.conversations_open, users=user_id))["channel"]["id"])


@dataclass(frozen=True)
class To:
    """Where a message goes: a channel (``channel``), a member's DM (``user`` alone), or the answer to a
    request (``answer``), which goes to its ``response_url`` when it has one, else to its ``channel``;
    ``public`` shows an answer to the channel, else to the member alone; ``replace`` puts the first part
    in place of the message whose button was clicked."""

    channel: str | None = None
    user: str | None = None
    answer: bool = False
    response_url: str | None = None
    public: bool = True
    replace: bool = False


async def send(client: AsyncWebClient, to: To, message: Message, tr: Translator, *, key: str | None = None,
               retry_since: datetime | None = None, channel_ping: bool = False,
               refused_file: Callable[[Attachment], Awaitable[None]] | None = None) -> str:
    """Every part of ``message`` (in the order the member reads them), then its files; returns the first
    message's ``ts`` (what a later edit replaces), or the first file's ID.

    ``key`` marks each message as the outbox row's; with ``retry_since`` the parts already in the
    conversation since then are not sent again. A file Slack refuses raises, unless ``refused_file`` is
    given: then it is told, and the other files still go. ``channel_ping``: see
    :func:`bot.adapters.slack.render.messages`."""
    channel = to.channel
    if to.user and not to.answer and retry_since:
        channel = await dm_channel(client, to.user)  # conversations.history wants the DM's own ID
    delivered = await _delivered(client, channel, key, retry_since) if key and retry_since and channel else {}
    first = ""
    for number, part in enumerate(messages(message, tr, channel_ping=channel_ping)):
        ts = delivered.get(number)
        if ts is None:
            marked = {"unfurl_links": False, "metadata": {"event_type": OUTBOX_EVENT,
                                                          "event_payload": {"key": key, "part": number}}} if key else {}
            channel, ts = await _part(client, to, channel, part, number == 0, marked)
        first = first or ts
    if message.attachments:
        files_to = await _files_channel(client, to, channel)
        for attachment in message.attachments:
            try:
                uploaded = await call(client.files_upload_v2, channel=files_to, content=attachment.data,
                                      filename=attachment.filename, title=attachment.title or attachment.filename)
            except REFUSED as exc:
                if refused_file is None:
                    raise
                log.warning("Slack refused a file upload (%s)", reason(exc))
                await refused_file(attachment)
                continue
            first = first or uploaded["files"][0]["id"]
    return first


async def _part(client: AsyncWebClient, to: To, channel: str | None, part: dict[str, Any], first: bool,
                marked: dict[str, Any]) -> tuple[str | None, str]:
    """One Slack message; returns the conversation it went to (a DM's own ID, which uploads need) and its ts."""
    if to.answer and to.response_url:
        answered = await AsyncWebhookClient(to.response_url, session=client.session, logger=RESPONSE_URL_LOG).send(
            response_type="in_channel" if to.public else "ephemeral", replace_original=to.replace and first, **part)
        refused = webhook_refusal(answered.status_code, answered.body)
        if refused:
            raise Undeliverable(refused) if refused in PERMANENT or answered.status_code < 500 \
                else ResponseRefused(refused)
        return channel, ""
    if to.answer and not to.public:
        if channel and not channel.startswith("D"):  # only this member sees it, where they are
            try:
                await call(client.chat_postEphemeral, channel=channel, user=to.user, **part)
                return channel, ""
            except REFUSED as exc:
                log.info("ephemeral reply refused (%s); sending a DM", reason(exc))
        channel = None
    sent = await call(client.chat_postMessage, channel=channel or to.user, **marked, **part)
    return sent["channel"], sent["ts"]  # for a user's ID, the DM's own ID


async def _files_channel(client: AsyncWebClient, to: To, channel: str | None) -> str:
    """Where files go: the channel of a post or a public answer, else the member's DM."""
    if to.answer and to.public and to.channel:
        return to.channel
    if not to.answer and channel:
        return channel
    assert to.user is not None, "files for a member's eyes go to their DM"
    return await dm_channel(client, to.user)  # a DM of files alone has no conversation yet


async def _delivered(client: AsyncWebClient, channel: str, key: str, since: datetime) -> dict[int, str]:
    """The parts of outbox row ``key`` already in ``channel`` (part number → ``ts``), from the
    conversation's history since the row was queued. History Slack will not show (a scope the
    workspace has not granted) means sending again: at least once, as without the look."""
    found: dict[int, str] = {}
    cursor = None
    try:
        while True:
            page = await call(client.conversations_history, channel=channel, cursor=cursor, limit=200,
                              oldest=f"{since.timestamp() - CLOCK_SKEW:.6f}", include_all_metadata=True)
            sent: dict[str, Any]
            for sent in page.get("messages", []):
                metadata: dict[str, Any] = sent.get("metadata") or {}
                payload: dict[str, Any] = metadata.get("event_payload") or {}
                if metadata.get("event_type") == OUTBOX_EVENT and payload.get("key") == key:
                    found.setdefault(int(payload.get("part", 0)), sent["ts"])
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not page.get("has_more") or not cursor:
                return found
    except Undeliverable as refused:
        log.warning("cannot read a conversation's history (%s): sending again", refused)
        return found


class SlackSender:
    """The outbox's Slack half: :func:`send` for DMs and posts, ``chat.update`` for live edits."""

    platform = PLATFORM.name

    def __init__(self, client: AsyncWebClient, translator: Callable[[str | None], Translator], *,
                 channel_ping: bool = False) -> None:
        self.client = client
        self.translator = translator  # a message's own language, for the fallback text of its dates
        self.channel_ping = channel_ping  # ``[slack] allow_channel_ping``: a post that asks may open with <!channel>

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
        return await send(self.client, To(user=user_id), message, self.translator(message.lang), key=dedupe,
                          retry_since=retry_since)

    async def post(self, channel_id: str, message: Message, dedupe: str,
                   retry_since: datetime | None = None) -> str:
        """Returns the first message's ``ts``, which is what a later edit replaces."""
        return await send(self.client, To(channel=channel_id), message, self.translator(message.lang), key=dedupe,
                          retry_since=retry_since, channel_ping=self.channel_ping)

    async def edit(self, channel_id: str, message_id: str, message: Message) -> None:
        first = messages(message, self.translator(message.lang))[0]
        await call(self.client.chat_update, channel=channel_id, ts=message_id, **first)

    async def publish_home(self, user_id: str, home: Home) -> None:
        """The member's Home tab (:mod:`bot.adapters.slack.home`); ``views.publish`` replaces it whole."""
        await call(self.client.views_publish, user_id=user_id, view=view(home, self.translator(home.lang)))
