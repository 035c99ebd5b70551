"""/bargaining through the real app and database: updates to the channel and subscribers, subscriptions,
history and topics, the demand tracker, the FAQ, and who may do what."""

from collections import Counter

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.types import Identity, Invocation
from commands import build_registry
from storage import roster
from storage.bargaining import BargainingUpdate, Demand, DemandChange, FaqEntry, set_subscribed
from storage.db import Database
from storage.members import Member
from storage.outbox import OutboxItem
from tests.support import ID_COLUMNS, Harness, make_config

REP = {"role": "rep", "site": "Escalante Elementary"}
POST = '/bargaining post "Session 4: district holds at 2%" "The district came back with the same one-time 2% raise."'


async def count(app, model, *where):
    async def run(session):
        return (await session.exec(select(func.count()).select_from(model).where(*where))).scalar_one()
    return await app.db.read(run)


async def import_roster(app, *names):
    rows = [(i + 2, {"name": n, "worksite": "Escalante Elementary"}) for i, n in enumerate(names)]
    await app.db.write(lambda s: roster.import_rows(s, rows, app.clock(), app.voters, ID_COLUMNS))


def dms(sent):
    return [s for s in sent if s.kind == "dm"]


@pytest.fixture
async def roster_bot(db_url, clock):
    """A local that subscribes everyone on the roster unless they opt out."""
    app = App(make_config(bargaining={"subscribe_roster_by_default": True}), build_registry(), db=Database(db_url),
              clock=clock)
    await app.start()
    yield Harness(app, clock)
    await app.close()


async def test_post_goes_to_the_channel_and_each_subscriber_once(bot, app):
    await bot.ok("maria", "/bargaining subscribe")
    await bot.ok("luis", "/bargaining subscribe")
    await bot.ok("ana", "/member me")  # not subscribed
    reply = await bot.ok("rosa", POST + " session:2026-11-26 topics:Wages,staffing", **REP)
    assert reply.startswith("Posted update #1 to #announcements and sent it to 2 subscribers.")
    sent = await bot.deliver()
    posts = [s for s in sent if s.kind == "post"]
    assert [p.target for p in posts] == ["#announcements"]
    assert "Session 4: district holds at 2%" in posts[0].text and "Topics: wages, staffing" in posts[0].text
    assert "Session of Nov 26, 2026" in posts[0].text
    assert Counter(s.target for s in dms(sent)) == {"maria": 1, "luis": 1}
    assert "the same one-time 2% raise" in dms(sent)[0].text
    assert await bot.ok("rosa", "/bargaining delivery 1", **REP) == "Update #1: 2 sent, 0 waiting, 0 failed."
    assert await bot.deliver() == []


async def test_spanish_readers_get_the_reps_spanish_text_and_paragraphs_are_kept(bot):
    await bot.ok("maria", "/member lang es")
    await bot.ok("maria", "/bargaining subscribe")
    await bot.ok("luis", "/bargaining subscribe")
    body = "First paragraph.\n\nSecond paragraph, about staffing."
    await bot.ok("rosa", f'/bargaining post "Session 5" "{body}" es:"Primer párrafo.\n\nSegundo párrafo."', **REP)
    by_member = {s.target: s.text for s in dms(await bot.deliver())}
    assert by_member["maria"].endswith("Primer párrafo.\n\nSegundo párrafo.")
    assert by_member["luis"].endswith("First paragraph.\n\nSecond paragraph, about staffing.")
    shown = await bot.ok("maria", "/bargaining show 1")
    assert "Primer párrafo." in shown and "First paragraph" not in shown


async def test_a_long_body_is_kept_whole_and_one_over_the_limit_is_refused(bot, app):
    paragraphs = [f"Paragraph {i}: " + "the district said no again. " * 20 for i in range(8)]
    paragraphs = [p.strip() for p in paragraphs]
    body = "\n\n".join(paragraphs)
    assert len(body) > 4000
    await bot.ok("maria", "/bargaining subscribe")
    await bot.ok("rosa", f'/bargaining post "Long session" "{body}"', **REP)
    (dm,) = dms(await bot.deliver())
    assert dm.text.endswith(body)
    too_long = Invocation(Identity("console", "rosa", "rosa"), "bargaining", "post",
                          {"title": "Too long", "body": "x" * 5_001}, claims=frozenset({"role:rep"}))
    reply = await app.run(too_long)
    assert reply.error and "body is too long: 5001 characters, the limit is 5000." in reply.message.text
    assert await count(app, BargainingUpdate) == 1


