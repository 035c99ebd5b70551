"""Matching chat accounts to roster rows: a verified email, a claim a rep confirms, a rep connecting them."""

import pytest

from bot.types import Identity
from storage import readiness
from storage.roster import import_rows, read_csv
from tests.support import ID_COLUMNS, text

ESC, ROO = "Escalante Elementary", "Roosevelt High"
ROSTER = f"""name,worksite,email,member id
Maria Álvarez,{ESC},maria@example.org,1001
Luis Ortega,{ROO},luis@example.org,1002
"""
LEAD = {"role": "leader"}
ESC_REP = {"role": "rep", "site": ESC}
ROO_REP = {"role": "rep", "site": ROO}


@pytest.fixture(autouse=True)
def secret_key(monkeypatch):
    monkeypatch.setenv("ORGANIZER_SECRET_KEY", "test-key")


async def imported(app, roster: str = ROSTER):
    rows, _ = read_csv(roster, ID_COLUMNS)
    return await app.db.write(lambda s: import_rows(s, rows, app.clock(), app.voters, ID_COLUMNS))


async def counts(app, poll: int):
    async def read(session):
        return await readiness.tally(session, app.voters, await readiness.get_poll(session, poll))
    result = await app.db.read(read)
    return {s.name: (s.roster, s.answers, s.yes) for s in result.sites}, sum(result.off_roster)


async def poll_opened(bot) -> int:
    return int((await bot.ok("boss", "/readiness open Strike?", **LEAD)).split("#")[1].split(" ")[0])


async def test_a_claim_waits_for_a_rep_of_the_rows_site_then_the_answer_counts_there(bot, app, clock):
    await imported(app)
    poll = await poll_opened(bot)
    await bot.ok("maria", f"/readiness answer {poll} 4")
    claimed = await bot.ok("maria", "/member claim MARIA@example.org")
    assert claimed.startswith("Thanks: a rep of Escalante Elementary or a leader will confirm that you are Maria")
    assert await counts(app, poll) == ({ESC: (1, 0, 0), ROO: (1, 0, 0)}, 1)  # not instant
    listed = await bot.ok("rosa", "/member claims", **ESC_REP)
    assert ('maria (console) says they are Maria Álvarez (Escalante Elementary): /member confirm "Maria Álvarez"'
            in listed)
    assert await bot.ok("rob", "/member claims", **ROO_REP) == "No claims are waiting."
    refused = await bot.fails("rob", '/member confirm "Maria Álvarez"', **ROO_REP)
    assert refused.startswith("No pending claim of an entry called “Maria Álvarez” at your worksites.")
    clock.advance(minutes=5)
    await bot.ok("maria", f"/readiness answer {poll} 1")  # the later answer stands after the merge
    done = await bot.ok("rosa", "/member confirm maria álvarez", **ESC_REP)
    assert done == "Done: that account is now Maria Álvarez (Escalante Elementary) on the roster."
    [dm] = [s for s in await bot.deliver() if s.kind == "dm"]
    assert dm.text.startswith("You’re confirmed on the roster as Maria Álvarez")
    assert await counts(app, poll) == ({ESC: (1, 1, 1), ROO: (1, 0, 0)}, 0)
    assert "On the union roster: yes" in await bot.ok("maria", "/member me")
    assert await bot.ok("rosa", "/member claims", **ESC_REP) == "No claims are waiting."
    assert "already on the roster as Maria Álvarez" in await bot.fails("maria", "/member claim 1001")


async def test_a_claim_of_an_unknown_or_linked_row_reads_the_same_and_misses_are_limited(bot, app):
    await imported(app)
    await bot.ok("maria", "/member claim 1001")
    await bot.ok("rosa", '/member confirm "Maria Álvarez"', **ESC_REP)
    unknown = await bot.fails("eve", "/member claim 9999")
    linked = await bot.fails("eve", "/member claim 1001")  # Maria's console account holds the row
    assert unknown == linked and unknown.startswith("No roster entry you can claim has that member number or email.")
    for _ in range(3):
        await bot.fails("eve", "/member claim nobody@example.org")
    limited = await bot.fails("eve", "/member claim 1002")
    assert limited.startswith("Too many claims that matched no entry. Try again in an hour")
    assert await bot.ok("rob", "/member claims", **ROO_REP) == "No claims are waiting."


