"""Open loop: `/action join` clicks from distinct members arriving at a fixed rate; click → confirmation.

    python bench/openloop.py [--rates 200,500,1000] [--seconds 10] [--paths floor,core,slack] [--pg URL]

Arrivals are scheduled, not paced by answers (a closed loop hides a backlog): click ``i`` is sent at
``start + i / rate`` whether or not earlier clicks were answered, and its latency runs from that
moment, so a bot that falls behind shows it. The members are on the roster already (one account
each), new to the action, which has room for half of them: the rest are waitlisted.

- ``slack``: signed `/action join <id>` slash commands over HTTP to the bot's own server in its own
  process (``SlackFrontEnd.serve_http``, its command process on, as configured by default); the
  confirmation is the bot's POST to the click's response_url, recorded by the fake Slack
  (tests/slack/fake_slack.py) in this process.
- ``core``: ``app.run_line`` on the App and registry in this process; the confirmation is the reply.
- ``floor``: the same join semantics written by hand on the plain driver (stdlib ``sqlite3`` in one
  writer thread, or asyncpg): per transaction one member lookup, the action row locked, one count,
  one insert, each click's waitlist place; and the same group commit (the clicks that arrived while
  the previous transaction ran, up to 256, commit together).

A click is unconfirmed if no answer came within ``--drain`` seconds of the last arrival, or the
answer was an error. Afterwards the database must hold exactly capacity going and the rest
waitlisted, one signup per member, and in process the waitlist in arrival order (over HTTP, the
order requests reach the bot is the network's, not the sender's). Target (issue 25): every click confirmed,
p99 ≤ 2 s at 1,000/s, on SQLite and PostgreSQL; the bot within 3× of the floor.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sqlite3
import threading
import time

from common import arguments, bench_config, database, machine, percentile, plain_pg, seed_members, table
from slack_e2e import child, stop

from tests.slack.payloads import form_body, signed_headers, slash

MAX_BATCH = 256  # as storage.db.Database
CONFIRMED, WAITLISTED = "You’re in", "you’re on the waitlist"  # the join's two answers (English)
PATHS = {"floor": "floor: the join by hand on the plain driver, same group commit",
         "core": "core: App.run_line in this process",
         "slack": "Slack HTTP: signed commands → bot process → response_url"}


async def create_action(app, capacity: int) -> int:
    from storage.actions import Action

    async def work(session) -> int:
        now = app.clock()
        action = Action(title="Strike vote rally", kind="rally", starts_at=now + dt.timedelta(days=3),
                        location="City hall", capacity=capacity, created_at=now)
        session.add(action)
        await session.flush()
        return action.id

    return await app.db.write(work)


async def prepare(url: str, clicks: int, platform: str, prefix: str) -> int:
    """Schema, the members and the action; returns the action's id."""
    from bot.app import App
    from commands import build_registry

    app = App(bench_config(url), build_registry())
    await app.start()
    try:
        await seed_members(app, clicks, platform=platform, prefix=prefix)
        return await create_action(app, clicks // 2)
    finally:
        await app.close()


async def arrivals(rate: float, clicks: int, send) -> float:
    """Start ``send(i, due)`` for every click at its scheduled moment (monotonic); returns the start."""
    start = time.monotonic() + 0.2
    tasks = []
    for i in range(clicks):
        due = start + i / rate
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(send(i, due)))
    await asyncio.gather(*tasks)
    return start


async def drained(confirmed: dict[int, float], clicks: int, last: float, drain: float) -> None:
    while len(confirmed) < clicks and time.monotonic() < last + drain:
        await asyncio.sleep(0.05)


async def run_core(url: str, rate: float, clicks: int, drain: float) -> dict:
    from bot import heap
    from bot.app import App
    from bot.types import Identity
    from commands import build_registry

    action_id = await prepare(url, clicks, "console", "m")
    app = App(bench_config(url), build_registry())
    await app.start()
    heap.settle()  # as a bot process does once started (bot.runner)
    confirmed: dict[int, float] = {}
    errors = 0

    async def send(i: int, due: float) -> None:
        nonlocal errors
        reply = await app.run_line(Identity("console", f"m{i}", f"Member {i}"), f"/action join {action_id}")
        if reply.error:
            errors += 1
        else:
            confirmed[i] = time.monotonic() - due

    try:
        clicking = asyncio.create_task(arrivals(rate, clicks, send))
        await asyncio.wait({clicking}, timeout=clicks / rate + drain + 1)
        clicking.cancel()
    finally:
        await app.close()
    return {"latencies": confirmed, "errors": errors, **await stored(url, action_id)}


