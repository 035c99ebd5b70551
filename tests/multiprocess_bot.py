"""A bot process for the multi-process tests: ``python -m tests.multiprocess_bot MODE --db URL …``.

``deliver`` runs the background worker (jobs and outbox) at a fixed clock until nothing is due,
writing one line per DM to ``--out``; ``join`` and ``answer`` run a burst of commands for many
members at once. Several of these run side by side against one PostgreSQL database.
"""

from __future__ import annotations

import argparse
import asyncio
import os
from datetime import datetime

from bot.app import App
from bot.delivery import Worker
from bot.types import Identity, Message
from commands import build_registry
from storage.db import Database
from tests.support import make_config


class FileSender:
    """Appends each DM as one line; O_APPEND keeps lines from several processes whole."""

    platform = "console"

    def __init__(self, path: str) -> None:
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    async def send_dm(self, user_id: str, message: Message, dedupe: str, retry_since=None) -> None:
        first_line = message.text.splitlines()[0] if message.text else ""
        os.write(self.fd, f"{os.getpid()}\t{user_id}\t{first_line}\n".encode())

    async def post(self, channel_id: str, message: Message, dedupe: str, retry_since=None) -> str:
        return f"{os.getpid()}-{dedupe}"

    async def edit(self, channel_id: str, message_id: str, message: Message) -> None:
        return None


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["deliver", "join", "answer"])
    parser.add_argument("--db", required=True)
    parser.add_argument("--now", required=True)
    parser.add_argument("--out")
    parser.add_argument("--action", type=int)
    parser.add_argument("--poll", type=int)
    parser.add_argument("--members", type=int, default=100)
    args = parser.parse_args()
    now = datetime.fromisoformat(args.now)
    config = make_config(actions={"reminder_hours": [1]})
    app = App(config, build_registry(), db=Database(args.db), platforms=("console",), clock=lambda: now)
    try:
        if args.mode == "deliver":
            worker = Worker(app, {"console": FileSender(args.out)}, concurrency=4)
            idle = 0
            while idle < 3:  # nothing due three times in a row: another process may still hold leases
                idle = 0 if await worker.run_jobs(limit=5) + await worker.deliver(limit=50) else idle + 1
                await asyncio.sleep(0.05 if idle else 0)
        else:
            lines = [f"/action join {args.action}" if args.mode == "join" else
                     f"/readiness answer {args.poll} {1 + (i + os.getpid()) % 4}" for i in range(args.members)]
            replies = await asyncio.gather(*(
                app.run_line(Identity("console", f"m{i}", f"m{i}"), line) for i, line in enumerate(lines)))
            errors = [r.message.text for r in replies if r.error]
            assert not errors, errors[:3]
    finally:
        await app.close()


if __name__ == "__main__":
    asyncio.run(main())
