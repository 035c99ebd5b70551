"""``organizer-bot run`` with platforms configured: each front-end and the delivery worker in one event loop."""

from __future__ import annotations

import asyncio
import logging

from bot import heap
from bot.commandline import make_app
from bot.config import Config
from bot.delivery import Worker

log = logging.getLogger(__name__)


async def run_platforms(config: Config, platforms: list[str]) -> None:
    """Each platform's ``start(app) -> (sender, task)`` gives its outgoing half and its listener."""
    app = make_app(config, platforms)
    await app.start()
    senders, tasks = {}, []
    try:
        for platform in platforms:
            start = config.platforms[platform].start
            assert start is not None, f"{platform} runs in the foreground only"
            sender, task = await start(app)
            senders[platform] = sender
            tasks.append(task)
        tasks.append(asyncio.create_task(Worker(app, senders).run()))
        heap.settle()
        log.info("running %s", ", ".join(platforms))
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
        await app.close()
