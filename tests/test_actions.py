"""/action through the real app and database: announcing, signups with capacity and waitlist, edits and
cancellations, reminders across a restart, check-in, roster, turnout, export, calendar and bad input.

The fake clock starts on Monday 2026-11-30 at 09:00 in the campaign's timezone (America/Los_Angeles)."""

import asyncio
import csv
import io
from datetime import UTC, datetime

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from bot.app import App
from bot.markup import when
from bot.types import Identity, Invocation
from commands import build_registry
from storage import jobs
from storage.actions import Action, Signup
from storage.db import Database
from storage.jobs import Job
from storage.members import ensure_worksite
from storage.outbox import OutboxItem
from tests.support import Harness, add_roster, make_config, typed_date

ESCALANTE, ROOSEVELT = "Escalante Elementary", "Roosevelt High"
REP = {"role": "rep", "site": ESCALANTE}
LEADER = {"role": "leader"}
PICKET_AT = datetime(2026, 12, 2, 15, 15, tzinfo=UTC)  # Wednesday 7:15 am in Los Angeles


async def count(app, model, *where):
    async def work(session):
        return (await session.exec(select(func.count()).select_from(model).where(*where))).scalar_one()
    return await app.db.read(work)


async def all_rows(app, model, *where):
    async def work(session):
        return list((await session.exec(select(model).where(*where).order_by(model.id))).scalars())
    return await app.db.read(work)


async def sites(app, *names):
    async def work(session):
        for name in names:
            await ensure_worksite(session, name, app.clock())
    await app.db.write(work)


async def picket(bot, extra="", *, who="rosa", as_=REP, when_text="Dec 2 7:15am") -> int:
    reply = await bot.ok(who, f'/action create "Informational picket" "{when_text}" "Front gate" kind:picket {extra}',
                         **as_)
    return int(reply.split("#")[1].split(":")[0])


def dms(sent, member=None):
    return [s for s in sent if s.kind == "dm" and (member is None or s.target == member)]


async def test_create_posts_the_announcement_with_buttons_and_a_live_count(bot, app, clock):
    await sites(app, ESCALANTE)
    reply = await bot.ok("rosa", '/action create "Informational picket" "Dec 2 7:15am" "Front gate" kind:picket '
                                 f'site:"{ESCALANTE}" details:"Wear purple"', **REP)
    assert reply.startswith("Announced action #1: Informational picket")
    [post] = await bot.deliver()
    assert post.kind == "post" and post.target == "#actions"
    assert when(PICKET_AT) in post.message.text
    for part in ("Informational picket (#1)", "Picket", "Where: Front gate", f"Worksite: {ESCALANTE}", "Wear purple",
                 "0 going"):
        assert part in post.text
    assert [(b.label, b.command) for b in post.message.buttons] == [("I’m in", "/action join 1"),
                                                                     ("Can’t make it", "/action leave 1")]
    for name in ("maria", "luis", "ana"):
        assert (await bot.ok(name, post.message.buttons[0].command)).startswith("You’re in: Informational picket")
    clock.advance(seconds=3)
    edits = [s for s in await bot.deliver() if s.kind == "edit"]
    assert edits and edits[-1].text.endswith("3 going")
    assert await count(app, Signup) == 3
    assert "1 going" not in edits[-1].text


async def test_a_burst_of_joins_gives_each_its_place_and_queues_one_edit_with_the_final_count(bot, app):
    action = await picket(bot, "capacity:2")
    await bot.deliver()
    names = ["maria", "luis", "ana", "jo", "kim"]
    replies = await asyncio.gather(*(bot.ok(name, f"/action join {action}") for name in names))
    assert sum(r.startswith("You’re in") for r in replies) == 2
    places = sorted(r.split("(number ")[1].split(")")[0] for r in replies if "waitlist" in r)
    assert places == ["1", "2", "3"]
    pending = await all_rows(app, OutboxItem, OutboxItem.kind == "edit")
    assert len(pending) == 1 and pending[0].payload["text"].endswith("2 going · 3 waitlisted")


