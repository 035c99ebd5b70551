"""/readiness through the real app and database: answering, the structure test against the roster,
missing lists, export, anonymity, small-cell suppression, the chart, and /member assess."""

import csv
import io
import stat

import pytest
from PIL import Image
from sqlalchemy import select

from bot.app import App
from bot.secret_key import server_key
from commands import build_registry
from storage.db import Database
from storage.members import Member
from storage.readiness import ReadinessAnswer, ReadinessPoll
from storage.tables import metadata
from tests.support import Harness, add_roster, make_config, text

ESC, ROO = "Escalante Elementary", "Roosevelt High"
LEAD = {"role": "leader"}
REP = {"role": "rep", "site": ESC}


@pytest.fixture(autouse=True)
def secret_key(monkeypatch):
    monkeypatch.setenv("ORGANIZER_SECRET_KEY", "test-key")


def people(prefix: str, n: int) -> list[str]:
    return [f"{prefix}{i}" for i in range(n)]


async def open_poll(bot, line: str = "") -> int:
    reply = await bot.ok("boss", f"/readiness open Would you vote to authorize a strike? {line}", **LEAD)
    return int(reply.split("#")[1].split(" ")[0])


async def answers(app, poll_id: int) -> list[ReadinessAnswer]:
    async def read(session):
        return list((await session.exec(select(ReadinessAnswer).where(ReadinessAnswer.poll_id == poll_id))).scalars())
    return await app.db.read(read)


async def vote(bot, names, poll_id, choice):
    for name in names:
        await bot.ok(name, f"/readiness answer {poll_id} {choice}")


def csv_rows(reply) -> list[list[str]]:
    data = reply.message.attachments[0].data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(data)))


async def test_open_posts_the_question_with_one_button_per_default_choice(bot):
    poll = await open_poll(bot)
    post = [s for s in await bot.deliver() if s.kind == "post"][0]
    assert post.target == "#readiness" and "Would you vote to authorize a strike?" in post.text
    assert [(b.label, b.command) for b in post.message.buttons] == [
        ("Yes, I'd vote to authorize a strike", f"/readiness answer {poll} 1"),
        ("Leaning yes", f"/readiness answer {poll} 2"), ("Not sure", f"/readiness answer {poll} 3"),
        ("No", f"/readiness answer {poll} 4")]


async def test_custom_choices_by_semicolon_or_slash(bot, app):
    first = await open_poll(bot, 'choices:"Ready; Not yet; No way"')
    second = await open_poll(bot, 'choices:"Sí / No"')
    polls = await app.db.read(lambda s: s.exec(select(ReadinessPoll.choices).order_by(ReadinessPoll.id)))
    assert [list(c) for c in polls.scalars()] == [["Ready", "Not yet", "No way"], ["Sí", "No"]]
    assert "Sí" in await bot.ok("ana", f"/readiness answer {second} 1")
    assert "Not yet" in await bot.ok("ana", f"/readiness answer {first} not yet")


async def test_answer_change_and_close(bot, app):
    ids = await add_roster(app, {ESC: ["ana"]})
    poll = await open_poll(bot, "anonymous:no")
    await bot.deliver()
    reply = await bot.say("ana", f"/readiness answer {poll} 2")
    assert not reply.public and text(reply).startswith(f"Your answer to poll #{poll}: Leaning yes.")
    assert "Your answer to poll" in await bot.ok("ana", f"/readiness answer {poll} yes")
    stored = await answers(app, poll)
    assert [(a.member_id, a.choice) for a in stored] == [(ids["ana"], 0)]
    assert await bot.ok("boss", f"/readiness close {poll}", **LEAD) == \
        f"Poll #{poll} is closed. The 1 member who answered was told by DM."
    assert "is closed, so answers can’t be given or changed" in await bot.fails("ana", f"/readiness answer {poll} 4")
    assert [a.choice for a in await answers(app, poll)] == [0]
    assert "already closed" in await bot.fails("boss", f"/readiness close {poll}", **LEAD)
    edits = [s for s in await bot.deliver() if s.kind == "edit"]
    assert "This poll is closed." in edits[-1].text and not edits[-1].message.buttons


async def test_poll_closes_on_its_own_at_the_closing_time(bot, app, clock):
    poll = await open_poll(bot, 'closes:"tomorrow 5pm"')
    await bot.ok("ana", f"/readiness answer {poll} 1")
    clock.advance(days=2)
    await bot.deliver()
    closed = await app.db.read(lambda s: s.get(ReadinessPoll, poll))
    assert closed.closed_at is not None
    assert "is closed" in await bot.fails("ana", f"/readiness answer {poll} 2")


