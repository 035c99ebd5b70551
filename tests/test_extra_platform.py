"""A platform that exists only in this file: registered beside the installed ones, it gets its config section,
its secret, its roster column, its mention syntax, its channel ids, joins and DMs, and no core or storage
file names it (bot.platforms). A package outside the repository registers it with an entry point."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.adapters import GROUP, installed
from bot.app import App
from bot.config import Section, load_config
from bot.delivery import Worker
from bot.markup import paragraphs, plain, render
from bot.platforms import ModalLimits, Platform, Platforms
from bot.types import Identity, Message, Reply
from commands import build_registry
from storage.db import Database
from storage.members import MemberIdentity
from storage.roster import import_rows, read_csv
from tests.support import TEST_CONFIG, Clock, make_config, typed_date

NAME = "pigeon"


class LoftSettings(Section):
    loft: str = "rooftop"


@dataclass
class Loft:
    """The whole pigeon network: what members send the bot, and what the bot sends back."""

    inbox: asyncio.Queue[tuple[str, str, str]] = field(default_factory=asyncio.Queue)
    replies: asyncio.Queue[Reply] = field(default_factory=asyncio.Queue)
    sent: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, where, text)
    posts: int = 0


def escape(text: str) -> str:
    """Pigeon markup: ``~`` starts a coo; a member's is doubled."""
    return text.replace("~", "~~")


class LoftSender:
    platform = NAME

    def __init__(self, loft: Loft) -> None:
        self.loft = loft

    def _text(self, message: Message) -> str:
        return "\n\n".join(render(p, escape=escape, time=lambda moment: moment.isoformat(), strong=str)
                           for p in paragraphs(message.text))

    async def send_dm(self, user_id: str, message: Message, dedupe: str,
                      retry_since: datetime | None = None) -> str | None:
        self.loft.sent.append(("dm", user_id, self._text(message)))
        return None

    async def post(self, channel_id: str, message: Message, dedupe: str,
                   retry_since: datetime | None = None) -> str:
        self.loft.posts += 1
        self.loft.sent.append(("post", channel_id, self._text(message)))
        return f"coo-{self.loft.posts}"

    async def edit(self, channel_id: str, message_id: str, message: Message) -> None:
        self.loft.sent.append(("edit", f"{channel_id}/{message_id}", self._text(message)))


def pigeon(loft: Loft) -> Platform[LoftSettings]:
    """The descriptor, as a pigeon adapter package would register it."""
    async def start(app: App) -> tuple[LoftSender, asyncio.Task[None]]:
        async def listen() -> None:
            while True:
                user_id, display_name, line = await loft.inbox.get()
                await loft.replies.put(await app.run_line(Identity(NAME, user_id, display_name), line))
        return LoftSender(loft), asyncio.create_task(listen())

    return Platform(NAME, "Pigeon", LoftSettings, {"pigeon_token": "PIGEON_TOKEN"}, start=start,
                    mention=re.compile(r"<coo:(p-[a-z]+)>"), roster_headers=("pigeon id", "pigeon"),
                    id_problem=lambda user_id: None if re.fullmatch(r"p-[a-z]+", user_id) else "should start with p-",
                    escape=escape,
                    modal=ModalLimits(fields=3, title=20, submit=10, label=20, value=200, hint=50, option=20))


PIGEON = pigeon(Loft())  # what a pigeon package's entry point names


def test_an_installed_package_registers_its_platform_with_an_entry_point(tmp_path, monkeypatch):
    dist = tmp_path / "organizer_pigeon-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: organizer-pigeon\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(f"[{GROUP}]\n{NAME} = tests.test_extra_platform:PIGEON\n")
    assert NAME not in installed()
    monkeypatch.syspath_prepend(str(tmp_path))
    platforms = installed()
    assert platforms.names == ("console", "slack", "discord", NAME) and platforms[NAME] is PIGEON  # by order
    (dist / "entry_points.txt").write_text(f"[{GROUP}]\ncarrier = tests.test_extra_platform:PIGEON\n")
    with pytest.raises(TypeError, match="must be a Platform named 'carrier'"):
        installed()


