"""Who may run what, for EVERY command in the registry: member, rep of the site, rep of another site
and leader. The expected answer is derived from each command's declared role plus the site rule
(reps act only for their own worksites); a new command without a sample line here fails the
test, so the matrix stays complete. Readiness allow/deny has its own matrix
(tests/test_readiness_permissions.py); here every command is also checked for the privacy rule
that no path shows an individual readiness answer to a non-leader, and an anonymous poll's to no one;
that an interaction from another server is refused and crafted claims give no role, for every command;
that a lookup refuses before it reads and an ambiguous name lists no member numbers; and that a small
site's answers show to no one in an anonymous poll.

Permissions do not depend on the database, so this runs on SQLite only: a world is built once and
each case gets a fresh copy of its file."""

from __future__ import annotations

import asyncio
import itertools
import re
import shutil

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.types import Identity, Role
from commands import build_registry
from storage.db import Database
from storage.members import Member
from storage.roster import import_rows, read_csv
from tests.support import ID_COLUMNS, Clock, add_roster, make_config, typed_date

ESC, ROO = "Escalante Elementary", "Roosevelt High"
NOW = Clock().now  # the world is built and every line runs at this moment
ACTORS = {
    "member": {"role": "member"},
    "rep of the site": {"role": "rep", "site": ESC},
    "rep of another site": {"role": "rep", "site": ROO},
    "leader": {"role": "leader"},
    "captain": {"user": "cappy"},  # made captain at Escalante by a rep (/member captain), with cruz on the list
}
ROLE_OF = {"member": Role.member, "rep of the site": Role.rep, "rep of another site": Role.rep, "leader": Role.leader,
           "captain": Role.captain}
RESPONDENTS = ("Xiomara Respondent", "Yolanda Respondent")  # answered both polls; no other trace of them anywhere
REGISTRY = build_registry()

