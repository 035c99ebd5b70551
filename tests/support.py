"""Test helpers: a harness that drives the real app (real database, real migrations) as members do."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot.adapters import installed
from bot.app import App
from bot.config import Config
from bot.delivery import RateLimited, Worker
from bot.markup import plain
from bot.types import Identity, Message, Reply

TEST_CONFIG = {
    "campaign": {"name": "Test local", "timezone": "America/Los_Angeles"},
    "channels": {
        "actions": {"slack": "CACTIONS", "discord": "1000000000000000001"},
        "announcements": {"slack": "CANNOUNCE", "discord": "1000000000000000002"},
        "readiness": {"slack": "CREADY", "discord": "1000000000000000003"},
    },
    "roles": {
        "leaders": [{"match": ["slack:ULEAD", "discord-role:1000000000000000201"]}],
        "reps": [{"match": ["slack:UREP", "discord-role:1000000000000000202"], "sites": ["Escalante Elementary"]},
                 {"match": ["slack:UREP2"], "sites": ["Roosevelt High"]}],
    },
    "discord": {"guild_id": 1000000000000000100},
    "delivery": {"live_edit_interval_seconds": 2, "lease_seconds": 30},
}


@dataclass
class Clock:
    now: datetime = field(default_factory=lambda: datetime(2026, 11, 30, 17, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def typed_date(moment: datetime, *, days: int = 0, at: str | None = "17:00") -> str:
    """A date as an organizer types it (``2026-12-03 17:00``), ``days`` after ``moment`` in the test campaign's
    zone: a future date in a test is relative to the clock the bot runs against, never a literal that expires."""
    zone = ZoneInfo(TEST_CONFIG["campaign"]["timezone"])
    day = (moment.astimezone(zone) + timedelta(days=days)).date().isoformat()
    return day if at is None else f"{day} {at}"


@dataclass
class Sent:
    platform: str
    kind: str
    target: str
    message: Message

    @property
    def text(self) -> str:
        return plain(self.message.text)


class RecordingSender:
    """A platform that records what it was asked to send, and can be told to rate-limit or fail."""

    def __init__(self, platform: str, log: list[Sent]) -> None:
        self.platform = platform
        self.log = log
        self.rate_limit_next = 0
        self.fail_next = 0

    def _gate(self) -> None:
        if self.rate_limit_next:
            self.rate_limit_next -= 1
            raise RateLimited(0.01)
        if self.fail_next:
            self.fail_next -= 1
            raise ConnectionError("platform down")

    async def send_dm(self, user_id: str, message: Message, dedupe: str,
                      retry_since: datetime | None = None) -> str | None:
        self._gate()
        self.log.append(Sent(self.platform, "dm", user_id, message))
        return None

    async def post(self, channel_id: str, message: Message, dedupe: str,
                   retry_since: datetime | None = None) -> str:
        self._gate()
        self.log.append(Sent(self.platform, "post", channel_id, message))
        return f"{self.platform}-msg-{len(self.log)}"

    async def edit(self, channel_id: str, message_id: str, message: Message) -> None:
        self._gate()
        self.log.append(Sent(self.platform, "edit", f"{channel_id}/{message_id}", message))


class Harness:
    """Members talking to the real app on the console platform (or any other, by identity)."""

    def __init__(self, app: App, clock: Clock) -> None:
        self.app = app
        self.clock = clock
        self.sent: list[Sent] = []
        self.senders = {p: RecordingSender(p, self.sent) for p in app.platforms}
        self.worker = Worker(app, self.senders)

    async def say(self, user: str, line: str, *, role: str = "member", site: str | None = None,
                  platform: str = "console", claims: tuple[str, ...] = ()) -> Reply:
        extra = {f"role:{role}", *([f"site:{site}"] if site else [])} if platform == "console" else set()
        return await self.app.run_line(Identity(platform, user, user), line, claims={*claims, *extra})

    async def ok(self, user: str, line: str, **kw) -> str:
        """Run a command that must succeed; return its text."""
        reply = await self.say(user, line, **kw)
        assert not reply.error, f"{line!r} failed: {reply.message.text if reply.message else reply}"
        return text(reply)

    async def fails(self, user: str, line: str, **kw) -> str:
        reply = await self.say(user, line, **kw)
        assert reply.error, f"{line!r} should have failed but said: {text(reply)}"
        return text(reply)

    async def deliver(self) -> list[Sent]:
        """Run due jobs and deliver the outbox; return what was sent by this call."""
        start = len(self.sent)
        await self.worker.drain()
        return self.sent[start:]


async def add_roster(app: App, sites: dict[str, list[str]], *, on_roster: bool = True) -> dict[str, int]:
    """Roster members with console accounts named as the members are (``bot.ok("ana", …)`` is Ana;
    a second member of the same name is ``"name@site"``); returns member ids by account."""
    from storage.members import Member, MemberIdentity, ensure_worksite

    async def work(session) -> dict[str, int]:
        ids = {}
        for site_name, names in sites.items():
            site = await ensure_worksite(session, site_name, app.clock())
            for name in names:
                member = Member(name=name, worksite_id=site.id, on_roster=on_roster, created_at=app.clock())
                session.add(member)
                await session.flush()
                account = f"{name}@{site_name}" if name in ids else name
                session.add(MemberIdentity(member_id=member.id, platform="console", user_id=account,
                                           display_name=name))
                ids[account] = member.id
        await session.flush()
        return ids

    return await app.db.write(work)


def text(reply: Reply) -> str:
    return plain(reply.message.text) if reply.message else ""


PLATFORMS = installed()
ID_COLUMNS = PLATFORMS.id_columns()  # the roster's user id columns, one per installed platform


def make_config(platforms=PLATFORMS, **overrides) -> Config:
    """The test campaign's config, for the installed platforms or ``platforms``."""
    data = {**TEST_CONFIG, **overrides}
    return platforms.config_model.model_validate(data)


async def count_rows(app: App, model: type, *where: object) -> int:
    """How many rows of ``model`` match ``where``, as the tests assert what is stored."""
    async def work(session):
        return (await session.exec(select(func.count()).select_from(model).where(*where))).scalar_one()
    return await app.db.read(work)


def events_run(app: App) -> list[bool | None]:
    """What each platform event the bot acted on did (True: it stored effects, a welcome; None: the core said
    beforehand it had nothing to do), as the app returns it: a platform's event handler runs in a task of its
    own, which a test waits for with :func:`until`."""
    done: list[bool | None] = []
    original, original_due = app.event, app.event_due

    async def event(name, inv):
        done.append(await original(name, inv))
        return done[-1]

    async def event_due(name, identity):
        due = await original_due(name, identity)
        if not due:
            done.append(None)
        return due

    app.event, app.event_due = event, event_due
    return done


async def until(predicate) -> None:
    """Until the bot has done what the test waits for (a guard against hanging, not a timing assertion)."""
    async with asyncio.timeout(10):
        while not predicate():
            await asyncio.sleep(0.01)
