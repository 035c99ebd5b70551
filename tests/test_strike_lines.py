"""/strike status and /strike sheet through the real app and database: each line of a day against its minimum,
the shortest first, what counts before, during and after a shift, the chart and the CSV, who sees which
lines; the sign-in sheet's buttons, each click signing one person in through /strike signin's path.

Dates are typed relative to the injected clock (a Monday at 09:00 in Los Angeles)."""

import csv
import io

from PIL import Image

from storage.shifts import Shift
from tests.support import add_roster
from tests.test_strike import ESC, LEADER, LIN, REP, ROO, day, line, shifts


async def world(app):
    return await add_roster(app, {ESC: ["ana", "cruz", "eva", "lola"], ROO: ["gus", "rita"], LIN: ["lia"]})


async def lines_today(bot, clock):
    """Planned at 6:00, then back to 9:00: Escalante 6:30-10:30 (on now, captain cruz, needs 3) and 10:30-14:30
    (needs 2), Roosevelt 10:30-14:30 (captain gus, needs 2), Lincoln tomorrow 6:30-10:30."""
    clock.advance(hours=-3)
    d = day(clock, 0)
    await bot.ok("boss", f'/strike shift add "{ESC}" {d} 6:30-10:30 captain:cruz minimum:3', **LEADER)  # 1: on now
    await bot.ok("boss", f'/strike shift add "{ESC}" {d} 10:30-14:30 minimum:2', **LEADER)  # 2: coming
    await bot.ok("boss", f'/strike shift add "{ROO}" {d} 10:30-14:30 captain:gus minimum:2', **LEADER)  # 3: coming
    await bot.ok("boss", f'/strike shift add "{LIN}" {day(clock, 1)} 6:30-10:30', **LEADER)  # 4: tomorrow
    clock.advance(hours=3)


def shown(text: str) -> list[str]:
    return [row for row in text.splitlines() if row.startswith(("⚠", "✓"))]


async def test_leaders_see_every_line_shortest_first_with_a_chart_and_a_csv(bot, app, clock):
    await world(app)
    await lines_today(bot, clock)
    for who in ("ana", "eva"):
        await bot.ok(who, "/strike join 2")
    await bot.ok("rita", "/strike join 3")
    await bot.ok("cruz", "/strike signin 1 ana, eva, lola")
    await bot.ok("cruz", "/strike signout 1 lola")
    reply = await bot.say("boss", "/strike status", **LEADER)
    text = reply.message.text
    assert "3 shifts at 2 sites. 2 lines still to staff are short of people: 2 people in all." in text
    rows = shown(text)
    assert [r.split()[1] for r in rows] == ["#1", "#3", "#2"]  # one short (the earlier first), one short, none
    assert "on now: 2 of 3 needed on the line, 3 signed in, 0 signed up" in rows[0] and "1 person short" in rows[0]
    assert "1 of 2 needed signed up" in rows[1] and "captain gus" in rows[1]
    assert rows[2].startswith("✓") and "2 of 2 needed signed up" in rows[2]
    assert LIN not in text  # tomorrow's line is another day's
    image, sheet = reply.message.attachments
    assert image.mime == "image/png" and Image.open(io.BytesIO(image.data)).size[0] > 200
    table = list(csv.reader(io.StringIO(sheet.data.decode("utf-8-sig"))))
    assert table[0][:2] == ["shift", "worksite"] and table[0][-2:] == ["short", "state"]
    assert [(r[0], r[5], r[6], r[8], r[9], r[10], r[11]) for r in table[1:]] == [
        ("1", "3", "0", "3", "2", "1", "on now"), ("3", "2", "1", "0", "0", "1", "coming"),
        ("2", "2", "2", "0", "0", "0", "coming")]
    tomorrow = await bot.ok("boss", f"/strike status day:{day(clock, 1)} chart:no", **LEADER)
    assert LIN in tomorrow and "0 of 4 needed signed up" in tomorrow
    one = await bot.ok("boss", f'/strike status site:"{ROO}"', **LEADER)
    assert shown(one) and all(ROO in r for r in shown(one))
    clock.advance(hours=6)  # 15:00: every line of the day is over, and listed after
    over = await bot.ok("boss", "/strike status", **LEADER)
    assert "Every line still to staff has its minimum." in over
    assert "over: 3 of 3 needed came, 0 had signed up" in over


