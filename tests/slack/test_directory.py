"""User groups and locales from the fake Slack's Web API, through a real slack_sdk client: a Web API that
hangs or fails holds no command behind another, is not called again for a while, and a role it can no
longer confirm is not granted (the rule is in :class:`bot.adapters.slack.inbound.Directory`)."""

from __future__ import annotations

import asyncio
import logging

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.inbound import Directory

LEADERS = frozenset({"slack-group:SLEADERS"})


class Ticks:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def client(fake):
    client = AsyncWebClient(token="xoxb-test", base_url=f"{fake.url}/api/")
    yield client
    await client.session.close() if client.session else None


@pytest.fixture
def ticks() -> Ticks:
    return Ticks()


def directory(client, ticks, **settings) -> Directory:
    return Directory(client, use_groups=True, ttl=300, retry=30, stale_limit=900, monotonic=ticks, **settings)


async def test_a_hanging_user_group_api_holds_no_command_behind_another(fake, client, ticks, caplog):
    fake.holds["usergroups.list"] = asyncio.Event()
    found = directory(client, ticks, timeout=0.2)
    claims = await asyncio.gather(*(found.claims(f"U{n}") for n in range(30)))
    assert claims == [frozenset()] * 30  # unconfirmed: no role
    assert fake.arrived == ["usergroups.list"]  # the 30 waited on one load; the old lock made 30 in a row
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == \
        ["Slack user groups unavailable (TimeoutError); trying again in 30 s"]
    ticks.now += 29
    assert await found.claims("U1") == frozenset()
    assert fake.arrived == ["usergroups.list"]  # the failure is remembered: nothing is called meanwhile
    fake.holds.pop("usergroups.list").set()
    fake.usergroups = {"SLEADERS": ["U1"]}
    ticks.now += 2
    assert await found.claims("U1") == LEADERS


async def test_a_leader_removed_from_the_group_loses_the_role_once_a_refresh_succeeds(fake, client, ticks):
    fake.usergroups = {"SLEADERS": ["ULEAD"]}
    found = directory(client, ticks)
    assert await found.claims("ULEAD") == LEADERS
    fake.usergroups = {"SLEADERS": []}
    ticks.now += 299
    assert await found.claims("ULEAD") == LEADERS  # fresh: no call
    assert fake.arrived.count("usergroups.list") == 1
    ticks.now += 2
    assert await found.claims("ULEAD") == LEADERS  # stale, served while the refresh runs
    await found.refreshed()
    assert await found.claims("ULEAD") == frozenset()
    assert fake.arrived.count("usergroups.list") == 2


async def test_a_role_that_cannot_be_confirmed_is_not_granted(fake, client, ticks, caplog):
    fake.usergroups = {"SLEADERS": ["ULEAD"]}
    found = directory(client, ticks)
    assert await found.claims("ULEAD") == LEADERS
    for _ in range(40):
        fake.fail("usergroups.list", "internal_error")
    ticks.now += 301
    while ticks.now - 1000 <= 900:  # refreshes fail every 30 s; the last load is served until it is 900 s old
        assert await found.claims("ULEAD") == LEADERS
        await found.refreshed()
        ticks.now += 31
    assert await found.claims("ULEAD") == frozenset()
    assert sum("user groups unavailable (SlackApiError)" in r.getMessage() for r in caplog.records) == 21


async def test_a_failing_profile_lookup_is_not_tried_again_for_a_while(fake, client, ticks):
    fake.locales = {"U1": "es-LA"}
    fake.emails = {"U1": "maria@example.org"}
    found = directory(client, ticks, timeout=0.2)
    fake.holds["users.info"] = asyncio.Event()
    assert await asyncio.gather(*(found.profile(f"U{n}") for n in range(5))) == [(None, None, None)] * 5
    assert await found.profile("U1") == (None, None, None)
    assert fake.arrived == ["users.info"] * 5  # the five in flight together; none after the failure
    fake.holds.pop("users.info").set()
    ticks.now += 31
    assert await found.profile("U1") == ("es-LA", "maria@example.org", None)