# One line per command that succeeds for a leader in the world below. Objects tied to a worksite are
# Escalante's (action #1 is at Escalante), so the rep of another site is refused where the site rule applies.
LINES = {
    "action calendar": "/action calendar 1",
    "action cancel": "/action cancel 1 reason:Rain",
    "action checkin": "/action checkin 1 cruz",
    "action create": f'/action create Rally "{typed_date(NOW, days=5, at="16:00")}" "Front gate" site:"{ESC}" '
                     f'every:weekly until:{typed_date(NOW, days=19, at=None)}',
    "action edit": f'/action edit 1 where:Library details:Water kind:rally site:"{ESC}"',
    "action export": "/action export 1",
    "action invite": "/action invite 1 cruz",
    "action join": "/action join 1",
    "action leave": "/action leave 1",
    "action list": "/action list",
    "action restore": "/action restore 2",
    "action roster": "/action roster 1",
    "action show": "/action show 1",
    "action turnout": "/action turnout",
    "bargaining correct": '/bargaining correct 1 body:"Talks continue Monday."',
    "bargaining delivery": "/bargaining delivery 1",
    "bargaining demand-add": '/bargaining demand-add staffing "Nurse in every school"',
    "bargaining demand-history": "/bargaining demand-history wages",
    "bargaining demand-update": "/bargaining demand-update wages district:3%",
    "bargaining faq": "/bargaining faq",
    "bargaining faq-add": '/bargaining faq-add "Is a strike vote set?" "Not yet."',
    "bargaining faq-edit": '/bargaining faq-edit 1 answer:"In April."',
    "bargaining faq-pair": "/bargaining faq-pair 1 2",
    "bargaining faq-remove": "/bargaining faq-remove 2",
    "bargaining history": "/bargaining history",
    "bargaining latest": "/bargaining latest",
    "bargaining post": '/bargaining post "Session 3" "We met today."',
    "bargaining retract": "/bargaining retract 1 The date was wrong",
    "bargaining show": "/bargaining show 1",
    "bargaining subscribe": "/bargaining subscribe",
    "bargaining table": "/bargaining table",
    "bargaining unsubscribe": "/bargaining unsubscribe",
    "bargaining versions": "/bargaining versions 1",
    "chant add": '/chant add "Fight" "What do we want? | Fair pay"',
    "chant approve": "/chant approve 2",
    "chant attach": "/chant attach 1 1",
    "chant detach": "/chant detach 1 1",
    "chant edit": "/chant edit 1 tags:picket",
    "chant list": "/chant list",
    "chant pending": "/chant pending",
    "chant reject": "/chant reject 2",
    "chant remove": "/chant remove 1",
    "chant sheet": "/chant sheet",
    "chant show": "/chant show 1",
    "chant suggest": '/chant suggest "Ours" "Our schools"',
    "member assess": "/member assess cruz 2",
    "member claim": "/member claim 2001",
    "member claims": "/member claims",
    "member confirm": '/member confirm "Dana Claim"',
    "member connect": '/member connect newbie "Dana Claim"',
    "member discrepancies": "/member discrepancies",
    "member forget": "/member forget",
    "member history": "/member history cruz",
    "member assign": "/member assign cappy ana",
    "member captain": "/member captain ana",
    "member lang": "/member lang es",
    "member link": "/member link",
    "member me": "/member me",
    "member remove": "/member remove gus",
    "member site": f"/member site {ROO}",
    "member talked": "/member talked cruz 2 cares about class size",
    "member unreached": "/member unreached",
    "member mylist": "/member mylist",
    "organizer announce": "/organizer announce Rally Friday at noon ping:yes",
    "organizer help": "/organizer help",
    "pledge close": "/pledge close 1",
    "pledge open": '/pledge open "I will vote YES"',
    "pledge sign": "/pledge sign 1",
    "pledge signers": "/pledge signers 1",
    "pledge tally": "/pledge tally 1",
    "pledge withdraw": "/pledge withdraw 1",
    "readiness answer": "/readiness answer 1 2",
    "readiness close": "/readiness close 1",
    "readiness export": "/readiness export 1",
    "readiness missing": "/readiness missing 1",
    "readiness open": "/readiness open Ready?",
    "readiness tally": "/readiness tally 1",
    "structure add": "/structure add readiness 1",
    "structure move": "/structure move 2 1",
    "structure remove": "/structure remove 1",
    "structure coverage": "/structure coverage",
    "structure leaders": "/structure leaders",
    "structure show": "/structure",
    "strike code": "/strike code 3",
    "strike here": "/strike here {code}",  # the code shift #3's captain got when the world was built
    "strike hours": "/strike hours",
    "strike join": "/strike join 2",
    "strike leave": "/strike leave 1",
    "strike mine": "/strike mine",
    "strike swap": "/strike swap 1 2",
    "strike plan": f'/strike plan {typed_date(NOW, days=7, at=None)} {typed_date(NOW, days=8, at=None)} 6:30-10:30 '
                   f'sites:"{ESC}"',
    "strike shift-add": f'/strike shift add "{ESC}" {typed_date(NOW, days=2, at=None)} 6:30-10:30',
    "strike shift-cancel": "/strike shift cancel 1",
    "strike shift-edit": "/strike shift edit 1 minimum:3",
    "strike shifts": "/strike shifts",
    "strike signin": "/strike signin 3 ana",
    "strike signout": "/strike signout 3 all",
    "strike sheet": "/strike sheet 3",
    "strike status": "/strike status",
}
# commands acting on something of a worksite (Escalante here; checkin checks in someone else): only a rep of
# that site or a leader may, whatever the declared role
SITE_RULE = {"action cancel", "action checkin", "action create", "action edit", "action export", "action restore",
             "action roster", "chant attach", "chant detach", "chant edit", "chant remove", "member assess",
             "strike plan", "strike shift-add", "strike shift-cancel", "strike shift-edit", "strike code",
             "strike signin", "strike signout", "strike sheet"}
