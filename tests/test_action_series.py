"""Repeating actions: one /action create with every: and until: announces each occurrence as its own action —
its own post, signups and reminders — at the same wall-clock time across daylight-saving changes.

The fake clock starts on Monday 2026-11-30; seventeen weeks on cross the change to daylight time in March."""

from datetime import UTC, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from storage import jobs
from storage.actions import Action
from storage.jobs import Job
from tests.support import TEST_CONFIG, typed_date
from tests.test_actions import REP, dms

ZONE = ZoneInfo(TEST_CONFIG["campaign"]["timezone"])


async def stored(app) -> list[Action]:
    async def work(session):
        return list((await session.exec(select(Action).order_by(Action.id))).scalars())
    return await app.db.read(work)


async def pending(app) -> set[str]:
    async def work(session):
        return set((await session.exec(select(Job.key).where(Job.status == jobs.PENDING))).scalars())
    return await app.db.read(work)


def create(clock, extra: str) -> str:
    return (f'/action create "CAT meeting" "{typed_date(clock(), days=7, at="07:15")}" Library kind:meeting '
            + extra)


async def test_weekly_makes_one_action_per_week_at_the_same_local_time_across_daylight_saving(bot, app, clock):
    until = typed_date(clock(), days=7 + 7 * 16, at=None)
    reply = await bot.ok("rosa", create(clock, f"every:weekly until:{until}"), **REP)
    assert reply.startswith("Announced “CAT meeting” 17 times, each its own action with its own post and signups:\n#1 ")
    assert "Members sign up to each one on its post." in reply
    actions = await stored(app)
    assert [a.id for a in actions] == list(range(1, 18))
    first_day = actions[0].starts_at.astimezone(ZONE).date()
    assert [a.starts_at.astimezone(ZONE).date() for a in actions] == [first_day + timedelta(weeks=k) for k in range(17)]
    assert {a.starts_at.astimezone(ZONE).time() for a in actions} == {time(7, 15)}
    assert len({a.starts_at.astimezone(UTC).time() for a in actions}) == 2  # standard time, then daylight time
    assert await pending(app) == {f"action:{a.id}:remind:{h}" for a in actions for h in ("24h", "1h")}
    posts = [s for s in await bot.deliver() if s.kind == "post"]
    assert len(posts) == 17
    assert [b.command for b in posts[3].message.buttons][:2] == ["/action join 4", "/action leave 4"]

    await bot.ok("maria", "/action join 2")
    clock.advance(seconds=3)
    [edit] = [s for s in await bot.deliver() if s.kind == "edit"]  # only the one she joined
    assert "1 going" in edit.text
    assert "You’re going." in await bot.ok("maria", "/action show 2")
    assert "You’re going." not in await bot.ok("maria", "/action show 3")
    await bot.ok("rosa", "/action cancel 3 Winter break", **REP)
    assert "action:3:remind:1h" not in await pending(app) and "action:4:remind:1h" in await pending(app)
    assert dms(await bot.deliver(), "maria") == []  # she had joined another week


async def test_every_other_week_and_what_is_refused(bot, app, clock):
    reply = await bot.ok("rosa", create(clock, f"every:biweekly until:{typed_date(clock(), days=7 + 28, at=None)}"),
                         **REP)
    assert reply.startswith("Announced “CAT meeting” 3 times")
    days = [a.starts_at.astimezone(ZONE).date() for a in await stored(app)]
    assert [later - days[0] for later in days] == [timedelta(0), timedelta(weeks=2), timedelta(weeks=4)]
    assert "takes both every: and until:" in await bot.fails("rosa", create(clock, "every:weekly"), **REP)
    assert "is before the first one" in await bot.fails(
        "rosa", create(clock, f"every:weekly until:{typed_date(clock(), days=1, at=None)}"), **REP)
    assert "repeats more than 20 times" in await bot.fails(
        "rosa", create(clock, f"every:weekly until:{typed_date(clock(), days=7 * 21, at=None)}"), **REP)
    assert "I couldn’t read “someday” as a date" in await bot.fails(
        "rosa", create(clock, "every:weekly until:someday"), **REP)
    assert len(await stored(app)) == 3
