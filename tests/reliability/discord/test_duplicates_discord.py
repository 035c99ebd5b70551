"""A Discord interaction delivered twice (same interaction id, e.g. replayed after a gateway resume)
is answered once and has one effect."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.types import Identity
from storage.actions import Signup
from tests.discord.conftest import click, dispatch, slash
from tests.discord.fake_api import APP_ID
from tests.support import typed_date


async def signups(app) -> int:
    async def work(session):
        return (await session.exec(select(func.count()).select_from(Signup))).scalar_one()
    return await app.db.read(work)


async def create_action(app) -> None:
    reply = await app.run_line(Identity("console", "lead", "Lead"),
                               f'/action create Picket "{typed_date(app.clock(), days=3)}" "Front gate" capacity:5',
                               claims={"role:leader"})
    assert not reply.error, reply.message.text


def callbacks(fake, payload) -> list:
    return fake.of("POST", f"/interactions/{payload['id']}/{payload['token']}/callback")


@pytest.mark.parametrize("delivered", [lambda: slash("action", "join", id=1), lambda: click("ob:/action join 1")],
                         ids=["slash command", "button click"])
async def test_an_interaction_delivered_twice_signs_up_once(app, client, fake, delivered):
    await create_action(app)
    payload = delivered()
    dispatch(client, payload)
    dispatch(client, payload)
    sentinel = slash("organizer", "help", user_id="300000000000000009", name="Otro")
    dispatch(client, sentinel)
    await fake.wait_for("POST", f"/webhooks/{APP_ID}/{payload['token']}")
    await fake.wait_for("POST", f"/webhooks/{APP_ID}/{sentinel['token']}")
    assert len(callbacks(fake, payload)) == 1
    assert len(fake.of("POST", f"/webhooks/{APP_ID}/{payload['token']}")) == 1
    assert await signups(app) == 1