async def test_capacity_waitlist_and_promotion_by_dm(bot, app):
    action = await picket(bot, "capacity:2")
    await bot.ok("maria", f"/action join {action}")
    await bot.ok("luis", f"/action join {action}")
    assert "on the waitlist (number 1)" in await bot.ok("ana", f"/action join {action}")
    assert "on the waitlist (number 2)" in await bot.ok("jo", f"/action join {action}")
    again = await bot.ok("ana", f"/action join {action}")
    assert again.startswith("You had already signed up.") and "on the waitlist (number 1)" in again
    assert (await bot.ok("maria", f"/action show {action}")).count("2 going · 2 waitlisted") == 1
    await bot.deliver()
    left = await bot.ok("luis", f"/action leave {action}")
    assert left == "Thanks for letting us know: you’re off “Informational picket”."
    sent = await bot.deliver()
    [promoted] = dms(sent)
    assert promoted.target == "ana" and "A place opened up: you’re in for “Informational picket”" in promoted.text
    statuses = {s.member_id: s.status for s in await all_rows(app, Signup)}
    assert sorted(statuses.values()) == ["going", "going", "waitlist"]
    assert "You’re going." in await bot.ok("ana", f"/action show {action}")
    assert [s for s in sent if s.kind == "edit"][-1].text.endswith("2 going · 1 waitlisted")


async def test_forgetting_a_member_frees_their_place_as_leaving_does(bot, app, clock):
    action = await picket(bot, "capacity:1")
    await bot.ok("maria", f"/action join {action}")
    await bot.ok("ana", f"/action join {action}")
    await bot.deliver()
    await bot.ok("maria", "/member forget confirm:yes")
    clock.advance(seconds=3)
    sent = await bot.deliver()
    [promoted] = dms(sent)
    assert promoted.target == "ana" and "A place opened up: you’re in for “Informational picket”" in promoted.text
    assert [s for s in sent if s.kind == "edit"][-1].text.endswith("1 going · full")
    assert "You’re going." in await bot.ok("ana", f"/action show {action}")
    assert (await bot.ok("jo", f"/action join {action}")).startswith("“Informational picket” is full")


async def test_joining_twice_is_one_signup_and_leaving_twice_is_harmless(bot, app):
    action = await picket(bot)
    await bot.ok("maria", f"/action join {action}")
    edits_before = await count(app, OutboxItem)
    assert (await bot.ok("maria", f"/action join {action}")).startswith("You had already signed up. You’re in")
    assert await count(app, Signup) == 1
    assert await count(app, OutboxItem) == edits_before
    await bot.ok("maria", f"/action leave {action}")
    assert await bot.ok("maria", f"/action leave {action}") == "You weren’t signed up for “Informational picket”."
    assert await count(app, Signup) == 0


async def test_two_processes_joining_at_once_never_exceed_capacity(bot, app, db_url, clock):
    action = await picket(bot, "capacity:3")
    other = App(make_config(), build_registry(), db=Database(db_url), clock=clock)
    try:
        await asyncio.gather(*(
            (app if i % 2 else other).run_line(Identity("console", f"m{i}", f"m{i}"), f"/action join {action}")
            for i in range(10)
        ))
    finally:
        await other.close()
    statuses = [s.status for s in await all_rows(app, Signup)]
    assert statuses.count("going") == 3 and statuses.count("waitlist") == 7


async def test_edit_tells_everyone_signed_up_promotes_and_moves_reminders(bot, app):
    action = await picket(bot, "capacity:1")
    await bot.ok("maria", f"/action join {action}")
    await bot.ok("luis", f"/action join {action}")
    await bot.deliver()
    reply = await bot.ok("rosa", f'/action edit {action} when:"Dec 3 5pm" where:"Board room" capacity:2', **REP)
    assert reply == "Updated “Informational picket”. 2 people signed up were told."
    sent = await bot.deliver()
    [changed] = dms(sent, "maria")
    assert "“Informational picket” has changed:" in changed.text and "The place is now Board room." in changed.text
    assert "It now has room for 2." in changed.text
    assert when(datetime(2026, 12, 4, 1, 0, tzinfo=UTC)) in changed.message.text
    [promoted] = dms(sent, "luis")
    assert "A place opened up" in promoted.text
    due = {j.key: j.due_at for j in await all_rows(app, Job)}
    assert due == {f"action:{action}:remind:24h": datetime(2026, 12, 3, 1, 0, tzinfo=UTC),
                   f"action:{action}:remind:1h": datetime(2026, 12, 4, 0, 0, tzinfo=UTC)}
    assert "Nothing to change" in await bot.ok("rosa", f'/action edit {action} where:"Board room"', **REP)
    assert "Only a site rep" in await bot.fails("maria", f"/action edit {action} where:Elsewhere")


