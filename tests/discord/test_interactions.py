"""Slash commands, buttons and modals through discord.py's own machinery, answered at the HTTP boundary."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from storage.bargaining import FaqEntry
from storage.members import Member, MemberIdentity, Worksite
from tests.discord.conftest import (
    GUILD_ID,
    MEMBERS_ROLE,
    NAMED_LIKE_LEADERS_ROLE,
    ORGANIZERS_ROLE,
    OTHER_GUILD_ID,
    REPS_ROLE,
    click,
    dispatch,
    logged_in,
    slash,
    submit,
)
from tests.discord.fake_api import APP_ID

MEMBER_SITES = select(Member.name, Worksite.name).join(Worksite, Worksite.id == Member.worksite_id)

EPHEMERAL = 64
DEFERRED, MODAL = 5, 9
_ADDED_BY_DISCORD_PY = {"nsfw", "dm_permission", "default_member_permissions", "contexts", "integration_types"}


def comparable(payload):
    """discord.py's payload without the keys the schema leaves to Discord's defaults, and without
    empty localization maps (which Discord treats as absent)."""
    if isinstance(payload, list):
        return [comparable(item) for item in payload]
    if isinstance(payload, dict):
        return {k: comparable(v) for k, v in payload.items() if k not in _ADDED_BY_DISCORD_PY and v != {}}
    return payload


async def answered(fake, payload, count=1):
    """The interaction's initial callback and its follow-ups, once discord.py has sent them."""
    token = payload["token"]
    await fake.wait_for("POST", f"/webhooks/{APP_ID}/{token}", count)
    callbacks = fake.of("POST", f"/interactions/{payload['id']}/{token}/callback")
    return callbacks, fake.of("POST", f"/webhooks/{APP_ID}/{token}")


async def rows(app, statement):
    return await app.db.read(lambda s: _all(s, statement))


async def _all(session, statement):
    return (await session.exec(statement)).all()


NAME = re.compile(r"^[-_a-z0-9]{1,32}$")
STRING, BOOLEAN, SUB_COMMAND = 3, 5, 1


async def test_login_syncs_exactly_the_declared_commands_to_the_server(app, client, fake):
    [put] = fake.of("PUT", f"/applications/{APP_ID}/guilds/{GUILD_ID}/commands")
    schema = comparable(put.body)
    assert [c["name"] for c in schema] == list(app.registry.groups)
    for command in schema:  # Discord's rules
        assert NAME.match(command["name"]) and 1 <= len(command["description"]) <= 100
        assert len(command["options"]) <= 25
        for sub in command["options"]:
            assert sub["type"] == SUB_COMMAND and NAME.match(sub["name"]) and len(sub["description"]) <= 100
            required = [o["required"] for o in sub["options"]]
            assert required == sorted(required, reverse=True), "required options must come first"
            for option in sub["options"]:
                assert NAME.match(option["name"]) and len(option["description"]) <= 100
                assert len(option.get("choices", [])) <= 25
    member = next(c for c in schema if c["name"] == "member")
    site = next(s for s in member["options"] if s["name"] == "site")
    assert site["options"] == [{"type": STRING, "name": "worksite", "description": "Your worksite, as on the roster",
                                "required": True, "max_length": 200, "autocomplete": True,
                                "description_localizations": {
                                    "es-ES": "Tu sitio de trabajo, como aparece en la lista de miembros",
                                    "es-419": "Tu sitio de trabajo, como aparece en la lista de miembros"}}]
    forget = next(s for s in member["options"] if s["name"] == "forget")
    assert forget["options"][0]["type"] == BOOLEAN and forget["options"][0]["required"] is False
    names = {c["name"] for c in put.body}
    assert {"member", "organizer", "survey"} <= names
    survey = next(c for c in put.body if c["name"] == "survey")["options"][0]["options"]
    assert [o["name"] for o in survey] == ["worksite", "note", "shifts", "strike", "shift"]
    assert survey[2] == {"type": 4, "name": "shifts", "description": "Shifts you can cover", "required": False,
                         "min_value": 0, "max_value": 7}
    assert survey[4]["choices"] == [{"name": "day", "value": "day"}, {"name": "night", "value": "night"}]
    assert not fake.of("PUT", f"/applications/{APP_ID}/commands")  # global sync is off by default


async def test_member_site_defers_privately_then_answers_and_stores(app, client, fake):
    payload = slash("member", "site", worksite="Escalante Elementary")
    dispatch(client, payload)
    [callback], [follow] = await answered(fake, payload)
    assert callback.body == {"type": DEFERRED, "data": {"flags": EPHEMERAL}}
    assert follow.body["content"] == "Your worksite is now Escalante Elementary."
    assert follow.body["flags"] == EPHEMERAL
    assert follow.body["allowed_mentions"] == {"parse": []}
    [(name, site)] = await rows(app, MEMBER_SITES)
    assert (name, site) == ("María", "Escalante Elementary")
    [identity] = await rows(app, select(MemberIdentity.platform, MemberIdentity.user_id))
    assert tuple(identity) == ("discord", "300000000000000001")


