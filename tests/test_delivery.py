"""Effects → outbox and jobs → senders: durable, deduplicated, leased, rate-limited, coalesced."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from bot.app import App
from bot.delivery import Undeliverable, Worker
from bot.registry import Group, Param
from bot.types import Button, Edit, Message, Notify, Post, Schedule, Unschedule
from commands import build_registry
from storage.db import Database
from storage.outbox import FAILED, SENT, OutboxItem
from tests.support import Harness, RecordingSender, make_config


def _registry():
    registry = build_registry()
    demo = Group("demo", "Demo effects")

    @demo.command("notify", help="DM everyone named", params=[Param("names", "Names", greedy=True)])
    async def notify(ctx, names):
        ids = [await _member_id(ctx, n) for n in names.split()]
        return ctx.reply("queued", effects=(Notify(tuple(ids), lambda tr: Message(tr._("Hello from the bot")),
                                                   key="hello", batch="demo"),))

    @demo.command("announce", help="Post and later edit", params=[Param("text", "Text", greedy=True)])
    async def announce(ctx, text):
        return ctx.reply("posted", effects=(Post("actions", lambda tr: Message(text, (Button("Go", "/demo edit 1"),)),
                                                 ref="demo:1"),))

    @demo.command("edit", help="Edit the post", params=[Param("count", "Count", type=int)])
    async def edit(ctx, count):
        return ctx.reply("edited", effects=(
            Edit("demo:1", lambda tr: Message(f"{count} going", (Button("Go", "/demo edit 1"),))),))

    @demo.command("later", help="Schedule a job", params=[Param("minutes", "Minutes", type=int)])
    async def later(ctx, minutes):
        return ctx.reply("scheduled", effects=(
            Schedule("demo.ping", "demo:job", ctx.now + timedelta(minutes=minutes), {"who": ctx.member_id}),))

    @demo.command("cancel", help="Cancel the job")
    async def cancel(ctx):
        return ctx.reply("cancelled", effects=(Unschedule("demo"),))

    async def ping(ctx, who):
        return (Notify((who,), lambda tr: Message("ping"), key="demo-ping"),)

    registry.add(demo)
    registry.add_job("demo.ping", ping)
    return registry


async def _member_id(ctx, name):
    from storage.members import member_for

    return (await member_for(ctx.session, "console", name, name)).id


@pytest.fixture
async def demo(db_url, clock):
    app = App(make_config(), registry=_registry(), db=Database(db_url), platforms=("console",), clock=clock)
    await app.start()
    yield Harness(app, clock)
    await app.close()


async def _statuses(app):
    async def q(s):
        return dict((await s.exec(select(OutboxItem.status, func.count()).group_by(OutboxItem.status))).all())
    return await app.db.read(q)


async def test_a_notice_reaches_each_member_once_even_when_repeated(demo):
    await demo.ok("lead", "/demo notify ana ben ana")
    await demo.ok("lead", "/demo notify ana ben")  # same key: already queued, never twice
    sent = await demo.deliver()
    assert sorted((s.kind, s.target, s.text) for s in sent) == [
        ("dm", "ana", "Hello from the bot"), ("dm", "ben", "Hello from the bot")]
    assert await demo.deliver() == []


async def test_notices_follow_each_recipients_language(demo):
    await demo.ok("ana", "/member lang es")
    await demo.ok("lead", "/demo notify ana ben")
    sent = {s.target: s.text for s in await demo.deliver()}
    assert sent == {"ana": "Hello from the bot", "ben": "Hello from the bot"}  # no catalog entry: English for both


async def test_edits_wait_for_the_post_then_coalesce_and_respect_the_interval(demo, clock):
    await demo.ok("lead", "/demo announce Picket Monday")
    await demo.ok("lead", "/demo edit 1")  # before the post went out: folded into the post itself
    sent = await demo.deliver()
    assert [(s.kind, s.text) for s in sent] == [("post", "1 going")]
    assert sent[0].message.buttons[0].command == "/demo edit 1"
    await demo.ok("lead", "/demo edit 2")
    assert [(s.kind, s.text) for s in await demo.deliver()] == [("edit", "2 going")]
    for n in (3, 4, 5):
        await demo.ok("lead", f"/demo edit {n}")
    assert await demo.deliver() == []  # within the interval after the last edit: held back
    clock.advance(seconds=3)
    assert [(s.kind, s.text) for s in await demo.deliver()] == [("edit", "5 going")]


async def test_rate_limits_slow_the_sender_without_dropping_or_duplicating(demo, clock):
    demo.senders["console"].rate_limit_next = 3
    await demo.ok("lead", "/demo notify ana ben cy dee")
    sent = []
    for _ in range(10):
        sent += await demo.deliver()
        clock.advance(seconds=1)  # past Retry-After
        if len(sent) == 4:
            break
    assert sorted(s.target for s in sent) == ["ana", "ben", "cy", "dee"]
    assert await _statuses(demo.app) == {SENT: 4}


async def test_a_dead_workers_claim_is_taken_over_after_the_lease(demo, clock):
    await demo.ok("lead", "/demo notify ana ben")
    app = demo.app
    await app.db.write(lambda s: __import__("storage.outbox", fromlist=["claim"]).claim(
        s, ["console"], "dead-worker", clock(), timedelta(seconds=30), 100))
    assert await demo.deliver() == []  # still leased to the dead worker
    clock.advance(seconds=31)
    assert sorted(s.target for s in await demo.deliver()) == ["ana", "ben"]


async def test_permanent_failures_are_marked_failed_and_transient_ones_retried(demo, clock):
    log = []
    sender = RecordingSender("console", log)

    async def refuse(user_id, message, dedupe, retry_since=None):
        raise Undeliverable("dm closed")

    sender.send_dm = refuse
    worker = Worker(demo.app, {"console": sender})
    await demo.ok("lead", "/demo notify ana")
    await worker.drain()
    assert await _statuses(demo.app) == {FAILED: 1}
    demo.senders["console"].fail_next = 1
    await demo.ok("lead", "/demo notify ben")
    await demo.deliver()
    assert demo.sent == []
    clock.advance(seconds=2)
    assert [s.target for s in await demo.deliver()] == ["ben"]


async def test_jobs_run_once_when_due_and_can_be_cancelled(demo, clock):
    await demo.ok("ana", "/demo later 10")
    assert await demo.deliver() == []
    clock.advance(minutes=11)
    assert [(s.target, s.text) for s in await demo.deliver()] == [("ana", "ping")]
    clock.advance(minutes=60)
    assert await demo.deliver() == []
    await demo.ok("ana", "/demo later 10")  # rescheduling a job that ran makes it due again
    await demo.ok("ana", "/demo cancel")
    clock.advance(minutes=11)
    assert await demo.deliver() == []


async def test_two_workers_share_due_jobs_and_notices_exactly_once(demo, clock):
    for name in ("ana", "ben", "cy"):
        await demo.ok(name, "/demo notify ana ben cy dee eve")
    log = []
    workers = [Worker(demo.app, {"console": RecordingSender("console", log)}) for _ in range(2)]
    import asyncio

    await asyncio.gather(*(w.drain() for w in workers))
    assert sorted(s.target for s in log) == ["ana", "ben", "cy", "dee", "eve"]


async def test_sent_marks_are_batched_and_skip_failed_sends_and_lost_leases(demo, monkeypatch):
    from storage import outbox

    await demo.ok("lead", "/demo notify ana ben cy dee eve fay")
    app, log, marks = demo.app, [], []
    sender = RecordingSender("console", log)
    worker = Worker(app, {"console": sender})
    plain_send = sender.send_dm

    async def send_dm(user_id, message, dedupe, retry_since=None):
        if user_id == "cy":
            raise ConnectionError("platform down")
        if user_id == "dee":  # the lease ran out while Slack took its time: another worker owns the row now
            await app.db.write(lambda s: s.exec(update(OutboxItem).where(OutboxItem.target == "dee")
                                                .values(claimed_by="other-worker")))
        return await plain_send(user_id, message, dedupe, retry_since)

    real_mark = outbox.mark_sent

    async def mark_sent(session, sent, worker_id, now):
        marks.append(sorted(sent))
        return await real_mark(session, sent, worker_id, now)

    sender.send_dm = send_dm
    monkeypatch.setattr(outbox, "mark_sent", mark_sent)
    await worker.deliver()

    async def q(s):
        return {i.target: (i.status, i.claimed_by, i.attempts)
                for i in (await s.exec(select(OutboxItem))).scalars()}
    assert await app.db.read(q) == {
        "ana": (SENT, None, 1), "ben": (SENT, None, 1), "eve": (SENT, None, 1), "fay": (SENT, None, 1),
        "cy": ("pending", None, 1),  # failed: put back for a retry, never marked
        "dee": ("pending", "other-worker", 0)}  # sent here, but not this worker's to mark
    assert sorted(s.target for s in log) == ["ana", "ben", "dee", "eve", "fay"]
    assert len(marks) < 5 and sum(map(len, marks)) == 5  # five sends, marked in fewer statements


def test_after_a_429_calls_are_spaced_to_just_under_what_the_platform_accepted():
    from bot.delivery import _Pace

    pace = _Pace()
    for n in range(30):
        pace.sent(100 + n / 20)  # 30 accepted over 1.5 seconds, the last 20 within the last second
    assert [pace.delay(101.5) for _ in range(2)] == [0.0, 0.0]  # no 429 yet: no spacing
    pace.limited(101.5)
    assert [round(pace.delay(101.5), 4) for _ in range(3)] == [0.0, 0.0515, 0.1031]  # 19.4 a second
    for n in range(10):
        pace.sent(103 + n / 10)
    pace.limited(103.95)  # fewer accepted in the second before this 429: slower still
    assert round(pace.interval, 4) == round(1 / (10 * 0.97), 4)
    assert pace.delay(200.0) == 0.0 and pace.delay(200.0) == 0.0  # held 30 s after the last 429, then dropped


def test_a_429_after_a_few_calls_pauses_but_does_not_pace():
    from bot.delivery import _Pace

    pace = _Pace()
    for n in range(3):
        pace.sent(100 + n / 10)
    pace.limited(100.5)  # a per-channel limit: Retry-After is enough
    assert [pace.delay(100.5) for _ in range(3)] == [0.0, 0.0, 0.0]