async def test_cancel_tells_everyone_and_drops_reminders(bot, app, clock):
    action = await picket(bot)
    await bot.ok("maria", f"/action join {action}")
    await bot.deliver()
    assert await count(app, Job, Job.status == jobs.PENDING) == 2
    assert (await bot.ok("rosa", f"/action cancel {action}", **REP)).startswith(
        "Cancelled “Informational picket”. 1 person signed up was told.")
    assert await count(app, Job) == 0
    clock.advance(seconds=3)
    sent = await bot.deliver()
    [notice] = dms(sent, "maria")
    assert notice.text.startswith("Cancelled: “Informational picket”")
    [edit] = [s for s in sent if s.kind == "edit"]
    assert edit.text.startswith("Cancelled: Informational picket") and edit.message.buttons == ()
    assert "was cancelled" in await bot.fails("luis", f"/action join {action}")
    assert "was cancelled" in await bot.fails("rosa", f"/action cancel {action}", **REP)
    assert "No upcoming actions" in await bot.ok("luis", "/action list")


async def test_reminders_go_to_everyone_going_once_even_across_a_restart(bot, app, clock, db_url):
    action = await picket(bot)
    for name in ("maria", "luis", "ana"):
        await bot.ok(name, f"/action join {action}")
    await bot.ok("ana", f"/action leave {action}")
    await bot.deliver()
    clock.now = datetime(2026, 12, 1, 15, 14, tzinfo=UTC)
    assert dms(await bot.deliver()) == []
    clock.now = datetime(2026, 12, 1, 15, 16, tzinfo=UTC)
    first = dms(await bot.deliver())
    assert sorted(s.target for s in first) == ["luis", "maria"]
    assert first[0].text.startswith("Reminder: “Informational picket”") and "/action checkin 1" in first[0].text

    await app.close()  # a restart: a new process on the same database
    restarted = App(make_config(), build_registry(), db=Database(db_url), clock=clock)
    await restarted.start()
    try:
        again = Harness(restarted, clock)
        assert dms(await again.deliver()) == []
        await restarted.db.write(lambda s: jobs.schedule(s, f"action:{action}:remind:24h", "action.remind",
                                                         clock.now, {"action_id": action, "hours": 24}))
        assert dms(await again.deliver()) == []  # the job ran twice; the DMs went once
        clock.now = datetime(2026, 12, 2, 14, 16, tzinfo=UTC)
        assert sorted(s.target for s in dms(await again.deliver())) == ["luis", "maria"]
        assert await count(restarted, OutboxItem, OutboxItem.kind == "dm") == 4
    finally:
        await restarted.close()


async def test_check_in_window_and_reps_checking_in_others(bot, app, clock):
    await bot.ok("rosa", f"/member site {ESCALANTE}", **REP)
    await sites(app, ROOSEVELT)
    await bot.ok("maria", f"/member site {ESCALANTE}")
    await bot.ok("luis", f"/member site {ROOSEVELT}")
    action = await picket(bot)
    await bot.ok("maria", f"/action join {action}")
    await bot.ok("luis", f"/action join {action}")
    clock.now = datetime(2026, 12, 2, 14, 0, tzinfo=UTC)  # 6:00 am, check-in opens at 6:15
    assert "Check-in for “Informational picket” opens" in await bot.fails("maria", f"/action checkin {action}")
    clock.now = datetime(2026, 12, 2, 14, 20, tzinfo=UTC)
    assert await bot.ok("maria", f"/action checkin {action}") == \
        "Checked in: maria at “Informational picket”. Thank you for showing up!"
    assert "already checked in" in await bot.ok("maria", f"/action checkin {action}")
    assert "Only a site rep" in await bot.fails("maria", f"/action checkin {action} luis")
    clock.now = datetime(2026, 12, 2, 18, 16, tzinfo=UTC)  # 3 h 1 min after the start
    assert "closed" in await bot.fails("luis", f"/action checkin {action}")
    assert "has already started" in await bot.fails("maria", f"/action leave {action}")
    assert "has already started" in await bot.fails("ana", f"/action join {action}")
    assert "Checked in: luis" in await bot.ok("rosa", f"/action checkin {action} luis", **REP)
    await bot.ok("ana", "/member me")
    # ana is neither at the rep's site nor signed up: to the rep she is no one, as if she did not exist
    refused = await bot.fails("rosa", f"/action checkin {action} member:console:ana", **REP)
    assert "No member matches “console:ana”" in refused
    assert "Checked in: ana" in await bot.ok("boss", f"/action checkin {action} member:console:ana", **LEADER)
    roster = await bot.ok("rosa", f"/action roster {action}", **REP)
    assert "3 signed up · 3 came" in roster
    assert f"{ESCALANTE} — 1 came\n✓ maria" in roster and f"{ROOSEVELT} — 1 came\n✓ luis" in roster
    assert "No worksite — 1 came\n✓ ana" in roster
    assert "Only a site rep" in await bot.fails("maria", f"/action roster {action}")