@pytest.mark.parametrize("line, error", [
    ("/readiness answer 99 1", "There is no readiness poll #99."),
    ("/readiness answer {poll} 7",
     "has no choice “7”. Choose one of: 1 Yes, I'd vote to authorize a strike; 2 Leaning"),
    ("/readiness answer {poll} maybe", "has no choice “maybe”"),
    ("/readiness tally 99", "There is no readiness poll #99."),
    ("/readiness open Ready? closes:yesterday", "is in the past"),
    ("/readiness open Ready? closes:whenever-ish", "couldn’t read “whenever-ish” as a date"),
    ('/readiness open Ready? choices:"only one"', "at least two choices"),
    ('/readiness open Ready? choices:"a; A"', "Each choice must be different"),
    ("/member assess nobody 2", "No member matches “nobody”"),
    ("/member assess ana 9", "score must be at most 5"),
])
async def test_bad_input_is_refused_and_changes_nothing(bot, app, line, error):
    await add_roster(app, {ESC: ["ana"]})
    poll = await open_poll(bot)
    assert error in await bot.fails("boss", line.format(poll=poll), **LEAD)
    assert await answers(app, poll) == []
    polls = await app.db.read(lambda s: s.exec(select(ReadinessPoll.id)))
    assert list(polls.scalars()) == [poll]


async def roster_and_votes(bot, app, poll):
    """Escalante: 10 on the roster, 7 yes (70%: passes). Roosevelt: 10, 6 yes + 3 no (60%: fails).
    Two members who are not on the roster answer yes: counted apart."""
    await add_roster(app, {ESC: people("e", 10), ROO: people("r", 10)})
    await add_roster(app, {ESC: ["visitor1", "visitor2"]}, on_roster=False)
    await vote(bot, people("e", 7), poll, 1)
    await vote(bot, people("r", 6), poll, 1)
    await vote(bot, ["r6", "r7", "r8"], poll, 4)
    await vote(bot, ["visitor1", "visitor2"], poll, 1)


async def test_tally_is_a_share_of_the_roster_with_off_roster_answers_apart(bot, app):
    poll = await open_poll(bot, "anonymous:no")  # a leader sees every count of a named poll
    await roster_and_votes(bot, app, poll)
    shown = await bot.ok("boss", f"/readiness tally {poll}", **LEAD)
    assert "Overall: 20 members on the roster, 16 answered; 1 of 2 worksites pass 70%." in shown
    assert "Not on the roster (not counted above): 2 answered — Yes, I'd vote to authorize a strike: 2" in shown
    passing, closest = shown.split("\n\n")[2:4]  # the summary names the sites each side of the line
    assert (passing, closest) == ("Passing 70%: Escalante Elementary 70%", "Closest to 70%: Roosevelt High 60%")
    escalante, roosevelt = shown.split("\n\n")[5:7]
    assert escalante.splitlines()[:3] == [
        "Escalante Elementary — passes: 70% of the roster say yes", "Roster: 10 · answered: 7",
        "Yes, I'd vote to authorize a strike: 7 · Leaning yes: 0 · Not sure: 0 · No: 0"]
    assert roosevelt.splitlines()[:2] == ["Roosevelt High — below 70%: 60% of the roster say yes",
                                          "Roster: 10 · answered: 9"]


