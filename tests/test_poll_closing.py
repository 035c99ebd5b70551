"""Closing a readiness poll tells the result as its ``results:`` setting allows — on its post, in the channel,
and by DM to whoever answered a poll that is not anonymous — and a named poll says plainly who sees answers."""

import pytest

from tests.support import add_roster
from tests.test_actions import dms
from tests.test_readiness import ESC, LEAD, ROO, open_poll, people, vote

QUESTION = "Would you vote to authorize a strike?"


@pytest.fixture(autouse=True)
def secret_key(monkeypatch):
    monkeypatch.setenv("ORGANIZER_SECRET_KEY", "test-key")


async def test_closing_a_named_poll_posts_the_result_and_tells_each_answerer_in_their_language(bot, app):
    """Escalante: 12 on the roster, 6 yes and 5 no (enough of each for members to read); Roosevelt: nobody."""
    poll = await open_poll(bot, "anonymous:no results:members")
    await add_roster(app, {ESC: people("e", 12), ROO: people("r", 10)})
    await vote(bot, people("e", 6), poll, 1)
    await vote(bot, [f"e{i}" for i in range(6, 11)], poll, 4)
    await bot.ok("e0", "/member lang es")
    await bot.deliver()
    reply = await bot.ok("boss", f"/readiness close {poll}", **LEAD)
    assert reply == f"Poll #{poll} is closed. The 11 members who answered were told by DM."
    sent = await bot.deliver()
    overall = ("Overall: 22 members on the roster, 11 answered; 0 of 2 worksites pass 70%. Counts under 5 people are "
               "hidden and left out of these totals.")
    [edit] = [s for s in sent if s.kind == "edit"]
    assert "This poll is closed." in edit.text and overall in edit.text and not edit.message.buttons
    [post] = [s for s in sent if s.kind == "post"]
    assert post.target == "#readiness"
    assert post.text == (f"Readiness poll #{poll} is closed: “{QUESTION}”. Thank you for answering.\n\n{overall}\n\n"
                         f"See each worksite with /readiness tally {poll}.")
    told = dms(sent)
    assert sorted(s.target for s in told) == sorted(people("e", 11))
    assert [s.text for s in dms(sent, "e1")] == [post.text]
    [spanish] = dms(sent, "e0")
    assert spanish.message.lang == "es" and spanish.text.startswith(f"La encuesta de preparación #{poll} está cerrada")
    assert await bot.deliver() == []  # told once


async def test_an_anonymous_poll_closing_on_its_own_tells_the_channel_only_and_keeps_leaders_results(bot, clock):
    poll = await open_poll(bot, 'closes:"tomorrow 5pm"')
    [opened] = [s for s in await bot.deliver() if s.kind == "post"]
    assert "Anonymous: nobody, leaders included, can see how you answered." in opened.text
    await vote(bot, people("e", 3), poll, 1)
    clock.advance(days=2)
    sent = await bot.deliver()
    [post] = [s for s in sent if s.kind == "post"]
    assert post.text == (f"Readiness poll #{poll} is closed: “{QUESTION}”. Thank you for answering.\n\n"
                         "Its results are for leaders and site reps.")
    [edit] = [s for s in sent if s.kind == "edit"]
    assert edit.text.endswith("This poll is closed.\n\nIts results are for leaders and site reps.")
    assert dms(sent) == []  # nobody's answer is written down, so no DM list names them


async def test_a_named_poll_says_plainly_that_leaders_see_each_answer(bot):
    poll = await open_poll(bot, "anonymous:no")
    [opened] = [s for s in await bot.deliver() if s.kind == "post"]
    assert "Not anonymous: leaders can see how each member answered, and download every answer with each name." \
        in opened.text
    assert "Only you see" not in opened.text
    reply = await bot.ok("ana", f"/readiness answer {poll} 1")
    assert "This poll is not anonymous: leaders can see how you answered, with your name." in reply
    assert "Only you see" not in reply