async def test_member_lookup_by_name_mention_and_number(bot, app):
    await bot.ok("U100", "/member me", platform="slack")
    await bot.ok("maria", "/member me")
    await bot.ok("mario", "/member me")
    action = await picket(bot, when_text="in 30 minutes")
    assert "No member matches “mar”" in await bot.fails("rosa", f"/action checkin {action} mar", **REP)
    for account, platform in (("U100", "slack"), ("maria", "console"), ("mario", "console")):
        await bot.ok(account, f"/action join {action}", platform=platform)  # now the rep may look them up
    refused = await bot.fails("rosa", f"/action checkin {action} mar", **REP)
    assert "matches more than one member: maria (no worksite); mario (no worksite)" in refused
    assert "No member matches “zed”" in await bot.fails("rosa", f"/action checkin {action} zed", **REP)
    assert "Checked in: U100" in await bot.ok("rosa", f"/action checkin {action} <@U100>", **REP)
    assert "Checked in: mario" in await bot.ok("rosa", f"/action checkin {action} MARIO", **REP)
    assert await count(app, Signup, Signup.checked_in_at.is_not(None)) == 2


async def test_turnout_is_a_share_of_each_roster_over_the_actions_each_site_was_in_scope_for(bot, app, clock):
    escalante, roosevelt = [f"e{i}" for i in range(10)], [f"r{i}" for i in range(10)]
    await add_roster(app, {ESCALANTE: escalante, ROOSEVELT: roosevelt})
    everyone = await picket(bot, who="boss", as_=LEADER, when_text=typed_date(clock(), days=1, at="07:15"))
    own = await picket(bot, f'site:"{ESCALANTE}"', when_text=typed_date(clock(), days=2, at="07:15"))
    clock.advance(days=1)
    clock.now = clock.now.replace(hour=15, minute=15)
    for name in escalante[:2] + roosevelt[:6]:
        await bot.ok(name, f"/action checkin {everyone}")
    clock.advance(days=1)
    for name in escalante[:7]:
        await bot.ok(name, f"/action checkin {own}")
    report = await bot.ok("rosa", "/action turnout", **REP)
    assert "Turnout over the last 2 actions" in report
    assert f"{ESCALANTE} — Roster: 10\n" in report
    assert "Informational picket: <5 of the roster came (hidden), <5 signed up" in report  # 2: too few for a rep
    assert "Informational picket: 7 of the roster came (70%), 7 signed up" in report
    assert ROOSEVELT not in report  # a rep sees their own worksites
    everywhere = await bot.ok("boss", "/action turnout", **LEADER)
    assert "Informational picket: 2 of the roster came (20%), 2 signed up\n" in everywhere
    assert "came (70%), 7 signed up (+50)" in everywhere
    # Escalante's own picket is not Roosevelt's: no false drop from 60% to 0%
    assert everywhere.split(f"{ROOSEVELT} — Roster: 10\n")[1].count("Informational picket") == 1
    assert "6 of the roster came (60%)" in everywhere
    only = await bot.ok("boss", f"/action turnout site:\"{ROOSEVELT}\"", **LEADER)
    assert ROOSEVELT in only and ESCALANTE not in only
    assert "rep for other worksites" in await bot.fails("rosa", f"/action turnout site:\"{ROOSEVELT}\"", **REP)
    assert "Only a site rep" in await bot.fails("e1", "/action turnout")


