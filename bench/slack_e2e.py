"""Slack end to end: signed `/action join <id>` slash commands over real HTTP to the bot's own server.

    python bench/slack_e2e.py [--commands 5000] [--concurrency 50] [--reps 3] [--pg URL]

Three processes on 127.0.0.1: the fake Slack Web API (tests/slack/fake_slack.py: users.info, the
response_urls), the server under test, and this client, which sends N slash commands from N distinct
users with C in flight and records each request's time to ack (the HTTP response Slack waits for).
The server under test is, in turn, the bot (``SlackFrontEnd.serve_http`` on the real app and a fresh
database, its commands run by a command process as configured by default) and a bare slack-bolt
``AsyncApp`` whose only listener acks, served by the same aiohttp stack (the bot's own ``web_app``,
with its bolt app swapped). ``--inline`` adds the bot with ``command_processes = 0`` (commands in
the acking process), for a before/after in the same run. The bot answers after the ack, so its
row also says when the last signup was stored (polled in the database) — every one must be.
Targets (issue 10): throughput ≥ 0.8× the bare app's, p99 time to ack ≤ 2× the bare p99.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

from common import (
    PYTHON,
    ROOT,
    arguments,
    bench_config,
    database,
    measure_and_report,
    median,
    percentile,
    table,
)

sys.path.insert(0, str(ROOT))
from tests.slack.payloads import SIGNING_SECRET, form_body, signed_headers, slash  # noqa: E402

KINDS = {"bot": "bot (acks; 1 command process does the work)",
         "inline": "bot, command_processes = 0 (work in the acking process)",
         "bare": "bare slack-bolt AsyncApp, ack only"}


def serve(kind: str, fake_url: str, db_url: str) -> None:
    """In a child process: the server under test, printing its URL once it listens."""
    from slack_bolt.app.async_app import AsyncApp

    from bot import heap
    from bot.adapters.slack.frontend import EVENTS_PATH, SlackFrontEnd
    from bot.app import App
    from commands import build_registry

    async def main() -> None:
        config = bench_config(db_url, slack={"mode": "http", "api_base_url": f"{fake_url}/api/",
                                             "command_processes": 1 if kind == "bot" else 0},
                              secrets={"slack_bot_token": "xoxb-bench", "slack_signing_secret": SIGNING_SECRET})
        app = App(config, build_registry(), platforms=("slack",))
        front = SlackFrontEnd(app)
        if kind == "bare":
            front.bolt = AsyncApp(client=front.client, signing_secret=SIGNING_SECRET)

            @front.bolt.command("/action")
            async def only_ack(ack) -> None:
                await ack()
        runner = await front.serve_http("127.0.0.1", 0)
        heap.settle()  # as bot.runner does once a platform has started
        host, port = runner.addresses[0][:2]
        print(f"http://{host}:{port}{EVENTS_PATH}", flush=True)
        await asyncio.Event().wait()

    asyncio.run(main())


def serve_fake() -> None:
    """The fake Slack stands in for Slack's servers, whose CPU is never the bot's: at the lowest
    priority it does not take CPU from the server under test or the client sending the commands."""
    from bot.handoff import yield_cpu
    from tests.slack.fake_slack import FakeSlack

    yield_cpu()

    async def main() -> None:
        fake = FakeSlack()
        await fake.start()
        print(fake.url, flush=True)
        await asyncio.Event().wait()

    asyncio.run(main())


def child(*args: str) -> tuple[subprocess.Popen, str]:
    """A server in its own process group, so :func:`stop` also ends the bot's command process."""
    proc = subprocess.Popen([PYTHON, __file__, *args], stdout=subprocess.PIPE, text=True, cwd=ROOT,
                            start_new_session=True)
    return proc, proc.stdout.readline().strip()