async def run_slack(url: str, rate: float, clicks: int, drain: float) -> dict:
    import aiohttp

    from tests.slack.fake_slack import FakeSlack

    action_id = await prepare(url, clicks, "slack", "U")
    due_at: dict[int, float] = {}
    confirmed: dict[int, float] = {}
    errors = 0

    class Recorder(FakeSlack):
        async def _respond(self, request):
            nonlocal errors
            said = json.dumps(await request.json(), ensure_ascii=False)
            i = int(request.match_info["name"])
            if CONFIRMED in said or WAITLISTED in said:
                confirmed.setdefault(i, time.monotonic() - due_at[i])
            else:
                errors += 1
            return aiohttp.web.Response(text="ok")

    fake = Recorder()
    runner = await fake.start()
    proc, server = child("--serve", "bot", "--fake", fake.url, "--db", url)
    bodies = []
    for i in range(clicks):
        body = form_body(slash("/action", f"join {action_id}", user=f"U{i}", response_url=fake.response_url(str(i))))
        bodies.append((body.encode(), signed_headers(body)))
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
            async def send(i: int, due: float) -> None:
                nonlocal errors
                due_at[i] = due
                body, headers = bodies[i]
                try:
                    async with session.post(server, data=body, headers=headers) as resp:
                        await resp.read()
                        if resp.status != 200:
                            errors += 1
                except (aiohttp.ClientError, TimeoutError):  # the bot never took the click: unconfirmed
                    errors += 1

            start = await arrivals(rate, clicks, send)
            await drained(confirmed, clicks, start + clicks / rate, drain)
    finally:
        stop(proc)
        await runner.cleanup()
    return {"latencies": confirmed, "errors": errors, **await stored(url, action_id)}


class Floor:
    """The join by hand: group commit over one connection, set-based statements per transaction."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[tuple[str, asyncio.Future]] = asyncio.Queue()

    async def join(self, user_id: str) -> tuple[str, int | None]:
        future = asyncio.get_running_loop().create_future()
        self.queue.put_nowait((user_id, future))
        return await future

    async def writer(self, transaction) -> None:
        while True:
            batch = [await self.queue.get()]
            while len(batch) < MAX_BATCH and not self.queue.empty():
                batch.append(self.queue.get_nowait())
            try:
                results = await transaction([user for user, _ in batch])
            except Exception as exc:  # noqa: BLE001 - every click of the batch hears it
                for _, future in batch:
                    future.set_exception(exc)
                continue
            for (_, future), result in zip(batch, results):
                future.set_result(result)


def places(users: list[str], members: dict[str, int], existing: dict[int, tuple[str, int]], capacity: int | None,
           going: int, waitlisted: int) -> tuple[list[tuple[str, int | None]], list[tuple[int, str]]]:
    """Each click's (status, waitlist place) and the new signups, in arrival order: the join rule by hand."""
    results, new = [], []
    for user in users:
        member_id = members[user]
        if member_id in existing:
            results.append(existing[member_id])
            continue
        status = "waitlist" if capacity is not None and going >= capacity else "going"
        if status == "going":
            going += 1
            place = None
        else:
            waitlisted += 1
            place = waitlisted
        existing[member_id] = (status, place)
        new.append((member_id, status))
        results.append((status, place))
    return results, new


def sqlite_transaction(path: str, action_id: int, platform: str):
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON"):
        conn.execute(f"PRAGMA {pragma}")
    lock = threading.Lock()
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")

    def run(users: list[str]) -> list[tuple[str, int | None]]:
        with lock:
            conn.execute("BEGIN IMMEDIATE")  # SQLite's write lock is the action's lock
            try:
                marks = ",".join("?" * len(users))
                members = dict(conn.execute(f"SELECT user_id, member_id FROM memberidentity WHERE platform = ? "
                                            f"AND user_id IN ({marks})", (platform, *users)))
                (capacity,) = conn.execute("SELECT capacity FROM action WHERE id = ?", (action_id,)).fetchone()
                counts = dict(conn.execute("SELECT status, count(*) FROM signup WHERE action_id = ? GROUP BY status",
                                           (action_id,)))
                ids = list(members.values())
                existing = {m: (s, None) for m, s in conn.execute(
                    f"SELECT member_id, status FROM signup WHERE action_id = ? AND member_id IN "
                    f"({','.join('?' * len(ids))})", (action_id, *ids))}
                results, new = places(users, members, existing, capacity, counts.get("going", 0),
                                      counts.get("waitlist", 0))
                conn.executemany("INSERT INTO signup (action_id, member_id, status, created_at) VALUES (?, ?, ?, ?)",
                                 [(action_id, m, s, stamp) for m, s in new])
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            return results

    async def transaction(users: list[str]) -> list[tuple[str, int | None]]:
        return await asyncio.to_thread(run, users)

    return transaction, conn.close


