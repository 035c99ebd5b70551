"""The structure test counts every member once, at their roster worksite, whatever happens in between:
random sequences of what members and leaders do, checked against a model after every step."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from storage import readiness
from storage.members import ensure_worksite
from storage.roster import import_rows, read_csv
from storage.tables import metadata
from tests.support import ID_COLUMNS, text

SITES = ("Escalante Elementary", "Roosevelt High")
PEOPLE = 4
LEAD = {"role": "leader"}


@pytest.fixture(autouse=True)
def secret_key(monkeypatch):
    monkeypatch.setenv("ORGANIZER_SECRET_KEY", "test-key")


def account(i: int) -> dict:
    """Even people use Slack, with their Slack id in the roster file; odd ones the console, and claim their row."""
    return {"platform": "slack"} if i % 2 == 0 else {}


def user(i: int) -> str:
    return f"U00{i}" if i % 2 == 0 else f"person{i}"


@dataclass
class Model:
    """What the tally must say. A person's answer lives with their roster row once their account is
    linked to it, and with their account before; a forgotten account's answer stays, off the roster."""

    rows: set[int] = field(default_factory=set)  # people whose roster row is in the bot
    linked: set[int] = field(default_factory=set)  # of those, the ones whose account is their row
    on: set[int] = field(default_factory=set)  # rows on the roster now
    site: dict[int, int] = field(default_factory=dict)
    claimed: set[int] = field(default_factory=set)
    row_answer: set[int] = field(default_factory=set)
    account_answer: set[int] = field(default_factory=set)
    orphans: int = 0

    def answer(self, i: int) -> None:
        (self.row_answer if i in self.linked else self.account_answer).add(i)

    def forget(self, i: int) -> None:
        self.claimed.discard(i)
        if i in self.linked:
            self.rows.discard(i)  # the row goes; its answer stays, off the roster until a re-import
            self.linked.discard(i)
            self.on.discard(i)
        elif i in self.account_answer:
            self.account_answer.discard(i)
            self.orphans += 1

    def link(self, i: int) -> None:
        """The account folds into its row, answer and all (of two answers the later stands)."""
        self.linked.add(i)
        self.claimed.discard(i)
        if i in self.account_answer:
            self.account_answer.discard(i)
            self.row_answer.add(i)

    def imported(self, sites: dict[int, int], sync: bool) -> None:
        if sync:
            self.on &= set(sites)
        for i, s in sites.items():
            self.rows.add(i)
            self.on.add(i)
            self.site[i] = s
            if i % 2 == 0:  # the file has their Slack id
                self.link(i)

    def claimable(self, i: int) -> bool:
        return i in self.on and i not in self.linked

    def roster(self, s: int) -> int:
        return sum(1 for i in self.on if self.site[i] == s)

    def answered(self, s: int) -> int:
        return sum(1 for i in self.on & self.row_answer if self.site[i] == s)

    def off_roster(self) -> int:
        return len(self.account_answer) + len(self.row_answer - self.on) + self.orphans


person = st.integers(0, PEOPLE - 1)
steps = st.lists(st.one_of(
    st.tuples(st.just("answer"), person, st.integers(1, 4)),
    st.tuples(st.just("forget"), person),
    st.tuples(st.just("site"), person, st.integers(0, len(SITES) - 1)),
    st.tuples(st.just("import"), st.dictionaries(person, st.integers(0, len(SITES) - 1), min_size=1), st.booleans()),
    st.tuples(st.just("remove"), person),
    st.tuples(st.just("claim"), person.map(lambda i: i | 1)),
    st.tuples(st.just("confirm"), person.map(lambda i: i | 1)),
), max_size=16)


def roster_file(sites: dict[int, int]) -> str:
    lines = ["name,worksite,member id,slack id"]
    lines += [f"Person {i},{SITES[s]},{100 + i},{user(i) if i % 2 == 0 else ''}" for i, s in sorted(sites.items())]
    return "\n".join(lines) + "\n"


async def clear(app) -> None:
    """Nothing but the worksites, as after a first roster: each example starts afresh."""
    async def work(session):
        for table in reversed(metadata.sorted_tables):
            await session.exec(delete(table))
        for name in SITES:
            await ensure_worksite(session, name, app.clock())
    await app.db.write(work)


