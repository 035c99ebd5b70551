"""/action invite through the real app and database: coworkers of the inviter's site get the action once by DM
through the outbox, with its buttons; whoever was invited or signed up already is named, not messaged again; a
name at another site is not found; bad input stores nothing; a signup after an invitation is the inviter's
"brought others" step on the ladder of involvement."""

import pytest

from bot.markup import plain
from storage.invites import Invite
from tests.support import add_roster, count_rows, typed_date

ESC, ROO = "Escalante Elementary", "Roosevelt High"
LEAD = {"role": "leader"}


async def setup(bot, app, clock) -> None:
    await add_roster(app, {ESC: ["ana", "ben", "cy", "dee"], ROO: ["rita"]})
    await bot.ok("boss", f'/action create Picket "{typed_date(clock(), days=2, at="07:15")}" Gate site:"{ESC}"',
                 **LEAD)
    await bot.deliver()


async def test_each_coworker_gets_the_action_once_by_dm_with_its_buttons(bot, app, clock):
    await setup(bot, app, clock)
    await bot.ok("cy", "/action join 1")
    reply = await bot.ok("ana", "/action invite 1 ben, dee, cy")
    assert "Invited 2 coworkers to “Picket”: ben, dee." in reply and "Already signed up: cy." in reply
    sent = [s for s in await bot.deliver() if s.kind == "dm"]
    assert sorted(s.target for s in sent) == ["ben", "dee"]
    assert sent[0].text.startswith("ana invites you to this action.") and "Picket (#1)" in sent[0].text
    assert [b.command for b in sent[0].message.buttons][:2] == ["/action join 1", "/action leave 1"]
    again = await bot.ok("cy", "/action invite 1 ben")  # another coworker asks the same person
    assert "Invited 0 coworkers" in again and "Already invited: ben." in again
    assert [s for s in await bot.deliver() if s.kind == "dm"] == []
    assert await count_rows(app, Invite) == 2


async def test_only_coworkers_are_found_and_bad_input_stores_nothing(bot, app, clock):
    await setup(bot, app, clock)
    assert "No member matches “rita”" in await bot.fails("ana", "/action invite 1 ben, rita")
    assert "at most 10" in await bot.fails("ana", "/action invite 1 " + ", ".join(f"x{i}" for i in range(11)))
    assert "not yourself" in await bot.fails("ana", "/action invite 1 ana")
    assert "There is no action #9" in await bot.fails("ana", "/action invite 9 ben")
    assert "Set your worksite first" in await bot.fails("stranger", "/action invite 1 ben")
    assert "Invited 1 coworker" in await bot.ok("boss", "/action invite 1 rita", **LEAD)  # a leader: anyone
    clock.advance(days=3)
    assert "already started" in await bot.fails("ana", "/action invite 1 ben")
    assert await count_rows(app, Invite) == 1


async def test_a_signup_after_an_invitation_is_the_inviters_brought_others_step(bot, app, clock):
    await setup(bot, app, clock)
    await bot.ok("dee", "/action join 1")  # signed up before anyone asked: nobody's credit
    await bot.ok("ana", "/action invite 1 ben")
    await bot.ok("cy", "/action invite 1 ben, dee")
    clock.advance(hours=1)
    await bot.ok("ben", "/action join 1")
    text = plain(await bot.ok("boss", "/structure leaders", **LEAD))
    ana = text.split("ana (")[1].split("\n\n")[0]
    assert "brought others (someone they invited signed up)" in ana
    assert "cy (" not in text  # asked dee, who had signed up already, and ben, whom ana had asked first
    assert "brought others" in plain(await bot.ok("ana", "/member me"))


ACTORS = {"member of the site": ("ana", {}), "member of another site": ("rita", {}), "member with no site": ("x", {}),
          "captain": ("cy", {}), "rep of the site": ("rep", {"role": "rep", "site": ESC}),
          "rep of another site": ("rep2", {"role": "rep", "site": ROO}), "leader": ("boss", LEAD)}
ALLOWED = {"member of the site", "captain", "rep of the site", "leader"}  # the others find no such coworker


@pytest.mark.parametrize("actor", ACTORS)
async def test_permission_matrix(bot, app, clock, actor):
    await setup(bot, app, clock)
    await bot.ok("boss", "/member captain cy", **LEAD)
    user, role = ACTORS[actor]
    reply = await bot.say(user, "/action invite 1 ben", **role)
    assert reply.error == (actor not in ALLOWED), reply.message.text
    if actor not in ALLOWED:
        assert "No member matches “ben”" in reply.message.text or "Set your worksite first" in reply.message.text
    assert await count_rows(app, Invite) == (1 if actor in ALLOWED else 0)