async def accounts_of(session) -> set[tuple[str, str]]:
    return set((await session.exec(select(MemberIdentity.platform, MemberIdentity.user_id))).all())


def test_the_platform_reads_its_own_section_and_secret(tmp_path):
    platforms = Platforms(*installed(), pigeon(Loft()))
    path = tmp_path / "organizer.toml"
    path.write_text('[pigeon]\nloft = "bell tower"\n[channels.actions]\npigeon = "coop"\n')
    config = load_config(platforms, path, env={"PIGEON_TOKEN": "coo-coo"})
    assert platforms[NAME].settings_of(config).loft == "bell tower"
    assert config.channels["actions"].id_on(NAME) == "coop"
    assert [p.name for p in platforms if p.enabled(config)] == [NAME]
    assert "coo-coo" not in repr(config)
    assert not any(p.enabled(load_config(platforms, path, env={})) for p in platforms)
    path.write_text('[pigeon]\nwings = 2\n')
    with pytest.raises(Exception, match="pigeon.wings"):
        load_config(platforms, path, env={})


async def test_a_join_and_a_dm_through_a_platform_registered_by_the_tests_alone(db_url):
    loft, clock = Loft(), Clock()
    platforms = Platforms(*installed(), pigeon(loft))
    config = make_config(platforms, roles={"leaders": [{"match": ["pigeon:p-boss"]}]},
                         channels={"actions": {NAME: "coop-actions"}})
    app = App(config, build_registry(), db=Database(db_url), platforms=(NAME,), clock=clock)
    await app.start()
    sender, listening = await platforms[NAME].start(app)
    worker = Worker(app, {NAME: sender})

    async def coo(user_id: str, name: str, line: str) -> str:
        await loft.inbox.put((user_id, name, line))
        reply = await asyncio.wait_for(loft.replies.get(), 30)
        assert not reply.error, plain(reply.message.text)
        return plain(reply.message.text)

    try:
        columns = platforms.id_columns()
        rows, problems = read_csv("name,worksite,pigeon id\nPaloma,Escalante Elementary,p-paloma\n"
                                  "Bad Id,Escalante Elementary,P4\n", columns)
        report = await app.db.write(lambda s: import_rows(s, rows, clock(), app.voters, columns))
        assert report.added == 1 and report.problems == [(3, "pigeon id “P4” should start with p-")]

        when = typed_date(clock(), days=2)
        created = await coo("p-boss", "Boss", f'/action create "Coop picket" "{when}" "Front gate" capacity:1')
        action = int(created.split("#")[1].split(":")[0])
        assert (await coo("p-paloma", "Paloma", f"/action join {action}")).startswith("You’re in")
        assert "waitlist" in await coo("p-pedro", "Pedro", f"/action join {action}")
        await coo("p-paloma", "Paloma", f"/action leave {action}")
        await worker.drain()
        posts = [(where, text) for kind, where, text in loft.sent if kind == "post"]
        assert posts and posts[0][0] == "coop-actions" and "Coop picket" in posts[0][1]
        [dm] = [(where, text) for kind, where, text in loft.sent if kind == "dm"]
        assert dm[0] == "p-pedro" and "A place opened up" in dm[1]

        clock.now = datetime.fromisoformat(when).replace(tzinfo=ZoneInfo(TEST_CONFIG["campaign"]["timezone"])) \
            - timedelta(minutes=30)  # check-in is open
        assert "Checked in: Pedro" in await coo("p-boss", "Boss", f"/action checkin {action} <coo:p-pedro>")
        accounts = await app.db.read(accounts_of)
        assert accounts == {(NAME, "p-paloma"), (NAME, "p-boss"), (NAME, "p-pedro")}
    finally:
        listening.cancel()
        await app.close()