async def check(app, poll_id: int, model: Model) -> None:
    async def read(session):
        return await readiness.tally(session, app.voters, await readiness.get_poll(session, poll_id))
    result = await app.db.read(read)
    by_name = {s.name: s for s in result.sites}
    for s, name in enumerate(SITES):
        site = by_name.get(name)
        roster, answered = (site.roster, site.answers) if site else (0, 0)
        assert answered <= roster, f"{name}: answered {answered} of a roster of {roster}"
        assert (roster, answered) == (model.roster(s), model.answered(s)), name
    assert set(by_name) <= set(SITES), "answers counted at a site that is not on the roster"
    assert sum(result.off_roster) == model.off_roster()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=steps)
async def test_every_member_is_counted_once_at_their_roster_worksite(bot, app, clock, steps):
    await clear(app)
    poll = int((await bot.ok("boss", "/readiness open Strike?", **LEAD)).split("#")[1].split(" ")[0])
    model = Model()
    for step in steps:
        clock.advance(minutes=15)  # past the claim limit's window every few steps
        match step:
            case ("answer", i, choice):
                await bot.ok(user(i), f"/readiness answer {poll} {choice}", **account(i))
                model.answer(i)
            case ("forget", i):
                await bot.ok(user(i), "/member forget confirm:yes", **account(i))
                model.forget(i)
            case ("site", i, s):  # says where they work: the roster still decides where they count
                await bot.ok(user(i), f"/member site {SITES[s]}", **account(i))
            case ("import", sites, sync):  # with sync, the file is the whole roster
                rows, problems = read_csv(roster_file(sites), ID_COLUMNS)
                assert not problems
                report = await app.db.write(lambda s, rows=rows, sync=sync: import_rows(s, rows, app.clock(),
                                                                                        app.voters, ID_COLUMNS,
                                                                                        sync=sync))
                assert not report.problems
                model.imported(sites, sync)
            case ("remove", i):
                reply = await bot.say("boss", f"/member remove {100 + i}", **LEAD)
                assert reply.error == (i not in model.on), text(reply)
                model.on.discard(i)
            case ("claim", i):
                reply = await bot.say(user(i), f"/member claim {100 + i}")
                assert reply.error != model.claimable(i), text(reply)
                if model.claimable(i):
                    model.claimed.add(i)
            case ("confirm", i):
                reply = await bot.say("boss", f"/member confirm Person {i}", **LEAD)
                assert reply.error != (i in model.claimed), text(reply)
                if i in model.claimed:
                    model.link(i)
        await check(app, poll, model)


ROSTER = "name,worksite,member id,slack id\nMaria Álvarez,Escalante Elementary,1001,U0MARIA\n"


async def import_text(app, text: str):
    rows, _ = read_csv(text, ID_COLUMNS)
    return await app.db.write(lambda s: import_rows(s, rows, app.clock(), app.voters, ID_COLUMNS))


async def site_counts(app, poll_id: int) -> tuple[dict[str, tuple[int, int]], int]:
    async def read(session):
        return await readiness.tally(session, app.voters, await readiness.get_poll(session, poll_id))
    result = await app.db.read(read)
    return {s.name: (s.roster, s.answers) for s in result.sites}, sum(result.off_roster)


