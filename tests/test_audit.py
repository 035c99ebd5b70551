"""Audited commands record who viewed what and when; `organizer-bot audit` lists them."""

import subprocess
import sys

from bot.context import Context
from bot.registry import Group, Param
from bot.types import Reply, Role


async def test_an_audited_view_is_recorded_and_listed(bot, app, db_url, tmp_path):
    group = Group("secret", "Test")

    @group.command("tally", help="A leader's view", role=Role.leader, writes=False, audited=True,
                   params=[Param("poll", "Poll", type=int)])
    async def tally(ctx: Context, poll: int) -> Reply:
        return ctx.reply(f"tally {poll}")

    app.registry.add(group)
    await bot.ok("ULEAD", "/secret tally 3", platform="slack")
    await bot.fails("ana", "/secret tally 4")  # refused: recorded as refused
    from storage.audit import recent

    entries = await app.db.read(lambda s: recent(s, 10))
    assert [(e.viewer, e.platform, e.user_id, e.command, e.args, e.refused) for e in entries] == [
        ("ana", "console", "ana", "secret tally", {"poll": 4}, True),
        ("ULEAD", "slack", "ULEAD", "secret tally", {"poll": 3}, False)]
    if db_url.startswith("sqlite"):
        path = db_url.split("///", 1)[1]
        done = subprocess.run([sys.executable, "-m", "bot", "audit", "--db", path], capture_output=True, text=True,
                              timeout=60)
        assert done.returncode == 0, done.stderr
        assert "ULEAD (slack:ULEAD)  /secret tally poll:3\n" in done.stdout
        assert "ana (console:ana)  /secret tally poll:4  (refused)" in done.stdout
