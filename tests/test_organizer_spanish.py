"""What organizers type, in each reader's language: the Spanish an organizer gives (``es_title:``, ``es_where:``…)
is what a Spanish reader sees wherever that text appears — replies, DMs, buttons, channel posts in a Spanish
channel — and an English reader sees the English; either reader gets the other text when theirs was not given."""

import pytest
from sqlalchemy import select

from bot.app import App
from commands import build_registry
from storage.actions import Action
from storage.db import Database
from tests.support import TEST_CONFIG, Harness, make_config, typed_date
from tests.test_actions import REP, dms

PICKET = ('/action create "Informational picket" "{when}" "Front gate" es_title:"Piquete informativo" '
          'es_where:"Puerta principal" details:"Bring water" es_details:"Traigan agua"')


async def actions(app) -> list[Action]:
    async def work(session):
        return list((await session.exec(select(Action).order_by(Action.id))).scalars())
    return await app.db.read(work)


@pytest.fixture
async def spanish_actions_app(db_url, clock):
    channels = {**TEST_CONFIG["channels"], "actions": {**TEST_CONFIG["channels"]["actions"], "lang": "es"}}
    app = App(make_config(channels=channels), build_registry(), db=Database(db_url), clock=clock)
    await app.start()
    yield app
    await app.close()


async def test_an_action_reads_in_each_members_language_in_replies_dms_and_the_post(bot, app, clock):
    reply = await bot.ok("rosa", PICKET.format(when=typed_date(clock(), days=2, at="07:15")), **REP)
    assert reply.startswith("Announced action #1: Informational picket,")
    [stored] = await actions(app)
    assert (stored.title, stored.title_es, stored.location, stored.location_es, stored.details,
            stored.details_es) == ("Informational picket", "Piquete informativo", "Front gate", "Puerta principal",
                                   "Bring water", "Traigan agua")
    [post] = [s for s in await bot.deliver() if s.kind == "post"]
    assert post.message.lang == "en" and "Informational picket" in post.text and "Front gate" in post.text
    assert "Piquete" not in post.text

    await bot.ok("maria", "/member lang es")
    shown = await bot.ok("maria", "/action show 1")
    assert "Piquete informativo (#1)" in shown and "Dónde: Puerta principal" in shown and "Traigan agua" in shown
    assert "Informational" not in shown and "Front gate" not in shown
    assert (await bot.ok("maria", "/action join 1")).startswith("¡Ya te apuntaste! Piquete informativo, ")
    assert "Dónde: Puerta principal" in await bot.ok("maria", "/action list")
    english = await bot.ok("luis", "/action show 1")
    assert "Informational picket (#1)" in english and "Where: Front gate" in english and "Piquete" not in english
    await bot.ok("luis", "/action join 1")
    await bot.deliver()

    edited = await bot.ok("rosa", '/action edit 1 es_title:"Piquete de la mañana" where:"Side gate"', **REP)
    assert edited == ("Updated “Informational picket”. 2 people signed up were told. Its old Spanish no longer "
                      "fits, so Spanish readers see what you typed until you give es_where:.")
    sent = await bot.deliver()
    [maria] = dms(sent, "maria")
    assert maria.text.startswith("Hubo cambios en “Piquete informativo”:\nNuevo lugar: Side gate.\n"
                                 "Ahora se llama “Piquete de la mañana”.")  # the place's Spanish went stale
    [luis] = dms(sent, "luis")
    assert luis.text == "“Informational picket” has changed:\nThe place is now Side gate."  # not the Spanish title
    await bot.ok("rosa", '/action edit 1 es_details:"Traigan agua y gorra"', **REP)
    sent = await bot.deliver()
    assert dms(sent, "maria")[0].text.startswith("Hubo cambios en “Piquete de la mañana”:\nNuevos detalles: "
                                                 "Traigan agua y gorra")
    assert dms(sent, "luis")[0].text == "“Informational picket” has changed:\nOnly its Spanish wording changed."
    [stored] = await actions(app)
    assert (stored.title_es, stored.location, stored.location_es) == ("Piquete de la mañana", "Side gate", None)

    clock.advance(hours=23, minutes=15)  # a day before: the reminder
    reminded = {dm.target: dm.text for dm in dms(await bot.deliver())}
    assert reminded["maria"].startswith("Recordatorio: “Piquete de la mañana”")
    assert reminded["luis"].startswith("Reminder: “Informational picket”")

    await bot.ok("rosa", '/action cancel 1 Rain es_reason:"Lluvia"', **REP)
    told = {dm.target: dm.text for dm in dms(await bot.deliver())}
    assert told["maria"].endswith("Motivo: Lluvia") and told["luis"].endswith("Why: Rain")
    assert "“Piquete de la mañana” se canceló: Lluvia" in await bot.fails("maria", "/action join 1")


async def test_a_spanish_channel_shows_the_spanish_and_falls_back_to_what_was_typed(spanish_actions_app, clock):
    bot = Harness(spanish_actions_app, clock)
    await bot.ok("rosa", PICKET.format(when=typed_date(clock(), days=2, at="07:15")), **REP)
    await bot.ok("rosa", f'/action create "CAT meeting" "{typed_date(clock(), days=3)}" Library', **REP)
    first, second = [s for s in await bot.deliver() if s.kind == "post"]
    assert first.message.lang == "es"
    assert first.text.startswith("Piquete informativo (#1)") and "Dónde: Puerta principal" in first.text
    assert "Traigan agua" in first.text and "Bring water" not in first.text
    assert second.text.startswith("CAT meeting (#2)") and "Dónde: Library" in second.text  # no Spanish given

    await bot.ok("rosa", '/action cancel 2 es_reason:"Se cambió de fecha"', **REP)
    clock.advance(seconds=5)
    [edit] = [s for s in await bot.deliver() if s.kind == "edit"]
    assert "Motivo: Se cambió de fecha" in edit.text
    assert "Why: Se cambió de fecha" in await bot.ok("luis", "/action show 2")  # English reader: the one there is


async def test_spanish_too_long_is_refused_and_nothing_is_stored(bot, app, clock):
    when = typed_date(clock(), days=2)
    refused = await bot.fails("rosa", f'/action create Rally "{when}" Downtown es_title:"{"x" * 201}"', **REP)
    assert "es_title is too long: 201 characters, the limit is 200." in refused
    assert await actions(app) == []
    await bot.ok("rosa", f'/action create Rally "{when}" Downtown', **REP)
    assert "es_details is too long" in await bot.fails("rosa", f'/action edit 1 es_details:"{"y" * 2001}"', **REP)
    assert [(a.title_es, a.details_es) for a in await actions(app)] == [(None, None)]
