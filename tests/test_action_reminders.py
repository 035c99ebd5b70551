"""What a join promises about reminders is what is scheduled: the configured offsets still ahead, one last-chance
reminder when every offset has passed, none within 15 minutes of the start — said as such, in both languages.

The fake clock starts on Monday 2026-11-30 at 09:00 in the campaign's timezone (America/Los_Angeles)."""

from datetime import UTC, datetime

from sqlalchemy import select

from storage import jobs
from storage.jobs import Job
from tests.test_actions import REP, dms, picket


async def pending(app) -> dict[str, datetime]:
    async def work(session):
        rows = await session.exec(select(Job).where(Job.status == jobs.PENDING))
        return {job.key: job.due_at for job in rows.scalars()}
    return await app.db.read(work)


async def test_a_week_ahead_every_offset_is_promised(bot):
    reply = await bot.ok("rosa", '/action create "Informational picket" "Dec 2 7:15am" "Front gate"', **REP)
    assert reply.endswith("Those going get reminders 1 day and 1 hour before it starts.")
    assert (await bot.ok("maria", "/action join 1")).endswith(
        "You’ll get reminders 1 day and 1 hour before it starts.")


async def test_two_hours_ahead_only_the_hour_before_is_promised_and_scheduled(bot, app):
    action = await picket(bot, when_text="11am")
    assert await pending(app) == {f"action:{action}:remind:1h": datetime(2026, 11, 30, 18, 0, tzinfo=UTC)}
    assert (await bot.ok("maria", f"/action join {action}")).endswith(
        "You’ll get a reminder 1 hour before it starts.")


async def test_forty_minutes_ahead_one_last_chance_reminder_halfway(bot, app, clock):
    reply = await bot.ok("rosa", '/action create "CAT meeting" "9:40am" "Library" kind:meeting', **REP)
    assert reply.endswith("Those going get a reminder 20 minutes before it starts.")
    assert await pending(app) == {"action:1:remind:soon": datetime(2026, 11, 30, 17, 20, tzinfo=UTC)}
    assert (await bot.ok("maria", "/action join 1")).endswith("You’ll get a reminder 20 minutes before it starts.")
    await bot.deliver()
    clock.now = datetime(2026, 11, 30, 17, 21, tzinfo=UTC)
    [reminder] = dms(await bot.deliver(), "maria")
    assert reminder.text.startswith("Reminder: “CAT meeting”")
    assert dms(await bot.deliver()) == []


async def test_within_fifteen_minutes_no_reminder_and_it_says_so(bot, app):
    reply = await bot.ok("rosa", '/action create "Rally" "9:10am" "Steps of the board office"', **REP)
    assert reply.endswith("It starts too soon for a reminder: those going get none.")
    assert await pending(app) == {}
    assert (await bot.ok("maria", "/action join 1")).endswith(
        "No reminder will come before it starts: keep this message.")


async def test_joining_after_the_reminders_went_out_promises_none(bot, app, clock):
    action = await picket(bot)
    clock.now = datetime(2026, 12, 2, 14, 16, tzinfo=UTC)  # the hour-before reminder is due
    await bot.deliver()
    assert await pending(app) == {}
    assert (await bot.ok("luis", f"/action join {action}")).endswith(
        "No reminder will come before it starts: keep this message.")


async def test_a_move_closer_replaces_the_offsets_with_the_last_chance_and_tells_those_going(bot, app):
    action = await picket(bot)
    await bot.ok("maria", f"/action join {action}")
    await bot.deliver()
    await bot.ok("rosa", f'/action edit {action} when:"10am"', **REP)
    assert await pending(app) == {f"action:{action}:remind:soon": datetime(2026, 11, 30, 17, 30, tzinfo=UTC)}
    [notice] = dms(await bot.deliver(), "maria")
    assert notice.text.endswith("You’ll get a reminder 30 minutes before it starts.")
    await bot.ok("rosa", f'/action edit {action} when:"Dec 2 7:15am"', **REP)
    assert set(await pending(app)) == {f"action:{action}:remind:24h", f"action:{action}:remind:1h"}


async def test_the_promise_in_spanish(bot):
    await bot.ok("maria", "/member lang es")
    await bot.ok("rosa", '/action create "Informational picket" "Dec 2 7:15am" "Front gate"', **REP)
    assert (await bot.ok("maria", "/action join 1")).endswith(
        "Te llegarán recordatorios 1 día y 1 hora antes de que empiece.")
    await bot.ok("rosa", '/action create "Rally" "9:10am" "Steps"', **REP)
    assert (await bot.ok("maria", "/action join 2")).endswith(
        "No llegará ningún recordatorio antes de que empiece: guarda este mensaje.")
