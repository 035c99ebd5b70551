"""/structure coverage through the real app and database: per worksite, the share of its whole roster with a
captain (on a list, or a captain) and talked with in the last 30 days; for one site, who nobody is responsible
for; least covered first; leaders every site, reps their own, members refused; audited."""

import pytest

from bot.markup import plain
from storage.audit import AuditEntry
from tests.support import add_roster, count_rows

ESC, ROO = "Escalante Elementary", "Roosevelt High"
LEAD = {"role": "leader"}
REP = {"role": "rep", "site": ESC}


async def setup(bot, app, clock) -> None:
    """Escalante: 5 on the roster, a captain with two on the list, one talked with lately and one 40 days ago;
    Roosevelt: 2, nobody covered."""
    await add_roster(app, {ESC: ["ana", "ben", "cy", "dee", "eve"], ROO: ["rita", "sol"]})
    await add_roster(app, {ESC: ["visitor"]}, on_roster=False)  # off the roster: never counted
    await bot.ok("boss", "/member captain ana", **LEAD)
    await bot.ok("boss", "/member assign ana ben, cy", **LEAD)
    await bot.ok("boss", "/member talked dee 2", **LEAD)
    clock.advance(days=40)
    await bot.ok("boss", "/member talked ben 3", **LEAD)
    await bot.ok("boss", "/member talked visitor 3", **LEAD)


async def test_each_site_as_a_share_of_its_whole_roster_least_covered_first(bot, app, clock):
    await setup(bot, app, clock)
    reply = await bot.say("boss", "/structure coverage", **LEAD)
    text = plain(reply.message.text)
    assert text.index(ROO) < text.index(ESC)
    assert f"{ESC}\nWith a captain: 3 of 5 (60%) · talked with: 1 of 5 (20%)" in text
    assert f"{ROO}\nWith a captain: 0 of 2 (0%) · talked with: 0 of 2 (0%)" in text
    assert "All these worksites: with a captain 3 of 7 (43%) · talked with 1 of 7 (14%)" in text
    assert "Nobody is responsible" not in text
    [sheet] = reply.message.attachments
    assert f"{ESC},5,3,1" in sheet.data.decode("utf-8-sig")


async def test_one_site_names_who_nobody_is_responsible_for(bot, app, clock):
    await setup(bot, app, clock)
    text = await bot.ok("rep", f'/structure coverage site:"{ESC}"', **REP)
    assert "Nobody is responsible yet for: dee, eve. Assign them with /member assign." in text
    assert ROO not in text and "All these worksites" not in text
    await bot.ok("boss", "/member assign ana dee, eve", **LEAD)
    assert f"Everyone on the roster at {ESC} has a captain." in await bot.ok("rep", f'/structure coverage site:"{ESC}"',
                                                                             **REP)


@pytest.mark.parametrize("actor, allowed", [("member", False), ("captain", False), ("rep of the site", True),
                                            ("rep of another site", False), ("leader", True)])
async def test_permission_matrix(bot, app, clock, actor, allowed):
    await setup(bot, app, clock)
    user, role = {"member": ("eve", {}), "captain": ("ana", {}), "rep of the site": ("rep", REP),
                  "rep of another site": ("rep2", {"role": "rep", "site": ROO}), "leader": ("boss", LEAD)}[actor]
    reply = await bot.say(user, f'/structure coverage site:"{ESC}"', **role)
    assert reply.error == (not allowed), reply.message.text
    if not allowed:
        assert "Only a" in reply.message.text or "other worksites" in reply.message.text
        assert "dee" not in reply.message.text
    else:
        assert await count_rows(app, AuditEntry, AuditEntry.command == "structure coverage") == 1