async def test_tally_shows_sites_nobody_answered_from_and_keeps_off_roster_sites_out(bot, app):
    """The tally's one statement: a roster site with no answers still shows; answers from members not on
    the roster count apart and add no site; a site whose answerer left the roster keeps the answer;
    a poll nobody answered still lists the roster. Also in Spanish."""
    quiet = await open_poll(bot, "anonymous:no")
    poll = await open_poll(bot, "anonymous:no")
    ids = await add_roster(app, {ESC: people("e", 6), ROO: people("r", 4), "Lincoln Middle": ["leaver"]})
    await add_roster(app, {"Jefferson Middle": ["guest1", "guest2"]}, on_roster=False)
    await vote(bot, people("e", 5), poll, 1)
    await vote(bot, ["guest1", "guest2", "leaver"], poll, 3)

    async def leave(session):
        (await session.get(Member, ids["leaver"])).on_roster = False
    await app.db.write(leave)
    shown = await bot.ok("boss", f"/readiness tally {poll}", **LEAD)
    title, overall, passing, closest, off, escalante, lincoln, roosevelt = shown.split("\n\n")
    assert passing == "Passing 70%: Escalante Elementary 83%" and closest.startswith("Closest to 70%: ")
    assert overall == "Overall: 10 members on the roster, 6 answered; 1 of 3 worksites pass 70%."
    assert off == ("Not on the roster (not counted above): 2 answered — Yes, I'd vote to authorize a strike: 0 · "
                   "Leaning yes: 0 · Not sure: 2 · No: 0")
    assert escalante.splitlines()[:2] == ["Escalante Elementary — passes: 83% of the roster say yes",
                                          "Roster: 6 · answered: 5"]
    nothing_yet = "Yes, I'd vote to authorize a strike: 0 · Leaning yes: 0 · Not sure: 0 · No: 0"
    assert lincoln.splitlines()[:3] == ["Lincoln Middle — no one from this site is on the roster",
                                        "Roster: 0 · answered: 1", nothing_yet.replace("Not sure: 0", "Not sure: 1")]
    assert roosevelt.splitlines()[:3] == ["Roosevelt High — below 70%: 0% of the roster say yes",
                                          "Roster: 4 · answered: 0", nothing_yet]
    nobody = await bot.ok("boss", f"/readiness tally {quiet}", **LEAD)
    assert "Overall: 10 members on the roster, 0 answered; 0 of 2 worksites pass 70%." in nobody
    assert "Not on the roster" not in nobody and "Lincoln" not in nobody and "Roster: 6 · answered: 0" in nobody
    await bot.ok("boss", "/member lang es", **LEAD)
    spanish = (await bot.ok("boss", f"/readiness tally {poll}", **LEAD)).split("\n\n")
    assert spanish[2] == "Pasan el 70%: Escalante Elementary 83%"
    assert spanish[6].splitlines()[1:3] == ["Lista: 0 · respondieron: 1",
                                            "Sí, votaría por autorizar una huelga: 0 · Más bien sí: 0 · "
                                            "No sé todavía: 1 · No: 0"]
    assert spanish[7].startswith("Roosevelt High — por debajo del 70%: el 0% de la lista dice que sí")


async def test_threshold_comes_from_config(db_url, clock):
    app = App(make_config(readiness={"threshold": 0.6}), build_registry(), db=Database(db_url), clock=clock)
    await app.start()
    try:
        bot = Harness(app, clock)
        poll = await open_poll(bot, "anonymous:no")
        await roster_and_votes(bot, app, poll)
        shown = await bot.ok("boss", f"/readiness tally {poll}", **LEAD)
        assert "2 of 2 worksites pass 60%" in shown and "Roosevelt High — passes: 60%" in shown
    finally:
        await app.close()


async def test_tally_chart_is_a_png_with_one_bar_per_site(bot, app):
    poll = await open_poll(bot)
    await roster_and_votes(bot, app, poll)
    reply = await bot.say("boss", f"/readiness tally {poll}", **LEAD)
    (chart,) = reply.message.attachments
    assert chart.mime == "image/png" and chart.data.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(chart.data))
    image.verify()
    assert image.format == "PNG" and image.size[0] >= 600


async def test_small_counts_are_hidden_from_everyone_but_a_leader_reading_a_named_poll(bot, app):
    for line in ("results:members", "results:members anonymous:no"):
        poll = await open_poll(bot, line)
        await add_roster(app, {f"Site {poll}": people(f"p{poll}-", 20)})
        await vote(bot, people(f"p{poll}-", 7), poll, 1)
        await vote(bot, people(f"p{poll}-", 20)[7:14], poll, 2)
        await vote(bot, people(f"p{poll}-", 20)[14:17], poll, 4)
        member = await bot.ok(f"p{poll}-0", f"/readiness tally {poll}")
        assert "Yes, I'd vote to authorize a strike: 7 · Leaning yes: 7 · Not sure: hidden · No: hidden" in member
        leader = await bot.ok("boss", f"/readiness tally {poll}", **LEAD)
        assert ("Not sure: 0 · No: 3" in leader) == ("anonymous:no" in line)
        assert "Assessments" not in member