async def test_pings_typed_by_a_member_never_ping(app, client, fake):
    payload = slash("member", "site", worksite="@everyone @here <@123> <@&456>")
    dispatch(client, payload)
    _, [follow] = await answered(fake, payload)
    assert "@everyone" not in follow.body["content"] and "@here" not in follow.body["content"]
    assert "\\<@123> \\<@&456>" in follow.body["content"]  # shown as text, as typed, and…
    assert follow.body["allowed_mentions"] == {"parse": []}  # …no mention is ever resolved


async def test_the_discord_client_language_picks_the_catalog(app, client, fake):
    payload = slash("member", "me", locale="es-419")
    dispatch(client, payload)
    _, [follow] = await answered(fake, payload)
    assert "Sitio de trabajo: sin indicar" in follow.body["content"]


async def test_server_roles_by_id_give_bot_roles(app, client, fake):
    leader = slash("member", "me", "300000000000000002", "Luis", roles=(ORGANIZERS_ROLE,))
    rep = slash("member", "me", "300000000000000003", "Rosa", roles=(REPS_ROLE,))
    dispatch(client, leader)
    dispatch(client, rep)
    _, [to_leader] = await answered(fake, leader)
    _, [to_rep] = await answered(fake, rep)
    assert "Role: leader" in to_leader.body["content"]
    assert "Role: site rep" in to_rep.body["content"]


async def test_organizer_help_reads_without_storing_anyone(app, client, fake):
    payload = slash("organizer", "help", topic="member")
    dispatch(client, payload)
    [callback], [follow] = await answered(fake, payload)
    assert callback.body == {"type": DEFERRED, "data": {"flags": EPHEMERAL}}
    assert "**/member site <worksite>**" in follow.body["content"]
    assert follow.body["flags"] == EPHEMERAL and follow.body["allowed_mentions"] == {"parse": []}
    assert await rows(app, select(Member.id)) == []


async def test_a_button_in_a_reply_runs_its_command_as_the_clicker(app, client, fake):
    ask = slash("member", "forget")
    dispatch(client, ask)
    _, [follow] = await answered(fake, ask)
    [button] = follow.body["components"][0]["components"]
    assert button["custom_id"] == "ob:/member forget confirm:yes" and button["style"] == 4
    assert len(await rows(app, select(Member.id))) == 1
    confirm = click(button["custom_id"])
    dispatch(client, confirm)
    [callback], [done] = await answered(fake, confirm)
    assert callback.body == {"type": DEFERRED, "data": {"flags": EPHEMERAL}}
    assert done.body["content"].startswith("Done: everything the bot held about you is deleted.")
    assert done.body["flags"] == EPHEMERAL and done.body["allowed_mentions"] == {"parse": []}
    assert await rows(app, select(Member.id)) == []


async def test_a_form_command_opens_a_modal_and_its_submission_runs_the_command(app, client, fake):
    """Each field is a label over its input, its help under it; yes/no and choices are selects."""
    opened = slash("survey", "answer")
    dispatch(client, opened)
    [modal] = await fake.wait_for("POST", f"/interactions/{opened['id']}/")
    assert modal.body["type"] == MODAL and not fake.refused
    data = modal.body["data"]
    assert (data["title"], data["custom_id"]) == ("Survey", "obform:survey answer")
    labels = data["components"]
    assert [(label["label"], label["description"]) for label in labels] == [
        ("Worksite", "Your worksite"), ("Note", "Anything else"), ("Shifts", "Shifts you can cover"),
        ("Strike", "Ready to strike"), ("Shift", "When you work")]
    inputs = [label["component"] for label in labels]
    assert [(i["type"], i["custom_id"], i["required"]) for i in inputs] == [
        (4, "worksite", True), (4, "note", False), (4, "shifts", False), (3, "strike", False), (3, "shift", False)]
    assert (inputs[0]["style"], inputs[1]["style"]) == (1, 2)
    assert [(o["label"], o["value"]) for o in inputs[3]["options"]] == [("Yes", "yes"), ("No", "no")]
    assert [(o["label"], o["value"]) for o in inputs[4]["options"]] == [("day", "day"), ("night", "night")]
    sent = submit(data["custom_id"], {"worksite": "Roosevelt High", "note": "", "shifts": "2", "strike": ["yes"],
                                      "shift": ["night"]})
    dispatch(client, sent)
    [callback], [follow] = await answered(fake, sent)
    assert callback.body == {"type": DEFERRED, "data": {"flags": EPHEMERAL}}
    assert follow.body["content"] == "Roosevelt High\\|None\\|2\\|True\\|night"  # | escaped: Discord shows |
    assert [tuple(r) for r in await rows(app, MEMBER_SITES)] == [
        ("María", "Roosevelt High")]