async def test_reps_see_their_sites_captains_their_lines_and_members_nothing(bot, app, clock):
    await world(app)
    await lines_today(bot, clock)
    rep = shown(await bot.ok("rosa", "/strike status", **REP))
    assert [r.split()[1] for r in rep] == ["#1", "#2"]
    captain = shown(await bot.ok("gus", "/strike status"))  # a member who captains shift #3 today
    assert [r.split()[1] for r in captain] == ["#3"]
    assert "Only a captain of a picket shift that day" in await bot.fails("ana", "/strike status")
    assert "Only a captain of a picket shift that day" in await bot.fails("gus", f"/strike status day:{day(clock, 1)}")
    assert "no worksite called" in await bot.fails("rosa", '/strike status site:"Nowhere"', **REP)
    assert "No picket shifts you can see" in await bot.ok("rosa", f'/strike status site:"{ROO}"', **REP)


async def test_the_status_in_spanish(bot, app, clock):
    await world(app)
    await lines_today(bot, clock)
    await bot.ok("cruz", "/member lang es")
    text = await bot.ok("cruz", "/strike status chart:no")
    assert "Líneas de piquete" in text and "faltan 3 personas" in text
    assert "en curso: 0 de 3 necesarios en la línea" in text


async def test_a_click_on_the_sign_in_sheet_signs_that_person_in_and_shows_the_sheet_again(bot, app, clock):
    ids = await world(app)
    await lines_today(bot, clock)
    [shift] = await shifts(app, Shift.id == 2)
    for who in ("lola", "eva", "ana"):
        await bot.ok(who, "/strike join 2")
    await bot.ok("boss", "/strike shift edit 2 captain:cruz", **LEADER)
    assert "Only a captain of this shift" in await bot.fails("ana", "/strike sheet 2")
    clock.now = shift.starts_at
    reply = await bot.say("cruz", "/strike sheet 2")
    text = reply.message.text
    assert "0 of 3 signed in; 2 needed." in text and "· ana" in text
    assert [b.label for b in reply.message.buttons] == ["Sign in ana", "Sign in eva", "Sign in lola"]
    click = reply.message.buttons[1].command
    assert click == f"/strike sheet 2 page:1 signin:{ids['eva']}"
    assert "Only a captain of this shift" in await bot.fails("ana", click)  # the permission is checked on click
    assert await line(app, 2) == []
    after = await bot.say("cruz", click)
    assert after.message.text.startswith("Signed in 1 person on shift #2")
    assert "1 of 3 signed in" in after.message.text and "✓ eva · in at" in after.message.text
    assert [b.label for b in after.message.buttons] == ["Sign in ana", "Sign in lola"]
    assert "Already signed in: eva" in await bot.ok("cruz", click)
    [row] = await line(app, 2)
    assert row.member_id == ids["eva"] and row.by_id == ids["cruz"] and not row.late
    await bot.ok("rosa", "/strike signin 2 cruz", **REP)  # not signed up: on the sheet all the same, signed in
    assert "✓ cruz · in at" in await bot.ok("cruz", "/strike sheet 2")
    assert "no longer signed up" in await bot.fails("cruz", f"/strike sheet 2 signin:{ids['lia']}")
    clock.advance(hours=5)  # the shift is over: a click is refused as /strike signin would be
    assert "that is not now" in await bot.fails("cruz", f"/strike sheet 2 signin:{ids['ana']}")
    assert len(await line(app, 2)) == 2


async def test_a_long_line_is_paged_and_every_page_keeps_within_the_button_limit(bot, app, clock):
    names = [f"striker{n:02}" for n in range(45)]
    await add_roster(app, {ESC: ["cruz", *names]})
    await bot.ok("boss", f'/strike shift add "{ESC}" {day(clock, 0)} 9:30-13:30 captain:cruz', **LEADER)
    for name in names:
        await bot.ok(name, "/strike join 1")
    first = await bot.say("cruz", "/strike sheet 1")
    assert "Page 1 of 3." in first.message.text and len(first.message.buttons) == 21
    assert first.message.buttons[-1].command == "/strike sheet 1 page:2"
    last = await bot.say("cruz", "/strike sheet 1 page:3")
    assert len(last.message.buttons) == 5 and "striker44" in last.message.text
