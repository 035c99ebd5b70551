"""What the HTTP endpoint checks before anything reads a request, since the open internet reaches it.

In order, each cheaper than what it protects: the size (from the header, then while reading), the
signature on the raw bytes (the timestamp's format and window first, then one HMAC compared in
constant time), and only then the body, decoded and parsed once. So a request nobody signed costs
its hash, whatever it holds (an unsigned, deeply nested 1 MiB JSON payload cost 0.2–0.4 s of CPU when
it was parsed first), and a signed one that cannot be read is refused before any listener sees it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping

from slack_bolt.request.async_request import AsyncBoltRequest

from bot.adapters.slack import inbound

MAX_BODY = 1024 * 1024  # bytes: a view submission, Slack's largest request, is a few dozen KiB
SIGNATURE_WINDOW = 300  # seconds either side of now, as Slack's docs ask
_TIMESTAMP = re.compile(r"[0-9]{1,12}")  # ASCII digits only: int() also takes "١٢" and " 12"
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")


class Malformed(ValueError):
    """A signed request whose body the bot cannot read."""


def unsigned(secret: bytes, body: bytes, headers: Mapping[str, str], now: float) -> str | None:
    """Why the request is not Slack's (for the log), or None when its signature holds: HMAC-SHA256 of
    ``v0:{timestamp}:{body}`` over the bytes as sent (slack_sdk's verifier decodes them first, which
    bytes that are not UTF-8 make it raise on)."""
    timestamp = headers.get("X-Slack-Request-Timestamp", "")
    signature = headers.get("X-Slack-Signature", "")
    if not _TIMESTAMP.fullmatch(timestamp):
        return "no timestamp"
    if abs(now - int(timestamp)) > SIGNATURE_WINDOW:
        return "a timestamp outside the window"
    if not _SIGNATURE.fullmatch(signature):
        return "no signature"
    expected = hmac.new(secret, b"v0:%s:" % timestamp.encode(), hashlib.sha256)
    expected.update(body)
    if not hmac.compare_digest(expected.hexdigest(), signature[3:]):
        return "a bad signature"
    return None


def parse(body: bytes, query: str, headers: Mapping[str, str]) -> AsyncBoltRequest:
    """The signed body as bolt's request, or :class:`Malformed` (bolt parses in its constructor and
    fails with whatever the bad shape trips over: a list where an object goes, a number for a team)."""
    try:
        request = AsyncBoltRequest(body=body.decode(), query=query, headers=headers)
    except (ValueError, TypeError, AttributeError, KeyError, IndexError, RecursionError) as exc:
        raise Malformed(type(exc).__name__) from None
    reason = inbound.unreadable(request.body)
    if reason:
        raise Malformed(reason)
    return request
