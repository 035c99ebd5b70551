"""Disclosure control of readiness answers, tried as the attacks in issue 19: what a leader, a rep or a
member can work out of one person's answer from tallies, exports and missing lists. The rule itself
is ``bot.permissions.disclose`` and ``publication``; here it is checked through the real commands."""

import re

import pytest

from bot.permissions import Actor, disclose, publication
from bot.types import Role
from tests.support import add_roster

ESC, ROO, TINY = "Escalante Elementary", "Roosevelt High", "Tiny Annex"
LEAD = {"role": "leader"}
REP = {"role": "rep", "site": ESC}
LEADER, MEMBER = Actor(1, "boss", Role.leader), Actor(2, "ana", Role.member)


@pytest.fixture(autouse=True)
def secret_key(monkeypatch):
    monkeypatch.setenv("ORGANIZER_SECRET_KEY", "test-key")


def people(prefix, n):
    return [f"{prefix}{i}" for i in range(n)]


async def open_poll(bot, line=""):
    reply = await bot.ok("boss", f"/readiness open Ready? {line}", **LEAD)
    return int(reply.split("#")[1].split(" ")[0])


async def vote(bot, names, poll, choice):
    for name in names:
        await bot.ok(name, f"/readiness answer {poll} {choice}")


def block(shown: str, site: str) -> str:
    """A site's paragraph, without the assessment counts (a rep and a leader see those differently)."""
    return "\n".join(next(b for b in shown.split("\n\n") if b.startswith(site)).splitlines()[:3])


def test_the_rule_hides_small_cells_their_complement_and_near_unanimity():
    row = disclose(MEMBER, True, 30, [10, 6, 6, 3], 5, 20)
    assert row.choices == (10, None, 6, None)  # 3 is small; a 6 goes too, or 25 - 22 would give it
    assert disclose(MEMBER, True, 30, [10, 6, 0, 0], 5, 20).choices == (10, 6, None, None)
    assert disclose(LEADER, True, 8, [6, 0, 0, 0], 5, 20).choices == (None,) * 4  # "6 of 6": no
    assert disclose(LEADER, True, 9, [6, 0, 0, 2], 5, 20).choices == (None,) * 4  # all but 2 of 8: no
    assert disclose(LEADER, True, 25, [22, 0, 0, 0], 5, 20).choices == (22, None, None, None)  # a big site may
    assert disclose(LEADER, False, 8, [6, 0, 0, 0], 5, 20).choices == (6, 0, 0, 0)  # named: the leader sees all
    assert disclose(MEMBER, False, 3, [1, 0], 5, 20).roster is None


def step(before, now, held=False):
    return publication(before, now, 5, 20, held=held)


def test_counts_move_only_in_steps_that_cannot_isolate_one_answer():
    assert step([6, 6, 0, 0], [6, 6, 0, 1]) == "wait"  # one answer
    assert step([6, 6, 0, 0], [11, 6, 1, 3]) == "wait"  # nine, whatever they were: too few to be checked
    assert step([6, 6, 0, 0], [13, 6, 0, 3]) == "hold"  # ten, only 3 not for the top choice
    assert step([6, 6, 0, 0], [13, 6, 1, 5], held=True) == "wait"  # a held step is not checked again
    assert step([6, 6, 0, 0], [11, 6, 1, 4]) == "publish"  # ten, five of them not for the top choice
    assert step([6, 6, 0, 0], [26, 6, 0, 0], held=True) == "publish"  # twenty: a site that size may say "all X"


async def test_when_a_tally_moves_tells_nothing_of_the_answer_that_moved_it(bot, app):
    """Two polls, the same people answering in the same order, the same counts in the end, the last
    answer different (No in one, Yes in the other); a rep reads both tallies after every answer. A rule
    on the answers' mix checked at every answer moved the second poll one answer early (4 Yes, 1 Not
    sure, 4 No passes "five not for the top choice"), which told the rep the last answer was Yes."""
    first, second = await open_poll(bot), await open_poll(bot)
    await add_roster(app, {ESC: people("e", 30)})
    for poll in (first, second):
        await vote(bot, people("e", 6), poll, 1)
        await vote(bot, people("e", 12)[6:], poll, 4)
    orders = {first: [1, 1, 1, 1, 1, 3, 4, 4, 4, 4], second: [1, 1, 1, 1, 3, 4, 4, 4, 4, 1]}
    seen: dict[int, list[str]] = {first: [], second: []}
    for poll in (first, second):
        seen[poll].append(block(await bot.ok("rep", f"/readiness tally {poll}", **REP), ESC))
        for name, choice in zip(people("e", 22)[12:], orders[poll], strict=True):
            await vote(bot, [name], poll, choice)
            seen[poll].append(block(await bot.ok("rep", f"/readiness tally {poll}", **REP), ESC))
    assert seen[first] == seen[second]
    assert len(set(seen[first])) == 2  # one step, after the tenth answer
    assert seen[first][-1].splitlines()[1:] == ["Roster: 30 · answered: 22", "Yes, I'd vote to authorize a strike: "
                                                "11 · Leaning yes: hidden · Not sure: hidden · No: 10"]


