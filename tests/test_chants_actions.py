"""Chants attached to actions: /chant attach and detach, the action's sheet, and the announcement that
points to it (checked as delivered to the actions channel)."""

import pytest
from sqlalchemy import delete

from bot.markup import bold
from storage.actions import Action
from storage.chants import Chant, ChantAttachment
from storage.members import ensure_worksite
from storage.outbox import OutboxItem
from tests.support import count_rows

ESCALANTE, ROOSEVELT = "Escalante Elementary", "Roosevelt High"
REP = {"role": "rep", "site": ESCALANTE}
OTHER_REP = {"role": "rep", "site": ROOSEVELT}
LEADER = {"role": "leader"}
SCHOOLS = '/chant add "Our schools" Who keeps our schools running? | We do! / Let him speak! tags:picket'
SPANISH = '/chant add "Sí se puede" ¿Quién decide? | ¡Nosotros! / ¡Sí se puede! tags:picket lang:es'
BOARD = "/chant add Board Let him speak! tags:board"


async def setup(bot, app) -> None:
    """Action #1 at Escalante (already posted), chants #1–#3 in the library."""
    await app.db.write(lambda session: ensure_worksite(session, ESCALANTE, app.clock()))
    await bot.ok("rosa", f'/action create "Informational picket" "Dec 2 7:15am" "Front gate" site:"{ESCALANTE}"',
                 **REP)
    for line in (SCHOOLS, SPANISH, BOARD):
        await bot.ok("rosa", line, **REP)
    [post] = await bot.deliver()
    assert post.kind == "post" and "Chant sheet" not in post.text


async def edits(bot, clock):
    clock.advance(seconds=3)
    return [s for s in await bot.deliver() if s.kind == "edit"]


async def test_attaching_points_the_announcement_to_the_sheet_and_detaching_takes_the_pointer_away(bot, app, clock):
    await setup(bot, app)
    assert await bot.ok("rosa", "/chant attach 1 1", **REP) == \
        "Chant #1 “Our schools” is on the sheet for “Informational picket”: /chant sheet action:1"
    await bot.ok("rosa", "/chant attach 2 1", **REP)
    [*_, edit] = await edits(bot, clock)
    assert edit.target.startswith("#actions/")
    assert "Chant sheet (2 chants): /chant sheet action:1" in edit.text.split("\n\n")
    assert [(b.label, b.command) for b in edit.message.buttons] == [
        ("I’m in", "/action join 1"), ("Can’t make it", "/action leave 1"), ("Chant sheet", "/chant sheet action:1")]
    assert (await bot.ok("maria", edit.message.buttons[2].command)).startswith("Chant sheet for “Informational picket”")

    outbox = await count_rows(app, OutboxItem)
    assert await bot.ok("rosa", "/chant attach 1 1", **REP) == \
        "Chant #1 “Our schools” is already on the sheet for “Informational picket”."
    assert await count_rows(app, ChantAttachment) == 2 and await count_rows(app, OutboxItem) == outbox

    show = await bot.ok("maria", "/action show 1")
    assert "Chants on its sheet\n#1 Our schools\n#2 Sí se puede" in show
    assert "Chant sheet (2 chants): /chant sheet action:1" in show

    assert await bot.ok("rosa", "/chant detach 1 1", **REP) == \
        "Took chant #1 “Our schools” off the sheet for “Informational picket”."
    assert "Chant sheet (1 chant): /chant sheet action:1" in (await edits(bot, clock))[-1].text
    assert await bot.ok("rosa", "/chant detach 1 1", **REP) == \
        "Chant #1 “Our schools” was not on the sheet for “Informational picket”."
    await bot.ok("rosa", "/chant detach 2 1", **REP)
    [*_, edit] = await edits(bot, clock)
    assert "Chant sheet" not in edit.text and len(edit.message.buttons) == 2
    assert "Chants on its sheet" not in await bot.ok("maria", "/action show 1")
    assert await count_rows(app, ChantAttachment) == 0


async def test_the_sheet_for_an_action_numbers_its_chants_with_a_printable_page(bot, app):
    await setup(bot, app)
    for chant in (1, 2):
        await bot.ok("luis", f"/chant attach {chant} 1", **LEADER)
    reply = await bot.say("maria", "/chant sheet action:1")
    assert reply.message.text.split("\n\n") == [
        bold("Chant sheet for “Informational picket”"),
        "\n".join([bold("1. Our schools"), "Leader: Who keeps our schools running?", bold("All: We do!"),
                   bold("All: Let him speak!")]),
        "\n".join([bold("2. Sí se puede"), "Leader: ¿Quién decide?", bold("All: ¡Nosotros!"),
                   bold("All: ¡Sí se puede!")])]
    (page,) = reply.message.attachments
    assert (page.filename, page.mime) == ("chant-sheet-action-1.html", "text/html")
    html = page.data.decode()
    assert "<h1>Chant sheet for “Informational picket”</h1>" in html
    assert ('<td class="call" dir="auto">Who keeps our schools running?</td>'
            '<td class="response" dir="auto">We do!</td>') in html
    assert "2. Sí se puede" in html and "Board" not in html

    spanish = await bot.say("maria", "/chant sheet action:1 lang:es")
    assert [p.split("\n")[0] for p in spanish.message.text.split("\n\n")] == [
        bold("Chant sheet for “Informational picket”"), bold("1. Sí se puede")]
    assert spanish.message.attachments[0].data.decode().startswith('<!DOCTYPE html>\n<html lang="es">')


