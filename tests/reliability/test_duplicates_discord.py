"""A Discord interaction delivered twice (same interaction id, e.g. replayed after a gateway resume)
is answered once and has one effect."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.types import Identity
from storage.actions import Signup
from tests.discord.conftest import app, client, click, dispatch, fake, platforms, slash  # noqa: F401
from tests.discord.fake_api import APP_ID


async def signups(app) -> int:
    async def work(session):
        return (await session.exec(select(func.count()).select_from(Signup))).scalar_one()
    return await app.db.read(work)


async def create_action(app) -> None:
    reply = await app.run_line(Identity("console", "lead", "Lead"),
                               '/action create Picket "2026-12-03 17:00" "Front gate" capacity:5',
                               claims={"role:leader"})
    assert not reply.error, reply.message.text


def callbacks(fake, payload) -> list:
    return fake.of("POST", f"/interactions/{payload['id']}/{payload['token']}/callback")


async def test_a_slash_command_delivered_twice_signs_up_once(app, client, fake):
    await create_action(app)
    join = slash("action", "join", id=1)
    dispatch(client, join)
    dispatch(client, join)
    sentinel = slash("organizer", "help", user_id="300000000000000009", name="Otro")
    dispatch(client, sentinel)
    await fake.wait_for("POST", f"/webhooks/{APP_ID}/{join['token']}")
    await fake.wait_for("POST", f"/webhooks/{APP_ID}/{sentinel['token']}")
    assert len(callbacks(fake, join)) == 1
    assert len(fake.of("POST", f"/webhooks/{APP_ID}/{join['token']}")) == 1
    assert await signups(app) == 1


async def test_a_button_click_delivered_twice_signs_up_once(app, client, fake):
    await create_action(app)
    pressed = click("ob:/action join 1")
    dispatch(client, pressed)
    dispatch(client, pressed)
    sentinel = slash("organizer", "help", user_id="300000000000000009", name="Otro")
    dispatch(client, sentinel)
    await fake.wait_for("POST", f"/webhooks/{APP_ID}/{pressed['token']}")
    await fake.wait_for("POST", f"/webhooks/{APP_ID}/{sentinel['token']}")
    assert len(callbacks(fake, pressed)) == 1
    assert len(fake.of("POST", f"/webhooks/{APP_ID}/{pressed['token']}")) == 1
    assert await signups(app) == 1
