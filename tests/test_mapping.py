"""Mapping below the site: the roster's optional department, shift and grade (or floor) columns, imported and
exported, shown to the member in /member me; /member assign suggests coworkers of the captain's department first;
/member mylist and /structure coverage by:… break down by them. A file without the columns keeps what the
roster had."""

from __future__ import annotations

from sqlalchemy import select

from bot.markup import plain
from storage.members import Member
from storage.roster import export_columns, export_rows, import_rows, read_csv
from tests.support import ID_COLUMNS, add_roster

ESC, ROO = "Escalante Elementary", "Roosevelt High"
REP = {"role": "rep", "site": ESC}
LEAD = {"role": "leader"}
MAPPED = f"""name,worksite,Dept,Shift,Grade/Floor
Carla Captain,{ESC},Custodial,night,
Ana Ruiz,{ESC},Cafeteria,day,2nd floor
Bea Soto,{ESC},Custodial,night,
Cruz Diaz,{ESC},Custodial,day,
Dani Vega,{ESC},,,
Gus Park,{ROO},Transport,early,
"""


async def _import(app, text):
    rows, problems = read_csv(text, ID_COLUMNS)
    assert problems == []
    return await app.db.write(lambda s: import_rows(s, rows, app.clock(), app.voters, ID_COLUMNS))


async def _mapped(app) -> dict[str, tuple[str | None, ...]]:
    async def q(session):
        rows = await session.exec(select(Member.name, Member.department, Member.shift, Member.grade))
        return {name: tuple(rest) for name, *rest in rows.all()}
    return await app.db.read(q)


async def roster(app) -> None:
    """Members with console accounts, then the union's file with its mapping columns (matched by name)."""
    await add_roster(app, {ESC: ["Carla Captain", "Ana Ruiz", "Bea Soto", "Cruz Diaz", "Dani Vega"], ROO: ["Gus Park"]})
    report = await _import(app, MAPPED)
    assert (report.added, report.updated) == (0, 6)


async def test_import_export_and_an_old_file_keeps_the_columns(app):
    await roster(app)
    mapped = await _mapped(app)
    assert mapped["Ana Ruiz"] == ("Cafeteria", "day", "2nd floor")
    assert mapped["Dani Vega"] == (None, None, None)
    rows = await app.db.read(lambda s: export_rows(s, ID_COLUMNS))
    assert export_columns(ID_COLUMNS)[:7] == ["name", "worksite", "email", "member id", "department", "shift",
                                              "grade"]
    assert ["Ana Ruiz", ESC, "", "", "Cafeteria", "day", "2nd floor", "", ""] in rows
    old = f"name,worksite\nAna Ruiz,{ESC}\n"  # no mapping columns: nothing to change
    assert (await _import(app, old)).unchanged == 1
    assert (await _mapped(app))["Ana Ruiz"] == ("Cafeteria", "day", "2nd floor")
    cleared = await _import(app, f"name,worksite,department,shift\nAna Ruiz,{ESC},  Kitchen   staff ,\n")
    assert cleared.changes == [f"~ Ana Ruiz ({ESC}): department, shift"]
    assert (await _mapped(app))["Ana Ruiz"] == ("Kitchen staff", None, "2nd floor")


async def test_a_value_too_long_is_a_bad_row(app):
    rows, _ = read_csv(f"name,worksite,shift\nAna Ruiz,{ESC},{'x' * 101}\n", ID_COLUMNS)
    report = await app.db.write(lambda s: import_rows(s, rows, app.clock(), app.voters, ID_COLUMNS))
    assert report.problems == [(2, "shift is longer than 100 characters")] and report.added == 0


async def test_the_member_sees_their_own_in_member_me(bot, app):
    await roster(app)
    me = await bot.ok("Ana Ruiz", "/member me")
    assert "Department: Cafeteria\nShift: day\nGrade or floor: 2nd floor" in me
    assert "Department" not in await bot.ok("Dani Vega", "/member me")
    await bot.ok("Ana Ruiz", "/member lang es")
    assert "Departamento: Cafeteria\nTurno: day\nGrado o piso: 2nd floor" in await bot.ok("Ana Ruiz", "/member me")


async def test_suggestions_prefer_the_captains_department_and_mylist_breaks_down(bot, app):
    await roster(app)
    await bot.ok("rep", '/member captain "Carla Captain"', **REP)
    done = await bot.ok("rep", '/member assign "Carla Captain"', **REP)
    assert (f"On nobody’s list yet at {ESC}: Bea Soto (Custodial, night), Cruz Diaz (Custodial, day), "
            "Ana Ruiz (Cafeteria, day, 2nd floor), Dani Vega.") in done
    await bot.ok("rep", '/member assign "Carla Captain" Ana Ruiz, Bea Soto, Dani Vega', **REP)
    shown = await bot.ok("Carla Captain", "/member mylist")
    assert "Department: Cafeteria: 1 · Custodial: 1 · none on the roster: 1" in shown
    assert "Shift: day: 1 · night: 1 · none on the roster: 1" in shown
    assert "Grade or floor: 2nd floor: 1 · none on the roster: 2" in shown
    people = [line.split(" · ")[0] for line in shown.splitlines() if "not assessed yet" in line]
    assert people == ["Ana Ruiz (Cafeteria, day, 2nd floor)", "Bea Soto (Custodial, night)", "Dani Vega"]


async def test_coverage_by_department_and_a_by_that_is_not_one(bot, app):
    await roster(app)
    await bot.ok("rep", '/member captain "Carla Captain"', **REP)
    await bot.ok("rep", '/member assign "Carla Captain" Bea Soto', **REP)
    await bot.ok("rep", '/member talked "Ana Ruiz" 2', **REP)
    reply = await bot.say("boss", "/structure coverage by:department", **LEAD)
    assert not reply.error
    text = plain(reply.message.text)
    assert (f"{ESC}\nWith a captain: 2 of 5 (40%) · talked with: 1 of 5 (20%)\n"
            "Cafeteria: with a captain 0 of 1 (0%) · talked with 1 of 1 (100%)\n"
            "Custodial: with a captain 2 of 3 (67%) · talked with 0 of 3 (0%)\n"
            "none on the roster: with a captain 0 of 1 (0%) · talked with 0 of 1 (0%)") in text
    assert "Transport: with a captain 0 of 1 (0%)" in text
    [sheet] = reply.message.attachments
    csv = sheet.data.decode("utf-8-sig")
    assert "worksite,Department,roster,with a captain,talked with lately" in csv
    assert f"{ESC},Custodial,3,2,0" in csv and f"{ESC},,1,0,0" in csv
    by_shift = await bot.ok("rep", f'/structure coverage site:"{ESC}" by:shift', **REP)
    assert "night: with a captain 2 of 2 (100%)" in by_shift and "Transport" not in by_shift
    await bot.ok("rep", "/member lang es", **REP)
    assert "Custodial: con capitán" in await bot.ok("rep", "/structure coverage by:departamento", **REP)
    wrong = await bot.fails("boss", "/structure coverage by:floor", **LEAD)
    assert "by must be one of: department, shift, grade." in wrong