async def test_tag_and_action_together_narrow_the_sheet(bot, app):
    await setup(bot, app)
    await bot.ok("rosa", "/chant attach 1 1", **REP)
    await bot.ok("rosa", "/chant attach 3 1", **REP)
    reply = await bot.say("maria", "/chant sheet action:1 tag:board")
    assert reply.message.text.split("\n\n") == [bold("Chant sheet for “Informational picket” · board"),
                                                "\n".join([bold("1. Board"), bold("All: Let him speak!")])]
    assert reply.message.attachments[0].filename == "chant-sheet-action-1-board.html"
    assert "No approved chants match" in await bot.fails("maria", "/chant sheet action:1 tag:strike")


async def test_an_action_with_no_chants_or_an_unknown_action_has_no_sheet(bot, app):
    await setup(bot, app)
    assert await bot.fails("maria", "/chant sheet action:1") == (
        "No chants are attached to “Informational picket” yet. A rep adds them with /chant attach <chant> 1.")
    assert "There is no action #9." in await bot.fails("maria", "/chant sheet action:9")


@pytest.mark.parametrize(("who", "as_", "error"), [
    ("maria", {}, "Only a site rep can do that."),
    ("tomas", OTHER_REP, "You are a rep for other worksites, not Escalante Elementary."),
])
@pytest.mark.parametrize("command", ["attach", "detach"])
async def test_members_and_reps_of_other_sites_cannot_attach_or_detach(bot, app, clock, who, as_, error, command):
    await setup(bot, app)
    await bot.ok("rosa", "/chant attach 1 1", **REP)
    await edits(bot, clock)
    outbox = await count_rows(app, OutboxItem)
    assert error in await bot.fails(who, f"/chant {command} 2 1", **as_)
    assert error in await bot.fails(who, f"/chant {command} 1 1", **as_)
    assert await count_rows(app, ChantAttachment) == 1 and await count_rows(app, OutboxItem) == outbox


async def test_a_rep_attaches_to_an_action_tied_to_no_worksite(bot, app):
    await setup(bot, app)
    await bot.ok("luis", '/action create Rally "Dec 3 5pm" Downtown', **LEADER)
    await bot.ok("tomas", "/chant attach 3 2", **OTHER_REP)
    assert await count_rows(app, ChantAttachment, ChantAttachment.action_id == 2) == 1


@pytest.mark.parametrize(("line", "error"), [
    ("/chant attach 9 1", "There is no chant #9."),
    ("/chant attach 1 9", "There is no action #9."),
    ("/chant detach 9 1", "There is no chant #9."),
    ("/chant detach 1 9", "There is no action #9."),
    ("/chant attach 4 1", "Only approved chants go on a sheet, and chant #4 is waiting for review."),
    ("/chant attach 5 1", "Only approved chants go on a sheet, and chant #5 is rejected."),
    ("/chant attach one 1", "chant must be a whole number, not “one”."),
    ("/chant attach 1", "Missing action."),
])
async def test_unknown_ids_and_unapproved_chants_are_refused_and_change_nothing(bot, app, line, error):
    await setup(bot, app)
    await bot.ok("maria", "/chant suggest Mine Hey hey | Ho ho")
    await bot.ok("maria", "/chant suggest Nope Boo")
    await bot.ok("rosa", "/chant reject 5", **REP)
    await bot.deliver()
    before = [await count_rows(app, model) for model in (ChantAttachment, OutboxItem)]
    assert error in await bot.fails("rosa", line, **REP)
    assert [await count_rows(app, model) for model in (ChantAttachment, OutboxItem)] == before


async def test_cancelling_removing_and_deleting_are_safe(bot, app, clock):
    await setup(bot, app)
    for chant in (1, 2, 3):
        await bot.ok("rosa", f"/chant attach {chant} 1", **REP)
    await bot.ok("rosa", "/chant remove 3", **REP)
    assert await count_rows(app, ChantAttachment) == 2 and await count_rows(app, Chant) == 2
    assert "Chant sheet (2 chants)" in (await edits(bot, clock))[-1].text

    await bot.ok("rosa", "/action cancel 1", **REP)
    [*_, edit] = await edits(bot, clock)
    assert edit.text.startswith("Cancelled: Informational picket")
    assert "Chant sheet" not in edit.text and edit.message.buttons == ()
    assert "was cancelled" in await bot.fails("rosa", "/chant attach 3 1", **REP)
    assert "2. Sí se puede" in await bot.ok("maria", "/chant sheet action:1")
    await bot.ok("rosa", "/chant detach 2 1", **REP)
    assert "Chant sheet" not in (await edits(bot, clock))[-1].text

    await app.db.write(lambda session: session.exec(delete(Action).where(Action.id == 1)))
    assert await count_rows(app, ChantAttachment) == 0 and await count_rows(app, Chant) == 2
    assert "There is no action #1." in await bot.fails("maria", "/chant sheet action:1")
