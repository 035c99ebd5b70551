"""Fan-out at the rate limit: one bargaining update DMed to N subscribers through the Slack sender and
the outbox Worker, against a fake Slack Web API on 127.0.0.1 that allows L calls a second per method.

    python bench/fanout.py [--subscribers 35000] [--limit 500] [--no-kill] [--pg URL]

Three processes: the fake Slack (answers 429 with ``Retry-After: 1`` past L calls of a method within
one wall-clock second, and counts the DMs each user received), the bot's delivery worker
(``bot.delivery.Worker`` with ``SlackSender``, as ``organizer-bot run`` has it) and this driver, which
posts the update through the core (``/bargaining post`` as a leader; every roster member subscribed)
and watches. The ceiling is the limit itself: achieved DMs a second ÷ L. A second run SIGKILLs the
worker when half the DMs are out and starts a new one; every subscriber must still get the update,
exactly once: a DM Slack accepted but the killed worker had not marked sent is found by its metadata
in the DM's history (``conversations.history``, which the fake answers too) instead of being resent.
A duplicate would be counted, not hidden.
Targets (issue 10): ≥ 90% of the limit, exactly N DMs, exactly N after the kill.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import subprocess
import sys
import time
from collections import Counter

from common import PYTHON, ROOT, arguments, bench_config, database, measure_and_report, seed_members, table

LEASE_SECONDS = 5  # how long a killed worker's claimed rows wait before the next worker may take them


def config(db_url: str, fake_url: str):
    return bench_config(db_url, slack={"mode": "http", "api_base_url": f"{fake_url}/api/"},
                        secrets={"slack_bot_token": "xoxb-bench", "slack_signing_secret": "bench"},
                        channels={"announcements": {"slack": "CANNOUNCE"}},
                        roles={"leaders": [{"match": ["slack:ULEAD"]}]},
                        bargaining={"subscribe_roster_by_default": True},
                        delivery={"lease_seconds": LEASE_SECONDS})


def serve_fake(limit: int) -> None:
    """In a child process: Slack's Web API as far as a DM needs it, rate-limited per method and second."""
    from aiohttp import web

    from tests.slack.fake_slack import history_page

    calls: Counter[tuple[str, int]] = Counter()
    dms: Counter[str] = Counter()
    history: dict[str, list[dict]] = {}  # channel → messages, oldest first (with the metadata the bot sent)
    refused = Counter()
    first_last: list[float] = []

    async def api(request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = {**request.query, **await request.post()} if request.content_type != "application/json" \
            else await request.json()
        now = time.time()
        second = int(now)
        if calls[(method, second)] >= limit:
            refused[method] += 1
            return web.json_response({"ok": False, "error": "ratelimited"}, status=429,
                                     headers={"Retry-After": "1"})
        calls[(method, second)] += 1
        if method == "conversations.open":
            return web.json_response({"ok": True, "channel": {"id": f"D{params['users']}"}})
        if method == "chat.postMessage":
            channel = params["channel"]  # a DM's D… ID, or a user ID, which Slack takes to mean the DM
            if channel.startswith(("D", "U")):
                user = channel.removeprefix("D")
                dms[user] += 1
                first_last[:] = [first_last[0] if first_last else now, now]
                channel = f"D{user}"
            message = {"type": "message", "ts": f"{now:.6f}", "metadata": params.get("metadata")}
            history.setdefault(channel, []).append(message)
            return web.json_response({"ok": True, "channel": channel, "ts": message["ts"]})
        if method == "conversations.history":
            return web.json_response({"ok": True, **history_page(history, params)})
        return web.json_response({"ok": True})

    async def stats(_request: web.Request) -> web.Response:
        return web.json_response({"dms": sum(dms.values()), "users": len(dms),
                                  "duplicates": sum(n - 1 for n in dms.values() if n > 1),
                                  "refused": dict(refused), "first": first_last[0] if first_last else None,
                                  "last": first_last[1] if first_last else None})

    async def main() -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", api)
        app.router.add_get("/stats", stats)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        host, port = runner.addresses[0][:2]
        print(f"http://{host}:{port}", flush=True)
        await asyncio.Event().wait()

    asyncio.run(main())


def run_worker(db_url: str, fake_url: str, concurrency: int) -> None:
    """In a child process: the outbox worker with the Slack sender, as ``organizer-bot run`` runs it."""
    from bot.adapters.slack.frontend import SlackFrontEnd
    from bot.app import App
    from bot.delivery import Worker
    from commands import build_registry

    async def main() -> None:
        app = App(config(db_url, fake_url), build_registry(), platforms=("slack",))
        worker = Worker(app, {"slack": SlackFrontEnd(app).sender}, concurrency=concurrency)
        print("ready", flush=True)
        await worker.run()

    asyncio.run(main())


def child(*args: str) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([PYTHON, __file__, *args], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    return proc, proc.stdout.readline().strip()


async def stats(fake_url: str) -> dict:
    import aiohttp

    async with aiohttp.ClientSession() as session, session.get(f"{fake_url}/stats") as resp:
        return json.loads(await resp.text())


async def post_update(url: str, fake_url: str, subscribers: int) -> None:
    from bot.app import App
    from bot.types import Identity
    from commands import build_registry

    app = App(config(url, fake_url), build_registry(), platforms=("slack",))
    await app.start()
    try:
        await seed_members(app, subscribers, sites=500, platform="slack", prefix="U")
        reply = await app.run_line(Identity("slack", "ULEAD", "Lead"),
                                   "/bargaining post Tentative agreement on class size. Details at the meeting.")
        assert not reply.error, reply.message.text
    finally:
        await app.close()


async def fan_out(args, *, kill: bool) -> dict:
    fake, fake_url = child("--serve-fake", str(args.limit))
    try:
        async with database(args.pg) as url:
            await post_update(url, fake_url, args.subscribers)
            worker, _ = child("--worker", "--db", url, "--fake", fake_url, "--concurrency", str(args.concurrency))
            start = time.time()
            killed_at = None
            deadline = time.monotonic() + max(600, 4 * args.subscribers / args.limit)
            while (seen := await stats(fake_url))["users"] < args.subscribers and time.monotonic() < deadline:
                if kill and killed_at is None and seen["dms"] >= args.subscribers // 2:
                    worker.send_signal(signal.SIGKILL)
                    worker.wait()
                    killed_at = seen["dms"]
                    worker, _ = child("--worker", "--db", url, "--fake", fake_url,
                                      "--concurrency", str(args.concurrency))
                await asyncio.sleep(0.05)
            await asyncio.sleep(2 * LEASE_SECONDS)  # anything left to (re)send would show up by now
            seen = await stats(fake_url)
            worker.kill()
            worker.wait()
    finally:
        fake.kill()
        fake.wait()
    span = (seen["last"] or start) - (seen["first"] or start)
    return {**seen, "rate": seen["dms"] / span if span else 0.0, "killed_at": killed_at}


def report(args, runs: list[tuple[str, dict]]) -> str:
    engine = "PostgreSQL" if args.pg else "SQLite"
    rows = [[name, r["dms"], r["users"], r["duplicates"], r["rate"], r["rate"] / args.limit,
             r["refused"].get("chat.postMessage", 0)] for name, r in runs]
    return table(f"Fan-out on {engine}: one bargaining update to {args.subscribers:,} subscribers, fake Slack "
                 f"limit {args.limit}/s per method", ["run", "DMs", "members reached", "duplicates", "DMs/s",
                                                     "× limit", "429s"], rows) + \
        "\ntargets: ≥ 0.9× the limit; DMs = members reached = subscribers, no duplicates\n"


async def measure(args) -> list[tuple[str, dict]]:
    runs = [("uninterrupted", await fan_out(args, kill=False))]
    if not args.no_kill:
        killed = await fan_out(args, kill=True)
        runs.append((f"SIGKILL at {killed['killed_at']:,} DMs, restarted", killed))
    return runs


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--subscribers", type=int, default=35_000)
    parser.add_argument("--limit", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=8, help="the worker's sends in flight (its default: 8)")
    parser.add_argument("--no-kill", action="store_true", help="skip the run with a SIGKILL halfway")
    parser.add_argument("--serve-fake", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--fake", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_fake:
        return serve_fake(args.serve_fake)
    if args.worker:
        return run_worker(args.db, args.fake, args.concurrency)
    measure_and_report(args, measure, report)


if __name__ == "__main__":
    sys.exit(main())