async def test_a_yes_count_under_the_minimum_hides_the_share_and_the_bar(bot, app):
    poll = await open_poll(bot, "results:members anonymous:no")
    await add_roster(app, {ESC: people("e", 10)})
    await vote(bot, people("e", 3), poll, 1)
    shown = await bot.ok("e0", f"/readiness tally {poll}")
    assert "Escalante Elementary — yes share not shown (fewer than 5 people)" in shown
    assert "30%" not in shown and "0 of 1 worksites pass" in shown
    assert "Escalante Elementary — below 70%: 30% of the roster say yes" in await bot.ok(
        "boss", f"/readiness tally {poll}", **LEAD)


async def test_results_after_close_open_to_members_only_once_closed(bot, app):
    poll = await open_poll(bot, "results:after-close")
    await roster_and_votes(bot, app, poll)
    assert "shown when it closes" in await bot.fails("e0", f"/readiness tally {poll}")
    await bot.ok("boss", f"/readiness close {poll}", **LEAD)
    assert "Roosevelt High" in await bot.ok("e0", f"/readiness tally {poll}")


async def test_missing_lists_roster_members_who_have_not_answered(bot, app):
    poll = await open_poll(bot)
    await roster_and_votes(bot, app, poll)
    everyone = await bot.ok("boss", f"/readiness missing {poll}", **LEAD)
    assert everyone.split("\n\n") == ["Poll #%d: 4 roster members have not answered yet" % poll,
                                      "Escalante Elementary (3)\ne7\ne8\ne9", "Roosevelt High (1)\nr9"]
    assert "r9" not in await bot.ok("boss", f'/readiness missing {poll} site:"{ESC}"', **LEAD)
    assert "Roosevelt" not in await bot.ok("rep", f"/readiness missing {poll}", **REP)
    await vote(bot, ["e7", "e8", "e9"], poll, 3)
    assert await bot.ok("rep", f"/readiness missing {poll}", **REP) == (
        f"Everyone on the roster here has answered poll #{poll}.")
    assert "no worksite called “Nowhere”" in await bot.fails("boss", f"/readiness missing {poll} site:Nowhere", **LEAD)


async def test_a_long_missing_list_comes_as_a_csv_file(bot, app):
    poll = await open_poll(bot)
    await add_roster(app, {ESC: people("e", 101)})
    reply = await bot.say("boss", f"/readiness missing {poll}", **LEAD)
    assert text(reply).split("\n\n")[1] == "Escalante Elementary (101)"
    rows = csv_rows(reply)
    assert rows[0] == ["name", "worksite", "email", "member id"] and len(rows) == 102


async def test_export_is_per_member_for_a_named_poll(bot, app):
    poll = await open_poll(bot, "anonymous:no")
    await roster_and_votes(bot, app, poll)
    rows = csv_rows(await bot.say("boss", f"/readiness export {poll}", **LEAD))
    assert rows[0] == ["name", "member id", "worksite", "on the roster", "answer"]
    by_name = {r[0]: r for r in rows[1:]}
    assert len(by_name) == 22
    assert by_name["r6"][2:] == [ROO, "yes", "No"] and by_name["e9"][4] == ""
    assert by_name["visitor1"][3:] == ["no", "Yes, I'd vote to authorize a strike"]


async def test_anonymous_export_is_per_site_only_and_hides_what_the_tally_hides(bot, app):
    poll = await open_poll(bot)
    await roster_and_votes(bot, app, poll)
    await add_roster(app, {"Lincoln Middle": people("l", 14)})
    await vote(bot, people("l", 7), poll, 1)
    await vote(bot, people("l", 14)[7:], poll, 4)
    reply = await bot.say("boss", f"/readiness export {poll}", **LEAD)
    assert "one row per worksite and none per member" in text(reply)
    rows = csv_rows(reply)
    # all 7 said yes, or 6 and 3 (fewer than 5 not for the top choice): not published, so nothing shows
    assert rows[1] == [ESC, "10", "", "", "", "", "", "", ""]
    assert rows[2] == ["Lincoln Middle", "14", "14", "7", "", "", "7", "0.500", "no"]
    assert rows[3] == [ROO, "10", "", "", "", "", "", "", ""]
    assert rows[4][:7] == ["not on the roster", "", "", "", "", "", ""]
    assert not any("e1" in cell for row in rows for cell in row)


