"""One clock: every time the bot stores comes from the App's injected clock, never from the wall clock, so the
bot (and this suite) behaves the same on any date. ``.ci/run`` also runs the time-touching tests under
libfaketime, years ahead and behind."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import DateTime, MetaData, select
from sqlmodel import SQLModel

from bot.app import App
from commands import build_registry
from storage.db import Database
from storage.members import SEEN_EVERY, MemberIdentity
from tests.support import Clock, Harness, add_roster, make_config, typed_date

FAR = datetime(2041, 3, 4, 17, 0, tzinfo=UTC)  # far from any date this suite runs on
LEAD = {"role": "leader"}


def _datetime_columns(metadata: MetaData):
    for table in metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, DateTime) or isinstance(getattr(column.type, "impl", None), DateTime):
                yield table, column


def test_no_stored_time_defaults_to_the_wall_clock():
    found = [f"{t.name}.{c.name}" for t, c in _datetime_columns(SQLModel.metadata)
             if c.default is not None or c.server_default is not None or c.onupdate is not None]
    assert found == []


async def test_every_time_stored_in_a_campaign_week_comes_from_the_injected_clock(db_url):
    clock = Clock(FAR)
    app = App(make_config(), build_registry(), db=Database(db_url), clock=clock)
    await app.start()
    try:
        bot = Harness(app, clock)
        await add_roster(app, {"Escalante Elementary": ["ana", "cruz"]})
        picket = typed_date(clock(), days=2, at="07:15")
        await bot.ok("boss", f'/action create Picket "{picket}" Gate site:"Escalante Elementary" capacity:1', **LEAD)
        for line, who in [("/action join 1", "ana"), ("/action join 1", "cruz"), ("/action leave 1", "ana"),
                          ("/member site \"Escalante Elementary\"", "newcomer"), ("/member link", "ana"),
                          ('/chant suggest "Ours" "Our schools"', "ana"), ("/bargaining subscribe", "cruz"),
                          ("/readiness answer 1 1", "ana")]:
            if line.startswith("/readiness"):
                await bot.ok("boss", "/readiness open Ready? anonymous:yes", **LEAD)
            await bot.ok(who, line)
        for line in ['/chant add "Union" "Union power"', "/chant approve 1", '/bargaining post "Session 2" "Talks."',
                     '/bargaining demand-add wages "5% raise"', '/bargaining faq-add "Vote?" "In March."',
                     "/readiness tally 1", "/readiness close 1"]:
            await bot.ok("boss", line, **LEAD)
        clock.advance(days=2)  # reminders come due and run
        assert await bot.deliver()

        async def stored_times(session) -> dict[str, set[datetime]]:
            times: dict[str, set[datetime]] = {}
            for table, column in _datetime_columns(SQLModel.metadata):
                for value in (await session.exec(select(column).where(column.is_not(None)))).scalars():
                    times.setdefault(f"{table.name}.{column.name}", set()).add(value)
            return times

        times = await app.db.read(stored_times)
        assert {"member.created_at", "worksite.created_at", "memberidentity.last_seen", "signup.created_at",
                "outboxitem.created_at", "outboxitem.due_at", "auditentry.at", "chant.created_at",
                "bargainingupdate.posted_at", "faqentry.created_at", "job.done_at", "linkcode.expires_at"} <= set(times)
        # nothing stored is from the wall clock: every time is the injected clock's, or a deadline it set
        strays = {name: sorted(values) for name, values in times.items()
                  if any(not FAR <= value <= FAR + timedelta(days=30) for value in values)}
        assert strays == {}
    finally:
        await app.close()


async def test_a_dm_goes_to_the_account_the_member_used_last_to_within_an_hour(db_url):
    clock = Clock(FAR)
    app = App(make_config(), build_registry(), db=Database(db_url), platforms=("slack", "discord"), clock=clock)
    await app.start()
    try:
        bot = Harness(app, clock)
        code = (await bot.ok("U0ANA", "/member link", platform="slack")).split()[3].rstrip(".")
        await bot.ok("4242", f"/member link {code}", platform="discord")
        await bot.ok("U0ANA", "/bargaining subscribe", platform="slack")

        async def ana_used(platform: str, user: str, line: str, **later: float) -> list[tuple[str, str]]:
            """Where ana's DM about the next bargaining update goes after she ran ``line``."""
            clock.advance(**later)
            await bot.ok(user, line, platform=platform)
            await bot.ok("ULEAD", '/bargaining post "Session 4" "Talks continue."', platform="slack")
            return [(s.platform, s.target) for s in await bot.deliver() if s.kind == "dm"]

        assert await ana_used("discord", "4242", "/member me", hours=2) == [("discord", "4242")]  # a read counts
        assert await ana_used("slack", "U0ANA", "/bargaining subscribe", hours=2) == [("slack", "U0ANA")]
        assert await ana_used("discord", "4242", "/member me", minutes=10) == [("discord", "4242")]
        # back on Slack 20 minutes after Slack was marked: not written down (a burst of clicks writes nothing) ...
        assert await ana_used("slack", "U0ANA", "/member me", minutes=10) == [("discord", "4242")]
        # ... until an hour after Slack was last marked
        assert await ana_used("slack", "U0ANA", "/member me", minutes=41) == [("slack", "U0ANA")]
    finally:
        await app.close()


async def test_a_burst_of_clicks_marks_an_account_seen_once_an_hour(bot, app, clock):
    await bot.ok("ana", "/member me")  # read-only: nothing to mark before the member exists

    async def last_seen(session):
        return (await session.exec(select(MemberIdentity.last_seen))).scalar_one()

    await bot.ok("ana", "/bargaining subscribe")
    first = await app.db.read(last_seen)
    assert first == clock()
    for _ in range(5):
        clock.advance(minutes=10)
        await bot.ok("ana", "/bargaining subscribe")
    assert await app.db.read(last_seen) == first
    clock.advance(minutes=10)
    assert clock() - first == SEEN_EVERY
    await bot.ok("ana", "/bargaining unsubscribe")
    assert await app.db.read(last_seen) == clock()