# the lines' staffing: reps (their own sites', so a rep of another site sees none), leaders, and whoever captains a
# shift that day; the member and the captain of the matrix captain none
LINE_VIEW = {"strike status"}
# what someone posted (bargaining update #1, the leader's): only a leader or its author may correct or retract it
AUTHOR_RULE = {"bargaining correct", "bargaining retract"}
# readiness allow/deny is tests/test_readiness_permissions.py's matrix, and roster claims' is in
# tests/test_roster_claims.py (a rep of another site finds no such claim or member); they are not repeated here
# one-on-ones' is tests/test_conversations.py's (a rep of another site finds no such member); invitations' is
# tests/test_invites.py's (whom one may invite depends on one's own worksite, which the matrix's actors lack)
OWN_MATRIX = {"readiness", "member assess", "member confirm", "member connect", "member history", "member talked",
              "member assign", "member captain", "action invite"}
# the anonymous poll (#2): what leaders see of it must not name anyone either
ANONYMOUS_POLL_LINES = ["/readiness tally 2", "/readiness export 2", "/readiness missing 2"]


def expected_allowed(path: str, actor: str) -> bool:
    command = REGISTRY.find(*path.split(" "))
    if ROLE_OF[actor] < command.role:
        return False
    if path in AUTHOR_RULE:
        return actor == "leader"
    if path in LINE_VIEW:
        return ROLE_OF[actor] >= Role.rep
    return path not in SITE_RULE or actor in ("rep of the site", "leader")  # the site rule: a rep of that site


async def build_world(path) -> None:
    app = App(make_config(), REGISTRY, db=Database(str(path)), clock=Clock(NOW))
    await app.start()
    lead = {"claims": {"role:leader"}}

    async def ok(user, line, **kw):
        reply = await app.run_line(Identity("console", user, user), line, **kw)
        assert not reply.error, f"{line}: {reply.message.text}"

    await add_roster(app, {ESC: ["ana", "cruz", *RESPONDENTS, "Maria Lopez"], ROO: ["gus", "Maria Lopez"]})
    await add_roster(app, {ESC: ["cappy", "kit"]}, on_roster=False)  # off the roster: /member claim works for them
    await ok("boss", "/member captain cappy", **lead)
    await ok("boss", "/member assign cappy cruz", **lead)
    await ok("boss", "/member captain kit", **lead)  # the respondents are on kit's list, so no suggestion names them
    await ok("boss", f"/member assign kit {', '.join(RESPONDENTS)}", **lead)
    rows, _ = read_csv(f"name,worksite,member id\nDana Claim,{ESC},2001\n", ID_COLUMNS)
    await app.db.write(lambda s: import_rows(s, rows, app.clock(), app.voters, ID_COLUMNS))
    await ok("dana", "/member claim 2001")
    await ok("newbie", "/member me")
    await ok("boss", f'/action create Picket "{typed_date(NOW, at="09:30")}" Gate site:"{ESC}" capacity:10', **lead)
    await ok("ana", "/action join 1")
    await ok("boss", f'/action create Rally "{typed_date(NOW, days=3)}" Steps site:"{ESC}"', **lead)
    await ok("boss", "/action cancel 2 Called off by mistake", **lead)  # for /action restore
    await ok("boss", '/chant add "Union" "Union power"', **lead)
    await ok("boss", "/chant attach 1 1", **lead)
    await ok("ana", '/chant suggest "Pending" "We will win"')
    await ok("boss", '/bargaining post "Session 2" "Talks continue." topics:wages', **lead)
    await ok("boss", '/bargaining demand-add wages "5% raise"', **lead)
    await ok("boss", '/bargaining faq-add "When is the vote?" "In March."', **lead)
    await ok("boss", '/bargaining faq-add "¿Cuándo es la votación?" "En marzo." lang:es', **lead)
    await ok("boss", '/pledge open "I will vote YES to authorize a strike"', **lead)
    await ok("ana", "/pledge sign 1")
    await ok("boss", f'/strike shift add "{ESC}" {typed_date(NOW, days=1, at=None)} 6:30-10:30 captain:cruz', **lead)
    await ok("boss", f'/strike shift add "{ESC}" {typed_date(NOW, days=1, at=None)} 10:30-14:30', **lead)
    await ok("someone", "/strike join 1")  # whoever runs the matrix's lines, so a swap has a signup to move
    await ok("cappy", "/strike join 1")  # the captain runs them too
    now_on_the_line = f'/strike shift add "{ESC}" {typed_date(NOW, at=None)} 9:15-13:00 captain:cruz'
    await ok("boss", now_on_the_line, **lead)  # signing in now
    reply = await app.run_line(Identity("console", "cruz", "cruz"), "/strike code 3")
    LINES["strike here"] = LINES["strike here"].format(code=reply.message.text.split(" is ")[1].split(".")[0])
    await ok("boss", "/readiness open Named? anonymous:no", **lead)
    await ok("boss", "/readiness open Anonymous? anonymous:yes", **lead)
    for name in RESPONDENTS:
        for poll in (1, 2):
            await ok(name, f"/readiness answer {poll} 3")
    await ok("boss", "/structure add action 1", **lead)
    await ok("boss", "/structure add pledge 1", **lead)
    await app.close()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    path = tmp_path_factory.mktemp("world") / "world.db"
    asyncio.run(build_world(path))
    return path