async def test_a_mistake_in_a_form_is_answered_privately_and_changes_nothing(app, client, fake):
    sent = submit("obform:survey answer", {"worksite": "Roosevelt High", "shifts": "9"})
    dispatch(client, sent)
    _, [follow] = await answered(fake, sent)
    assert follow.body["content"].startswith("shifts must be at most 7.")
    assert follow.body["flags"] == EPHEMERAL
    assert await rows(app, select(Worksite.id)) == []


async def test_typed_options_arrive_typed(app, client, fake):
    payload = slash("survey", "answer", worksite="Escalante Elementary", shifts=3, strike=False, shift="day")
    dispatch(client, payload)
    _, [follow] = await answered(fake, payload)
    assert follow.body["content"] == "Escalante Elementary\\|None\\|3\\|False\\|day"


async def test_a_button_on_an_announcement_still_works_after_a_restart(app, client, fake):
    from bot import effects
    from bot.adapters.discord.sender import DiscordSender
    from bot.delivery import Worker
    from bot.types import Button, Message, Post

    announce = Post("actions", lambda tr: Message("Picket Friday at Escalante. Join us!",
                                                  (Button("Join", '/member site "Escalante Elementary"', "primary"),)))
    await app.db.write(lambda s: effects.store(app, s, (announce,), app.clock()))
    await Worker(app, {"discord": DiscordSender(client)}).drain()
    [post] = fake.of("POST", "/channels/1000000000000000001/messages")
    custom_id = post.body["components"][0]["components"][0]["custom_id"]
    assert post.body["allowed_mentions"] == {"parse": []}
    await client.close()  # the bot stops; a new process builds everything from scratch

    restarted = await logged_in(app)
    try:
        clicked = click(custom_id, "300000000000000009", "Ana")
        dispatch(restarted, clicked)
        _, [follow] = await answered(fake, clicked)
    finally:
        await restarted.close()
    assert follow.body["content"] == "Your worksite is now Escalante Elementary."
    assert follow.body["flags"] == EPHEMERAL
    assert [tuple(r) for r in await rows(app, MEMBER_SITES)] == [
        ("Ana", "Escalante Elementary")]


async def test_a_role_counts_by_id_only_never_by_a_name_made_to_look_like_one(app, client, fake):
    crafted = slash("member", "me", "300000000000000004", "Mallory", roles=(NAMED_LIKE_LEADERS_ROLE, MEMBERS_ROLE))
    dispatch(client, crafted)
    _, [follow] = await answered(fake, crafted)
    assert "Role: member" in follow.body["content"]


@pytest.mark.parametrize("kind", ["slash command", "button"])
async def test_an_interaction_from_another_server_is_refused_and_stores_nothing(app, client, fake, kind):
    payload = (slash("readiness", "missing", "300000000000000005", "Org", roles=(ORGANIZERS_ROLE,),
                     guild=OTHER_GUILD_ID, poll=1) if kind == "slash command" else
               click("ob:/member me", "300000000000000005", "Org", roles=(ORGANIZERS_ROLE,), guild=OTHER_GUILD_ID))
    dispatch(client, payload)
    _, [follow] = await answered(fake, payload)
    assert follow.body["content"] == "This bot works only in the union’s own server. Use it there, or in a direct " \
                                     "message to the bot."
    assert await rows(app, select(Member.id)) == []


async def test_a_direct_message_works_as_a_member_with_no_roles(app, client, fake):
    payload = slash("member", "me", "300000000000000006", "Dee", guild=None)
    dispatch(client, payload)
    _, [follow] = await answered(fake, payload)
    assert "Role: member" in follow.body["content"]


async def test_a_page_turn_under_a_private_answer_edits_that_answer_in_place(app, client, fake):
    """Next ▶ under an ephemeral page: the deferral is a component's (type 6), and the same message is
    edited to the next page with its own buttons; nothing new is posted."""
    await app.db.write(lambda s: _faq(s, app.clock()))
    clicked = click("op:/bargaining faq page:2")
    clicked["message"]["flags"] = EPHEMERAL
    dispatch(client, clicked)
    [edit] = await fake.wait_for("PATCH", f"/webhooks/{APP_ID}/{clicked['token']}/messages/@original")
    [callback] = fake.of("POST", f"/interactions/{clicked['id']}/{clicked['token']}/callback")
    assert callback.body["type"] == 6
    assert "Page 2 of " in edit.body["content"] and "#1 " not in edit.body["content"]
    ids = [c["custom_id"] for row in edit.body["components"] for c in row["components"]]
    assert ids[0] == "op:/bargaining faq page:1"
    assert not fake.of("POST", f"/webhooks/{APP_ID}/{clicked['token']}")


async def _faq(session, now):
    session.add_all([FaqEntry(question=f"Question {n}?", answer="Not now. " * 200, lang="en", created_at=now)
                     for n in range(4)])
