"""Roster import and export: bad rows reported by line, good rows kept, re-import changes nothing."""

import subprocess
import sys

from sqlalchemy import select

from storage.members import Member, MemberIdentity, Worksite
from storage.roster import export_rows, import_rows, read_csv
from tests.support import ID_COLUMNS

ROSTER = """name,worksite,email,member id,slack id,discord id
Maria Álvarez,Escalante Elementary,maria@example.org,1001,U0MARIA1,
Luis Ortega,Escalante Elementary,,1002,,555000111222333444
,Roosevelt High,nobody@example.org,1003,,
Ana Díaz,Roosevelt High,not-an-email,1004,,
Ben Cho,Roosevelt High,ben@example.org,1005,maybe,
Ruth Park,Roosevelt High,ruth@example.org,1001,,
"Kim, Jo",Roosevelt  high,kim@example.org,1006,,
"""


async def _import(app, text):
    rows, problems = read_csv(text, ID_COLUMNS)
    assert problems == []
    return await app.db.write(lambda s: import_rows(s, rows, app.clock(), app.voters, ID_COLUMNS))


async def _all(app, stmt):
    async def q(session):
        return [tuple(row) if len(row) > 1 else row[0] for row in (await session.exec(stmt)).all()]
    return await app.db.read(q)


async def test_bad_rows_are_reported_by_line_and_good_rows_kept(app):
    report = await _import(app, ROSTER)
    assert (report.added, report.updated, report.unchanged) == (3, 0, 0)
    assert report.problems == [
        (4, "name is empty"),
        (5, "email “not-an-email” is not an email address"),
        (6, "slack id “maybe” should look like U012ABCDEF"),
        (7, "member id 1001 is also on line 2"),
    ]
    names = await _all(app, select(Member.name).order_by(Member.name))
    assert names == ["Kim, Jo", "Luis Ortega", "Maria Álvarez"]
    sites = await _all(app, select(Worksite.name).order_by(Worksite.name))
    assert sites == ["Escalante Elementary", "Roosevelt high"]
    accounts = await _all(app, select(MemberIdentity.platform, MemberIdentity.user_id)
                          .order_by(MemberIdentity.platform))
    assert accounts == [("discord", "555000111222333444"), ("slack", "U0MARIA1")]


async def test_importing_twice_changes_nothing_and_a_moved_member_is_updated(app):
    await _import(app, ROSTER)
    again = await _import(app, ROSTER)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 3)
    moved = ROSTER.replace("Maria Álvarez,Escalante Elementary", "Maria Álvarez,Roosevelt High")
    report = await _import(app, moved)
    assert (report.added, report.updated, report.unchanged) == (0, 1, 2)
    site = await _all(app, select(Worksite.name).join(Member, Member.worksite_id == Worksite.id)
                      .where(Member.member_no == "1001"))
    assert site == ["Roosevelt high"]
    assert len(await _all(app, select(Member.id))) == 3


async def test_a_member_who_used_the_bot_before_the_roster_is_merged_into_their_row(bot, app):
    await bot.ok("U0MARIA1", "/member lang es", platform="slack")
    await _import(app, ROSTER)
    members = await _all(app, select(Member.name, Member.lang, Member.on_roster).where(Member.member_no == "1001"))
    assert members == [("Maria Álvarez", "es", True)]
    assert len(await _all(app, select(Member.id))) == 3
    assert "On the union roster: yes" not in await bot.ok("U0MARIA1", "/member me", platform="slack")  # Spanish now
    assert "En la lista de miembros del sindicato: sí" in await bot.ok("U0MARIA1", "/member me", platform="slack")


async def test_export_round_trips(app):
    await _import(app, ROSTER)
    rows = await app.db.read(lambda s: export_rows(s, ID_COLUMNS))
    assert rows[0] == ["Kim, Jo", "Roosevelt high", "kim@example.org", "1006", "", "", "", "", ""]
    assert ["Maria Álvarez", "Escalante Elementary", "maria@example.org", "1001", "", "", "", "U0MARIA1", ""] in rows


def test_a_file_without_the_required_columns_is_refused():
    rows, problems = read_csv("full name,email\nMaria,m@example.org\n", ID_COLUMNS)
    assert rows == [] and "missing column(s): worksite" in problems[0][1]