async def test_export_is_a_csv_roster_for_leaders(bot, clock):
    await bot.ok("maria", f"/member site {ESCALANTE}")
    action = await picket(bot)
    await bot.ok("maria", f"/action join {action}")
    await bot.ok("=cmd", f"/action join {action}")
    reply = await bot.say("luis", f"/action export {action}", **LEADER)
    [file] = reply.message.attachments
    assert file.filename == "action-1-roster.csv" and file.mime == "text/csv"
    rows = list(csv.reader(io.StringIO(file.data.decode("utf-8-sig"))))
    assert rows == [["name", "worksite", "status", "signed up", "checked in"],
                    ["maria", ESCALANTE, "going", "2026-11-30T09:00-08:00", ""],
                    ["'=cmd", "", "going", "2026-11-30T09:00-08:00", ""]]
    assert "Only a leader" in await bot.fails("rosa", f"/action export {action}", **REP)


async def test_calendar_file_opens_in_any_calendar_app(bot):
    action = await picket(bot, 'details:"Bring a sign"')
    reply = await bot.say("maria", f"/action calendar {action}")
    [file] = reply.message.attachments
    assert file.filename == "action-1.ics" and file.mime == "text/calendar"
    [event] = Calendar.from_ical(file.data).walk("VEVENT")
    assert str(event["summary"]) == "Informational picket" and str(event["location"]) == "Front gate"
    assert event.decoded("dtstart") == PICKET_AT and event.decoded("dtend") == datetime(2026, 12, 2, 17, 15, tzinfo=UTC)
    assert str(event["description"]) == "Bring a sign" and str(event["uid"]) == "action-1@organizer-bot"


@pytest.mark.parametrize(("typed", "expected"), [
    ("tomorrow 7:15am", datetime(2026, 12, 1, 15, 15, tzinfo=UTC)),
    ("Dec 3 5pm", datetime(2026, 12, 4, 1, 0, tzinfo=UTC)),
    ("2026-12-03 17:00", datetime(2026, 12, 4, 1, 0, tzinfo=UTC)),
    ("mañana 7:15", datetime(2026, 12, 1, 15, 15, tzinfo=UTC)),
    ("3 de diciembre 17:00", datetime(2026, 12, 4, 1, 0, tzinfo=UTC)),
])
async def test_when_is_read_in_the_campaign_timezone(bot, app, typed, expected):
    await picket(bot, when_text=typed)
    [action] = await all_rows(app, Action)
    assert action.starts_at == expected


async def test_profile_lists_your_upcoming_signups(bot):
    action = await picket(bot, "capacity:1")
    await bot.ok("maria", f"/action join {action}")
    await bot.ok("luis", f"/action join {action}")
    assert "Your upcoming actions\n#1 Informational picket — " in await bot.ok("maria", "/member me")
    assert "(waitlisted)" in await bot.ok("luis", "/member me")
    assert "Your upcoming actions" not in await bot.ok("ana", "/member me")


async def test_reps_announce_only_for_their_own_sites(bot, app):
    await sites(app, ESCALANTE, ROOSEVELT)
    assert "You are a rep for other worksites, not Roosevelt High" in await bot.fails(
        "rosa", f'/action create Rally "Dec 2 5pm" Downtown site:"{ROOSEVELT}"', **REP)
    assert "Only a site rep" in await bot.fails("maria", '/action create Rally "Dec 2 5pm" Downtown')
    await bot.ok("luis", f'/action create Rally "Dec 2 5pm" Downtown kind:rally site:"{ROOSEVELT}"', **LEADER)
    assert await count(app, Action) == 1


async def test_create_with_no_arguments_opens_a_form_where_the_platform_can(app):
    inv = Invocation(Identity("slack", "ULEAD"), "action", "create", {}, can_open_forms=True)
    reply = await app.run(inv)
    assert [f.name for f in reply.form.fields] == ["title", "when", "where", "kind", "site", "capacity", "details",
                                                "every", "until", "es_title", "es_where", "es_details"]
    assert reply.form.fields[3].choices[0] == "picket"


