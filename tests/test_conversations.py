"""One-on-ones: /member talked logs a conversation (history kept, /member assess feeds the same log), warns
before a second organizer's call the same week, /member history shows it to the organizing team only (and is
audited), the member sees all of it in /member me and /member forget deletes it."""

from __future__ import annotations

import pytest

from storage.audit import AuditEntry
from storage.conversations import Conversation
from tests.support import add_roster, count_rows

ESC, ROO = "Escalante Elementary", "Roosevelt High"
REP = {"role": "rep", "site": ESC}
REP2 = {"role": "rep", "site": ROO}
LEAD = {"role": "leader"}


@pytest.fixture
async def roster(app):
    return await add_roster(app, {ESC: ["Ana Ruiz", "Cruz Diaz", "Maria Lopez", "Carla Captain"],
                                  ROO: ["Gus Park", "Maria Lopez"]})


async def test_talked_records_each_conversation_and_history_shows_them_newest_first(bot, app, clock, roster):
    saved = await bot.ok("rep", '/member talked "Ana Ruiz" 3 worried about class size', **REP)
    assert "Ana Ruiz (Escalante Elementary) is a 3, undecided" in saved
    clock.advance(days=3)
    await bot.ok("rep", '/member talked "Ana Ruiz" 2 will come to the picket', **REP)
    clock.advance(days=1)
    await bot.ok("boss", '/member assess "Ana Ruiz" 1 will bring two coworkers', **LEAD)  # the short form, same log
    assert await count_rows(app, Conversation) == 3
    shown = await bot.ok("rep", '/member history "Ana Ruiz"', **REP)
    assert shown.index("will bring two coworkers") < shown.index("will come to the picket") \
        < shown.index("worried about class size")
    assert "boss: 1, ready to lead" in shown and "rep: 3, undecided" in shown


async def test_another_organizers_recent_call_is_mentioned_and_nothing_is_recorded_until_confirmed(
        bot, app, clock, roster):
    await bot.ok("rep", '/member talked "Cruz Diaz" 3 first call', **REP)
    clock.advance(days=2)
    reply = await bot.say("boss", '/member talked "Cruz Diaz" 2 second "call"', **LEAD)
    assert not reply.error
    assert "already had a one-on-one in the last 7 days: rep" in reply.message.text
    assert "Nothing is recorded yet" in reply.message.text
    assert await count_rows(app, Conversation) == 1
    (button,) = reply.message.buttons
    assert button.command.endswith("confirm:yes")
    confirmed = await bot.ok("boss", button.command, **LEAD)  # the button's line is read back whole
    assert "is a 2, supportive" in confirmed
    assert await count_rows(app, Conversation) == 2
    assert 'second "call"' in await bot.ok("boss", '/member history "Cruz Diaz"', **LEAD)
    # after the window, or the same organizer again within it: no question
    clock.advance(days=8)
    assert "already" not in await bot.ok("rep", '/member talked "Cruz Diaz" 1', **REP)
    assert "already" not in await bot.ok("rep", '/member talked "Cruz Diaz" 1', **REP)
    assert await count_rows(app, Conversation) == 4


@pytest.mark.parametrize("line, error", [
    ('/member talked "Ana Ruiz" 6 notes', "score must be at most 5"),
    ('/member talked "Ana Ruiz" 0', "score must be at least 1"),
    ("/member talked nobody 2", "No member matches “nobody”"),
    ('/member talked "maria lopez" 2', "matches more than one member"),
])
async def test_bad_input_is_a_clear_error_and_nothing_is_stored(bot, app, roster, line, error):
    assert error in await bot.fails("boss", line, **LEAD)
    assert await count_rows(app, Conversation) == 0


