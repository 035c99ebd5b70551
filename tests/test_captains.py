"""Captains: a site's rep makes a coworker a captain and assigns them up to [organizing] list_size coworkers of
their own site (suggesting who is on nobody's list); a captain reads their list (assessment, last one-on-one,
whether each answered the current poll but never what, whether they signed up for the next action), logs
one-on-ones with their people and reads their history, and no one else's."""

from __future__ import annotations

import pytest

from storage.audit import AuditEntry
from storage.captains import Assignment, Captain
from tests.support import add_roster, count_rows, typed_date

ESC, ROO = "Escalante Elementary", "Roosevelt High"
REP = {"role": "rep", "site": ESC}
REP2 = {"role": "rep", "site": ROO}
LEAD = {"role": "leader"}
PEOPLE = ["Ana Ruiz", "Bea Soto", "Cruz Diaz", "Dani Vega", "Eli Moreno", "Fer Gil", "Gabi Luna", "Hugo Paz",
          "Ines Rey", "Juan Sol", "Kim Oro", "Lu Mar"]


@pytest.fixture
async def roster(app):
    return await add_roster(app, {ESC: ["Carla Captain", *PEOPLE], ROO: ["Gus Park", "Rosa Captain"]})


async def test_a_rep_makes_a_captain_and_assigns_coworkers_with_suggestions(bot, app, roster):
    assert "Carla Captain is now a captain at Escalante Elementary" in \
        await bot.ok("rep", '/member captain "Carla Captain"', **REP)
    assert "Role: captain" in await bot.ok("Carla Captain", "/member me")
    done = await bot.ok("rep", '/member assign "Carla Captain" Ana Ruiz, bea soto', **REP)
    assert "list at Escalante Elementary: 2 of 10" in done and "Added: Ana Ruiz, Bea Soto" in done
    assert "On nobody’s list yet at Escalante Elementary: Cruz Diaz, Dani Vega" in done
    assert "Ana Ruiz" not in done.split("On nobody’s list")[1]
    suggestions = await bot.ok("rep", '/member assign "Carla Captain"', **REP)
    assert "2 of 10" in suggestions and "Cruz Diaz" in suggestions
    assert "Your captain (the coworker who keeps you in the loop): Carla Captain" in await bot.ok("Ana Ruiz",
                                                                                                  "/member me")
    assert await count_rows(app, Assignment) == 2


@pytest.mark.parametrize("line, error", [
    ('/member assign "Carla Captain" Ana Ruiz, Gus Park', "works at Roosevelt High, not Escalante Elementary"),
    ('/member assign "Carla Captain" Ana Ruiz, Nobody Here', "No member matches “Nobody Here”"),
    ('/member assign "Bea Soto" Ana Ruiz', "Bea Soto is not a captain"),
    ('/member assign "Carla Captain" ' + ", ".join(PEOPLE[:11]), "already has 0 of 10 coworkers; 11 more"),
    ('/member assign "Carla Captain" Carla Captain', "can’t be on their own list"),
])
async def test_bad_assignments_store_nothing(bot, app, roster, line, error):
    await bot.ok("boss", '/member captain "Carla Captain"', **LEAD)
    assert error in await bot.fails("boss", line, **LEAD)
    assert await count_rows(app, Assignment) == 0


