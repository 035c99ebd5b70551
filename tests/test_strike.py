"""/strike through the real app and database: planning shifts at many sites (weekdays, daylight saving),
one shift added, changed and cancelled, the list members see, their own site first; signups with the
button, the waitlist, overlaps refused, swaps, reminders, and what a move or a cancellation tells.

Dates are typed relative to the injected clock (a Monday at 09:00 in Los Angeles)."""

import csv
import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from storage.picket import PicketSignin
from storage.shifts import Shift, ShiftSignup
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
    lines = [line for line in listed.splitlines() if line.startswith("#")]
    assert ROO in lines[0] and len(lines) == 3
    only = await bot.ok("gus", f'/strike shifts site:"{LIN}" day:{day(clock, 1)}')
    assert LIN in only and ROO not in only
    assert "No picket shifts" in await bot.ok("gus", f"/strike shifts day:{day(clock, 2)}")


async def planned(bot, clock, *, capacity=""):
    await bot.ok("boss", f'/strike shift add "{ESC}" {day(clock, 2)} 6:30-10:30 {capacity}', **LEADER)
    await bot.ok("boss", f'/strike shift add "{ESC}" {day(clock, 2)} 10:30-14:30 {capacity}', **LEADER)
    await bot.ok("boss", f'/strike shift add "{ESC}" {day(clock, 2)} 9:00-12:00', **LEADER)


async def signups(app, shift_id):
    async def work(session):
        rows = await session.exec(select(ShiftSignup.member_id, ShiftSignup.status)
                                  .where(ShiftSignup.shift_id == shift_id).order_by(ShiftSignup.id))
        return [tuple(row) for row in rows.all()]
    return await app.db.read(work)


async def test_members_sign_up_with_the_button_and_the_waitlist_is_promoted(bot, app, clock):
    ids = await world(app)
    await planned(bot, clock, capacity="capacity:1")
    listed = await bot.say("ana", "/strike shifts")
    button = listed.message.buttons[0]
    assert button.command == "/strike join 1"
    assert (await bot.ok("ana", button.command)).startswith("You’re in: picket shift #1")
    assert "already signed up" in await bot.ok("ana", button.command)
    assert "waitlist (number 1)" in await bot.ok("cruz", "/strike join 1")
    assert "1 going · 1 waitlisted" in await bot.ok("gus", "/strike shifts")
    assert (await bot.ok("ana", "/strike leave 1")).startswith("Thanks for letting us know")
    assert await signups(app, 1) == [(ids["cruz"], "going")]
    [dm] = [s for s in await bot.deliver() if s.kind == "dm"]
    assert dm.target == "cruz" and "A place opened up" in dm.text
    assert "weren’t signed up" in await bot.ok("ana", "/strike leave 1")


async def test_overlapping_shifts_are_refused_and_a_swap_moves_the_signup(bot, app, clock):
    ids = await world(app)
    await planned(bot, clock)
    await bot.ok("ana", "/strike join 1")
    refused = await bot.fails("ana", "/strike join 3")
    assert "overlaps" in refused and "/strike swap 1 3" in refused
    assert await signups(app, 3) == []
    assert (await bot.ok("ana", "/strike join 2")).startswith("You’re in")  # 10:30 after 10:30: no overlap
    assert "overlaps" in await bot.fails("ana", "/strike swap 1 3")  # 3 overlaps 2 as well
    await bot.ok("ana", "/strike leave 2")
    swapped = await bot.ok("ana", "/strike swap 1 3")
    assert swapped.startswith("Swapped: you’re off shift #1.")
    assert await signups(app, 1) == [] and await signups(app, 3) == [(ids["ana"], "going")]
    mine = await bot.ok("ana", "/strike mine")
    assert "#3" in mine and "#1" not in mine
    assert "#3" in await bot.ok("ana", "/member me")


async def test_a_full_shift_keeps_your_place_on_a_swap(bot, app, clock):
    ids = await world(app)
    await planned(bot, clock, capacity="capacity:1")
    await bot.ok("ana", "/strike join 1")
    await bot.ok("cruz", "/strike join 2")
    assert "is full: you keep your place" in await bot.fails("ana", "/strike swap 1 2")
    assert await signups(app, 1) == [(ids["ana"], "going")]


