"""Hostile input, generated: every command line ends in a reply or a clear user error — never an
exception — an error changes nothing in the database, and nothing the bot shows can ping anyone.

The strategies are built from the registry, so every command a feature declares is covered."""

import asyncio
import sqlite3
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.adapters.discord.markdown import escape as discord_escape
from bot.adapters.slack.render import escape as slack_escape
from bot.app import App
from bot.errors import UserError
from bot.markup import render
from bot.types import Identity
from commands import build_registry
from storage.db import Database
from tests.support import Clock, make_config

REGISTRY = build_registry()
COMMANDS = sorted(REGISTRY.commands(), key=lambda c: c.path)
HOSTILE = [
    "<!channel>", "<!here>", "<!everyone>", "@everyone", "@here", "<@U0123ABC>", "<@&123456789012345678>",
    "<!subteam^S0123>", "<@123456789012345678>", "'; DROP TABLE member; --", "\" OR 1=1 --", "**bold** _it_ ~s~",
    "`code`", "> quote", "\u202eevil\u202c", "zero\u200bwidth", "bell\x07", "nul\x00", "🌹✊🏽", "¡Sí se puede!",
    "עברית", "x" * 5000, "-1", "0", "1", "3", "99999999999999999999", "yes", "no", "tomorrow 7:15am", "\"", "|",
    "a | b", "\n", "Escalante Elementary", "O'Brien", "{name}", "%s", "\\", "\ue000123\ue001",
]


def _token(command):
    names = [p.name for p in command.params] or ["x"]
    plain = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40))
    named = st.builds(lambda n, v: f"{n}:{v}", st.sampled_from(names), plain)
    quoted = plain.map(lambda v: '"' + v.replace('"', '\\"') + '"')
    return st.one_of(plain, named, quoted)


@st.composite
def command_lines(draw):
    command = draw(st.sampled_from(COMMANDS))
    words = draw(st.lists(_token(command), max_size=6))
    return f"/{command.group} {command.name} " + " ".join(words)


@settings(max_examples=10_000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(command_lines())
def test_the_parser_answers_every_line_with_values_or_a_user_error(line):
    try:
        command, values = REGISTRY.parse_line(line)
        command.bind(values)
    except UserError as error:
        assert error.msgid.format(**error.params)


# what a refusal is meant to write: the audit trail, and failed tries counted for a rate limit
# (wrong /member link codes, /member claim of no claimable row, wrong /strike here codes)
KEPT_ON_REFUSAL = {"auditentry", "linkfailure", "claimmiss", "picketcodemiss"}


def _dump(path):
    with sqlite3.connect(path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: sorted(map(repr, conn.execute(f'SELECT * FROM "{t}"'))) for t in tables
                if t not in KEPT_ON_REFUSAL}


def _pings(text: str) -> bool:
    slack = render(text, escape=slack_escape, time=lambda d: "", strong=lambda s: s)
    discord = render(text, escape=discord_escape, time=lambda d: "", strong=lambda s: s)
    return any(m in slack for m in ("<!", "<@")) or any(m in discord for m in ("@everyone", "@here"))


@pytest.fixture(scope="module")
def loop_and_app(tmp_path_factory):
    loop = asyncio.new_event_loop()
    path = tmp_path_factory.mktemp("hostile") / "hostile.db"
    app = App(make_config(), REGISTRY, db=Database(str(path)), clock=Clock(datetime(2026, 11, 30, 17, tzinfo=UTC)))
    loop.run_until_complete(app.start())
    seed = [("rosa", "/member site Escalante Elementary"), ("ana", "/member site Escalante Elementary")]
    for user, line in seed:
        loop.run_until_complete(app.run_line(Identity("console", user, user), line))
    yield loop, app, path
    loop.run_until_complete(app.close())
    loop.close()


@settings(max_examples=1_500, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(line=command_lines(), role=st.sampled_from(["member", "rep", "leader"]))
def test_every_command_line_gets_a_reply_and_an_error_changes_nothing(loop_and_app, line, role):
    loop, app, path = loop_and_app
    before = _dump(path)
    claims = {f"role:{role}", "site:Escalante Elementary"}
    reply = loop.run_until_complete(app.run_line(Identity("console", "rosa", "rosa"), line, claims=claims))
    assert reply.message is not None or reply.form is not None
    if reply.error:
        assert "Something broke" not in reply.message.text, f"{line!r} crashed a handler"
        assert _dump(path) == before, f"{line!r} was refused but changed the database"
    if reply.message is not None:
        assert not _pings(reply.message.text), f"{line!r} produced a reply that could ping"