async def test_history_reaches_only_the_organizing_team_and_every_view_is_audited(bot, app, roster):
    await bot.ok("rep", '/member talked "Ana Ruiz" 4 afraid of retaliation', **REP)
    assert "afraid of retaliation" in await bot.ok("boss", '/member history "Ana Ruiz"', **LEAD)
    assert "afraid of retaliation" in await bot.ok("rep", '/member history "Ana Ruiz"', **REP)
    other = await bot.fails("rep2", '/member history "Ana Ruiz"', **REP2)
    nobody = await bot.fails("rep2", '/member history "Zed Nobody"', **REP2)
    assert other.replace("Ana Ruiz", "X") == nobody.replace("Zed Nobody", "X")  # the same whether she exists or not
    member = await bot.fails("cruz diaz", '/member history "Ana Ruiz"')
    assert "Only a captain" in member and "retaliation" not in member
    entries = await count_rows(app, AuditEntry, AuditEntry.command == "member history")
    refused = await count_rows(app, AuditEntry, AuditEntry.command == "member history", AuditEntry.refused)
    assert (entries, refused) == (5, 3)


async def test_the_member_sees_everything_recorded_about_them_and_forget_deletes_it(bot, app, roster):
    await bot.ok("rep", '/member talked "Ana Ruiz" 2 cares about nurses', **REP)
    await bot.ok("rep", '/member talked "Cruz Diaz" 3 about someone else', **REP)
    me = await bot.ok("Ana Ruiz", "/member me")
    assert "One-on-ones recorded about you" in me and "rep: 2, supportive" in me and "cares about nurses" in me
    assert "someone else" not in me
    await bot.ok("Ana Ruiz", "/member forget confirm:yes")
    assert await count_rows(app, Conversation) == 1
    # an organizer who leaves takes their name, not the other member's history
    await bot.ok("rep", "/member forget confirm:yes", **REP)
    assert "an organizer who has left the bot: 3" in await bot.ok("boss", '/member history "Cruz Diaz"', **LEAD)


async def test_spanish(bot, app, roster):
    await bot.ok("rep", "/member lang es", **REP)
    assert "sin decidir" in await bot.ok("rep", '/member talked "Ana Ruiz" 3', **REP)
    shown = await bot.ok("rep", '/member history "Cruz Diaz"', **REP)
    assert "Todavía no" in shown


ACTORS = {"member": {}, "rep of the site": REP, "rep of another site": REP2, "leader": LEAD,
          "her captain": {}, "another captain": {}}
USERS = {"her captain": "Carla Captain", "another captain": "Cruz Diaz"}
# command → (line, who may run it); a refusal reads "Only a …" for a member and "No member matches" for a rep of
# another site or a captain whose list she is not on (she is not among the members they may look up), and
# stores nothing
ORGANIZERS = {"rep of the site", "leader", "her captain"}
MATRIX = {
    "talked": ('/member talked "Ana Ruiz" 2 notes confirm:yes', ORGANIZERS),
    "assess": ('/member assess "Ana Ruiz" 2 notes', ORGANIZERS),
    "history": ('/member history "Ana Ruiz"', ORGANIZERS),
}


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("command", MATRIX)
async def test_permission_matrix(bot, app, roster, command, actor):
    await bot.ok("boss", '/member talked "Ana Ruiz" 3 earlier notes', **LEAD)
    await bot.ok("boss", '/member captain "Carla Captain"', **LEAD)
    await bot.ok("boss", '/member captain "Cruz Diaz"', **LEAD)
    await bot.ok("boss", '/member assign "Carla Captain" Ana Ruiz', **LEAD)
    line, allowed = MATRIX[command]
    reply = await bot.say(USERS.get(actor, "someone"), line, **ACTORS[actor])
    text = reply.message.text
    assert reply.error == (actor not in allowed), text
    if actor in allowed:
        assert (command == "history") == ("earlier notes" in text)
    else:
        assert "earlier notes" not in text
        assert ("Only a" in text) if actor == "member" else ("No member matches" in text)
    assert await count_rows(app, Conversation) == 1 + (actor in allowed and command != "history")
