"""A signup burst: N distinct members join one action with capacity N/2, all at once, through the core.

    python bench/burst.py [--members 10000] [--reps 3] [--pg URL]

Every join is ``app.run_line(member, "/action join <id>")`` started concurrently, as a burst of
clicks arrives; the members are on the roster already. Afterwards exactly N/2 must be going and N/2
waitlisted, one signup per member. The floor is stdlib ``sqlite3`` inserting the same N signup rows
with one ``executemany`` in one transaction, same file settings (WAL, synchronous=FULL): the least
work that stores those rows, without any of the per-member checks a join makes. On PostgreSQL the
floor is the same rows through one asyncpg ``executemany``. Target (issue 10): ≤ 3× the floor.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import time
from datetime import timedelta

from common import bench_config, database, machine, median, seed_members, table


async def burst(url: str, members: int) -> dict[str, float | int]:
    """Run one burst on a fresh database; returns its seconds and what was stored."""
    from sqlalchemy import func, select

    from bot.app import App
    from bot.types import Identity
    from storage.actions import Action, Signup
    from storage.types import utcnow

    app = App(bench_config(url))
    await app.start()
    try:
        await seed_members(app, members)

        async def create(session) -> int:
            action = Action(title="Strike vote rally", kind="rally", starts_at=utcnow() + timedelta(days=3),
                            location="City hall", capacity=members // 2)
            session.add(action)
            await session.flush()
            return action.id

        action_id = await app.db.write(create)
        line = f"/action join {action_id}"
        start = time.perf_counter()
        replies = await asyncio.gather(*(app.run_line(Identity("console", f"m{i}", f"Member {i}"), line)
                                         for i in range(members)))
        seconds = time.perf_counter() - start
        failed = [r for r in replies if r.error]
        assert not failed, failed[0].message.text

        async def stored(session):
            rows = await session.exec(select(Signup.status, func.count(), func.count(func.distinct(Signup.member_id)))
                                      .where(Signup.action_id == action_id).group_by(Signup.status))
            return {status: (n, distinct) for status, n, distinct in rows.all()}

        found = await app.db.read(stored)
    finally:
        await app.close()
    going, waitlisted = found.get("going", (0, 0)), found.get("waitlist", (0, 0))
    return {"seconds": seconds, "going": going[0], "waitlisted": waitlisted[0],
            "duplicates": going[0] + waitlisted[0] - going[1] - waitlisted[1]}


def floor_rows(members: int) -> list[tuple]:
    now = "2026-11-30 17:00:00.000000"
    return [(1, i + 1, "going" if i < members // 2 else "waitlist", now) for i in range(members)]


async def floor(url: str, members: int) -> float:
    """The same rows inserted in one statement, one transaction, on a schema the bot created."""
    from sqlalchemy.engine import make_url

    from bot.app import App

    app = App(bench_config(url))
    await app.start()
    await seed_members(app, members)

    async def action(session) -> None:
        await session.exec(__import__("sqlalchemy").text(
            "INSERT INTO action (id, title, kind, starts_at, location, capacity, created_at) "
            "VALUES (1, 'Rally', 'rally', '2030-01-01 00:00:00.000000', 'Hall', 1, '2026-11-30 17:00:00.000000')"))

    await app.db.write(action)
    await app.close()
    rows = floor_rows(members)
    if app.db.is_sqlite:
        conn = sqlite3.connect(make_url(url).database, isolation_level=None)
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON"):
            conn.execute(f"PRAGMA {pragma}")
        start = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany("INSERT INTO signup (action_id, member_id, status, created_at) VALUES (?, ?, ?, ?)", rows)
        conn.execute("COMMIT")
        seconds = time.perf_counter() - start
        conn.close()
        return seconds
    import asyncpg

    parsed = make_url(url)
    conn = await asyncpg.connect(user=parsed.username, password=parsed.password, host=parsed.host, port=parsed.port,
                                 database=parsed.database)
    pg_rows = [(a, m, s, __import__("datetime").datetime(2026, 11, 30, 17, tzinfo=__import__("datetime").UTC))
               for a, m, s, _ in rows]
    start = time.perf_counter()
    async with conn.transaction():
        await conn.executemany("INSERT INTO signup (action_id, member_id, status, created_at) VALUES ($1, $2, $3, $4)",
                               pg_rows)
    seconds = time.perf_counter() - start
    await conn.close()
    return seconds


async def measure(members: int, reps: int, pg: str | None) -> tuple[list[dict], list[float]]:
    runs, floors = [], []
    for _ in range(reps):
        async with database(pg) as url:
            floors.append(await floor(url, members))
        async with database(pg) as url:
            runs.append(await burst(url, members))
    return runs, floors


def report(members: int, reps: int, pg: str | None, runs: list[dict], floors: list[float]) -> str:
    ours, base = median([r["seconds"] for r in runs]), median(floors)
    last = runs[-1]
    correct = all(r["going"] == members // 2 and r["waitlisted"] == members - members // 2 and not r["duplicates"]
                  for r in runs)
    engine = "PostgreSQL" if pg else "SQLite"
    return table(f"Burst on {engine}: {members:,} joins, capacity {members // 2:,} (median of {reps})",
                 ["what", "seconds", "joins/s", "× floor", "target"], [
                     ["bot: concurrent `/action join` via app.run_line", ours, members / ours, ours / base, "≤ 3×"],
                     ["floor: one executemany of the same rows", base, members / base, 1.0, ""],
                 ]) + (f"\ngoing {last['going']:,}, waitlisted {last['waitlisted']:,}, duplicates {last['duplicates']}"
                       f" — {'correct in every run' if correct else 'WRONG'}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--pg", default=os.environ.get("ORGANIZER_TEST_PG_URL"),
                        help="a PostgreSQL server URL to measure on instead of SQLite")
    args = parser.parse_args()
    runs, floors = asyncio.run(measure(args.members, args.reps, args.pg))
    print(machine())
    print(report(args.members, args.reps, args.pg, runs, floors))


if __name__ == "__main__":
    main()
