"""Effects → outbox and jobs → senders: durable, deduplicated, leased, rate-limited, coalesced."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from bot.app import App
from bot.context import Context
from bot.delivery import Undeliverable, Worker
from bot.registry import Group, Param
from bot.types import Button, Edit, Message, Notify, Post, Reply, Schedule, Unschedule
from commands import build_registry
from storage import jobs, outbox
from storage.db import Database
from storage.outbox import FAILED, SENT, OutboxItem
from tests.support import Harness, RecordingSender, make_config


def _registry():
    registry = build_registry()
    demo = Group("demo", "Demo effects")

    @demo.command("notify", help="DM everyone named", params=[Param("names", "Names", greedy=True)])
    async def notify(ctx: Context, names: str) -> Reply:
        ids = [await _member_id(ctx, n) for n in names.split()]
        return ctx.reply("queued", effects=(Notify(tuple(ids), lambda tr: Message(tr._("Hello from the bot")),
                                                   key="hello", batch="demo"),))

    @demo.command("announce", help="Post and later edit", params=[Param("text", "Text", greedy=True)])
    async def announce(ctx: Context, text: str) -> Reply:
        return ctx.reply("posted", effects=(Post("actions", lambda tr: Message(text, (Button("Go", "/demo edit 1"),)),
                                                 ref="demo:1"),))

    @demo.command("edit", help="Edit the post", params=[Param("count", "Count", type=int)])
    async def edit(ctx: Context, count: int) -> Reply:
        return ctx.reply("edited", effects=(
            Edit("demo:1", lambda tr: Message(f"{count} going", (Button("Go", "/demo edit 1"),))),))

    @demo.command("later", help="Schedule a job", params=[Param("minutes", "Minutes", type=int)])
    async def later(ctx: Context, minutes: int) -> Reply:
        return ctx.reply("scheduled", effects=(
            Schedule("demo.ping", "demo:job", ctx.now + timedelta(minutes=minutes), {"who": ctx.member_id}),))

    @demo.command("cancel", help="Cancel the job")
    async def cancel(ctx: Context) -> Reply:
        return ctx.reply("cancelled", effects=(Unschedule("demo"),))

    async def ping(ctx, who):
        return (Notify((who,), lambda tr: Message("ping"), key="demo-ping"),)

    registry.add(demo)
    registry.add_job("demo.ping", ping)
    return registry


async def _member_id(ctx, name):
    from storage.members import member_for

    return (await member_for(ctx.session, "console", name, name, ctx.now)).id


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
    await app.db.write(lambda s: outbox.claim(s, ["console"], "dead-worker", clock(), timedelta(seconds=30), 100,
                                              app.config.delivery.max_attempts))
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


async def _one_job(session):
    return (await session.exec(select(jobs.Job))).scalar_one()


async def test_a_job_whose_worker_died_is_taken_over_as_a_try_and_failed_when_tries_run_out(db_url, clock):
    app = App(make_config(jobs={"max_attempts": 2}), registry=_registry(), db=Database(db_url), clock=clock)
    await app.start()
    try:
        bot = Harness(app, clock)
        await bot.ok("ana", "/demo later 10")
        clock.advance(minutes=11)
        lease = timedelta(seconds=app.config.delivery.lease_seconds)
        for dead in ("dead-1", "dead-2"):  # a process claims the job and dies before finishing it
            claimed = await app.db.write(lambda s, dead=dead: jobs.claim(s, dead, clock(), lease, 10, 2))
            assert [j.key for j in claimed] == ["demo:job"]
            clock.advance(seconds=lease.total_seconds() + 1)
        job = await app.db.read(_one_job)
        assert (job.status, job.attempts, job.claimed_by) == (jobs.PENDING, 1, "dead-2")
        assert await bot.deliver() == []  # both tries were lost with their workers: failed, not run a third time
        job = await app.db.read(_one_job)
        assert (job.status, job.attempts, job.claimed_by) == (jobs.FAILED, 2, None)
        assert job.error == "its worker stopped before finishing it, too many times"
    finally:
        await app.close()


async def test_a_failing_job_is_retried_after_the_configured_delay_up_to_the_configured_tries(db_url, clock):
    registry = _registry()
    runs = []

    async def broken(ctx, who):
        runs.append(ctx.now)
        raise RuntimeError("the platform was down")

    registry.jobs["demo.ping"] = broken
    app = App(make_config(jobs={"retry_seconds": 120, "max_attempts": 2}), registry=registry, db=Database(db_url),
              clock=clock)
    await app.start()
    try:
        bot = Harness(app, clock)
        await bot.ok("ana", "/demo later 10")
        clock.advance(minutes=11)
        await bot.deliver()
        first = clock()
        clock.advance(seconds=119)
        await bot.deliver()
        assert runs == [first]  # not yet: the retry waits retry_seconds
        clock.advance(seconds=1)
        await bot.deliver()
        clock.advance(minutes=10)
        await bot.deliver()
        assert runs == [first, first + timedelta(seconds=120)]
        job = await app.db.read(_one_job)
        assert (job.status, job.attempts, job.error) == (jobs.FAILED, 2, "RuntimeError")
    finally:
        await app.close()


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


async def test_a_full_claim_is_followed_by_the_next_in_the_same_round_until_one_comes_short(demo, monkeypatch):
    from storage import outbox

    await demo.ok("lead", "/demo notify ana ben cy dee eve")
    log, claims = [], []
    worker = Worker(demo.app, {"console": RecordingSender("console", log)})
    real_claim = outbox.claim

    async def claim(*args, **kwargs):
        claims.append(items := await real_claim(*args, **kwargs))
        return items

    monkeypatch.setattr(outbox, "claim", claim)
    assert await worker.deliver(limit=2) == 5
    assert [len(c) for c in claims] == [2, 2, 1]
    assert sorted(s.target for s in log) == ["ana", "ben", "cy", "dee", "eve"]
    assert await _statuses(demo.app) == {SENT: 5}
    assert await worker.deliver(limit=2) == 0


def _paced_calls(pace, start: float, seconds: float) -> float:
    """Every call the pace lets through from ``start`` for ``seconds``, each accepted at once; the last turn."""
    at = start
    while at < start + seconds:
        at += pace.delay(at)
        pace.sent(at)
    return at


def test_after_a_429_the_pace_cuts_then_climbs_back_to_just_under_the_refused_rate_and_probes_slowly():
    from bot.pace import Pace

    pace = Pace()
    for n in range(200):
        pace.sent(100 + (n + 1) / 200)  # an unpaced burst: 200 accepted in the second before the 429
    assert [pace.delay(101.0) for _ in range(2)] == [0.0, 0.0]  # no 429 yet: no spacing
    pace.limited(101.0, sent_at=100.99, retry_after=1.0)
    assert pace.rate == pytest.approx(160)  # cut to 80% of the refused rate
    pace.limited(101.01, sent_at=100.995, retry_after=1.0)  # sent before the pause: the same refusal
    assert pace.rate == pytest.approx(160)
    assert [round(pace.delay(102.0), 5) for _ in range(3)] == [0.0, 0.00625, 0.0125]  # 160 a second
    at = _paced_calls(pace, 102.0, 10)
    assert 0.97 * 200 < pace.rate <= 0.98 * 200  # back to just under the refused rate within seconds
    _paced_calls(pace, at, 60)
    assert 1.02 * 196 < pace.rate < 1.04 * 196  # then past it by about 3% a minute, to find a raised limit


def test_a_429_soon_after_a_pause_is_measured_on_the_calls_since_the_pause():
    from bot.pace import Pace

    pace = Pace()
    for n in range(200):
        pace.sent(100 + (n + 1) / 200)
    pace.limited(101.0, sent_at=100.99, retry_after=1.0)
    _paced_calls(pace, 102.0, 0.5)  # from 160 a second, climbing, for half a second
    pace.limited(102.5, sent_at=102.49, retry_after=1.0)  # still too fast: ~83 calls in that half second
    assert 0.8 * 160 < pace.rate < 0.8 * 180  # ~166 a second, not ~83 over the whole second before


def test_a_429_after_a_few_calls_pauses_but_does_not_pace():
    from bot.pace import Pace

    pace = Pace()
    for n in range(3):
        pace.sent(100 + n / 10)
    pace.limited(100.5, sent_at=100.4, retry_after=1.0)  # a per-channel limit: Retry-After is enough
    assert [pace.delay(101.5) for _ in range(3)] == [0.0, 0.0, 0.0]


def test_the_pace_holds_while_the_sender_is_slower_and_is_forgotten_after_a_quiet_minute():
    from bot.pace import Pace

    pace = Pace()
    for n in range(200):
        pace.sent(100 + (n + 1) / 200)
    pace.limited(101.0, sent_at=100.99, retry_after=1.0)
    for n in range(1000):  # 50 a second for 20 seconds: the pace is not what limits the calls
        at = 102 + n / 50
        assert pace.delay(at) == 0.0
        pace.sent(at)
    assert pace.rate == pytest.approx(160)  # so it does not grow past what was ever tried
    assert pace.delay(125.0) == 0.0 and pace.delay(125.0) > 0  # still paced a few seconds later
    assert pace.delay(190.0) == 0.0 and pace.delay(190.0) == 0.0  # a minute without calls: forgotten


async def test_an_idle_worker_wakes_when_a_platform_pause_ends_not_a_poll_later(demo):
    import asyncio

    worker = Worker(demo.app, {"console": RecordingSender("console", [])})
    now = asyncio.get_running_loop().time()
    worker._paused_until["console"] = now + 0.25
    assert 0 < worker._idle() <= 0.25 < demo.app.config.delivery.poll_seconds
    worker._paused_until["console"] = now - 1
    assert worker._idle() == demo.app.config.delivery.poll_seconds


async def test_a_call_waiting_its_turn_waits_out_a_pause_that_began_meanwhile(demo):
    import asyncio

    from bot.pace import Pace

    loop = asyncio.get_running_loop()
    worker = Worker(demo.app, {"console": RecordingSender("console", [])})
    pace, now = Pace(), loop.time()
    for n in range(20):
        pace.sent(now - 1 + (n + 1) / 20)
    pace.limited(now, sent_at=now, retry_after=0.0)  # paced to 16 calls a second
    await worker._turn("console", pace)
    waiting = asyncio.ensure_future(worker._turn("console", pace))
    await asyncio.sleep(0)  # it has taken its turn, ~60 ms away
    worker._paused_until["console"] = loop.time() + 0.2  # another call got a 429 meanwhile
    await waiting
    assert loop.time() >= worker._paused_until["console"]  # it did not go during the pause
