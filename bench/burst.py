"""Bursts through the core: N distinct members join one action with capacity N/2, and N members
answer one strike-readiness poll, all at once.

    python bench/burst.py [--members 10000] [--reps 3] [--what join|answer|both] [--pg URL]

Every click is ``app.run_line(member, "/action join <id>")`` or ``"/readiness answer <poll> <choice>"``
started concurrently, as a burst of clicks arrives; the members are on the roster already.
Afterwards exactly N/2 must be going and N/2 waitlisted, one signup per member; and exactly N
answers with the choices sent, one per member, and N members marked as having answered. The floor
is stdlib ``sqlite3`` inserting the same rows with one ``executemany`` per table in one transaction,
same file settings (WAL, synchronous=FULL): the least work that stores those rows, without any of the
per-member checks a command makes. On PostgreSQL the floor is the same rows through asyncpg
``executemany``. Target (issue 10, for joins): ≤ 3× the floor.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
import time
from collections import Counter

from common import arguments, bench_config, database, machine, median, plain_pg, seed_members, table

CHOICES = ["Yes", "Leaning yes", "Not sure", "No"]
CREATED = "2026-11-30 17:00:00.000000"


def choice_of(i: int) -> int:
    """The 0-based choice member ``i`` answers: a spread over all four."""
    return (0, 0, 1, 2, 3)[i % 5]


async def burst(url: str, members: int) -> dict[str, float | int]:
    """N joins on a fresh database; returns their seconds and what was stored."""
    from sqlalchemy import func, select

    from bot.clock import system_clock
    from storage.actions import Action, Signup

    async def create(session) -> int:
        now = system_clock()
        action = Action(title="Strike vote rally", kind="rally", starts_at=now + dt.timedelta(days=3),
                        location="City hall", capacity=members // 2, created_at=now)
        session.add(action)
        await session.flush()
        return action.id

    async def stored(session, action_id: int) -> dict[str, int]:
        rows = await session.exec(select(Signup.status, func.count(), func.count(func.distinct(Signup.member_id)))
                                  .where(Signup.action_id == action_id).group_by(Signup.status))
        found = {status: (n, distinct) for status, n, distinct in rows.all()}
        going, waitlisted = found.get("going", (0, 0)), found.get("waitlist", (0, 0))
        return {"going": going[0], "waitlisted": waitlisted[0],
                "duplicates": going[0] + waitlisted[0] - going[1] - waitlisted[1]}

    return await _clicks(url, members, create, lambda action_id, i: f"/action join {action_id}", stored)


async def vote(url: str, members: int) -> dict[str, float | int]:
    """N answers to one strike-readiness poll on a fresh database; returns their seconds and what was stored."""
    from sqlalchemy import select

    from bot.clock import system_clock
    from bot.secret_key import server_key
    from bot.voters import Voters
    from storage.readiness import ReadinessAnswer, ReadinessCount, ReadinessPoll

    async def create(session) -> int:
        poll = ReadinessPoll(question="Would you vote to authorize a strike?", choices=CHOICES,
                             created_at=system_clock())
        session.add(poll)
        await session.flush()
        return poll.id

    voters = Voters(server_key(url))  # the bot's own key: an anonymous poll's choices and counts are sealed

    async def stored(session, poll_id: int) -> dict[str, int]:
        rows = (await session.exec(select(ReadinessAnswer.voter, ReadinessAnswer.sealed)
                                   .where(ReadinessAnswer.poll_id == poll_id))).all()
        per_choice = Counter(voters.choice(sealed) for _, sealed in rows)
        cells = (await session.exec(select(ReadinessCount.sealed).where(ReadinessCount.poll_id == poll_id))).scalars()
        counted = [sum(column) for column in zip(*(voters.open_counts(c) for c in cells), strict=True)]
        sent = [0] * len(CHOICES)
        for i in range(members):
            sent[choice_of(i)] += 1
        return {"answers": len(rows), "answered": len({voter for voter, _ in rows}), "duplicates": 0,
                "as_sent": int([per_choice.get(c, 0) for c in range(len(CHOICES))] == sent == counted)}

    return await _clicks(url, members, create, lambda poll_id, i: f"/readiness answer {poll_id} {choice_of(i) + 1}",
                         stored)


async def _clicks(url: str, members: int, create, line, stored) -> dict[str, float | int]:
    """Seed N roster members, create the action or poll, send every member's click at once, then read
    back what was stored."""
    from bot.app import App
    from bot.types import Identity
    from commands import build_registry

    app = App(bench_config(url), build_registry())
    await app.start()
    try:
        await seed_members(app, members)
        target = await app.db.write(create)
        start = time.perf_counter()
        replies = await asyncio.gather(*(app.run_line(Identity("console", f"m{i}", f"Member {i}"), line(target, i))
                                         for i in range(members)))
        seconds = time.perf_counter() - start
        failed = [r for r in replies if r.error]
        assert not failed, failed[0].message.text
        found = await app.db.read(lambda session: stored(session, target))
    finally:
        await app.close()
    return {"seconds": seconds, **found}


def floor_rows(what: str, members: int) -> dict[str, tuple[str, list[tuple]]]:
    """The rows each burst stores, per table, as one INSERT each (the target and members have id 1…)."""
    if what == "join":
        return {"signup": ("action_id, member_id, status, created_at",
                           [(1, i + 1, "going" if i < members // 2 else "waitlist", CREATED) for i in range(members)])}
    return {"readinessanswer": ("poll_id, voter, member_id, site_id, on_roster, choice",
                                [(1, f"{i + 1:064x}", None, None, True, choice_of(i)) for i in range(members)])}


TARGETS = {
    "join": "INSERT INTO action (id, title, kind, starts_at, location, capacity, created_at) "
            "VALUES (1, 'Rally', 'rally', '2030-01-01 00:00:00.000000', 'Hall', 1, '2026-11-30 17:00:00.000000')",
    "answer": "INSERT INTO readinesspoll (id, question, choices, results, anonymous, created_at) "
              "VALUES (1, 'Strike?', '[\"Yes\", \"No\"]', 'leaders', TRUE, '2026-11-30 17:00:00.000000')",
}


async def floor(url: str, members: int, what: str) -> float:
    """The same rows inserted in one statement per table, one transaction, on a schema the bot created."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from bot.app import App
    from commands import build_registry

    app = App(bench_config(url), build_registry())
    await app.start()
    await seed_members(app, members)

    async def target(session) -> None:
        await session.exec(text(TARGETS[what]))

    await app.db.write(target)
    await app.close()
    tables = floor_rows(what, members)
    if app.db.is_sqlite:
        conn = sqlite3.connect(make_url(url).database, isolation_level=None)
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON"):
            conn.execute(f"PRAGMA {pragma}")
        start = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        for name, (columns, rows) in tables.items():
            marks = ", ".join("?" * len(rows[0]))
            conn.executemany(f"INSERT INTO {name} ({columns}) VALUES ({marks})", rows)
        conn.execute("COMMIT")
        seconds = time.perf_counter() - start
        conn.close()
        return seconds

    conn = await plain_pg(url)
    stamp = dt.datetime(2026, 11, 30, 17, tzinfo=dt.UTC)
    start = time.perf_counter()
    async with conn.transaction():
        for name, (columns, rows) in tables.items():
            marks = ", ".join(f"${n}" for n in range(1, len(rows[0]) + 1))
            await conn.executemany(f"INSERT INTO {name} ({columns}) VALUES ({marks})",
                                   [tuple(stamp if v == CREATED else v for v in row) for row in rows])
    seconds = time.perf_counter() - start
    await conn.close()
    return seconds


