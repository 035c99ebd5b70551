"""Correcting an action once announced: edit any field (never the time of one that started), cancel saying why,
and restore a mistaken cancellation before it was to start — everyone signed up told, in their language.

The fake clock starts on a Monday at 09:00 in the campaign's timezone; the picket is that Wednesday at 7:15."""

from zoneinfo import ZoneInfo

from sqlalchemy import select

from storage import jobs
from storage.jobs import Job
from tests.support import TEST_CONFIG, typed_date
from tests.test_actions import ESCALANTE, LEADER, REP, ROOSEVELT, dms, sites
from tests.test_actions import picket as announce


async def picket(bot, extra=""):
    return await announce(bot, extra, when_text=typed_date(bot.app.clock(), days=2, at="07:15"))


async def pending(app) -> set[str]:
    async def work(session):
        return set((await session.exec(select(Job.key).where(Job.status == jobs.PENDING))).scalars())
    return await app.db.read(work)


async def test_cancel_with_a_reason_tells_it_and_the_action_never_says_you_are_going(bot, clock):
    action = await picket(bot)
    await bot.ok("maria", f"/action join {action}")
    await bot.deliver()
    reply = await bot.ok("rosa", f"/action cancel {action} The district closed the school", **REP)
    assert reply == ("Cancelled “Informational picket”. 1 person signed up was told. "
                     f"If that was a mistake, /action restore {action} brings it back.")
    clock.advance(seconds=3)
    sent = await bot.deliver()
    [notice] = dms(sent, "maria")
    assert notice.text.endswith("Thank you for signing up.\nWhy: The district closed the school")
    [edit] = [s for s in sent if s.kind == "edit"]
    assert "Why: The district closed the school" in edit.text and edit.message.buttons == ()
    shown = await bot.ok("maria", f"/action show {action}")
    assert "You had signed up, but it is cancelled: nobody is expected there." in shown
    assert "You’re going" not in shown
    joined = await bot.fails("maria", f"/action join {action}")  # an old “I’m in” button
    assert joined == "“Informational picket” was cancelled: The district closed the school"


async def test_restore_brings_back_signups_and_reminders_and_tells_everyone(bot, app, clock):
    action = await picket(bot, "capacity:1")
    await bot.ok("maria", f"/action join {action}")
    await bot.ok("luis", f"/action join {action}")
    await bot.ok("luis", "/member lang es")
    await bot.ok("rosa", f'/action cancel {action} reason:"Heat warning"', **REP)
    assert await pending(app) == set()
    await bot.deliver()
    clock.advance(days=1)  # Tuesday 9:00: the day-before reminder (Tuesday 7:15) is past
    assert await bot.ok("rosa", f"/action restore {action}", **REP) == \
        "Restored “Informational picket”. 2 people signed up were told."
    assert await pending(app) == {f"action:{action}:remind:1h"}
    clock.advance(seconds=3)
    sent = await bot.deliver()
    [back] = dms(sent, "maria")
    assert back.text.startswith("Back on: “Informational picket”") and "you are still signed up" in back.text
    assert back.text.endswith("You’ll get a reminder 1 hour before it starts.")
    [waiting] = dms(sent, "luis")
    assert waiting.message.lang == "es" and waiting.text.startswith("Vuelve: “Informational picket”")
    assert waiting.text.endswith("Sigues en su lista de espera.")
    [edit] = [s for s in sent if s.kind == "edit"]
    assert not edit.text.startswith("Cancelled") and edit.text.endswith("1 going · 1 waitlisted")
    shown = await bot.ok("maria", f"/action show {action}")
    assert "You’re going." in shown and "Heat warning" not in shown
    assert "is not cancelled" in await bot.fails("rosa", f"/action restore {action}", **REP)


async def test_restore_is_refused_once_it_was_to_start_and_to_other_sites_reps(bot, clock):
    await sites(bot.app, ESCALANTE)
    action = await picket(bot, f'site:"{ESCALANTE}"')
    await bot.ok("rosa", f"/action cancel {action}", **REP)
    assert "You are a rep for other worksites" in await bot.fails(
        "otto", f"/action restore {action}", role="rep", site=ROOSEVELT)
    assert "Only a" in await bot.fails("maria", f"/action restore {action}")
    clock.advance(days=1, hours=22, minutes=15)  # Wednesday 7:15, when it was to start
    assert "too late to restore it" in await bot.fails("rosa", f"/action restore {action}", **REP)


async def test_edit_changes_details_kind_and_site_and_tells_what_changed(bot):
    await sites(bot.app, ESCALANTE, ROOSEVELT)
    action = await picket(bot, f'site:"{ESCALANTE}"')
    await bot.ok("maria", f"/action join {action}")
    await bot.ok("luis", "/member lang es")
    await bot.ok("luis", f"/action join {action}")
    await bot.deliver()
    assert "You are a rep for other worksites" in await bot.fails(
        "rosa", f'/action edit {action} site:"{ROOSEVELT}"', **REP)
    await bot.ok("rosa", f'/action edit {action} details:"Bring water" kind:rally', **REP)
    await bot.ok("boss", f'/action edit {action} site:"{ROOSEVELT}"', **LEADER)
    sent = await bot.deliver()
    first, second = dms(sent, "maria")
    [en_espanol, _] = dms(sent, "luis")
    assert en_espanol.text == ("Hubo cambios en “Informational picket”:\nNuevos detalles: Bring water\n"
                               "Nuevo tipo de acción: Mitin.")
    assert first.text == ("“Informational picket” has changed:\nNew details: Bring water\n"
                          "The kind of action is now Rally.")
    assert second.text.endswith(f"The worksite is now {ROOSEVELT}.")
    shown = await bot.ok("maria", f"/action show {action}")
    assert f"Worksite: {ROOSEVELT}" in shown and "Rally ·" in shown and "Bring water" in shown
    refused = await bot.fails("boss", f"/action edit {action}", **LEADER)
    assert "Say what to change: when:, where:, title:, capacity:, details:, kind: or site:, or the Spanish " \
           "es_title:, es_where: or es_details:." in refused


async def test_a_started_action_keeps_its_time_but_its_place_can_be_corrected(bot, clock):
    action = await picket(bot)
    clock.advance(days=2)  # Wednesday 9:00, after it started
    refused = await bot.fails("rosa", f'/action edit {action} when:"{typed_date(clock(), days=7, at="07:15")}"',
                              **REP)
    day = clock().astimezone(ZoneInfo(TEST_CONFIG["campaign"]["timezone"]))  # it started this morning
    assert refused.startswith(f"“Informational picket” started {day:%a, %b} {day.day}")
    assert "rewrite who came" in refused
    assert (await bot.ok("rosa", f'/action edit {action} where:"Side gate"', **REP)).startswith("Updated")