async def test_two_claims_of_one_row_need_the_rep_to_say_which(bot, app):
    await imported(app)
    await bot.ok("luis", "/member claim 1002")
    await bot.ok("impostor", "/member claim luis@example.org")
    which = await bot.fails("rob", "/member confirm Luis Ortega", **ROO_REP)
    assert "More than one account claims “Luis Ortega”: luis, impostor" in which
    await bot.ok("rob", "/member confirm Luis Ortega by:luis", **ROO_REP)
    assert "On the union roster: yes" in await bot.ok("luis", "/member me")
    assert "On the union roster: no" in await bot.ok("impostor", "/member me")
    assert await bot.ok("rob", "/member claims", **ROO_REP) == "No claims are waiting."


async def test_a_rep_connects_an_account_to_a_row_of_their_own_site(bot, app):
    await imported(app)
    poll = await poll_opened(bot)
    await bot.ok("luis", f"/readiness answer {poll} 1")
    assert "No member matches “1002”" in await bot.fails("rosa", "/member connect luis 1002", **ESC_REP)
    assert "Only a site rep" in await bot.fails("maria", "/member connect luis 1002")
    assert "No account “ghost” has used the bot yet" in await bot.fails("rob", "/member connect ghost 1002",
                                                                         **ROO_REP)
    done = await bot.ok("rob", '/member connect luis "Luis Ortega"', **ROO_REP)
    assert done == "Done: that account is now Luis Ortega (Roosevelt High) on the roster."
    assert await counts(app, poll) == ({ESC: (1, 0, 0), ROO: (1, 1, 1)}, 0)
    assert "already Luis Ortega" in await bot.ok("rob", "/member connect luis 1002", **ROO_REP)


async def test_an_email_the_platform_verified_matches_at_first_contact_and_on_import(bot, app):
    await imported(app)
    poll = await poll_opened(bot)
    first = await app.run_line(Identity("slack", "U0LUIS", "Luis"), f"/readiness answer {poll} 1",
                               email="Luis@Example.org")
    assert not first.error
    assert await counts(app, poll) == ({ESC: (1, 0, 0), ROO: (1, 1, 1)}, 0)
    # before the roster lists her: the account keeps its verified email, and the import matches it
    await app.run_line(Identity("slack", "U0NORA", "Nora"), f"/readiness answer {poll} 1", email="nora@example.org")
    await imported(app, ROSTER + f"Nora Paz,{ESC},nora@example.org,1003\n")
    assert await counts(app, poll) == ({ESC: (2, 1, 1), ROO: (1, 1, 1)}, 0)
    me = await app.run_line(Identity("slack", "U0NORA", "Nora"), "/member me")
    assert "On the union roster: yes" in text(me) and "Member number: 1003" in text(me)


async def test_the_readmes_walkthrough_passes_escalante_on_the_example_roster(bot, app):
    from pathlib import Path

    report = await imported(app, (Path(__file__).parents[1] / "examples" / "roster.csv").read_text("utf-8"))
    assert (report.added, report.problems) == (7, [])
    for who, entry in (("maria", "1001"), ("ana", "ana.diaz@example.org"), ("luis", "1002")):
        await bot.ok(who, f"/member claim {entry}")
    for name in ("Maria Álvarez", "Ana Díaz", "Luis Ortega"):
        await bot.ok("rosa", f'/member confirm "{name}"', **ESC_REP)
    poll = int((await bot.ok("lena", "/readiness open Strike? anonymous:no", **LEAD)).split("#")[1].split(" ")[0])
    for who in ("maria", "ana", "luis"):
        await bot.ok(who, f"/readiness answer {poll} yes")
    tally = await bot.ok("lena", f"/readiness tally {poll}", **LEAD)
    assert "Escalante Elementary — passes: 75% of the roster say yes" in tally
    assert "Roosevelt High — below 70%: 0% of the roster say yes" in tally