async def measure(what: str, members: int, reps: int, pg: str | None) -> tuple[list[dict], list[float]]:
    runs, floors = [], []
    for _ in range(reps):
        async with database(pg) as url:
            floors.append(await floor(url, members, what))
        async with database(pg) as url:
            runs.append(await (burst if what == "join" else vote)(url, members))
    return runs, floors


def report(what: str, members: int, reps: int, pg: str | None, runs: list[dict], floors: list[float]) -> str:
    ours, base = median([r["seconds"] for r in runs]), median(floors)
    last = runs[-1]
    engine = "PostgreSQL" if pg else "SQLite"
    if what == "join":
        correct = all(r["going"] == members // 2 and r["waitlisted"] == members - members // 2
                      and not r["duplicates"] for r in runs)
        title = f"Burst on {engine}: {members:,} joins, capacity {members // 2:,} (median of {reps})"
        bot_row, unit, target = "bot: concurrent `/action join` via app.run_line", "joins/s", "≤ 3×"
        outcome = f"going {last['going']:,}, waitlisted {last['waitlisted']:,}, duplicates {last['duplicates']}"
    else:
        correct = all(r["answers"] == members and r["answered"] == members and not r["duplicates"] and r["as_sent"]
                      for r in runs)
        title = f"Vote burst on {engine}: {members:,} members answer one readiness poll (median of {reps})"
        bot_row, unit, target = "bot: concurrent `/readiness answer` via app.run_line", "answers/s", ""
        outcome = (f"answers {last['answers']:,}, members marked answered {last['answered']:,}, duplicates "
                   f"{last['duplicates']}, choices as sent: {'yes' if last['as_sent'] else 'NO'}")
    return table(title, ["what", "seconds", unit, "× floor", "target"], [
        [bot_row, ours, members / ours, ours / base, target],
        ["floor: one executemany per table of the same rows", base, members / base, 1.0, ""],
    ]) + f"\n{outcome} — {'correct in every run' if correct else 'WRONG'}\n"


def main() -> None:
    parser = arguments(__doc__, reps=3)
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--what", choices=("join", "answer", "both"), default="both")
    args = parser.parse_args()
    print(machine())
    for what in ("join", "answer") if args.what == "both" else (args.what,):
        runs, floors = asyncio.run(measure(what, args.members, args.reps, args.pg))
        print(report(what, args.members, args.reps, args.pg, runs, floors))


if __name__ == "__main__":
    main()
