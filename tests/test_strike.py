"""/strike through the real app and database: planning shifts at many sites (weekdays, daylight saving),
one shift added, changed and cancelled, and the list members see, their own site first.

Dates are typed relative to the injected clock (a Monday at 09:00 in Los Angeles)."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from storage.shifts import Shift
from tests.support import add_roster, typed_date

ESC, ROO, LIN = "Escalante Elementary", "Roosevelt High", "Lincoln Middle"
LEADER = {"role": "leader"}
REP = {"role": "rep", "site": ESC}
LA = ZoneInfo("America/Los_Angeles")


def day(clock, days: int) -> str:
    return typed_date(clock(), days=days)[:10]


async def shifts(app, *where) -> list[Shift]:
    async def work(session):
        return list((await session.exec(select(Shift).where(*where).order_by(Shift.starts_at, Shift.id))).scalars())
    return await app.db.read(work)


async def count(app) -> int:
    async def work(session):
        return (await session.exec(select(func.count()).select_from(Shift))).scalar_one()
    return await app.db.read(work)


async def world(app):
    return await add_roster(app, {ESC: ["ana", "cruz"], ROO: ["gus"], LIN: ["lia"]})


async def test_a_plan_makes_every_weekday_shift_at_every_site_once(bot, app, clock):
    await world(app)
    line = f"/strike plan {day(clock, 7)} {day(clock, 13)} 6:30-10:30 10:30-14:30"
    reply = await bot.ok("boss", line, **LEADER)
    assert reply.startswith("Planned 30 picket shifts at 3 sites")
    made = await shifts(app)
    assert len(made) == 30
    assert {s.starts_at.astimezone(LA).weekday() for s in made} == {0, 1, 2, 3, 4}
    assert {(s.starts_at.astimezone(LA).time().isoformat(), s.ends_at.astimezone(LA).time().isoformat())
            for s in made} == {("06:30:00", "10:30:00"), ("10:30:00", "14:30:00")}
    assert all(s.day == s.starts_at.astimezone(LA).date() for s in made)
    again = await bot.ok("boss", line, **LEADER)
    assert again.startswith("Planned 0 picket shifts") and "30 were already planned" in again
    assert await count(app) == 30


def next_change(moment: datetime) -> date:
    """The first local day after ``moment`` whose UTC offset differs from the day before's."""
    local = moment.astimezone(LA).date()
    while True:
        after = local + timedelta(days=1)
        if datetime.combine(after, datetime.min.time(), LA).utcoffset() != \
                datetime.combine(local, datetime.min.time(), LA).utcoffset():
            return after
        local = after


async def test_shifts_keep_their_local_time_across_a_daylight_saving_change(bot, app, clock):
    await world(app)
    change = next_change(clock())
    first, last = change - timedelta(days=7), change + timedelta(days=7)
    await bot.ok("boss", f"/strike plan {first} {last} 6:30-10:30 sites:\"{ESC}\"", **LEADER)
    made = await shifts(app)
    assert len(made) == sum(1 for n in range(15) if (first + timedelta(days=n)).weekday() < 5)
    assert {s.starts_at.astimezone(LA).strftime("%H:%M") for s in made} == {"06:30"}
    assert len({s.starts_at.astimezone(UTC).strftime("%H:%M") for s in made}) == 2  # the offset moved, 6:30 did not


async def test_a_plan_with_a_shift_in_the_past_stores_nothing(bot, app, clock):
    await world(app)
    error = await bot.fails("boss", f"/strike plan {day(clock, 0)} {day(clock, 4)} 6:30-10:30", **LEADER)
    assert "is in the past" in error
    for bad, says in [("6:30-", "couldn’t read “6:30-”"), ("10:30-6:30", "ends before it starts"),
                      ("25:00-26:00", "couldn’t read")]:
        assert says in await bot.fails("boss", f"/strike plan {day(clock, 7)} {day(clock, 8)} {bad}", **LEADER)
    assert "before the first" in await bot.fails("boss", f"/strike plan {day(clock, 8)} {day(clock, 7)} 6-10",
                                                 **LEADER)
    assert "no weekday" in await bot.fails("boss", f"/strike plan {day(clock, 5)} {day(clock, 6)} 6-10", **LEADER)
    assert "no worksite called “Nowhere”" in await bot.fails(
        "boss", f"/strike plan {day(clock, 7)} {day(clock, 8)} 6-10 sites:\"{ESC}, Nowhere\"", **LEADER)
    assert await count(app) == 0


async def test_a_rep_plans_for_their_own_sites_only(bot, app, clock):
    await world(app)
    reply = await bot.ok("rosa", f"/strike plan {day(clock, 7)} {day(clock, 8)} 7am-11am", **REP)
    assert reply.startswith("Planned 2 picket shifts at 1 site")
    assert {s.starts_at.astimezone(LA).strftime("%H:%M") for s in await shifts(app)} == {"07:00"}
    refused = await bot.fails("rosa", f"/strike plan {day(clock, 7)} {day(clock, 8)} 7-11 sites:\"{ROO}\"", **REP)
    assert "rep for other worksites" in refused
    assert "Only a site rep" in await bot.fails("ana", f"/strike plan {day(clock, 7)} {day(clock, 8)} 7-11")
    assert await count(app) == 2


async def test_one_shift_added_changed_and_cancelled(bot, app, clock):
    await world(app)
    added = await bot.ok("rosa", f'/strike shift add "{ESC}" {day(clock, 1)} 6:30-10:30 captain:cruz capacity:8',
                         **REP)
    assert added.startswith(f"Added shift #1 {ESC}") and "captain cruz" in added and "room for 8" in added
    assert "already has a shift" in await bot.fails("rosa", f'/strike shift add "{ESC}" {day(clock, 1)} 6:30-10:30',
                                                    **REP)
    assert "rep for other worksites" in await bot.fails(
        "rosa", f'/strike shift add "{ROO}" {day(clock, 1)} 6:30-10:30', **REP)
    edited = await bot.ok("rosa", "/strike shift edit 1 times:7:00-11:00 minimum:6", **REP)
    assert "captain cruz" in edited
    [shift] = await shifts(app)
    assert shift.starts_at.astimezone(LA).strftime("%H:%M") == "07:00" and shift.minimum == 6
    assert "in the past" in await bot.fails("rosa", f"/strike shift edit 1 day:{day(clock, -1)}", **REP)
    assert "Only a site rep" in await bot.fails("cruz", "/strike shift cancel 1")
    assert (await bot.ok("rosa", "/strike shift cancel 1", **REP)).startswith("Cancelled shift #1")
    assert "was cancelled" in await bot.fails("rosa", "/strike shift edit 1 minimum:2", **REP)


async def test_members_see_their_own_sites_shifts_first(bot, app, clock):
    await world(app)
    await bot.ok("boss", f"/strike plan {day(clock, 1)} {day(clock, 1)} 6:30-10:30", **LEADER)
    listed = await bot.ok("gus", "/strike shifts")
    lines = listed.splitlines()[1:]
    assert lines[0].startswith("#") and ROO in lines[0]
    assert len(lines) == 3
    only = await bot.ok("gus", f'/strike shifts site:"{LIN}" day:{day(clock, 1)}')
    assert LIN in only and ROO not in only
    assert "No picket shifts" in await bot.ok("gus", f"/strike shifts day:{day(clock, 2)}")