async def test_a_leader_no_longer_sees_a_one_member_sites_answer(bot, app):
    poll = await open_poll(bot)
    await add_roster(app, {ESC: people("e", 12), TINY: ["solo"]})
    await vote(bot, people("e", 6), poll, 1)
    await vote(bot, people("e", 12)[6:], poll, 4)
    await vote(bot, ["solo"], poll, 4)
    shown = await bot.ok("boss", f"/readiness tally {poll}", **LEAD)
    assert block(shown, TINY).splitlines()[1:] == ["Roster: hidden · answered: hidden",
                                                    "Yes, I'd vote to authorize a strike: hidden · Leaning yes: hidden"
                                                    " · Not sure: hidden · No: hidden"]
    escalante = block(shown, ESC)
    assert "Yes, I'd vote to authorize a strike: 6 · Leaning yes: hidden · Not sure: hidden · No: 6" in escalante
    export = (await bot.say("boss", f"/readiness export {poll}", **LEAD)).message.attachments[0].data.decode()
    assert re.search(rf"{TINY},,,,,,,,", export)


async def test_a_rep_learns_nothing_by_differencing_two_tallies_around_one_answer(bot, app):
    poll = await open_poll(bot)
    await add_roster(app, {ESC: people("e", 30)})
    await vote(bot, people("e", 6), poll, 1)
    await vote(bot, people("e", 12)[6:], poll, 4)
    before = block(await bot.ok("rep", f"/readiness tally {poll}", **REP), ESC)
    assert "e12" in await bot.ok("rep", f"/readiness missing {poll}", **REP)
    await vote(bot, ["e12"], poll, 4)  # the rep watches e12 leave the missing list…
    assert "e12" not in await bot.ok("rep", f"/readiness missing {poll}", **REP)
    assert block(await bot.ok("rep", f"/readiness tally {poll}", **REP), ESC) == before  # …and the tally stays
    await vote(bot, people("e", 17)[13:], poll, 1)  # four more for yes: five answers, but four alike
    assert block(await bot.ok("boss", f"/readiness tally {poll}", **LEAD), ESC) == before
    await vote(bot, people("e", 22)[17:], poll, 2)  # five for "leaning yes": ten since, five not for yes
    after = block(await bot.ok("rep", f"/readiness tally {poll}", **REP), ESC)
    assert after.splitlines()[1:] == ["Roster: 30 · answered: 22", "Yes, I'd vote to authorize a strike: 10 · "
                                      "Leaning yes: hidden · Not sure: hidden · No: 7"]  # 0 is small, so 5 goes too


async def test_no_all_of_the_site_said_no_for_a_small_site(bot, app):
    poll = await open_poll(bot, "results:members")
    await add_roster(app, {ESC: people("e", 6), ROO: people("r", 24)})
    await vote(bot, people("e", 6), poll, 4)
    await vote(bot, people("r", 22), poll, 1)
    shown = await bot.ok("e0", f"/readiness tally {poll}")
    assert "No: 6" not in shown and "Roster: 6 · answered: hidden" in block(shown, ESC)
    assert "Yes, I'd vote to authorize a strike: 22 · Leaning yes: hidden" in block(shown, ROO)  # 22 may say it
    assert "Roosevelt High — passes: 92% of the roster say yes" in shown


async def test_overall_minus_the_sites_shown_gives_no_hidden_site(bot, app):
    poll = await open_poll(bot, "results:members")
    await add_roster(app, {ESC: people("e", 12), TINY: ["solo", "duo"]})
    await vote(bot, people("e", 6), poll, 1)
    await vote(bot, people("e", 12)[6:], poll, 4)
    await vote(bot, ["solo", "duo"], poll, 4)
    shown = await bot.ok("e0", f"/readiness tally {poll}")
    assert "Overall: 12 members on the roster, 12 answered" in shown  # Escalante's own 12 and 12
    assert "Counts under 5 people are hidden and left out of these totals." in shown