def stop(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


async def prepare(url: str) -> int:
    """Schema and one open action; the members are new to the bot, as on a first big day."""
    from bot.app import App
    from bot.clock import system_clock
    from commands import build_registry
    from storage.actions import Action

    app = App(bench_config(url), build_registry())
    await app.start()

    async def create(session) -> int:
        now = system_clock()
        action = Action(title="Strike vote rally", kind="rally", starts_at=now + timedelta(days=3),
                        location="City hall", created_at=now)
        session.add(action)
        await session.flush()
        return action.id

    try:
        return await app.db.write(create)
    finally:
        await app.close()


async def signups(url: str) -> int:
    from sqlalchemy import func, select

    from storage.actions import Signup
    from storage.db import Database

    db = Database(url)
    try:
        return await db.read(lambda s: _count(s, select(func.count()).select_from(Signup)))
    finally:
        await db.close()


async def _count(session, stmt) -> int:
    return (await session.exec(stmt)).scalar_one()


async def blast(url: str, action_id: int, commands: int, concurrency: int, respond: str) -> list[float]:
    """Send every command (signed beforehand), ``concurrency`` at a time; each one's seconds to ack."""
    import aiohttp

    requests = []
    for i in range(commands):
        body = form_body(slash("/action", f"join {action_id}", user=f"U{i:06d}", response_url=f"{respond}/u{i}"))
        requests.append((body.encode(), signed_headers(body)))
    queue = iter(requests)
    latencies: list[float] = []

    async def worker(session: aiohttp.ClientSession) -> None:
        for body, headers in queue:
            start = time.perf_counter()
            async with session.post(url, data=body, headers=headers) as resp:
                await resp.read()
                assert resp.status == 200, resp.status
            latencies.append(time.perf_counter() - start)

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
    return latencies


async def one_run(kind: str, fake_url: str, args) -> dict[str, float]:
    async with database(args.pg) as url:
        action_id = await prepare(url)
        proc, server = child("--serve", kind, "--fake", fake_url, "--db", url)
        try:
            start = time.perf_counter()
            latencies = await blast(server, action_id, args.commands, args.concurrency, f"{fake_url}/respond")
            acked = time.perf_counter() - start
            stored, done = 0, acked
            if kind != "bare":
                deadline = time.monotonic() + 600
                while (stored := await signups(url)) < args.commands and time.monotonic() < deadline:
                    await asyncio.sleep(0.2)
                done = time.perf_counter() - start
        finally:
            stop(proc)
    return {"throughput": args.commands / acked, "p50": percentile(latencies, 50), "p99": percentile(latencies, 99),
            "done": done, "stored": stored}


async def side_by_side(kinds, run, args) -> dict[str, list[dict[str, float]]]:
    """``run(kind, fake_url, args)`` for each kind in turn, ``args.reps`` times, against one fake Slack."""
    fake, fake_url = child("--serve-fake")
    runs: dict[str, list[dict[str, float]]] = {kind: [] for kind in kinds}
    try:
        for _ in range(args.reps):
            for kind in kinds:
                runs[kind].append(await run(kind, fake_url, args))
    finally:
        stop(fake)
    return runs


async def measure(args) -> dict[str, list[dict[str, float]]]:
    return await side_by_side(("bare", "bot", "inline") if args.inline else ("bare", "bot"), one_run, args)


def report(args, runs) -> str:
    def med(kind: str, key: str) -> float:
        return median([r[key] for r in runs[kind]])

    bare_tp, bare_p99 = med("bare", "throughput"), med("bare", "p99")
    rows = [[KINDS[kind], med(kind, "throughput"), med(kind, "throughput") / bare_tp, med(kind, "p50") * 1e3,
             med(kind, "p99") * 1e3, med(kind, "p99") / bare_p99, "—" if kind == "bare" else med(kind, "done")]
            for kind in (*(k for k in runs if k != "bare"), "bare")]
    stored = {kind: [int(r["stored"]) for r in runs[kind]] for kind in runs if kind != "bare"}
    complete = all(s == args.commands for counts in stored.values() for s in counts)
    engine = "PostgreSQL" if args.pg else "SQLite"
    return table(f"Slack end to end on {engine}: {args.commands:,} signed `/action join` over HTTP, "
                 f"{args.concurrency} in flight (median of {args.reps})",
                 ["server", "acks/s", "× bare", "p50 ack ms", "p99 ack ms", "p99 × bare", "all stored after s"],
                 rows) + (f"\ntargets: ≥ 0.8× throughput, p99 ≤ 2×; signups stored per run: {stored} "
                          f"({'all' if complete else 'MISSING SOME'})\n")


def main() -> None:
    parser = arguments(__doc__, reps=3)
    parser.add_argument("--commands", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--inline", action="store_true", help="also measure the bot with command_processes = 0")
    parser.add_argument("--serve", choices=tuple(KINDS), help=argparse.SUPPRESS)
    parser.add_argument("--serve-fake", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--fake", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_fake:
        return serve_fake()
    if args.serve:
        return serve(args.serve, args.fake, args.db)
    measure_and_report(args, measure, report)


if __name__ == "__main__":
    main()
