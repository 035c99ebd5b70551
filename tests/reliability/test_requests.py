"""Requests that did not come from Slack, or came broken: forged or missing signatures, stale
timestamps, wrong content types, truncated JSON, bodies bigger than Slack ever sends. Each is
refused with a 4xx, changes nothing, calls nothing, and no secret reaches any log line."""

from __future__ import annotations

import logging
import time
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from storage.members import Member, MemberIdentity, Worksite
from tests.slack.conftest import app, fake, front, gate, mode, slack  # noqa: F401 - the Slack fixtures
from tests.slack.payloads import SIGNING_SECRET, form_body, signed_headers, slash

BOT_TOKEN = "xoxb-test"  # the tests/slack app's token
SLASH = form_body(slash("/member", "site Escalante Elementary", response_url="http://127.0.0.1:9/r"))
CLICK_JSON = ('{"type": "block_actions", "user": {"id": "U100"}, "actions": [{"action_id": "run-0", '
              '"value": "/member forget confirm:yes"}], "response_url": "http://127.0.0.1:9/r"')


def signed(body: str, **signing) -> tuple[bytes, dict[str, str]]:
    return body.encode(), signed_headers(body, **signing)


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
    "stale timestamp": lambda: signed(SLASH, timestamp=int(time.time()) - 6 * 60),
    "future timestamp": lambda: signed(SLASH, timestamp=int(time.time()) + 6 * 60),
    "signed, then altered": lambda: (SLASH.replace("Escalante", "Roosevelt").encode(), signed_headers(SLASH)),
    "json content type": lambda: with_type("application/json", SLASH),
    "text content type": lambda: with_type("text/plain", SLASH),
    "truncated json payload": lambda: signed("payload=" + quote(CLICK_JSON)),
    "truncated json body": lambda: with_type("application/json", CLICK_JSON),
    "payload that is not an object": lambda: signed("payload=" + quote("[1, 2, 3]")),
    "empty body": lambda: signed(""),
    "oversized body": oversized,
}


async def count(app, model) -> int:
    async def work(session):
        return (await session.exec(select(func.count()).select_from(model))).scalar_one()
    return await app.db.read(work)


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
