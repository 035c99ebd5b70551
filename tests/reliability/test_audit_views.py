"""Every view of who-did-what that organizers have — action rosters and exports, readiness tallies,
missing lists and exports — is in the audit trail when a leader opens it."""

from storage.audit import recent
from tests.support import add_roster, typed_date

LEADER = {"role": "leader"}
VIEWS = ["/action roster 1", "/action export 1", "/readiness tally 1", "/readiness missing 1",
         "/readiness export 1"]


async def test_every_view_of_individuals_is_audited(bot, app, monkeypatch):
    monkeypatch.setenv("ORGANIZER_SECRET_KEY", "test-key")
    await add_roster(app, {"Escalante Elementary": ["ana", "bea"]})
    await bot.ok("boss", f'/action create Picket "{typed_date(app.clock(), days=3)}" Gate', **LEADER)
    await bot.ok("ana", "/action join 1")
    await bot.ok("boss", "/readiness open Ready? anonymous:no", **LEADER)
    await bot.ok("ana", "/readiness answer 1 1")
    for line in VIEWS:
        await bot.ok("boss", line, **LEADER)
    entries = await app.db.read(lambda s: recent(s, 20))
    assert sorted(f"/{e.command} {e.args['id' if 'id' in e.args else 'poll']}" for e in entries) == sorted(VIEWS)
    assert {(e.viewer, e.platform, e.user_id) for e in entries} == {("boss", "console", "boss")}


async def test_a_refused_attempt_to_read_readiness_data_is_audited_too(bot, app, monkeypatch):
    monkeypatch.setenv("ORGANIZER_SECRET_KEY", "test-key")
    await add_roster(app, {"Escalante Elementary": ["ana"], "Roosevelt High": ["gus"]})
    await bot.ok("boss", "/readiness open Ready?", **LEADER)
    await bot.fails("ana", "/readiness tally 1")
    await bot.fails("ana", "/readiness missing 1")
    await bot.fails("rep", '/readiness missing 1 site:"Roosevelt High"', role="rep", site="Escalante Elementary")
    await bot.fails("ana", "/action join 99")  # not a read of readiness data: not audited
    entries = await app.db.read(lambda s: recent(s, 20))
    assert sorted((e.viewer, e.command, e.refused) for e in entries) == [
        ("ana", "readiness missing", True), ("ana", "readiness tally", True), ("rep", "readiness missing", True)]