async def test_bad_post_input_is_refused_and_changes_nothing(bot, app):
    assert "body can’t be empty." in await bot.fails("rosa", '/bargaining post "Title" ""', **REP)
    assert "Missing body." in await bot.fails("rosa", '/bargaining post "Title"', **REP)
    assert "can’t read “someday maybe” as a date" in await bot.fails(
        "rosa", POST + ' session:"someday maybe"', **REP)
    assert await count(app, BargainingUpdate) == 0
    assert await count(app, OutboxItem) == 0


async def test_members_are_told_which_role_the_rep_commands_need(bot, app):
    refusal = "Only a site rep can do that. Ask your site rep or an organizer."
    assert await bot.fails("maria", POST) == refusal
    assert await bot.fails("maria", "/bargaining demand add wages 8% over two years") == refusal
    assert await bot.fails("maria", '/bargaining faq add "Is there a strike?" "No."') == refusal
    assert await bot.fails("maria", "/bargaining delivery 1") == refusal
    assert await count(app, BargainingUpdate) == 0 and await count(app, Demand) == 0
    assert await count(app, FaqEntry) == 0


async def test_unsubscribe_stops_the_dms(bot):
    await bot.ok("maria", "/bargaining subscribe")
    assert "won’t get bargaining updates" in await bot.ok("maria", "/bargaining unsubscribe")
    assert "Bargaining updates by direct message: no" in await bot.ok("maria", "/member me")
    assert "sent it to 0 subscribers" in await bot.ok("rosa", POST, **REP)
    assert dms(await bot.deliver()) == []


async def test_roster_default_subscribes_roster_members_who_have_not_opted_out(roster_bot, clock):
    bot = roster_bot
    await import_roster(bot.app, "Maria Lopez", "Luis Ortega", "Ana Ruiz")
    await bot.ok("walkin", "/member me")  # not on the roster: not subscribed unless they ask
    assert "Bargaining updates by direct message: no" in await bot.ok("walkin", "/member me")
    await bot.ok("rosa", POST, **REP)
    assert Counter(s.target for s in dms(await bot.deliver())) == {"Maria Lopez": 1, "Luis Ortega": 1,
                                                                      "Ana Ruiz": 1}

    await bot.ok("walkin", "/bargaining subscribe")
    await bot.app.db.write(lambda s: opt_out(s, "Ana Ruiz", clock.now))
    await bot.ok("rosa", '/bargaining post "Session 5" "Nothing new."', **REP)
    assert Counter(s.target for s in dms(await bot.deliver())) == {"Maria Lopez": 1, "Luis Ortega": 1, "walkin": 1}


async def opt_out(session, name, now):
    member_id = (await session.exec(select(Member.id).where(Member.name == name))).scalar_one()
    await set_subscribed(session, member_id, False, now)


async def test_latest_history_by_topic_and_show(bot, clock):
    assert await bot.ok("maria", "/bargaining latest") == "No bargaining updates yet."
    await bot.ok("rosa", POST + " topics:wages", **REP)
    clock.advance(days=7)
    await bot.ok("rosa", '/bargaining post "Session 5: staffing" "Class-size caps discussed." topics:staffing', **REP)
    latest = await bot.ok("maria", "/bargaining latest")
    assert "Session 5: staffing" in latest and "Session 4" not in latest
    both = await bot.ok("maria", "/bargaining latest 2")
    assert both.index("Session 5") < both.index("Session 4")
    wages = await bot.ok("maria", "/bargaining history topic:Wages")
    assert "#1 · Nov 30, 2026 · Session 4: district holds at 2% (wages)" in wages and "#2" not in wages
    everything = await bot.ok("maria", "/bargaining history")
    assert everything.index("#2") < everything.index("#1")
    assert "No update is tagged “pensions”. Topics so far: staffing, wages." in await bot.fails(
        "maria", "/bargaining history topic:pensions")
    assert "Class-size caps discussed." in await bot.ok("maria", "/bargaining show 2")
    assert "There is no bargaining update #9." in await bot.fails("maria", "/bargaining show 9")
    assert "There is no bargaining update #9." in await bot.fails("rosa", "/bargaining delivery 9", **REP)


