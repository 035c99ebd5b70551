"""Emerging leaders through the real app and database: each member's ladder (signed up → came → came three
times or more → led) from sign-ups, check-ins, actions announced and picket shifts captained; who climbed most
lately first; reps see their own sites, members nobody; each member sees their own steps in /member me."""

from sqlalchemy import select

from bot.markup import plain
from storage.audit import AuditEntry
from tests.support import add_roster, typed_date

ESC, ROO = "Escalante Elementary", "Roosevelt High"
LEAD = {"role": "leader"}


async def season(bot, app, clock) -> None:
    """Three pickets at Escalante a week apart (e0 comes to all, e1 to one, e2 only signs up), one at every site
    (r0 comes); e3 announces an action as Escalante's rep; e4 captains a picket shift that has since started; e5 is
    appointed a captain (one-to-ten)."""
    await add_roster(app, {ESC: [f"e{i}" for i in range(8)], ROO: [f"r{i}" for i in range(8)]})
    for number in range(1, 4):
        await bot.ok("boss", f'/action create "Picket {number}" "{typed_date(clock(), days=1, at="07:15")}" Gate '
                             f'site:"{ESC}"', **LEAD)
        await bot.ok("e0", f"/action join {number}")
        if number == 1:
            await bot.ok("e1", f"/action join {number}")
            await bot.ok("e2", f"/action join {number}")
        clock.advance(days=1)
        await bot.ok("e0", f"/action checkin {number}")
        if number == 1:
            await bot.ok("e1", f"/action checkin {number}")
        clock.advance(days=6)
    rally = typed_date(clock(), days=1, at="07:15")
    await bot.ok("boss", f'/action create Rally "{rally}" Downtown', **LEAD)  # action 4, every site
    await bot.ok("r0", "/action join 4")
    clock.advance(days=1)
    await bot.ok("r0", "/action checkin 4")
    await bot.ok("e3", f'/action create Leafleting "{typed_date(clock(), days=2)}" Pickup site:"{ESC}"',
                 role="rep", site=ESC)
    await bot.ok("boss", f'/strike shift add "{ESC}" {typed_date(clock(), days=1, at="6:30-10:30")} captain:e4',
                 **LEAD)
    await bot.ok("boss", "/member captain e5", **LEAD)
    clock.advance(days=2)


async def test_who_climbed_most_comes_first_with_every_step_and_its_day(bot, app, clock):
    await season(bot, app, clock)
    text = plain(await bot.ok("boss", "/structure leaders", **LEAD))
    order = [line.split(" (")[0] for line in text.split("\n") if " steps lately" in line or " step lately" in line]
    assert order[:2] == ["e0", "e1"] and set(order) == {"e0", "e1", "e2", "e3", "e4", "e5", "r0"}
    e0 = text.split("e0 (")[1].split("\n\n")[0]
    assert e0.startswith(f"{ESC}) — 3 steps lately\nsigned up for an action ") and "→ came " in e0
    assert "→ came three times or more " in e0 and "led" not in e0
    assert "led (a captain, announced an action or captained a picket shift)" in text.split("e3 (")[1]
    assert "led (a captain" in text.split("e4 (")[1].split("\n\n")[0]
    e5 = text.split("e5 (")[1].split("\n\n")[0]
    assert e5.startswith(f"{ESC}) — 1 step lately\nled (a captain, announced an action or captained a picket shift) ")
    assert "brought" not in text.split("Steps:")[0]  # nobody invited anyone (tests/test_invites.py)


async def test_reps_see_their_own_sites_members_nobody_and_every_view_is_audited(bot, app, clock):
    await season(bot, app, clock)
    rep = plain(await bot.ok("rosa", "/structure leaders", role="rep", site=ROO))
    assert "r0 (" in rep and "e0 (" not in rep
    assert "other worksites" in await bot.fails("rosa", f'/structure leaders site:"{ESC}"', role="rep", site=ROO)
    refused = await bot.fails("e0", "/structure leaders")
    assert "Only a site rep" in refused
    entries = await app.db.read(lambda s: s.exec(select(AuditEntry.command)))
    assert list(entries.scalars()).count("structure leaders") >= 2


async def test_each_member_sees_their_own_steps_in_member_me_in_their_language(bot, app, clock):
    await season(bot, app, clock)
    me = plain(await bot.ok("e0", "/member me"))
    assert "Your steps of involvement\nsigned up for an action " in me and "came three times or more" in me
    assert "Your steps of involvement" not in plain(await bot.ok("e7", "/member me"))
    await bot.ok("e0", "/member lang es")
    es = plain(await bot.ok("e0", "/member me"))
    assert "Tus escalones de participación\nse inscribió en una acción " in es and "vino tres veces o más" in es