@pytest.fixture
async def app(world, tmp_path):
    path = tmp_path / "case.db"
    shutil.copy(world, path)
    shutil.copy(world.parent / "organizer.key", tmp_path)  # the key goes with the copy: who answered is keyed
    app = App(make_config(), REGISTRY, db=Database(str(path)), clock=Clock(NOW))
    yield app
    await app.close()


async def run(app, actor: str, line: str):
    role = ACTORS[actor]
    if "user" in role:  # a role the database gives, not a claim
        return await app.run_line(Identity("console", role["user"], role["user"]), line)
    claims = {f"role:{role['role']}", *([f"site:{role['site']}"] if "site" in role else [])}
    return await app.run_line(Identity("console", "someone", "Someone"), line, claims=claims)


def shown(reply) -> str:
    if reply.message is None:
        return ""
    files = " ".join(a.data.decode("utf-8", "replace") for a in reply.message.attachments)
    return f"{reply.message.text} {files}"


def test_every_command_has_a_line():
    assert set(LINES) == {c.path for c in REGISTRY.commands()}


@pytest.mark.parametrize("path, actor", [(p, a) for p, a in itertools.product(LINES, ACTORS)
                                         if p.split(" ")[0] not in OWN_MATRIX and p not in OWN_MATRIX])
async def test_permission_matrix(app, path, actor):
    reply = await run(app, actor, LINES[path])
    allowed = expected_allowed(path, actor)
    text = reply.message.text if reply.message else ""
    assert "Something broke" not in text
    if allowed:
        assert not reply.error, f"{actor} should be allowed {LINES[path]}: {text}"
    else:
        assert reply.error and ("Only a" in text or "You are a rep for other worksites" in text), \
            f"{actor} should be refused {LINES[path]}: {text}"


@pytest.mark.parametrize("path, actor", list(itertools.product(LINES, ACTORS)))
async def test_no_path_shows_an_individual_readiness_answer_to_a_non_leader(app, path, actor):
    text = shown(await run(app, actor, LINES[path]))
    named = [name for name in RESPONDENTS if name in text]
    if actor == "leader" and path == "readiness export":
        assert named == list(RESPONDENTS), "the leader's export of a named poll lists who answered what"
    else:
        assert named == [], f"{LINES[path]} showed {actor} who answered: {text[:300]}"


@pytest.mark.parametrize("line", ANONYMOUS_POLL_LINES)
@pytest.mark.parametrize("actor", ACTORS)
async def test_an_anonymous_poll_shows_no_individual_answer_to_anyone(app, line, actor):
    text = shown(await run(app, actor, line))
    assert not any(name in text for name in RESPONDENTS), f"{line} showed {actor} who answered: {text[:300]}"


