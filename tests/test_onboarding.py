"""A member who joins gets one welcome DM, in their language, however often and wherever the join is heard:
worksite to pick (type-ahead over the roster's sites), language to pick, and their roster row matched by a
verified email or claimed. The platforms' own join events are tested in tests/slack and tests/discord."""

from __future__ import annotations

import asyncio

from bot.app import App
from bot.types import Identity, Invocation, Pick
from commands import build_registry
from storage.db import Database
from storage.members import Member
from storage.onboarding import Welcome
from storage.roster import import_rows, read_csv
from tests.support import ID_COLUMNS, add_roster, count_rows, make_config

ESC, ROO = "Escalante Elementary", "Roosevelt High"


def joining(user: str, *, locale: str | None = None, email: str | None = None) -> Invocation:
    return Invocation(Identity("console", user, user.capitalize()), "", "", locale=locale, email=email)


async def test_one_welcome_however_often_the_join_is_heard(bot, app):
    await add_roster(app, {ESC: ["ana"], ROO: ["gus"]})
    assert await app.event("joined", joining("newbie", locale="en-US"))
    assert not await app.event("joined", joining("newbie", locale="en-US"))  # a redelivery, another channel
    [welcome] = await bot.deliver()
    assert (welcome.kind, welcome.target) == ("dm", "Newbie")
    assert "Welcome to Test local, Newbie!" in welcome.text and "I’m the campaign’s bot" in welcome.text
    assert "Set your worksite, where your answers count: type /member site and its name." in welcome.text
    assert "Readiness polls are anonymous unless a poll says plainly that it is not: nobody else, and nothing in " \
        "any log, can see how you answered" in welcome.text
    assert "Language: English." in welcome.text
    assert "¡Te damos" not in welcome.text
    assert [(b.label, b.command) for b in welcome.message.buttons] == [("English", "/member lang en"),
                                                                      ("Español", "/member lang es")]
    [pick] = welcome.message.picks
    assert pick == Pick("Pick your worksite", "/member site", "worksites")
    assert await app.options(pick.source, "roose", 100) == [ROO]
    await bot.ok("newbie", pick.line(ROO))
    assert ROO in await bot.ok("newbie", "/member me")
    assert not await app.event("joined", joining("newbie"))
    assert await bot.deliver() == []
    assert await count_rows(app, Welcome) == 1


async def test_the_welcome_is_in_the_language_the_platform_says_or_in_every_language(bot, app):
    await app.event("joined", joining("rosa", locale="es-419"))
    await app.event("joined", joining("lupe"))  # a platform that tells no locale of a join
    rosa, lupe = sorted(await bot.deliver(), key=lambda sent: sent.target, reverse=True)
    assert "¡Te damos la bienvenida a Test local, Rosa!" in rosa.text and "Welcome" not in rosa.text
    assert rosa.message.picks[0].placeholder == "Elige tu sitio de trabajo"
    assert "Welcome to Test local, Lupe!" in lupe.text and "¡Te damos la bienvenida" in lupe.text
    assert "Las encuestas de preparación son anónimas" in lupe.text
    assert "Pick your language with a button" in lupe.text and "Language:" not in lupe.text
    await add_roster(app, {ESC: ["ana"]})
    first = await app.run_line(Identity("console", "lupe", "Lupe"), f"/member site {ESC}", locale="es-MX")
    assert "sitio" in first.message.text  # her first command, from a Spanish client, tells her language ...
    await app.event("joined", joining("lupe", locale="en-US"))
    assert await bot.deliver() == []  # ... and a later join neither welcomes her again nor changes it
    assert "Idioma" in await bot.ok("lupe", "/member me")


async def test_a_verified_email_on_the_roster_is_matched_and_needs_no_worksite_pick(bot, app):
    rows, _ = read_csv(f"name,worksite,email\nAna Díaz,{ESC},ana.diaz@example.org\n", ID_COLUMNS)
    await app.db.write(lambda s: import_rows(s, rows, app.clock(), app.voters, ID_COLUMNS))
    await app.event("joined", joining("ana", email="Ana.Diaz@example.org"))
    [welcome] = await bot.deliver()
    assert f"on the union’s roster as Ana Díaz ({ESC})" in welcome.text
    assert welcome.message.picks == ()
    assert "Ana Díaz" in await bot.ok("ana", "/member me")


async def test_a_member_is_welcomed_once_whichever_of_their_accounts_joins(bot, app):
    rows, _ = read_csv(f"name,worksite,email\nAna Díaz,{ESC},ana.diaz@example.org\n", ID_COLUMNS)
    await app.db.write(lambda s: import_rows(s, rows, app.clock(), app.voters, ID_COLUMNS))
    assert await app.event("joined", joining("ana", email="ana.diaz@example.org"))
    other = Invocation(Identity("slack", "U300", "Ana"), "", "", email="ana.diaz@example.org")  # her second account
    assert not await app.event("joined", other)
    assert await count_rows(app, Member) == 1 and await count_rows(app, Welcome) == 1


async def test_a_member_with_a_worksite_of_their_own_is_told_it(bot, app):
    await add_roster(app, {ESC: ["ana"]}, on_roster=False)
    await app.event("joined", joining("ana"))
    [welcome] = await bot.deliver()
    assert f"Your worksite: {ESC}. Another? Type /member site and its name." in welcome.text
    assert welcome.message.picks


async def test_worksites_are_offered_by_what_was_typed_prefix_first(app):
    await add_roster(app, {ESC: ["ana"], ROO: ["gus"], "Rosa Parks Elementary": ["lu"], "50% Site_A": ["x"]})
    assert await app.options("worksites", "elementary", 100) == [ESC, "Rosa Parks Elementary"]
    assert await app.options("worksites", "ro", 100) == [ROO, "Rosa Parks Elementary"]
    assert await app.options("worksites", "  rosa   parks ", 100) == ["Rosa Parks Elementary"]
    assert await app.options("worksites", "%", 100) == ["50% Site_A"]  # typed text is not a pattern
    assert await app.options("worksites", "_", 100) == ["50% Site_A"]
    assert len(await app.options("worksites", "", 2)) == 2


async def test_two_processes_hearing_the_same_join_send_one_welcome(bot, app, db_url, clock):
    other = App(make_config(), build_registry(), db=Database(db_url), platforms=("console",), clock=clock)
    try:
        done = await asyncio.gather(app.event("joined", joining("newbie")), other.event("joined", joining("newbie")))
    finally:
        await other.close()
    assert sorted(done) == [False, True]
    assert len(await bot.deliver()) == 1
