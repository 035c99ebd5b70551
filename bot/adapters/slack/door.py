"""What the HTTP endpoint checks before anything reads a request, since the open internet reaches it.

In order, each cheaper than what it protects: the size and the signature's headers (the timestamp's
format and window, the signature's format) before the body is read, the size again while reading,
one HMAC over the raw bytes as they arrive, compared in constant time, and only then the body, decoded
and parsed once. So a request nobody signed costs its hash, whatever it holds (an unsigned, deeply
nested 1 MiB JSON payload cost 241 ms of CPU when it was parsed first, 2.6 ms now: bench/hostile.py),
and a signed one that cannot be read is refused before any listener sees it.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import sys
import time
from collections.abc import Callable, Mapping
from typing import Any

from aiohttp import StreamReader, web
from aiohttp.http_exceptions import HttpProcessingError
from slack_bolt.request.async_request import AsyncBoltRequest

from bot import incidents
from bot.adapters.slack import inbound

MAX_BODY = 1024 * 1024  # bytes: a view submission, Slack's largest request, is a few dozen KiB
SIGNATURE_WINDOW = 300  # seconds either side of now, as Slack's docs ask
_TIMESTAMP = re.compile(r"[0-9]{1,12}")  # ASCII digits only: int() also takes "١٢" and " 12"
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")


class Malformed(ValueError):
    """A signed request whose body the bot cannot read."""


def unsigned_headers(headers: Mapping[str, str], now: float) -> str | None:
    """Why the headers cannot be Slack's (for the log), or None: checked before the body is even read."""
    timestamp = headers.get("X-Slack-Request-Timestamp", "")
    if not _TIMESTAMP.fullmatch(timestamp):
        return "no timestamp"
    if abs(now - int(timestamp)) > SIGNATURE_WINDOW:
        return "a timestamp outside the window"
    if not _SIGNATURE.fullmatch(headers.get("X-Slack-Signature", "")):
        return "no signature"
    return None


async def signed_body(content: StreamReader, secret: bytes, headers: Mapping[str, str]) -> bytes | None:
    """The body, hashed as it arrives (a body gathered first, then hashed, cost a third more CPU), or
    None when the signature (well formed: :func:`unsigned_headers`) is not the HMAC-SHA256 of
    ``v0:{timestamp}:{body}`` over the bytes as sent. slack_sdk's verifier decodes them first, which
    bytes that are not UTF-8 make it raise on. Past :data:`MAX_BODY`, 413."""
    mac = hmac.new(secret, b"v0:%s:" % headers["X-Slack-Request-Timestamp"].encode(), hashlib.sha256)
    chunks, size = [], 0
    async for chunk in content.iter_any():
        size += len(chunk)
        if size > MAX_BODY:
            raise web.HTTPRequestEntityTooLarge(MAX_BODY, size)
        mac.update(chunk)
        chunks.append(chunk)
    return b"".join(chunks) if hmac.compare_digest(mac.hexdigest(), headers["X-Slack-Signature"][3:]) else None


class Refusals:
    """Refused requests in the log without a flood of it: a refusal is logged when none was in the last
    ``every`` seconds, with the count of those left out since the line before; so a stream of forged
    requests costs the log a line a minute (at 100 a second it was 100 lines a second)."""

    def __init__(self, log: logging.Logger, every: float = 60.0,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.log, self.every, self.monotonic = log, every, monotonic
        self._next = float("-inf")
        self._left_out = 0

    def note(self, reason: str) -> None:
        now = self.monotonic()
        if now < self._next:
            self._left_out += 1
            return
        self.log.warning("refused a request with %s (%d more refused since the last such line)", reason,
                         self._left_out)
        self._next, self._left_out = now + self.every, 0


class ServerLog:
    """aiohttp's log for the endpoint's server (``web.AppRunner(…, logger=ServerLog(…))``, which calls
    only ``debug`` and ``exception``). A request aiohttp cannot parse (a bad Content-Length, a header
    past 8 KiB, a bad chunk) it logged at ERROR with a traceback: here it is a refusal like the others.
    Anything else it would log is an unexpected failure: a reference at ERROR, the traceback at DEBUG."""

    def __init__(self, refusals: Refusals, log: logging.Logger) -> None:
        self.refusals, self.log = refusals, log

    def debug(self, *args: Any, **kwargs: Any) -> None:
        self.log.debug(*args, **kwargs)

    def exception(self, *args: Any, exc_info: BaseException | bool = True, **kwargs: Any) -> None:
        error = exc_info if isinstance(exc_info, BaseException) else sys.exc_info()[1]
        if isinstance(error, HttpProcessingError):
            self.refusals.note(f"malformed HTTP ({type(error).__name__})")
        else:
            incidents.report(self.log, "a request", error=error)


def parse(body: bytes, query: str, headers: Mapping[str, str]) -> AsyncBoltRequest:
    """The signed body as bolt's request, or :class:`Malformed` (bolt parses in its constructor and
    fails with whatever the bad shape trips over: a list where an object goes, a number for a team)."""
    try:
        request = AsyncBoltRequest(body=body.decode(), query=query, headers=dict(headers))
    except (ValueError, TypeError, AttributeError, KeyError, IndexError, RecursionError) as exc:
        raise Malformed(type(exc).__name__) from None
    reason = inbound.unreadable(request.body)
    if reason:
        raise Malformed(reason)
    return request
