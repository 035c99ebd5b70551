"""Delivery guarantees of a bargaining update's DM fan-out: each subscriber gets it exactly once when a
worker dies halfway, when the platform is down for a moment, and when it answers 429 with Retry-After."""

import asyncio
from collections import Counter

from bot.delivery import RateLimited, Worker
from tests.support import RecordingSender

REP = {"role": "rep", "site": "Escalante Elementary"}
MEMBERS = [f"member{i:02d}" for i in range(12)]


async def post_to_subscribers(bot, members=MEMBERS):
    for name in members:
        await bot.ok(name, "/bargaining subscribe")
    await bot.ok("rosa", '/bargaining post "Session 4" "Same one-time 2% raise."', **REP)


async def after_retry_after(clock, seconds=1):
    """Let a Retry-After lapse: the stored retry time (fake clock) and the worker's pause (real time, 0.01 s
    in :class:`RecordingSender`)."""
    clock.advance(seconds=seconds)
    await asyncio.sleep(0.02)


def dm_counts(sent) -> Counter:
    return Counter(s.target for s in sent if s.kind == "dm")


async def delivery(bot) -> str:
    return await bot.ok("rosa", "/bargaining delivery 1", **REP)


class InterruptedSender(RecordingSender):
    """Sends ``allowed`` DMs, then runs ``interrupt`` once on the next: hang forever (a process killed
    mid-batch) or raise (a long 429)."""

    def __init__(self, platform, log, allowed, interrupt):
        super().__init__(platform, log)
        self.allowed = allowed
        self.interrupt = interrupt
        self.interrupted = asyncio.Event()

    async def send_dm(self, user_id, message, dedupe, retry_since=None):
        if self.allowed == 0 and not self.interrupted.is_set():
            self.interrupted.set()
            await self.interrupt()
        self.allowed -= 1
        return await super().send_dm(user_id, message, dedupe, retry_since)


def hang():
    return asyncio.Event().wait()


async def slow_rate_limit():
    """A 429 whose Retry-After outlasts the time another worker needs to take the rest of the batch over."""
    raise RateLimited(0.3)


async def test_a_worker_killed_halfway_is_replaced_after_its_lease_and_nobody_gets_it_twice(bot, app, clock):
    await post_to_subscribers(bot)
    dying = Worker(app, {"console": InterruptedSender("console", bot.sent, 5, hang)}, concurrency=1)
    task = asyncio.create_task(dying.deliver())
    await dying.senders["console"].interrupted.wait()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert sum(dm_counts(bot.sent).values()) == 5
    assert await delivery(bot) == "Update #1: 5 sent, 7 waiting, 0 failed."

    successor = Worker(app, {"console": RecordingSender("console", bot.sent)})
    assert successor.id != dying.id
    await successor.drain()
    assert sum(dm_counts(bot.sent).values()) == 5, "the dead worker's lease still holds"
    clock.advance(seconds=app.config.delivery.lease_seconds + 1)
    await successor.drain()
    assert dm_counts(bot.sent) == Counter(MEMBERS)
    assert await delivery(bot) == "Update #1: 12 sent, 0 waiting, 0 failed."


async def test_a_platform_outage_is_retried_without_dropping_or_duplicating(bot, clock):
    await post_to_subscribers(bot)
    bot.senders["console"].fail_next = 4  # the channel post, first in the queue, takes the first failure
    await bot.deliver()
    assert sum(dm_counts(bot.sent).values()) == 9
    assert await delivery(bot) == "Update #1: 9 sent, 3 waiting, 0 failed."
    clock.advance(seconds=5)
    await bot.deliver()
    assert dm_counts(bot.sent) == Counter(MEMBERS)
    assert [s.target for s in bot.sent if s.kind == "post"] == ["#announcements"]


async def test_429_is_retried_after_its_retry_after_and_nothing_is_dropped_or_duplicated(bot, clock):
    await post_to_subscribers(bot)
    bot.senders["console"].rate_limit_next = 4  # the channel post, first in the queue, takes the first 429
    await bot.deliver()
    assert await delivery(bot) == "Update #1: 9 sent, 3 waiting, 0 failed."
    await after_retry_after(clock)
    await bot.deliver()
    assert dm_counts(bot.sent) == Counter(MEMBERS)
    assert await delivery(bot) == "Update #1: 12 sent, 0 waiting, 0 failed."


async def test_many_429s_do_not_use_up_the_tries_for_real_failures(bot, app, clock):
    await post_to_subscribers(bot, ["maria"])
    sender = bot.senders["console"]
    sender.rate_limit_next = 2 * app.config.delivery.max_attempts  # the post and the DM, max_attempts times each
    while sender.rate_limit_next:
        await bot.deliver()
        await after_retry_after(clock)
    sender.fail_next = 2
    await bot.deliver()
    assert sender.fail_next == 0
    assert await delivery(bot) == "Update #1: 0 sent, 1 waiting, 0 failed."
    clock.advance(seconds=5)
    await bot.deliver()
    assert dm_counts(bot.sent) == {"maria": 1}


async def test_a_worker_paused_past_its_lease_does_not_resend_what_another_worker_took_over(bot, app, clock):
    await post_to_subscribers(bot)
    paused = Worker(app, {"console": InterruptedSender("console", bot.sent, 0, slow_rate_limit)}, concurrency=1)
    task = asyncio.create_task(paused.deliver())
    await paused.senders["console"].interrupted.wait()
    clock.advance(seconds=app.config.delivery.lease_seconds + 1)
    await Worker(app, {"console": RecordingSender("console", bot.sent)}).drain()
    await task
    assert dm_counts(bot.sent) == Counter(MEMBERS)
