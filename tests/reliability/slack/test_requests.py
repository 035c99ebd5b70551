"""Requests that did not come from Slack, or came broken: forged or missing signatures, stale or
unreadable timestamps, wrong content types, truncated or deeply nested JSON, bytes that are not UTF-8,
signed payloads without what Slack always sends, bodies bigger than Slack ever sends, clients that
leave mid-body. Each is refused with a 4xx, changes nothing, calls nothing, logs at most one short
line above DEBUG and no traceback, and no secret reaches any log line; nothing unsigned is parsed."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from urllib.parse import quote, urlsplit

import pytest
from slack_bolt.request import async_request
from sqlalchemy import func, select

from storage.members import Member, MemberIdentity, Worksite
from tests.slack.payloads import SIGNING_SECRET, click, form_body, signed_headers, slash, submission
from tests.slack.test_directory import Ticks
from tests.support import Clock

BOT_TOKEN = "xoxb-test"  # the tests/slack app's token
SLASH = form_body(slash("/member", "site Escalante Elementary", response_url="http://127.0.0.1:9/r"))
CLICK_JSON = ('{"type": "block_actions", "user": {"id": "U100"}, "actions": [{"action_id": "run-0", '
              '"value": "/member forget confirm:yes"}], "response_url": "http://127.0.0.1:9/r"')


DEEP = "payload=" + "%5B" * 170_000 + "%5D" * 170_000  # [[[…]]]: costly to parse, cheap to send
VIEW = {"type": "modal", "callback_id": "organizer-form", "blocks": [],
        "private_metadata": json.dumps({"group": "member", "sub": "site", "channel": "CGENERAL"})}


def world() -> int:
    """Now in the bot's world: the app fixture's clock, which these tests never move. Slack signs with its time."""
    return int(Clock()().timestamp())


def signed(body: str, **signing) -> tuple[bytes, dict[str, str]]:
    signing.setdefault("timestamp", world())
    return body.encode(), signed_headers(body, **signing)


def signed_payload(payload: dict) -> tuple[bytes, dict[str, str]]:
    return signed(form_body(payload))


def clicked(**changes) -> dict:
    return {**click("/member site Escalante", response_url="http://127.0.0.1:9/r"), **changes}


def signed_bytes(body: bytes, content_type: str = "application/x-www-form-urlencoded") -> tuple[bytes, dict[str, str]]:
    """Signed as Slack signs: over the raw bytes."""
    timestamp = str(world())
    signature = hmac.new(SIGNING_SECRET.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256).hexdigest()
    return body, {"Content-Type": content_type, "X-Slack-Request-Timestamp": timestamp,
                  "X-Slack-Signature": f"v0={signature}"}


def with_timestamp(timestamp: str) -> tuple[bytes, dict[str, str]]:
    data, headers = signed(SLASH)
    return data, {**headers, "X-Slack-Request-Timestamp": timestamp}


def unsigned(body: str) -> tuple[bytes, dict[str, str]]:
    return body.encode(), {"Content-Type": "application/x-www-form-urlencoded"}


def with_type(content_type: str, body: str) -> tuple[bytes, dict[str, str]]:
    data, headers = signed(body)
    return data, {**headers, "Content-Type": content_type}


def oversized() -> tuple[bytes, dict[str, str]]:
    body = SLASH + "&text=" + "x" * (2 * 1024 * 1024)  # Slack caps a slash command's text at 4,000 characters
    return signed(body)


REQUESTS = {
    "forged signature": lambda: signed(SLASH, secret="not-the-secret"),
    "no signature": lambda: unsigned(SLASH),
    "stale timestamp": lambda: signed(SLASH, timestamp=world() - 6 * 60),
    "future timestamp": lambda: signed(SLASH, timestamp=world() + 6 * 60),
    "signed, then altered": lambda: (SLASH.replace("Escalante", "Roosevelt").encode(),
                                     signed_headers(SLASH, timestamp=world())),
    "json content type": lambda: with_type("application/json", SLASH),
    "text content type": lambda: with_type("text/plain", SLASH),
    "truncated json payload": lambda: signed("payload=" + quote(CLICK_JSON)),
    "truncated json body": lambda: with_type("application/json", CLICK_JSON),
    "payload that is not an object": lambda: signed("payload=" + quote("[1, 2, 3]")),
    "empty body": lambda: signed(""),
    "oversized body": oversized,
    "non-numeric timestamp": lambda: with_timestamp("1700000000abc"),
    "non-ascii digits in the timestamp": lambda: with_timestamp("١٧٠٠٠٠٠٠٠٠"),
    "a huge timestamp": lambda: with_timestamp("9" * 400),
    "invalid utf-8 redelivery": lambda: (b"payload=\xff\xfe\xfd", {
        "Content-Type": "application/x-www-form-urlencoded", "X-Slack-Retry-Num": "1",
        "X-Slack-Request-Timestamp": str(world()), "X-Slack-Signature": "v0=" + "0" * 64}),
    "signed invalid utf-8": lambda: signed_bytes(b"payload=\xff\xfe\xfd"),
    "signed invalid utf-8 json": lambda: signed_bytes(b'{"type": "\xff"}', content_type="application/json"),
    "deep json, unsigned": lambda: unsigned(DEEP),
    "deep json, forged": lambda: signed(DEEP, secret="not-the-secret"),
    "deep json, signed": lambda: signed(DEEP),
    "nested deeper than slack nests, signed": lambda: signed("payload=" + quote("[" * 200 + "]" * 200)),
    "signed click without actions": lambda: signed_payload(clicked(actions=[])),
    "signed click whose action is not an object": lambda: signed_payload(clicked(actions=["run-0"])),
    "signed click without a member": lambda: signed_payload(clicked(user="U100")),
    "signed click without a value": lambda: signed_payload(clicked(actions=[{"action_id": "run-0"}])),
    "signed click whose container is not an object": lambda: signed_payload(clicked(container="1700000000.1")),
    "signed click with a lone surrogate": lambda: signed("payload=" + quote(
        json.dumps(clicked()).replace("Escalante", "Escalante \\ud800"))),
    "signed submission without private_metadata": lambda: signed_payload(
        submission({k: v for k, v in VIEW.items() if k != "private_metadata"}, {"worksite": "Escalante"})),
    "signed submission with bad private_metadata": lambda: signed_payload(
        submission({**VIEW, "private_metadata": "{not json"}, {"worksite": "Escalante"})),
    "signed submission whose private_metadata is not a form": lambda: signed_payload(
        submission({**VIEW, "private_metadata": "[1]"}, {"worksite": "Escalante"})),
    "signed submission without a view": lambda: signed_payload({"type": "view_submission", "user": {"id": "U1"}}),
    "signed submission whose blocks are not objects": lambda: signed_payload(
        submission({**VIEW, "blocks": ["worksite"]}, {"worksite": "Escalante"})),
    "signed submission whose fields are not objects": lambda: signed_payload(
        {**submission(VIEW, {}), "view": {**VIEW, "state": {"values": {"worksite": "Escalante"}}}}),
    "signed submission whose field value is not text": lambda: signed_payload(
        {**submission(VIEW, {}), "view": {**VIEW, "state": {"values": {"worksite": {"value": {"value": 7}}}}}}),
    "signed command whose text is not text": lambda: signed_bytes(
        json.dumps({"command": "/member", "user_id": "U100", "text": ["site"]}).encode(), "application/json"),
    "signed command without a member": lambda: signed(form_body({"command": "/member", "text": "site X"})),
    "signed request of a kind the bot does not handle": lambda: signed_payload(
        {"type": "block_suggestion", "user": {"id": "U100"}, "value": "Xiomara"}),
}


async def count(app, model) -> int:
    async def work(session):
        return (await session.exec(select(func.count()).select_from(model))).scalar_one()
    return await app.db.read(work)


def assert_quiet(records: list[logging.LogRecord]) -> None:
    """At most one short line above DEBUG (aiohttp's access line aside) and no traceback above DEBUG."""
    loud = [r for r in records if r.levelno >= logging.INFO and r.name != "aiohttp.access"]
    assert not [r for r in records if r.levelno >= logging.INFO and r.exc_info], [r.getMessage() for r in loud]
    assert len(loud) <= 1 and all(len(r.getMessage()) < 160 and r.levelno < logging.ERROR for r in loud), \
        [(r.levelname, r.name, r.getMessage()[:200]) for r in loud]


@pytest.mark.parametrize("name", REQUESTS)
async def test_bad_requests_are_refused_change_nothing_and_log_no_secret(slack, fake, app, caplog, name):
    caplog.set_level(logging.DEBUG)
    data, headers = REQUESTS[name]()
    async with slack.session.post(slack.url, data=data, headers=headers) as resp:
        status = resp.status
    assert 400 <= status < 500, f"{name}: {status}"
    assert [await count(app, m) for m in (Member, MemberIdentity, Worksite)] == [0, 0, 0]
    assert fake.responses == [] and [c.method for c in fake.calls if c.method != "auth.test"] == []
    logged = "\n".join(f"{r.getMessage()} {r.exc_text or ''} {r.args}" for r in caplog.records)
    assert SIGNING_SECRET not in logged and BOT_TOKEN not in logged
    assert_quiet(caplog.records)


async def test_nothing_unsigned_is_parsed(slack, fake, monkeypatch):
    """The signature is checked on the raw bytes first: a body nobody signed never reaches a parser."""
    parsed = []
    parse_body = async_request.parse_body
    monkeypatch.setattr(async_request, "parse_body", lambda body, content_type: parsed.append(body) or
                        parse_body(body, content_type))
    for data, headers in (unsigned(DEEP), signed(DEEP, secret="forged"), signed(DEEP, timestamp=1),
                          with_timestamp("soon"), unsigned(SLASH), signed(SLASH, secret="forged")):
        async with slack.session.post(slack.url, data=data, headers=headers) as resp:
            assert resp.status == 401
    assert parsed == []
    data, headers = signed(SLASH)
    async with slack.session.post(slack.url, data=data, headers=headers) as resp:
        assert resp.status == 200
    assert parsed == [SLASH]


async def test_clients_that_leave_mid_body_log_nothing_above_debug(slack, caplog):
    caplog.set_level(logging.DEBUG)
    url = urlsplit(slack.url)
    left = 20
    for sent in range(left):
        _, writer = await asyncio.open_connection(url.hostname, url.port)
        signing = "".join(f"{k}: {v}\r\n" for k, v in signed(SLASH)[1].items())  # so the body is read
        writer.write(f"POST {url.path} HTTP/1.1\r\nHost: {url.netloc}\r\n{signing}"
                     f"Content-Length: 100000\r\n\r\n{SLASH[:sent * 10]}".encode())
        await writer.drain()
        writer.close()
        await writer.wait_closed()

    async def handled():  # each drop seen by the server: its own debug line, or (before the fix) an ERROR
        while sum(r.levelno >= logging.ERROR or "before sending its whole request" in r.getMessage()
                  for r in caplog.records) < left:
            await asyncio.sleep(0.01)
    await asyncio.wait_for(handled(), 10)  # a guard against hanging, not a timing assertion
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


NOT_HTTP = {
    "a bad content length": b"Content-Length: many\r\n\r\n",
    "a header past 8 KiB": b"X-Slack-Signature: v0=" + b"a" * 9000 + b"\r\n\r\n",
    "a bad chunk": b"Transfer-Encoding: chunked\r\n\r\nzz\r\n",
    "not http at all": b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",  # a TLS hello to a plain port
}


@pytest.mark.parametrize("name", NOT_HTTP)
async def test_what_is_not_http_is_refused_without_a_traceback(slack, caplog, name):
    caplog.set_level(logging.DEBUG)
    url = urlsplit(slack.url)
    reader, writer = await asyncio.open_connection(url.hostname, url.port)
    head = b"" if name == "not http at all" else f"POST {url.path} HTTP/1.1\r\nHost: {url.netloc}\r\n".encode()
    writer.write(head + NOT_HTTP[name])
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(200), 10)  # a guard against hanging, not a timing assertion
    writer.close()
    assert answer.startswith(b"HTTP/1.0 400") or answer.startswith(b"HTTP/1.1 400"), answer
    assert_quiet(caplog.records)


async def test_a_stream_of_forged_requests_costs_the_log_a_line_a_minute(slack, front, caplog):
    ticks = Ticks()
    front.refusals.monotonic = ticks
    for _ in range(30):
        data, headers = signed(SLASH, secret="not-the-secret")
        async with slack.session.post(slack.url, data=data, headers=headers) as resp:
            assert resp.status == 401
    ticks.now += 61
    data, headers = signed(SLASH, timestamp=1)
    async with slack.session.post(slack.url, data=data, headers=headers) as resp:
        assert resp.status == 401
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == [
        "refused a request with a bad signature (0 more refused since the last such line)",
        "refused a request with a timestamp outside the window (29 more refused since the last such line)"]