def test_cli_import_shows_bad_lines_and_totals_and_export_prints_csv(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    db = tmp_path / "cli.db"
    run = [sys.executable, "-m", "bot", "roster", "import", str(roster), "--db", str(db)]
    first = subprocess.run(run, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    assert "3 added, 0 updated, 0 unchanged, 4 rows skipped" in first.stdout
    assert "line 5: email “not-an-email” is not an email address" in first.stderr
    second = subprocess.run(run, capture_output=True, text=True, timeout=120)
    assert "0 added, 0 updated, 3 unchanged" in second.stdout
    export = subprocess.run([sys.executable, "-m", "bot", "roster", "export", "--db", str(db)],
                            capture_output=True, text=True, timeout=120)
    assert export.stdout.splitlines()[0] == "name,worksite,email,member id,department,shift,grade,slack id,discord id"
    assert "Maria Álvarez,Escalante Elementary,maria@example.org,1001,,,,U0MARIA1," in export.stdout


SYNCED = """name,worksite,email,member id
Maria Álvarez,Roosevelt High,maria@example.org,1001
Kim Jo,Roosevelt High,kim@example.org,1006
Nora Paz,Escalante Elementary,nora@example.org,1007
"""


def _cli(tmp_path, *args, stdin=""):
    return subprocess.run([sys.executable, "-m", "bot", "roster", *args, "--db", str(tmp_path / "cli.db")],
                          capture_output=True, text=True, timeout=120, input=stdin)


def test_cli_sync_shows_what_would_change_and_asks_first(tmp_path):
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    (tmp_path / "synced.csv").write_text(SYNCED, encoding="utf-8")
    assert _cli(tmp_path, "import", str(tmp_path / "roster.csv")).returncode == 0
    declined = _cli(tmp_path, "import", str(tmp_path / "synced.csv"), "--sync", stdin="n\n")
    assert declined.returncode == 1 and "nothing changed" in declined.stderr
    for line in ("1 added, 2 updated, 1 off the roster", "+ Nora Paz (Escalante Elementary)",
                 "~ Maria Álvarez: Escalante Elementary → Roosevelt high", "- Luis Ortega (Escalante Elementary)"):
        assert line in declined.stdout
    assert "Luis Ortega" in _cli(tmp_path, "export").stdout
    applied = _cli(tmp_path, "import", str(tmp_path / "synced.csv"), "--sync", stdin="y\n")
    assert applied.returncode == 0, applied.stderr
    assert "1 added, 2 updated, 0 unchanged, 1 off the roster, 0 rows skipped" in applied.stdout
    exported = _cli(tmp_path, "export").stdout
    assert "Luis Ortega" not in exported and "Nora Paz" in exported
    again = _cli(tmp_path, "import", str(tmp_path / "synced.csv"), "--sync", "--yes")
    assert "0 added, 0 updated, 3 unchanged, 0 off the roster" in again.stdout


def test_cli_sync_with_bad_rows_changes_nothing_unless_yes_and_keeps_the_bad_rows_members(tmp_path):
    (tmp_path / "roster.csv").write_text(SYNCED, encoding="utf-8")
    (tmp_path / "bad.csv").write_text(SYNCED.replace("nora@example.org", "nora-at-example").replace(
        "Kim Jo,Roosevelt High,kim@example.org,1006\n", ""), encoding="utf-8")
    assert _cli(tmp_path, "import", str(tmp_path / "roster.csv")).returncode == 0
    refused = _cli(tmp_path, "import", str(tmp_path / "bad.csv"), "--sync", stdin="y\n")
    assert refused.returncode == 1 and "nothing changed: 1 rows are bad" in refused.stderr
    assert "line 3: email “nora-at-example” is not an email address" in refused.stderr
    assert "Kim Jo" in _cli(tmp_path, "export").stdout
    forced = _cli(tmp_path, "import", str(tmp_path / "bad.csv"), "--sync", "--yes")
    assert "0 added, 0 updated, 1 unchanged, 1 off the roster, 1 rows skipped" in forced.stdout
    exported = _cli(tmp_path, "export").stdout
    assert "Kim Jo" not in exported and "Nora Paz" in exported  # Nora's row was bad: she stays on


def test_cli_sync_refuses_a_file_with_no_members(tmp_path):
    (tmp_path / "empty.csv").write_text("name,worksite\n", encoding="utf-8")
    refused = _cli(tmp_path, "import", str(tmp_path / "empty.csv"), "--sync", "--yes")
    assert refused.returncode == 1 and "--sync would take everyone off the roster" in refused.stderr