async def test_demand_tracker_table_and_history(bot, app, clock):
    assert await bot.ok("maria", "/bargaining table") == "No demands are tracked yet."
    added = await bot.ok("rosa", "/bargaining demand add wages 8% raise over two years", **REP)
    assert added.startswith("wages — proposed\nOur proposal: 8% raise over two years\nDistrict: no counter yet")
    await bot.ok("rosa", '/bargaining demand-add "class size" Cap K-3 at 24', **REP)
    clock.advance(days=3)
    await bot.ok("rosa", '/bargaining demand update Wages status:countered district:"one-time 2% plus 1% bonus"', **REP)
    table = await bot.ok("maria", "/bargaining table")
    assert table.split("\n\n") == [
        "class size — proposed\nOur proposal: Cap K-3 at 24\nDistrict: no counter yet\nLast change: Nov 30, 2026",
        "wages — countered\nOur proposal: 8% raise over two years\nDistrict: one-time 2% plus 1% bonus\n"
        "Last change: Dec 3, 2026",
    ]
    await bot.ok("rosa", '/bargaining demand update wages ours:"6% over two years"', **REP)
    history = (await bot.ok("maria", "/bargaining demand history wages")).split("\n\n")
    assert len(history) == 4 and history[0] == "wages"
    assert "proposed" in history[1] and "countered" in history[2] and "6% over two years" in history[3]
    assert await count(app, DemandChange) == 4


async def test_bad_demand_input_is_refused_and_changes_nothing(bot, app):
    await bot.ok("rosa", "/bargaining demand add wages 8%", **REP)
    assert "“wages” is already tracked" in await bot.fails("rosa", "/bargaining demand add Wages 9%", **REP)
    assert "There is no demand on “pensions”. Demands at the table: wages." in await bot.fails(
        "rosa", "/bargaining demand update pensions status:won", **REP)
    assert "status must be one of: proposed, countered, tentative, won, dropped." in await bot.fails(
        "rosa", "/bargaining demand update wages status:winning", **REP)
    assert "Say what changed" in await bot.fails("rosa", "/bargaining demand update wages", **REP)
    assert "There is no demand on “pensions”" in await bot.fails("maria", "/bargaining demand history pensions")
    assert await count(app, DemandChange) == 1
    assert "wages — proposed" in await bot.ok("maria", "/bargaining table")


async def test_faq_lists_and_searches_ignoring_case_and_accents(bot):
    assert "The FAQ is empty" in await bot.ok("maria", "/bargaining faq")
    await bot.ok("rosa", '/bargaining faq add "Is there a strike?" Not now: a strike needs impasse and a '
                         'strike-authorization vote.', **REP)
    await bot.ok("rosa", '/bargaining faq-add "¿Qué pasa con los salarios?" El distrito ofrece 2% una vez.', **REP)
    head, *everything = (await bot.ok("maria", "/bargaining faq")).split("\n\n")
    assert head == "Rumor control: 2 questions answered"
    assert everything[0] == "#1 Is there a strike?\nNot now: a strike needs impasse and a strike-authorization vote."
    assert len(everything) == 2
    assert (await bot.ok("maria", "/bargaining faq STRIKE")).split("\n\n")[1].startswith("#1 Is there a strike?")
    assert "strike" not in await bot.ok("maria", "/bargaining faq que salarios")
    assert "Nothing in the FAQ matches “pension”" in await bot.ok("maria", "/bargaining faq pension")


def test_hyphenated_subcommands_can_be_typed_as_two_words(app):
    command, values = app.registry.parse_line("/bargaining demand history class size")
    assert command.name == "demand-history"
    command, values = app.registry.parse_line('/bargaining faq add "Q?" answer')
    assert command.name == "faq-add" and values == {"question": "Q?", "answer": "answer"}
    command, values = app.registry.parse_line("/bargaining faq strike vote")
    assert command.name == "faq" and values == {"search": "strike vote"}


async def test_a_rep_who_is_forgotten_takes_their_name_off_not_the_record(bot, app):
    await bot.ok("rosa", POST, **REP)
    await bot.ok("rosa", "/bargaining demand add wages 8%", **REP)
    await bot.ok("rosa", "/member forget confirm:yes", **REP)
    assert await count(app, BargainingUpdate, BargainingUpdate.author_id.is_(None)) == 1
    assert await count(app, DemandChange, DemandChange.author_id.is_(None)) == 1
    assert "the same one-time 2% raise" in await bot.ok("maria", "/bargaining show 1")