@pytest.mark.parametrize(("line", "error"), [
    ("/action join 99", "There is no action #99."),
    ("/action edit 99 where:x", "There is no action #99."),
    ("/action cancel 99", "There is no action #99."),
    ("/action checkin 99", "There is no action #99."),
    ('/action create Rally yesterday Downtown', "is in the past"),
    ('/action create Rally "next blursday" Downtown', "I couldn’t read “next blursday” as a date and time"),
    ('/action create Rally "Dec 2 5pm" Downtown capacity:0', "capacity must be at least 1."),
    ('/action create Rally "Dec 2 5pm" Downtown capacity:-3', "capacity must be at least 1."),
    (f'/action create {"x" * 500} "Dec 2 5pm" Downtown', "title is too long: 500 characters, the limit is 200."),
    ('/action create Rally "Dec 2 5pm" Downtown site:Atlantis', "There is no worksite called “Atlantis”"),
    ("/action edit 1 capacity:0", "capacity must be at least 1."),
    ("/action edit 1 when:yesterday", "is in the past"),
    ("/action edit 1", "Say what to change"),
])
async def test_bad_input_gets_a_clear_error_and_changes_nothing(bot, app, line, error):
    await sites(app, ESCALANTE)
    await picket(bot)
    await bot.ok("maria", "/action join 1")
    before = [await count(app, model) for model in (Action, Signup, Job, OutboxItem)]
    actions_before = await all_rows(app, Action)
    assert error in await bot.fails("rosa", line, **LEADER)
    assert [await count(app, model) for model in (Action, Signup, Job, OutboxItem)] == before
    assert [(a.title, a.starts_at, a.capacity, a.location) for a in await all_rows(app, Action)] == \
        [(a.title, a.starts_at, a.capacity, a.location) for a in actions_before]


@pytest.mark.parametrize(("typed", "field"), [
    ("Rally yesterday Downtown", "when"),
    ("Rally", "when"),
    ("Rally {day} Downtown capacity:0", "capacity"),
    ("Rally {day} Downtown kind:sit-in", "kind"),
    ("Rally {day} Downtown site:Atlantis", "site"),
    ("Rally {day} Downtown every:weekly", "until"),
    ("Rally {day} Downtown and more", None),
])
async def test_a_refusal_names_the_field_it_is_about_so_a_form_shows_it_there(bot, app, clock, typed, field):
    await sites(app, ESCALANTE)
    reply = await bot.say("rosa", "/action create " + typed.format(day=f'"{typed_date(clock(), days=2)}"'), **LEADER)
    assert reply.error and reply.field == field


async def test_linking_accounts_keeps_one_signup_and_forgetting_removes_it(bot, app):
    action = await picket(bot)
    await bot.ok("U100", f"/action join {action}", platform="slack")
    await bot.ok("555000111222333444", f"/action join {action}", platform="discord")
    code = (await bot.ok("U100", "/member link", platform="slack")).split("Your code is ")[1][:14]
    await bot.ok("555000111222333444", f"/member link {code}", platform="discord")
    assert await count(app, Signup) == 1
    await bot.ok("U100", "/member forget confirm:yes", platform="slack")
    assert await count(app, Signup) == 0
    assert await count(app, Action) == 1


async def test_an_action_at_no_worksite_is_changed_only_by_a_leader_or_the_rep_who_announced_it(bot):
    leaders = await picket(bot, who="boss", as_=LEADER)  # tied to no worksite
    rosas = await picket(bot)
    other_rep = {"role": "rep", "site": ROOSEVELT}
    refused = "Only a leader or the rep who announced it can change an action tied to no worksite."
    assert refused in await bot.fails("rosa", f"/action edit {leaders} where:Library", **REP)
    assert refused in await bot.fails("rosa", f"/action cancel {leaders}", **REP)
    assert refused in await bot.fails("gus", f"/action cancel {rosas}", **other_rep)
    assert "Updated" in await bot.ok("rosa", f"/action edit {rosas} where:Library", **REP)
    assert "Updated" in await bot.ok("boss", f"/action edit {leaders} where:Library", **LEADER)
    assert "Cancelled" in await bot.ok("boss", f"/action cancel {rosas}", **LEADER)