async def pg_transaction(url: str, action_id: int, platform: str):
    conn = await plain_pg(url)
    stamp = dt.datetime.now(dt.UTC)

    async def transaction(users: list[str]) -> list[tuple[str, int | None]]:
        async with conn.transaction():
            members = dict(await conn.fetch("SELECT user_id, member_id FROM memberidentity WHERE platform = $1 "
                                            "AND user_id = ANY($2::text[])", platform, users))
            capacity = await conn.fetchval("SELECT capacity FROM action WHERE id = $1 FOR UPDATE", action_id)
            counts = dict(await conn.fetch("SELECT status, count(*) FROM signup WHERE action_id = $1 GROUP BY status",
                                           action_id))
            existing = {r["member_id"]: (r["status"], None) for r in await conn.fetch(
                "SELECT member_id, status FROM signup WHERE action_id = $1 AND member_id = ANY($2::int[])",
                action_id, list(members.values()))}
            results, new = places(users, members, existing, capacity, counts.get("going", 0),
                                  counts.get("waitlist", 0))
            await conn.executemany("INSERT INTO signup (action_id, member_id, status, created_at) "
                                   "VALUES ($1, $2, $3, $4)", [(action_id, m, s, stamp) for m, s in new])
        return results

    return transaction, conn.close


async def run_floor(url: str, rate: float, clicks: int, drain: float) -> dict:
    from sqlalchemy.engine import make_url

    from bot import heap

    action_id = await prepare(url, clicks, "console", "m")
    if url.startswith("sqlite"):
        transaction, close = sqlite_transaction(make_url(url).database, action_id, "console")
    else:
        transaction, close = await pg_transaction(url, action_id, "console")
    heap.settle()  # the same collector as the bot's
    floor = Floor()
    writer = asyncio.create_task(floor.writer(transaction))
    confirmed: dict[int, float] = {}

    async def send(i: int, due: float) -> None:
        await floor.join(f"m{i}")
        confirmed[i] = time.monotonic() - due

    try:
        clicking = asyncio.create_task(arrivals(rate, clicks, send))
        await asyncio.wait({clicking}, timeout=clicks / rate + drain + 1)
        clicking.cancel()
    finally:
        writer.cancel()
        await asyncio.gather(writer, return_exceptions=True)
        result = close()
        if asyncio.iscoroutine(result):
            await result
    return {"latencies": confirmed, "errors": 0, **await stored(url, action_id)}


async def stored(url: str, action_id: int) -> dict[str, int | bool]:
    """What the database holds: going, waitlisted, and whether the waitlist is in arrival order."""
    from sqlalchemy import select

    from storage.actions import Signup
    from storage.db import Database
    from storage.members import MemberIdentity

    async def read(session):
        rows = (await session.exec(select(Signup.status, MemberIdentity.user_id)
                                   .join(MemberIdentity, MemberIdentity.member_id == Signup.member_id)
                                   .where(Signup.action_id == action_id).order_by(Signup.id))).all()
        return rows

    db = Database(url)
    try:
        rows = await db.read(read)
    finally:
        await db.close()
    members = [int(user.lstrip("mU")) for _status, user in rows]
    going = sum(1 for status, _ in rows if status == "going")
    return {"going": going, "waitlisted": len(rows) - going, "duplicates": len(rows) - len(set(members)),
            "waitlist_in_order": [m for (s, _), m in zip(rows, members) if s == "waitlist"]
            == sorted(m for (s, _), m in zip(rows, members) if s == "waitlist")}


RUNS = {"floor": run_floor, "core": run_core, "slack": run_slack}


async def measure(args) -> list[list]:
    rows = []
    for rate in args.rates:
        clicks = int(rate * args.seconds)
        results = {}
        for path in args.paths:
            async with database(args.pg) as url:
                results[path] = await RUNS[path](url, rate, clicks, args.drain)
        floor_p99 = percentile(list(results["floor"]["latencies"].values()), 99) if "floor" in results else None
        for path, result in results.items():
            latencies = list(result["latencies"].values())
            p99 = percentile(latencies, 99)
            correct = (result["going"] == clicks // 2 and result["waitlisted"] == clicks - clicks // 2
                       and not result["duplicates"] and (result["waitlist_in_order"] or path == "slack"))
            rows.append([f"{rate:,}/s × {args.seconds:g} s", PATHS[path], percentile(latencies, 50), p99,
                         p99 / floor_p99 if floor_p99 else "—", clicks - len(latencies),
                         "yes" if correct else f"NO ({result['going']} going, {result['waitlisted']} waitlisted)"])
    return rows


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--rates", type=lambda s: [int(r) for r in s.split(",")], default=[200, 500, 1000])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--paths", type=lambda s: s.split(","), default=list(RUNS))
    parser.add_argument("--drain", type=float, default=120.0,
                        help="how long after the last arrival a click may still be confirmed")
    args = parser.parse_args()
    print(machine())
    rows = asyncio.run(measure(args))
    engine = "PostgreSQL" if args.pg else "SQLite"
    print(table(f"Open loop on {engine}: `/action join` from distinct members at a fixed rate, capacity half",
                ["arrivals", "path", "p50 s", "p99 s", "p99 × floor", "unconfirmed", "stored as the rule says"],
                rows))


if __name__ == "__main__":
    main()
