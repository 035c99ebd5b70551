"""Who may do what with /readiness and /member assess: every subcommand for a member, the rep of the
poll's site, the rep of another site and a leader; and which sites each sees of a tally."""

import itertools

import pytest
from sqlalchemy import func, select

from storage.assessments import Assessment
from storage.readiness import ReadinessAnswer, ReadinessPoll
from tests.support import add_roster

ESC, ROO = "Escalante Elementary", "Roosevelt High"
ACTORS = {
    "member": {"role": "member"},
    "rep of the site": {"role": "rep", "site": ESC},
    "rep of another site": {"role": "rep", "site": ROO},
    "leader": {"role": "leader"},
}
EVERYONE, REPS_OF_SITE, LEADERS = set(ACTORS), {"rep of the site", "leader"}, {"leader"}
REPS = {"rep of the site", "rep of another site", "leader"}
# subcommand → (command line, who may run it, a count that only changes when it runs)
COMMANDS = {
    "open": ("/readiness open Ready?", LEADERS, ReadinessPoll),
    "answer": ("/readiness answer 1 2", EVERYONE, ReadinessAnswer),
    "close": ("/readiness close 1", LEADERS, None),
    "tally": ("/readiness tally 1", REPS, None),
    "missing": ("/readiness missing 1", REPS, None),
    "missing a site": (f'/readiness missing 1 site:"{ESC}"', REPS_OF_SITE, None),
    "export": ("/readiness export 1", LEADERS, None),
    "assess": ("/member assess ana 2", REPS_OF_SITE, Assessment),
}


@pytest.fixture(autouse=True)
def secret_key(monkeypatch):
    monkeypatch.setenv("ORGANIZER_SECRET_KEY", "test-key")


async def count(app, model):
    return await app.db.read(lambda s: _count(s, model))


async def _count(session, model):
    return (await session.exec(select(func.count()).select_from(model))).scalar_one()


async def setup(bot, app, results="leaders"):
    await add_roster(app, {ESC: ["ana", "bea", "cruz", "dani", "eli", "fer"], ROO: ["gus", "hugo"]})
    await bot.ok("boss", f"/readiness open Ready? results:{results}", role="leader")
    for name in ("ana", "bea", "gus"):
        await bot.ok(name, "/readiness answer 1 1")


@pytest.mark.parametrize("actor, subcommand", list(itertools.product(ACTORS, COMMANDS)))
async def test_permission_matrix(bot, app, actor, subcommand):
    line, allowed, table = COMMANDS[subcommand]
    await setup(bot, app)
    before = await count(app, table) if table else None
    reply = await bot.say("someone", line, **ACTORS[actor])
    assert reply.error == (actor not in allowed), reply.message.text
    if table is not None:
        assert (await count(app, table) != before) == (actor in allowed)
    closed = (await app.db.read(lambda s: s.get(ReadinessPoll, 1))).closed_at is not None
    assert closed == (subcommand == "close" and actor in allowed)


# (results, closed) → which sites each actor sees in the tally; None: refused
VISIBLE = {
    ("leaders", False): {"member": None, "rep of the site": {ESC}, "rep of another site": {ROO}, "leader": {ESC, ROO}},
    ("members", False): {a: {ESC, ROO} for a in ACTORS},
    ("after-close", False): {"member": None, "rep of the site": {ESC}, "rep of another site": {ROO},
                             "leader": {ESC, ROO}},
    ("after-close", True): {a: {ESC, ROO} for a in ACTORS},
}


@pytest.mark.parametrize("results, closed, actor",
                         [(r, c, a) for (r, c) in VISIBLE for a in ACTORS])
async def test_tally_shows_each_viewer_only_the_sites_they_may_see(bot, app, results, closed, actor):
    await setup(bot, app, results)
    if closed:
        await bot.ok("boss", "/readiness close 1", role="leader")
    reply = await bot.say("someone", "/readiness tally 1", **ACTORS[actor])
    expected = VISIBLE[(results, closed)][actor]
    if expected is None:
        assert reply.error and "results of this poll are" in reply.message.text
        return
    shown = reply.message.text
    assert {site for site in (ESC, ROO) if site in shown} == expected
    assert "hidden" in shown  # an anonymous poll's small counts are hidden from leaders too
    assert ("Assessments" in shown) == (actor != "member")