async def test_ids_that_key_answers_are_never_reused_on_sqlite(app):
    if not app.db.is_sqlite:
        pytest.skip("PostgreSQL sequences never hand out an id twice")
    async with app.db.engine.connect() as conn:
        tables = dict((await conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'table'")).all())
    assert [t for t in ("member", "worksite", "readinesspoll") if "AUTOINCREMENT" not in tables[t]] == []


async def test_a_newcomer_never_takes_a_forgotten_members_id_or_answer(bot, app):
    poll = int((await bot.ok("boss", "/readiness open Strike?", **LEAD)).split("#")[1].split(" ")[0])
    await bot.ok("maria", f"/readiness answer {poll} 1")
    await bot.ok("maria", "/member forget confirm:yes")
    await bot.ok("luis", f"/readiness answer {poll} 4")
    assert (await site_counts(app, poll))[1] == 2  # both answers stand: luis is not maria's old id


async def test_a_forgotten_members_answer_counts_once_again_after_a_re_import(bot, app):
    await import_text(app, ROSTER)
    poll = int((await bot.ok("boss", "/readiness open Strike?", **LEAD)).split("#")[1].split(" ")[0])
    await bot.ok("U0MARIA", f"/readiness answer {poll} 1", platform="slack")
    assert await site_counts(app, poll) == ({"Escalante Elementary": (1, 1)}, 0)
    await bot.ok("U0MARIA", "/member forget confirm:yes", platform="slack")
    assert await site_counts(app, poll) == ({}, 1)  # kept, off the roster while the row is gone
    for _ in range(3):
        await import_text(app, ROSTER)
        assert await site_counts(app, poll) == ({"Escalante Elementary": (1, 1)}, 0)
        await bot.ok("U0MARIA", f"/readiness answer {poll} 2", platform="slack")
        assert await site_counts(app, poll) == ({"Escalante Elementary": (1, 1)}, 0)
        await bot.ok("U0MARIA", "/member forget confirm:yes", platform="slack")


async def test_linking_two_accounts_that_both_answered_keeps_the_later_answer(bot, app, clock):
    poll = int((await bot.ok("boss", "/readiness open Strike?", **LEAD)).split("#")[1].split(" ")[0])
    await bot.ok("U100", f"/readiness answer {poll} 4", platform="slack")
    clock.advance(minutes=5)
    await bot.ok("555000111222333444", f"/readiness answer {poll} 1", platform="discord")
    code = (await bot.ok("U100", "/member link", platform="slack")).split("Your code is ")[1][:14]
    await bot.ok("555000111222333444", f"/member link {code}", platform="discord")

    async def read(session):
        return await readiness.tally(session, app.voters, await readiness.get_poll(session, poll))
    assert (await app.db.read(read)).off_roster == [1, 0, 0, 0]


async def test_a_self_set_site_never_moves_a_roster_member_and_their_reps_see_it(bot, app):
    await import_text(app, ROSTER + "Luis Ortega,Roosevelt High,1002,U0LUIS\n")
    poll = int((await bot.ok("boss", "/readiness open Strike?", **LEAD)).split("#")[1].split(" ")[0])
    await bot.ok("U0MARIA", f"/readiness answer {poll} 1", platform="slack")
    said = await bot.ok("U0MARIA", "/member site Roosevelt High", platform="slack")
    assert said.startswith("The union’s roster has you at Escalante Elementary, so that is where you count.")
    await bot.ok("U0MARIA", f"/readiness answer {poll} 2", platform="slack")
    assert (await site_counts(app, poll))[0] == {"Escalante Elementary": (1, 1), "Roosevelt High": (1, 0)}
    assert "You said you work at Roosevelt High" in await bot.ok("U0MARIA", "/member me", platform="slack")
    for rep in ("UREP", "UREP2"):  # the reps of both sites
        shown = await bot.ok(rep, "/member discrepancies", platform="slack")
        assert "Maria Álvarez: on the roster at Escalante Elementary, says Roosevelt High" in shown
    assert "No discrepancies" in await bot.ok("rep3", "/member discrepancies", role="rep", site="Lincoln Middle")
    assert "Only a site rep" in await bot.fails("U0LUIS", "/member discrepancies", platform="slack")
    await import_text(app, ROSTER.replace("Escalante Elementary", "Roosevelt High"))
    assert "No discrepancies" in await bot.ok("UREP2", "/member discrepancies", platform="slack")
    assert (await site_counts(app, poll))[0] == {"Roosevelt High": (2, 1)}


async def test_a_leader_takes_a_retiree_off_the_roster_and_it_is_audited(bot, app):
    from storage.audit import AuditEntry

    await import_text(app, ROSTER + "Luis Ortega,Escalante Elementary,1002,U0LUIS\n")
    poll = int((await bot.ok("boss", "/readiness open Strike?", **LEAD)).split("#")[1].split(" ")[0])
    await bot.ok("U0LUIS", f"/readiness answer {poll} 1", platform="slack")
    assert "Only a leader" in await bot.fails("UREP", "/member remove Luis Ortega", platform="slack")
    done = await bot.ok("boss", "/member remove Luis Ortega", **LEAD)
    assert done.startswith("Luis Ortega (Escalante Elementary) is off the roster: kept with their history")
    assert await site_counts(app, poll) == ({"Escalante Elementary": (1, 0)}, 1)
    assert "is not on the roster" in await bot.fails("boss", "/member remove 1002", **LEAD)
    audited = await app.db.read(lambda s: s.exec(select(AuditEntry.command, AuditEntry.viewer)))
    assert ("member remove", "boss") in audited.all()
    await import_text(app, ROSTER + "Luis Ortega,Escalante Elementary,1002,U0LUIS\n")
    assert await site_counts(app, poll) == ({"Escalante Elementary": (2, 1)}, 0)