async def test_a_reminder_before_the_shift_goes_out_once_and_cancelling_tells_everyone(bot, app, clock):
    await world(app)
    await planned(bot, clock)
    await bot.ok("ana", "/strike join 1")
    await bot.ok("cruz", "/strike join 1")
    await bot.ok("cruz", "/strike join 1")
    assert not [s for s in await bot.deliver() if s.kind == "dm"]
    [shift] = await shifts(app, Shift.id == 1)
    clock.now = shift.starts_at - timedelta(hours=12)
    reminders = [s for s in await bot.deliver() if s.kind == "dm"]
    assert sorted(s.target for s in reminders) == ["ana", "cruz"]
    assert all("Reminder: your picket shift #1" in s.text for s in reminders)
    assert not [s for s in await bot.deliver() if s.kind == "dm"]
    await bot.ok("boss", "/strike shift cancel 2", **LEADER)
    cancelled = await bot.ok("boss", "/strike shift cancel 1", **LEADER)
    assert "2 people signed up were told" in cancelled
    told = [s for s in await bot.deliver() if s.kind == "dm"]
    assert sorted(s.target for s in told) == ["ana", "cruz"] and all("Cancelled" in s.text for s in told)
    assert "was cancelled" in await bot.fails("ana", "/strike join 1")


async def test_moving_a_shift_tells_who_signed_up_and_moves_the_reminder(bot, app, clock):
    await world(app)
    await planned(bot, clock)
    await bot.ok("ana", "/strike join 1")
    await bot.ok("boss", "/strike shift edit 1 times:7:00-11:00", **LEADER)
    [moved] = [s for s in await bot.deliver() if s.kind == "dm"]
    assert moved.target == "ana" and "has moved" in moved.text
    [shift] = await shifts(app, Shift.id == 1)
    clock.now = shift.starts_at - timedelta(hours=12, minutes=15)  # the old reminder time: nothing
    assert not [s for s in await bot.deliver() if s.kind == "dm"]
    clock.now = shift.starts_at - timedelta(hours=12)
    assert [s.target for s in await bot.deliver() if s.kind == "dm"] == ["ana"]
    clock.now = shift.starts_at
    assert "has already started" in await bot.fails("cruz", "/strike join 1")


async def test_forgetting_a_member_frees_their_place_on_a_shift(bot, app, clock):
    ids = await world(app)
    await planned(bot, clock, capacity="capacity:1")
    await bot.ok("ana", "/strike join 1")
    await bot.ok("cruz", "/strike join 1")
    await bot.ok("ana", "/member forget confirm:yes")
    assert await signups(app, 1) == [(ids["cruz"], "going")]


async def line(app, shift_id):
    async def work(session):
        rows = await session.exec(select(PicketSignin).where(PicketSignin.shift_id == shift_id)
                                  .order_by(PicketSignin.member_id))
        return list(rows.scalars())
    return await app.db.read(work)


async def today(bot, clock, times="9:30-13:30", captain="cruz"):
    """A shift at Escalante starting 30 minutes from now: sign-in is open."""
    await bot.ok("boss", f'/strike shift add "{ESC}" {day(clock, 0)} {times} captain:{captain}', **LEADER)


async def test_a_captain_signs_a_line_in_and_out_in_one_command(bot, app, clock):
    ids = await add_roster(app, {ESC: ["ana", "cruz", "Maria Lopez", "Luis Ortiz"], ROO: ["gus"]})
    await today(bot, clock)
    await bot.ok("gus", "/strike join 1")  # signed up from another site: the captain finds him too
    assert "Only a captain of this shift" in await bot.fails("ana", "/strike signin 1 ana")
    assert "No member matches “nobody”" in await bot.fails("cruz", "/strike signin 1 ana, nobody")
    assert await line(app, 1) == []
    reply = await bot.ok("cruz", "/strike signin 1 ana, maria lopez, Luis Ortiz, gus, ana")
    assert reply.startswith("Signed in 4 people on shift #1") and "Maria Lopez" in reply
    assert "Already signed in: ana" in await bot.ok("cruz", "/strike signin 1 ana, cruz")
    rows = await line(app, 1)
    assert {r.member_id for r in rows} == {ids[n] for n in ("ana", "Maria Lopez", "Luis Ortiz", "gus", "cruz")}
    assert all(r.in_at == clock() and not r.late and r.by_id == ids["cruz"] for r in rows)
    clock.advance(hours=2)
    assert (await bot.ok("cruz", "/strike signout 1 ana")).startswith("Signed out 1 person")
    clock.advance(hours=1)
    assert (await bot.ok("rosa", "/strike signout 1 all", **REP)).startswith("Signed out 4 people")
    rows = {r.member_id: r for r in await line(app, 1)}
    assert rows[ids["ana"]].out_at == clock() - timedelta(hours=1) and rows[ids["gus"]].out_at == clock()


