"""Several bot processes on one PostgreSQL database: background work done exactly once, and races
between processes producing exactly the right rows. (SQLite is one process's embedded database, so
these run on PostgreSQL only.)"""

from __future__ import annotations

import asyncio
import sys
from collections import Counter
from datetime import datetime, time, timedelta

from sqlalchemy import func, select

from bot.app import App
from commands import build_registry
from storage.actions import Signup
from storage.db import Database
from tests.support import Harness, add_roster, make_config, typed_date


async def _processes(*argv_lists: list[str]) -> None:
    procs = [await asyncio.create_subprocess_exec(sys.executable, "-m", "tests.multiprocess_bot", *argv,
                                                  stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
             for argv in argv_lists]
    results = await asyncio.gather(*(p.communicate() for p in procs))
    for proc, (_out, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err.decode()[-3000:]


async def _seeded_app(pg_url, clock, **config):
    app = App(make_config(**config), build_registry(), db=Database(pg_url), platforms=("console",), clock=clock)
    await app.start()
    return app


async def test_three_processes_send_1000_due_reminders_exactly_once(pg_url, clock, tmp_path):
    app = await _seeded_app(pg_url, clock, actions={"reminder_hours": [1]})
    try:
        bot = Harness(app, clock)
        await add_roster(app, {"Escalante Elementary": [f"m{i}" for i in range(1000)]})
        when = typed_date(clock(), days=2, at="07:15")
        for n in range(10):
            await bot.ok("ULEAD", f'/action create "Picket {n}" "{when}" "Front gate"', platform="slack")
            await asyncio.gather(*(bot.ok(f"m{i}", f"/action join {n + 1}") for i in range(n * 100, n * 100 + 100)))
    finally:
        await app.close()
    zone = app.config.campaign.tz
    picket_day = (clock().astimezone(zone) + timedelta(days=2)).date()
    due = datetime.combine(picket_day, time(7, 0), zone).isoformat()  # 15 minutes before: the 1-hour reminders are due
    out = tmp_path / "sent.tsv"
    await _processes(*[["deliver", "--db", pg_url, "--now", due, "--out", str(out)] for _ in range(3)])
    lines = [line.split("\t") for line in out.read_text().splitlines()]
    reminders = Counter((user, text) for _pid, user, text in lines if text.startswith("Reminder"))
    assert sum(reminders.values()) == 1000, f"{sum(reminders.values())} reminders sent"
    assert set(reminders.values()) == {1}, "a reminder was sent twice"
    assert len({user for user, _ in reminders}) == 1000
    assert len({pid for pid, _u, _t in lines}) >= 2, "the work was not shared between processes"


async def test_processes_racing_for_the_last_places_never_exceed_capacity(pg_url, clock):
    app = await _seeded_app(pg_url, clock)
    try:
        bot = Harness(app, clock)
        await bot.ok("ULEAD", f'/action create "Board meeting" "{typed_date(clock(), days=3)}" "District office" '
                     'capacity:40', platform="slack")
    finally:
        await app.close()
    now = clock().isoformat()
    await _processes(*[["join", "--db", pg_url, "--now", now, "--action", "1", "--members", "120"] for _ in range(3)])
    app = await _seeded_app(pg_url, clock)
    try:
        async def counts(session):
            rows = await session.exec(select(Signup.status, func.count()).group_by(Signup.status))
            per_member = await session.exec(select(Signup.member_id, func.count()).group_by(Signup.member_id)
                                            .having(func.count() > 1))
            return dict(rows.all()), per_member.all()

        statuses, duplicates = await app.db.read(counts)
    finally:
        await app.close()
    assert duplicates == []
    assert statuses.get("going") == 40 and sum(statuses.values()) == 120, statuses


async def test_processes_answering_the_same_poll_keep_one_answer_per_member(pg_url, clock):
    from storage.readiness import ReadinessAnswer

    app = await _seeded_app(pg_url, clock)
    try:
        bot = Harness(app, clock)
        await add_roster(app, {"Escalante Elementary": [f"m{i}" for i in range(80)]})
        await bot.ok("ULEAD", '/readiness open "Would you vote yes?"', platform="slack")
    finally:
        await app.close()
    now = (clock() + timedelta(minutes=1)).isoformat()
    await _processes(*[["answer", "--db", pg_url, "--now", now, "--poll", "1", "--members", "80"] for _ in range(3)])
    app = await _seeded_app(pg_url, clock)
    try:
        async def answered(session):
            total = (await session.exec(select(func.count()).select_from(ReadinessAnswer))).scalar_one()
            distinct = (await session.exec(select(func.count(func.distinct(ReadinessAnswer.voter))))).scalar_one()
            return total, distinct

        assert await app.db.read(answered) == (80, 80)
        tally = await Harness(app, clock).ok("ULEAD", "/readiness tally 1", platform="slack")
        assert "80 answered" in tally
    finally:
        await app.close()