async def test_a_captain_reads_their_list_and_organizes_only_their_people(bot, app, clock, roster):
    await bot.ok("rep", '/member captain "Carla Captain"', **REP)
    await bot.ok("rep", '/member assign "Carla Captain" Ana Ruiz, Bea Soto, Cruz Diaz', **REP)
    await bot.ok("boss", f'/action create Picket "{typed_date(clock(), days=3)}" Gate site:"{ESC}"', **LEAD)
    await bot.ok("boss", "/readiness open Ready? anonymous:yes", **LEAD)
    await bot.ok("Ana Ruiz", "/readiness answer 1 2")
    await bot.ok("Bea Soto", "/action join 1")
    await bot.ok("rep", '/member talked "Cruz Diaz" 4 worried about pay', **REP)
    clock.advance(days=1)
    assert "already had a one-on-one" in await bot.ok("Carla Captain", '/member talked "Cruz Diaz" 3')
    await bot.ok("Carla Captain", '/member talked "Bea Soto" 1 will bring coworkers')
    shown = await bot.ok("Carla Captain", "/member mylist")
    lines = {line.split(" · ")[0]: line for line in shown.splitlines()}
    assert "answered poll #1" in lines["Ana Ruiz"] and "not signed up for #1" in lines["Ana Ruiz"]
    assert "not assessed yet" in lines["Ana Ruiz"] and "no one-on-one yet" in lines["Ana Ruiz"]
    assert "1, ready to lead" in lines["Bea Soto"] and "signed up for #1" in lines["Bea Soto"]
    assert "has not answered poll #1" in lines["Bea Soto"]
    assert "4, leaning against" in lines["Cruz Diaz"] and "last one-on-one" in lines["Cruz Diaz"]
    assert "Not sure" not in shown and "No" not in shown.replace("Next action", "")  # never what Ana answered
    assert "worried about pay" in await bot.ok("Carla Captain", '/member history "Cruz Diaz"')
    outside = await bot.fails("Carla Captain", '/member history "Dani Vega"')
    nobody = await bot.fails("Carla Captain", '/member history "Zed Nobody"')
    assert outside.replace("Dani Vega", "X") == nobody.replace("Zed Nobody", "X")
    assert "No member matches" in await bot.fails("Carla Captain", '/member talked "Dani Vega" 2')
    assert "Only a site rep" in await bot.fails("Carla Captain", '/member assign "Carla Captain" Dani Vega')
    assert await count_rows(app, AuditEntry, AuditEntry.command == "member mylist") == 1


async def test_captains_named_in_config_and_stepping_down(bot, app, roster):
    await bot.ok("Rosa Captain", "/member me", role="captain", site=ROO)
    assert "No one is on your list yet" in await bot.ok("Rosa Captain", "/member mylist", role="captain", site=ROO)
    await bot.ok("rep", '/member captain "Carla Captain"', **REP)
    await bot.ok("rep", '/member assign "Carla Captain" Ana Ruiz, Bea Soto', **REP)
    assert "list are on nobody’s now" in await bot.ok("rep", '/member captain "Carla Captain" remove:yes', **REP)
    assert (await count_rows(app, Captain), await count_rows(app, Assignment)) == (0, 0)
    assert "Only a captain" in await bot.fails("Carla Captain", "/member mylist")
    assert "You are a rep for other worksites" in await bot.fails("rep2", f'/member captain "Ana Ruiz" site:"{ESC}"',
                                                                  **REP2)


async def test_a_captain_who_forgets_frees_their_list(bot, app, roster):
    await bot.ok("rep", '/member captain "Carla Captain"', **REP)
    await bot.ok("rep", '/member assign "Carla Captain" Ana Ruiz', **REP)
    await bot.ok("Carla Captain", "/member forget confirm:yes")
    assert (await count_rows(app, Captain), await count_rows(app, Assignment)) == (0, 0)


async def test_spanish(bot, app, roster):
    await bot.ok("rep", "/member lang es", **REP)
    assert "ahora es capitán" in await bot.ok("rep", '/member captain "Carla Captain"', **REP)


ACTORS = {"member": ("Ana Ruiz", {}), "captain": ("Carla Captain", {}), "rep of the site": ("rep", REP),
          "rep of another site": ("rep2", REP2), "leader": ("boss", LEAD)}
# command → (line, who may run it, what it changes); a rep of another site finds no such member at their sites
MATRIX = {
    "captain": ('/member captain "Bea Soto"', {"rep of the site", "leader"}, Captain),
    "assign": ('/member assign "Carla Captain" Bea Soto', {"rep of the site", "leader"}, Assignment),
    "mylist": ("/member mylist", {"captain", "rep of the site", "rep of another site", "leader"}, None),
}


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("command", MATRIX)
async def test_permission_matrix(bot, app, roster, command, actor):
    await bot.ok("boss", '/member captain "Carla Captain"', **LEAD)
    await bot.ok("boss", '/member assign "Carla Captain" Ana Ruiz', **LEAD)
    line, allowed, table = MATRIX[command]
    before = await count_rows(app, table) if table else None
    user, role = ACTORS[actor]
    reply = await bot.say(user, line, **role)
    assert reply.error == (actor not in allowed), reply.message.text
    if actor not in allowed:
        assert "Only a" in reply.message.text or "No member matches" in reply.message.text
    if table is not None:
        assert (await count_rows(app, table) > before) == (actor in allowed)
    if command == "mylist" and actor == "captain":
        assert "Ana Ruiz" in reply.message.text
