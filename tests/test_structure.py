"""/structure through the real app and database: a week of structure tests at three worksites — Escalante
climbs and passes, Roosevelt falls back, Lincoln is out of the pledge's scope — read as shares of each
whole roster, with the trend, the heat map and the CSV, ladder edits, and who may see what."""

import csv
import io

from PIL import Image
from sqlalchemy import select

from bot.markup import plain
from storage.audit import AuditEntry
from tests.support import add_roster, typed_date

ESC, ROO, LIN = "Escalante Elementary", "Roosevelt High", "Lincoln Middle"
LEAD = {"role": "leader"}


def staff(prefix: str) -> list[str]:
    return [f"{prefix}{i}" for i in range(20)]


async def week(bot, app, clock) -> None:
    """Monday's picket (every site), Wednesday's readiness poll, Friday's pledge (Escalante and Roosevelt)."""
    await add_roster(app, {ESC: staff("e"), ROO: staff("r"), LIN: staff("l")})
    await bot.ok("boss", f'/action create Picket "{typed_date(clock(), days=1, at="07:15")}" Gate kind:picket', **LEAD)
    clock.advance(days=1)
    for name in staff("e")[:6] + staff("r")[:14] + staff("l")[:4]:
        await bot.ok(name, "/action checkin 1")
    await bot.ok("boss", "/readiness open Would you vote to authorize a strike?", **LEAD)
    for names, choice in ((staff("e")[:12] + staff("r")[:16], 1), (staff("e")[12:17] + staff("r")[16:], 4)):
        for name in names:
            await bot.ok(name, f"/readiness answer 1 {choice}")
    await bot.ok("boss", f'/pledge open "I will vote YES to authorize a strike" sites:"{ESC},{ROO}"', **LEAD)
    for name in staff("e")[:16] + staff("r")[:8]:
        await bot.ok(name, "/pledge sign 1")
    await bot.ok("boss", "/structure add action 1", **LEAD)
    await bot.ok("boss", "/structure add readiness 1", **LEAD)
    assert "passing at 75%" in await bot.ok("boss", "/structure add pledge 1 threshold:75%", **LEAD)


def rows_of(reply, name: str) -> list[list[str]]:
    [data] = [a.data for a in reply.message.attachments if a.filename == name]
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


async def test_a_week_of_tests_one_site_passes_one_falls_back_one_is_out_of_scope(bot, app, clock):
    await week(bot, app, clock)
    reply = await bot.say("boss", "/structure", **LEAD)
    text = plain(reply.message.text)
    assert "1. action #1 “Picket” — passes at 70%, for every worksite: 1 of 3 pass" in text
    assert "3. pledge #1 “I will vote YES to authorize a strike” — passes at 75%, for 2 worksites: 1 of 2 pass" \
        in text
    assert f"{ESC}: 30% → 60% → 80%, 2× since the first test" in text
    assert "1 ✗ 30% · 2 ✗ 60% · 3 ✓ 80%" in text
    assert f"{ROO}: 70% → 80% → 40%" in text and "1 ✓ 70% · 2 ✓ 80% · 3 ✗ 40%" in text
    assert f"{LIN}: 20%" in text and "1 ✗ 20% · 2 hidden · 3 –" in text  # two answers at Lincoln: hidden
    assert text.split("Fell back at the latest test\n")[1] == f"{ROO}: 80% → 40%"
    table = rows_of(reply, "structure.csv")
    assert table[0][:5] == ["worksite", "roster", "1. Picket", "1. Picket: share", "1. Picket: passes"]
    assert table[1][:2] == [ESC, "20"] and table[1][-3:] == ["16", "0.800", "yes"]
    assert [row[0] for row in table[1:]] == [ESC, ROO, LIN]  # by the latest share shown: 80%, 40%, 20%
    assert table[3][-3:] == ["not in scope", "", ""]
    [image] = [a for a in reply.message.attachments if a.mime == "image/png"]
    assert Image.open(io.BytesIO(image.data)).size[0] > 400


async def test_a_rep_sees_their_own_site_with_small_counts_hidden_and_every_view_is_audited(bot, app, clock):
    await week(bot, app, clock)
    await bot.say("l0", "/readiness answer 1 1")
    rep = await bot.ok("someone", "/structure", role="rep", site=LIN)
    assert LIN in rep and ESC not in rep and ROO not in rep
    assert "1 hidden · 2 hidden · 3 –" in rep  # 4 came: under the minimum of 5 for anyone but a leader
    assert "Only a site rep" in await bot.fails("e0", "/structure")
    assert "other worksites" in await bot.fails("someone", f'/structure site:"{ESC}"', role="rep", site=LIN)
    one = await bot.ok("boss", f'/structure site:"{ESC}" chart:no', **LEAD)
    assert ESC in one and ROO not in one

    async def entries(session):
        rows = await session.exec(select(AuditEntry.command, AuditEntry.refused).order_by(AuditEntry.id))
        return [tuple(r) for r in rows.all() if r[0] == "structure show"]
    assert await app.db.read(entries) == [("structure show", False), ("structure show", True),
                                          ("structure show", True), ("structure show", False)]


async def test_leaders_reorder_and_retire_tests(bot, app, clock):
    await week(bot, app, clock)
    assert "pledge #1 is now step 1" in await bot.ok("boss", "/structure move 3 1", **LEAD)
    text = await bot.ok("boss", "/structure chart:no", **LEAD)
    assert f"{ROO}: 40% → 70% → 80%" in text and "Fell back" not in text
    assert "Step 1 (pledge #1) is off the ladder" in await bot.ok("boss", "/structure remove 1", **LEAD)
    text = await bot.ok("boss", "/structure chart:no", **LEAD)
    assert "1. action #1" in text and "2. readiness poll #1" in text and "3." not in text
    assert "no step 4" in await bot.fails("boss", "/structure remove 4", **LEAD)
    assert "already on the ladder" in await bot.fails("boss", "/structure add action 1", **LEAD)
    assert "There is no pledge #9" in await bot.fails("boss", "/structure add pledge 9", **LEAD)
    assert "Only a leader" in await bot.fails("someone", "/structure add pledge 1", role="rep", site=ESC)


async def test_past_sixty_sites_the_top_and_bottom_are_named_and_the_csv_has_all(bot, app, clock):
    await add_roster(app, {f"School {i:02d}": [f"m{i}"] for i in range(61)})
    await bot.ok("boss", f'/action create Rally "{typed_date(clock(), days=1)}" Downtown', **LEAD)
    await bot.ok("boss", "/structure add action 1", **LEAD)
    reply = await bot.say("boss", "/structure", **LEAD)
    text = plain(reply.message.text)
    assert "… 1 more worksite in the attached CSV" in text
    assert sum(1 for line in text.splitlines() if line.startswith("School ")) == 60
    assert len(rows_of(reply, "structure.csv")) == 62