@pytest.mark.parametrize("path", LINES)
async def test_every_command_from_another_server_is_refused_before_anything_runs(app, path):
    async def members(session):
        return (await session.exec(select(func.count()).select_from(Member))).scalar_one()
    before = await app.db.read(members)
    reply = await app.run_line(Identity("discord", "300000000000000009", "Org"), LINES[path],
                               claims={"discord-role:1000000000000000201"}, outside=True)
    assert reply.error and "only in the union’s own server" in reply.message.text
    assert await app.db.read(members) == before  # not even the stranger's account was registered


CRAFTED = {"discord-role:Organizers", "discord-role:1000000000000000201 ", "role:leader", f"site:{ESC}",
           "discord:1000000000000000201"}


@pytest.mark.parametrize("path", LINES)
async def test_crafted_claims_give_no_role_for_any_command(app, path):
    """Names, ids with a space, the console's own claims: a Discord account holding them is a member."""
    reply = await app.run_line(Identity("discord", "300000000000000010", "Mallory"), LINES[path], claims=CRAFTED)
    text = reply.message.text if reply.message else ""
    assert "Something broke" not in text
    if expected_allowed(path, "member"):
        assert not reply.error or "Only a" not in text, text
    else:
        assert reply.error and "Only a" in text, f"{LINES[path]}: {text}"


LOOKUPS = {"action checkin": "/action checkin 1 {who}", "member assess": '/member assess "{who}" 2',
           "member talked": '/member talked "{who}" 2', "member history": '/member history "{who}"'}
# what each actor gets for "maria lopez", who is at both sites: refused, one found, or both listed
AMBIGUOUS = {
    ("member", "action checkin"): "refused", ("member", "member assess"): "refused",
    ("rep of the site", "action checkin"): ESC, ("rep of the site", "member assess"): ESC,
    ("rep of another site", "action checkin"): "refused", ("rep of another site", "member assess"): ROO,
    ("leader", "action checkin"): "both", ("leader", "member assess"): "both",
    ("captain", "action checkin"): "refused", ("captain", "member assess"): "unseen",  # not on the captain's list
}
AMBIGUOUS.update({(actor, path): seen for (actor, command), seen in list(AMBIGUOUS.items())
                  if command == "member assess" for path in ("member talked", "member history")})


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("path", LOOKUPS)
async def test_a_lookup_refuses_before_it_reads_and_an_ambiguous_name_lists_no_member_numbers(app, actor, path):
    async def number(session):
        for member in (await session.exec(select(Member).where(Member.name == "Maria Lopez"))).scalars():
            member.member_no = f"90{member.id}"
    await app.db.write(number)
    reply = await run(app, actor, LOOKUPS[path].format(who="maria lopez"))
    nobody = await run(app, actor, LOOKUPS[path].format(who="zed nobody"))
    text, expected = reply.message.text, AMBIGUOUS[(actor, path)]
    assert "90" not in text
    if expected == "refused":
        assert reply.error and text == nobody.message.text
    elif expected == "unseen":  # found as nobody is: the same reply but for the name typed
        assert reply.error and text.replace("maria lopez", "?") == nobody.message.text.replace("zed nobody", "?")
    elif expected == "both":
        assert reply.error and f"Maria Lopez ({ESC}); Maria Lopez ({ROO})" in text
    else:
        assert not reply.error and (path == "action checkin" or f"({expected})" in text), text


@pytest.mark.parametrize("line", ["/readiness tally {poll}", "/readiness export {poll}"])
@pytest.mark.parametrize("actor", ACTORS)
async def test_a_small_sites_answers_show_to_no_one_in_an_anonymous_poll(app, actor, line):
    """Two respondents at Escalante picked "Not sure": a count of 2 shows only to a leader, of the named poll."""
    for poll in (1, 2):
        reply = await run(app, actor, line.format(poll=poll))
        if reply.error or (actor == "leader" and poll == 1 and "export" in line):
            continue  # not theirs to read at all (the matrix above), or the named poll's per-member export
        text = shown(reply)
        counted = "Not sure: 2" in text or re.search(rf"{ESC},\d*,2,", text) is not None
        assert counted == (actor == "leader" and poll == 1), f"{actor} {line.format(poll=poll)}: {text[:400]}"
