"""Background work, claimed through the database so any number of processes share it safely:
the outbox (DMs, posts, edits) and scheduled jobs (reminders, poll closing).

A front-end supplies a :class:`Sender` per platform; it translates a message into the platform's
call and raises :class:`RateLimited` or :class:`Undeliverable`. Everything else — leases,
retries, pacing, exactly-once marking — is here.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.effects import from_payload
from bot.home import invocation
from bot.pace import Pace
from bot.types import Home, Listing, Message
from storage import homes, jobs, listings, outbox, unreached
from storage.sql import id_of

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)


class RateLimited(Exception):
    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limited for {retry_after:.1f}s")
        self.retry_after = retry_after


class Undeliverable(Exception):
    """The platform refused for good (DMs closed, channel gone): retrying would not help."""


class Unreachable(Undeliverable):
    """A DM the member's account refuses for good: ``reason`` is :data:`CLOSED` (it takes no DMs from the bot)
    or :data:`GONE` (deactivated, or no such account). The account is recorded (:mod:`storage.unreached`), so no
    later DM is sent into the same refusal, and the member is listed for follow-up in person."""

    CLOSED = "closed"
    GONE = "gone"

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


@runtime_checkable
class HomeSender(Protocol):
    """The sender of a platform that keeps a page per member (its descriptor's ``home``)."""

    async def publish_home(self, user_id: str, home: Home) -> None: ...


@runtime_checkable
class ListingSender(Protocol):
    """The sender of a platform that lists events natively (its descriptor's ``lists_events``)."""

    async def publish_listing(self, listing: Listing | None, copy: str | None,
                              retry_since: datetime | None = None) -> str | None:
        """Bring the platform's copy in step with ``listing``: create it (``copy`` None), change it, or take it
        down (``listing`` None). Returns the copy's id now, None when there is none. With ``retry_since``, an
        earlier try may have created it: look for that copy before creating another."""
        ...


class Sender(Protocol):
    """``dedupe`` is the same on every try of one outbox row; ``retry_since`` is set when an earlier try
    may have reached the platform (it failed without an answer, or its worker died before marking it):
    a platform without an idempotency key looks for what arrived since then before sending again."""

    platform: str

    async def send_dm(self, user_id: str, message: Message, dedupe: str,
                      retry_since: datetime | None = None) -> str | None: ...

    async def post(self, channel_id: str, message: Message, dedupe: str,
                   retry_since: datetime | None = None) -> str: ...

    async def edit(self, channel_id: str, message_id: str, message: Message) -> None: ...


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class Worker:
    """Drains the outbox through the senders and runs due jobs, until stopped."""

    def __init__(self, app: App, senders: dict[str, Sender], *, concurrency: int = 8) -> None:
        self.app = app
        self.senders = senders
        self.id = worker_id()
        self.concurrency = concurrency
        self._paused_until: dict[str, float] = {}
        self._paces: dict[str, Pace] = {}
        self._wake = asyncio.Event()
        self._listing = asyncio.Lock()  # one copy written at a time: two creations would list the event twice
        app.wakers.append(self.wake)

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=self.app.config.delivery.lease_seconds)

    def wake(self) -> None:
        """Called after a command stored effects, so they go out now rather than at the next poll."""
        self._wake.set()

    async def run(self) -> None:
        while True:
            try:
                busy = await self.run_jobs() + await self.deliver()
            except Exception as exc:  # noqa: BLE001 - a database hiccup must not stop delivery for good
                log.warning("background work failed: %s; retrying", type(exc).__name__)
                busy = 0
            if not busy:
                self._wake.clear()
                try:
                    await asyncio.wait_for(self._wake.wait(), self._idle())
                except TimeoutError:
                    pass

    def _idle(self) -> float:
        """How long to wait for a wake-up: the poll interval, or less when a platform's pause ends sooner
        (its outbox was left unclaimed while paused, and waiting a whole poll after would waste the limit)."""
        now = asyncio.get_running_loop().time()
        pauses = [until - now for until in self._paused_until.values() if until > now]
        return min([float(self.app.config.delivery.poll_seconds), *pauses])

    async def drain(self) -> None:
        """Run until nothing is due now (a platform in this terminal calls this after each command)."""
        while await self.run_jobs() + await self.deliver():
            pass

    async def run_jobs(self, limit: int = 50) -> int:
        settings = self.app.config.jobs
        now = self.app.clock()
        claimed = await self.app.db.write(
            lambda s: jobs.claim(s, self.id, now, self.lease, limit, settings.max_attempts))
        for job in claimed:
            async def work(session: AsyncSession, job: jobs.Job = job) -> None:
                await self.app.run_job(job.name, job.args, session)
                if not await jobs.finish(session, id_of(job), self.id, self.app.clock(),
                                         max_attempts=settings.max_attempts):
                    raise _LeaseLost
            try:
                await self.app.db.write(work)
            except _LeaseLost:
                log.info("job %s was taken over by another worker", job.id)
            except Exception as exc:  # noqa: BLE001
                error = type(exc).__name__
                log.warning("job %s (%s) failed: %s", job.id, job.name, error)
                failed_at = self.app.clock()
                retry = failed_at + timedelta(seconds=settings.retry_seconds)
                await self.app.db.write(
                    lambda s: jobs.finish(s, id_of(job), self.id, failed_at, error, retry_at=retry,
                                          max_attempts=settings.max_attempts))
        return len(claimed)

    async def deliver(self, limit: int = 200, rounds: int = 10) -> int:
        """Claim due rows ``limit`` at a time and send them, the next claim (up to ``rounds``) made once a
        full one is half under way: a fan-out at the rate limit then never stops sending while the worker
        marks, claims and runs jobs between claims (bench/fanout.py). Returns how many rows were claimed."""
        loop = asyncio.get_running_loop()
        platforms = [p for p in self.senders if self._paused_until.get(p, 0) <= loop.time()]
        if not platforms:
            return 0
        pages_paused = [p for p in platforms if self._paused_until.get(_lane(p, homes.KIND), 0) > loop.time()]
        gate = asyncio.Semaphore(self.concurrency)
        marks = _SentMarks(self)
        sending: list[asyncio.Future[None]] = []

        async def one(item: outbox.OutboxItem, halfway: asyncio.Event | None) -> None:
            async with gate:
                if halfway:
                    halfway.set()
                await self._send(item, marks)

        try:
            for _ in range(rounds):
                now = self.app.clock()
                items = await self.app.db.write(
                    lambda s: outbox.claim(s, platforms, self.id, now, self.lease, limit,
                                           self.app.config.delivery.max_attempts, pages_paused=pages_paused))
                halfway = asyncio.Event()
                sending += [asyncio.ensure_future(one(item, halfway if n == len(items) // 2 else None))
                            for n, item in enumerate(items)]
                if len(items) < limit:
                    break
                await halfway.wait()
                if any(self._paused_until.get(p, 0) > loop.time() for p in platforms) or any(
                        self._paused_until.get(_lane(p, homes.KIND), 0) > loop.time() for p in platforms
                        if p not in pages_paused):
                    break  # claim again once the pause is over, not to hold rows through it
        finally:
            try:
                await asyncio.gather(*sending)
            finally:
                await marks.flush()
        return len(sending)

    async def _turn(self, lane: str, pace: Pace) -> None:
        """Wait for a lane's pause (``Retry-After``) to end, then for this call's turn in its pace;
        a 429 that came meanwhile means waiting out its pause before taking a new turn."""
        loop = asyncio.get_running_loop()
        while True:
            if (paused := self._paused_until.get(lane, 0) - loop.time()) > 0:
                await asyncio.sleep(paused)
            if (turn := pace.delay(loop.time())) > 0:
                await asyncio.sleep(turn)
            if self._paused_until.get(lane, 0) <= loop.time():
                return

    async def _send(self, item: outbox.OutboxItem, marks: _SentMarks) -> None:
        sender = self.senders[item.platform]
        loop = asyncio.get_running_loop()
        lane = _lane(item.platform, item.kind)
        pace = self._paces.setdefault(lane, Pace())
        await self._turn(lane, pace)
        claim_until = item.claim_until
        assert claim_until is not None, "a claimed row has a lease"
        item_id = id_of(item)
        if self.app.clock() >= claim_until - self.lease / 2 and not await self.app.db.write(
                lambda s: outbox.renew(s, item_id, self.id, self.app.clock(), self.lease)):
            return  # paused past the lease: another worker has this row now, and sending it here would duplicate
        dedupe = f"ob{item.id}"
        retry_since = item.created_at if item.attempts else None
        sent_at = loop.time()
        try:
            if item.kind == homes.KIND:
                if not isinstance(sender, HomeSender):
                    raise Undeliverable("this platform keeps no page per member")
                await sender.publish_home(item.target, await self.app.home(invocation(item)))
                message_id = None
            elif item.kind == listings.KIND:
                if not isinstance(sender, ListingSender):
                    raise Undeliverable("this platform lists no events")
                async with self._listing:
                    await self._relist(item, sender, retry_since)
                pace.sent(loop.time())
                return
            elif item.kind == "dm":
                message_id = await sender.send_dm(item.target, from_payload(item.payload), dedupe, retry_since)
            elif item.kind == "post":
                message_id = await sender.post(item.target, from_payload(item.payload), dedupe, retry_since)
            else:
                await sender.edit(item.target, item.message_id or "", from_payload(item.payload))
                message_id = item.message_id
        except RateLimited as limited:
            self._paused_until[lane] = max(self._paused_until.get(lane, 0), loop.time() + limited.retry_after)
            pace.limited(loop.time(), sent_at, limited.retry_after)
            due = self.app.clock() + timedelta(seconds=limited.retry_after)
            await self.app.db.write(lambda s: outbox.release(s, item_id, due, None, give_up=False, count_attempt=False))
            return
        except Undeliverable as exc:
            refusal = exc
            log.warning("%s %s to %s given up: %s", item.platform, item.kind, _target(item), refusal)
            await self.app.db.write(lambda s: self._refused(s, item, refusal))
            return
        except Exception as exc:  # noqa: BLE001 - transient: back off and retry
            error = type(exc).__name__
            give_up = item.attempts + 1 >= self.app.config.delivery.max_attempts
            due = self.app.clock() + timedelta(seconds=min(300, 2 ** item.attempts))
            log.warning("%s %s to %s failed (%s)", item.platform, item.kind, _target(item), error)
            await self.app.db.write(lambda s: outbox.release(s, item_id, due, error, give_up=give_up))
            return

        pace.sent(loop.time())
        marks.add(item, message_id)

    async def _relist(self, item: outbox.OutboxItem, sender: ListingSender, retry_since: datetime | None) -> None:
        """Composed, sent and recorded in turn, the copy's id kept at once: the next change of the event (composed
        after this one's record, under the same lock) then edits that copy instead of creating one."""
        ref = item.ref or item.target
        listing, copy = await self.app.listing(ref, item.platform, item.payload.get("lang"))
        held = await sender.publish_listing(listing, copy, retry_since)

        async def record(session: AsyncSession) -> None:
            await listings.record(session, ref, item.platform, held)
            await outbox.mark_sent(session, {id_of(item): held}, self.id, self.app.clock())

        await self.app.db.write(record)

    async def _refused(self, session: AsyncSession, item: outbox.OutboxItem, refusal: Undeliverable) -> None:
        """A row the platform refused for good is failed; a DM its member's account refuses marks that account."""
        now = self.app.clock()
        if isinstance(refusal, Unreachable) and item.kind == "dm" and item.member_id is not None:
            await outbox.release(session, id_of(item), now, f"{unreached.UNREACHED}:{refusal.reason}", give_up=True)
            await unreached.record(session, item.member_id, item.platform, item.target, refusal.reason, str(refusal),
                                   now)
        else:
            await outbox.release(session, id_of(item), now, str(refusal), give_up=True)


class _SentMarks:
    """Sends the platform accepted, marked sent together: one UPDATE per short interval rather than a
    SAVEPOINT and an UPDATE per item, which cost a fan-out more CPU than its Web API calls
    (bench/fanout.py). Only rows this worker still holds are marked; a row left unmarked by a crash is
    claimed again after its lease with ``attempts`` raised, so its sender looks before resending."""

    INTERVAL = 0.05  # seconds a delivered row may wait for its mark

    def __init__(self, worker: Worker) -> None:
        self.worker = worker
        self.pending: list[tuple[outbox.OutboxItem, str | None]] = []
        self.now = asyncio.Event()
        self.task: asyncio.Task[None] | None = None
        self.error: Exception | None = None

    def add(self, item: outbox.OutboxItem, message_id: str | None) -> None:
        self.pending.append((item, message_id))
        if self.task is None:
            self.task = asyncio.ensure_future(self._run())

    async def flush(self) -> None:
        """Mark everything delivered so far, now; raise what a mark's write raised (those rows stay
        claimed, unmarked, and are looked up before their next try)."""
        self.now.set()
        if self.task is not None:
            await self.task
        if self.error is not None:
            raise self.error

    async def _run(self) -> None:
        while self.pending:
            try:
                await asyncio.wait_for(self.now.wait(), self.INTERVAL)
            except TimeoutError:
                pass
            batch, self.pending = self.pending, []
            try:
                await self.worker.app.db.write(lambda s: self._mark(s, batch))
            except Exception as exc:  # noqa: BLE001 - reported by flush()
                self.error = exc
        self.task = None

    async def _mark(self, session: AsyncSession, batch: list[tuple[outbox.OutboxItem, str | None]]) -> None:
        now = self.worker.app.clock()
        marked = await outbox.mark_sent(session, {id_of(item): message_id for item, message_id in batch},
                                        self.worker.id, now)
        for item, message_id in batch:
            if item.id in marked:
                await outbox.record_post(session, item, message_id or "", now)


def _lane(platform: str, kind: str) -> str:
    """What a refusal pauses: members' pages are rate-limited apart from messages (a platform may limit each kind
    of call on its own), so a burst of pages never holds back a DM."""
    return f"{platform}:{homes.KIND}" if kind == homes.KIND else platform


class _LeaseLost(Exception):
    pass


def _target(item: outbox.OutboxItem) -> str:
    """Where a delivery went, for a log line: a channel by id, a member never by name or id."""
    return "a member" if item.kind in ("dm", homes.KIND) else item.target