async def test_sign_in_outside_a_shift_is_refused_and_a_late_entry_is_marked(bot, app, clock):
    ids = await world(app)
    await bot.ok("boss", f'/strike shift add "{ESC}" {day(clock, 1)} 6:30-10:30 captain:cruz', **LEADER)
    assert "that is not now" in await bot.fails("cruz", "/strike signin 1 ana")
    [shift] = await shifts(app, Shift.id == 1)
    clock.now = shift.ends_at + timedelta(hours=3)
    assert "that is not now" in await bot.fails("cruz", "/strike signin 1 ana")
    assert "outside shift #1" in await bot.fails("cruz", "/strike signin 1 ana at:5:00")
    assert "Marked as a late entry" in await bot.ok("cruz", "/strike signin 1 ana at:6:45")
    [row] = await line(app, 1)
    assert row.late and row.in_at == shift.starts_at + timedelta(minutes=15) and row.member_id == ids["ana"]
    assert "was signed in after" in await bot.fails("cruz", "/strike signout 1 ana at:6:40")
    await bot.ok("cruz", "/strike signout 1 ana at:10:00")
    [row] = await line(app, 1)
    assert row.out_at == shift.ends_at - timedelta(minutes=30)


async def test_members_sign_themselves_in_with_the_code_only_while_the_shift_runs(bot, app, clock):
    ids = await world(app)
    await today(bot, clock)
    reply = await bot.ok("cruz", "/strike code 1")
    code = reply.split("is ")[1].split(".")[0]
    assert len(code) == 7 and code[3] == "-"
    assert "Signed in: you’re on the line" in await bot.ok("ana", f"/strike here {code.lower()}")
    assert "already signed in" in await bot.ok("ana", f"/strike here {code}")
    [row] = await line(app, 1)
    assert row.member_id == ids["ana"] and row.by_id == ids["ana"]
    clock.advance(hours=5)  # the shift is over
    assert "its shift is over" in await bot.fails("gus", f"/strike here {code}")
    for _ in range(4):
        await bot.fails("gus", "/strike here AAA-AAA")
    assert "Too many wrong codes" in await bot.fails("gus", f"/strike here {code}")
    assert len(await line(app, 1)) == 1


async def test_no_one_is_signed_in_on_two_overlapping_lines(bot, app, clock):
    await world(app)
    await today(bot, clock)
    await bot.ok("boss", f'/strike shift add "{ROO}" {day(clock, 0)} 10:00-12:00 captain:gus', **LEADER)
    await bot.ok("ana", "/strike join 2")  # so Roosevelt's captain finds her
    await bot.ok("cruz", "/strike signin 1 ana")
    clock.advance(hours=1)
    refused = await bot.fails("gus", "/strike signin 2 ana")
    assert "signed in on shift #1" in refused
    assert await line(app, 2) == []


async def test_hours_count_within_each_shift_and_each_viewer_sees_their_scope(bot, app, clock):
    from storage.audit import AuditEntry

    await add_roster(app, {ESC: ["ana", "cruz", "maria"], ROO: ["gus"]})
    await today(bot, clock)  # 9:30-13:30, sign-in open now, at 9:00
    await bot.ok("cruz", "/strike signin 1 ana, maria")
    clock.advance(hours=2, minutes=30)  # 11:30: two hours since the start, still on the line
    assert "2 h this week: 18 h more" in await bot.ok("ana", "/strike hours")
    clock.advance(hours=1)
    await bot.ok("cruz", "/strike signout 1 maria")
    clock.advance(hours=3)  # the shift ended at 13:30: ana, never signed out, counts until then
    own = await bot.ok("ana", "/strike hours")
    assert "4 h ✓" in own and "4 h this week: 16 h more" in own
    assert "No hours on the picket line" in await bot.ok("gus", "/strike hours")
    reply = await bot.say("cruz", "/strike hours")  # the captain: Escalante's members
    text = reply.message.text
    assert "2 members were on the line" in text and "ana" in text and "maria" in text and "gus" not in text
    rows = list(csv.reader(io.StringIO(reply.message.attachments[0].data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["name", "member number", "worksite", "hours"]
    assert sorted((r[0], r[3], r[4], r[5]) for r in rows[1:]) == [("ana", "4.0", "1", "no"),
                                                                   ("maria", "3.0", "0", "no")]
    everyone = await bot.ok("boss", "/strike hours", **LEADER)
    assert "2 members were on the line; 0 meet the weekly rule; 1 strike-pay day in all." in everyone
    assert "2 members were on the line" in await bot.ok("rosa", "/strike hours", **REP)
    assert "0 members were on the line" in await bot.ok("rosa", f"/strike hours week:{day(clock, -7)}", **REP)

    async def audited(session):
        return list((await session.exec(select(AuditEntry.command))).scalars())
    assert (await app.db.read(audited)).count("strike hours") == 7
