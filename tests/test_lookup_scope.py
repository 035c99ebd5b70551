"""Nobody learns who is on the roster by asking: every command checks permission before it looks up a
name, an email or a member number, a rep looks only among the people they already see, and a refusal
reads the same whether or not the person exists."""

import pytest

from storage.members import Member
from tests.support import add_roster

ESC, ROO = "Escalante Elementary", "Roosevelt High"
ACTORS = {"member": {"role": "member"}, "rep of another site": {"role": "rep", "site": ROO}}
LEADER = {"role": "leader"}
# (someone on the roster at Escalante, someone who does not exist), typed the ways a lookup accepts
PROBES = [("Ana Ruiz", "Zed Nobody"), ("ana@local.org", "zed@local.org"), ("1001", "9999"), ("a", "qqq")]
LINES = {"check someone in": "/action checkin 1 {who}", "assess someone": '/member assess "{who}" 2'}


async def setup(bot, app):
    ids = await add_roster(app, {ESC: ["Ana Ruiz", "Alma Cruz"], ROO: ["Gus Pena"]})

    async def identify(session):
        ana = await session.get(Member, ids["Ana Ruiz"])
        ana.email, ana.member_no = "ana@local.org", "1001"
    await app.db.write(identify)
    await bot.ok("boss", f'/action create Picket "in 30 minutes" Gate site:"{ESC}"', **LEADER)
    await bot.ok("boss", '/action create Rally "in 30 minutes" "City hall"', **LEADER)  # #2, at no worksite


@pytest.mark.parametrize("probe", PROBES, ids=[p[0] for p in PROBES])
@pytest.mark.parametrize("line", LINES)
@pytest.mark.parametrize("actor", ACTORS)
async def test_a_refusal_reads_the_same_whether_or_not_the_person_exists(bot, app, actor, line, probe):
    await setup(bot, app)
    there, nobody = probe
    replies = [await bot.fails("someone", LINES[line].format(who=who), **ACTORS[actor]) for who in probe]
    assert replies[0].replace(f"“{there}”", "“…”") == replies[1].replace(f"“{nobody}”", "“…”")
    assert not any(name in reply for reply in replies for name in ("Alma Cruz", ROO, "#"))


async def test_a_rep_finds_only_their_own_sites_members_and_an_actions_sign_ups(bot, app):
    await setup(bot, app)
    rep = ACTORS["rep of another site"]
    assert "No member matches “Ana Ruiz”" in await bot.fails("gus-rep", "/action checkin 2 Ana Ruiz", **rep)
    assert "Checked in: Gus Pena" in await bot.ok("gus-rep", "/action checkin 2 Gus", **rep)
    await bot.ok("Ana Ruiz", "/action join 2")  # signed up for the rally: the rep sees her on its roster anyway
    assert "Checked in: Ana Ruiz" in await bot.ok("gus-rep", "/action checkin 2 ana@local.org", **rep)
    assert "No member matches “Alma”" in await bot.fails("gus-rep", "/action checkin 2 Alma", **rep)


async def test_an_ambiguous_name_lists_names_and_sites_but_no_member_numbers(bot, app):
    await setup(bot, app)
    shown = await bot.fails("boss", "/member assess a 2", **LEADER)
    assert "Alma Cruz (Escalante Elementary); Ana Ruiz (Escalante Elementary)" in shown and "1001" not in shown


async def test_many_names_at_once_find_what_each_one_finds_alone(bot, app):
    """A captain's line of names is looked up in a few queries (storage.lookup.find_each), by find_members' rules."""
    from storage.lookup import find_each, find_members

    await setup(bot, app)
    await add_roster(app, {ESC: ["Maria Lopez", "Mario Diaz"], ROO: ["Maria Lopez"]})
    texts = ["Ana Ruiz", "ana  ruiz", "ANA@local.org", "1001", "a", "Mari", "maria lopez", "Gus", "zed", "9999"]

    async def compare(session):
        for within in (None, frozenset({"escalante elementary"}), frozenset()):
            each = await find_each(session, texts, within=within)
            assert bool(each["Ana Ruiz"]) == (within != frozenset()) and len(each["maria lopez"]) == (
                1 if within else 2 if within is None else 0)
            for text in texts:
                alone = await find_members(session, text, within=within)
                assert [m.id for m, _ in each[text]] == [m.id for m, _ in alone], (text, within)
                assert [w for _, w in each[text]] == [w for _, w in alone], (text, within)
    await app.db.read(compare)