async def test_anonymous_answers_are_stored_without_any_link_to_the_member(bot, app):
    poll = await open_poll(bot)
    ids = await add_roster(app, {ESC: people("e", 6)})
    await vote(bot, people("e", 3), poll, 1)
    await vote(bot, people("e", 3)[:1], poll, 4)  # a change keeps it unlinked too
    member_ids = set(ids.values())

    async def scan(session):
        found = []
        for table in metadata.sorted_tables:
            member_columns = [c for c in table.columns
                              if any(fk.column.table.name == "member" for fk in c.foreign_keys)]
            for row in (await session.exec(select(table))).mappings():
                linked = [c.name for c in member_columns if row[c.name] in member_ids]
                if linked and "choice" in table.columns:
                    found.append((table.name, dict(row)))
        return found

    assert await app.db.read(scan) == []
    stored = await answers(app, poll)
    assert {(a.member_id, a.choice) for a in stored} == {(None, None)}  # the choice is sealed with the key
    assert sorted(app.voters.choice(a.sealed) for a in stored) == [0, 0, 3]
    assert not any(str(i) == a.voter for a in stored for i in member_ids)
    me = await bot.ok("e0", "/member me")
    assert "anonymous: your answer is not linked to you" in me and "No" not in me.split("Readiness")[1]
    assert "Yes, I'd vote" not in (await bot.ok("boss", f"/readiness missing {poll}", **LEAD))


async def test_linking_two_accounts_that_both_answered_keeps_one_answer(bot, app):
    poll = await open_poll(bot, "anonymous:no")
    await bot.ok("U100", f"/readiness answer {poll} 1", platform="slack")
    await bot.ok("D200", f"/readiness answer {poll} 4", platform="discord")
    code = (await bot.ok("U100", "/member link", platform="slack")).split("Your code is ")[1][:14]
    await bot.ok("D200", f"/member link {code}", platform="discord")
    assert len(await answers(app, poll)) == 1
    assert "Your answer to poll" in await bot.ok("D200", f"/readiness answer {poll} 2", platform="discord")
    assert [a.choice for a in await answers(app, poll)] == [1]


async def test_assessments_are_counted_beside_the_poll(bot, app):
    ids = await add_roster(app, {ESC: ["Maria Lopez", "Ana Ruiz"], ROO: ["Maria Lopez"]})
    poll = await open_poll(bot)
    saved = await bot.ok("rep", '/member assess "Ana Ruiz" 2 wants to host a house meeting', **REP)
    assert saved == "Assessment saved: Ana Ruiz (Escalante Elementary) is a 2, supportive."
    ambiguous = await bot.fails("boss", '/member assess "maria lopez" 1', **LEAD)
    assert "matches more than one member: Maria Lopez (Escalante Elementary); Maria Lopez (Roosevelt High)" in ambiguous
    # a rep looks among their own site's members only: the other Maria Lopez is no one to them
    assert "(Escalante Elementary)" in await bot.ok("rep", '/member assess "maria lopez" 1', **REP)
    await bot.ok("rep", f'/member assess "Maria Lopez" 1 site:"{ESC}"', **REP)
    assert "rep for other worksites" in await bot.fails("rep", f'/member assess "Maria Lopez" 5 site:"{ROO}"', **REP)
    await bot.ok("boss", f'/member assess "Maria Lopez" 5 site:"{ROO}"', **LEAD)
    await bot.ok("boss", '/member assess "Ana Ruiz" 3', **LEAD)  # a new assessment replaces the old one
    shown = await bot.ok("boss", f"/readiness tally {poll}", **LEAD)
    assert "Assessments (1 ready to lead … 5 opposed): 1: 1 · 2: 0 · 3: 1 · 4: 0 · 5: 0" in shown
    assert "Assessments (1 ready to lead … 5 opposed): 1: 0 · 2: 0 · 3: 0 · 4: 0 · 5: 1" in shown
    rep_view = await bot.ok("rep", f"/readiness tally {poll}", **REP)
    assert "Roosevelt" not in rep_view and "Assessments (1 ready to lead … 5 opposed): 1: <5" in rep_view
    assert len(ids) == 3
    assert "3, undecided" in await bot.ok("Ana Ruiz", "/member me")


async def test_server_key_lives_next_to_the_sqlite_file_readable_by_the_owner_only(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'organizer.db'}"
    key = server_key(url, env={})
    path = tmp_path / "organizer.key"
    assert path.read_bytes() == key and len(key) == 64
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert server_key(url, env={}) == key
    assert server_key(url, env={"ORGANIZER_SECRET_KEY": "from-env"}) == b"from-env"
