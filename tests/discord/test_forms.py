"""Forms on Discord, through discord.py's own machinery: a form longer than a modal holds goes over two
modals and loses no field; choices are selects in the member's language; every text fits Discord's limits."""

from __future__ import annotations

from sqlalchemy import select

from bot.adapters.discord.commands import DESCRIPTION_LIMIT
from storage.actions import Action
from storage.bargaining import BargainingUpdate
from tests.discord.conftest import REPS_ROLE, click, dispatch, slash, submit
from tests.discord.test_interactions import EPHEMERAL, MODAL, answered, rows
from tests.support import typed_date

MESSAGE = 4


async def test_a_form_longer_than_a_modal_goes_over_three_and_runs_with_every_field(app, client, fake, clock):
    """/action create has twelve fields and a modal holds five: each page's submission is kept and offers the
    next page, the Spanish last; nothing runs until the last page is in."""
    opened = slash("action", "create", roles=(REPS_ROLE,))
    dispatch(client, opened)
    [first] = await fake.wait_for("POST", f"/interactions/{opened['id']}/")
    page = first.body["data"]
    assert page["title"] == "Announce an action (1/3)"
    assert [label["component"]["custom_id"] for label in page["components"]] == [
        "title", "when", "where", "kind", "site"]
    kind = page["components"][3]["component"]
    assert [(o["label"], o["value"]) for o in kind["options"]][:3] == [
        ("Picket", "picket"), ("Rally", "rally"), ("School-board meeting", "board-meeting")]

    one = submit(page["custom_id"], {"title": "Informational picket", "when": typed_date(clock(), days=2),
                                     "where": "Front gate", "kind": ["rally"], "site": ""}, roles=(REPS_ROLE,))
    dispatch(client, one)
    [saved] = await fake.wait_for("POST", f"/interactions/{one['id']}/")
    assert saved.body["type"] == MESSAGE and saved.body["data"]["flags"] == EPHEMERAL
    assert saved.body["data"]["content"] == ("Page 1 of 3 is saved. The next one asks for: Spots, Details, Repeats, "
                                             "Last day it repeats, Title in Spanish.")
    [button] = saved.body["data"]["components"][0]["components"]
    assert button["label"] == "Continue"
    assert await rows(app, select(Action.id)) == []

    pressed = click(button["custom_id"], roles=(REPS_ROLE,))
    dispatch(client, pressed)
    [second] = await fake.wait_for("POST", f"/interactions/{pressed['id']}/")
    assert second.body["type"] == MODAL and second.body["data"]["title"] == "Announce an action (2/3)"
    assert [label["component"]["custom_id"] for label in second.body["data"]["components"]] == [
        "capacity", "details", "every", "until", "es_title"]
    two = submit(second.body["data"]["custom_id"], {"capacity": "40", "details": "Bring signs", "every": [],
                                                    "until": "", "es_title": "Piquete informativo"},
                 roles=(REPS_ROLE,))
    dispatch(client, two)
    [saved] = await fake.wait_for("POST", f"/interactions/{two['id']}/")
    [button] = saved.body["data"]["components"][0]["components"]
    pressed = click(button["custom_id"], roles=(REPS_ROLE,))
    dispatch(client, pressed)
    [third] = await fake.wait_for("POST", f"/interactions/{pressed['id']}/")
    assert third.body["data"]["title"] == "Announce an action (3/3)"
    assert [label["component"]["custom_id"] for label in third.body["data"]["components"]] == [
        "es_where", "es_details"]
    three = submit(third.body["data"]["custom_id"], {"es_where": "Puerta principal", "es_details": ""},
                   roles=(REPS_ROLE,))
    dispatch(client, three)
    _, [done] = await answered(fake, three)
    assert done.body["content"].startswith("Announced action #1: Informational picket")
    [action] = [r[0] for r in await rows(app, select(Action))]
    assert (action.kind, action.location, action.capacity, action.details) == ("rally", "Front gate", 40,
                                                                                "Bring signs")
    assert (action.title_es, action.location_es, action.details_es) == ("Piquete informativo", "Puerta principal",
                                                                         None)
    assert not fake.refused


async def test_a_page_whose_draft_is_gone_runs_nothing_and_says_to_start_again(app, client, fake):
    pressed = click("obform-next:gone-after-a-restart", roles=(REPS_ROLE,))
    dispatch(client, pressed)
    [answer] = await fake.wait_for("POST", f"/interactions/{pressed['id']}/")
    assert answer.body["data"]["content"].startswith("This form has expired, so nothing was done.")
    late = submit("obform:action create gone-after-a-restart", {"capacity": "4"}, roles=(REPS_ROLE,))
    dispatch(client, late)
    [answer] = await fake.wait_for("POST", f"/interactions/{late['id']}/")
    assert answer.body["data"]["flags"] == EPHEMERAL and "expired" in answer.body["data"]["content"]
    assert await rows(app, select(Action.id)) == []


async def test_a_long_text_goes_over_as_many_inputs_as_it_takes_and_arrives_whole(app, client, fake):
    """A bargaining update holds 5,000 characters and an input 4,000: two inputs each for the English and
    the Spanish text, over two modals; the parts are joined paragraphs apart."""
    leader = ("300000000000000002", "Ana")
    opened = slash("bargaining", "post", *leader, roles=(REPS_ROLE,))
    dispatch(client, opened)
    [first] = await fake.wait_for("POST", f"/interactions/{opened['id']}/")
    page = first.body["data"]
    names = [label["component"]["custom_id"] for label in page["components"]]
    assert names == ["title", "body", "body.2", "session", "topics"]
    assert [label["component"]["max_length"] for label in page["components"]][1:3] == [4000, 1000]
    assert page["components"][2]["label"] == "What happened (part 2 of 2)"
    one = submit(page["custom_id"], {"title": "Session 7", "body": "A" * 1000, "body.2": "B" * 10, "session": "",
                                     "topics": ""}, *leader, roles=(REPS_ROLE,))
    dispatch(client, one)
    [saved] = await fake.wait_for("POST", f"/interactions/{one['id']}/")
    pressed = click(saved.body["data"]["components"][0]["components"][0]["custom_id"], *leader, roles=(REPS_ROLE,))
    dispatch(client, pressed)
    [second] = await fake.wait_for("POST", f"/interactions/{pressed['id']}/")
    assert [label["component"]["custom_id"] for label in second.body["data"]["components"]] == [
        "es", "es.2"]
    two = submit(second.body["data"]["custom_id"], {"es": "", "es.2": ""}, *leader, roles=(REPS_ROLE,))
    dispatch(client, two)
    _, [done] = await answered(fake, two)
    assert done.body["content"].startswith("Posted update #1")
    [update] = [r[0] for r in await rows(app, select(BargainingUpdate))]
    assert update.body == "A" * 1000 + "\n\n" + "B" * 10
    assert not fake.refused


async def test_every_description_fits_discord_in_every_language_without_being_cut(app):
    """Group, command and option descriptions and choice names are at most 100 characters in English and
    in each translation: a translation is shortened, never cut."""
    too_long = []
    for lang in app.catalogs.languages:
        tr = app.catalogs.get(lang)
        for group in app.registry.groups.values():
            texts = [(f"/{group.name}", group.help)]
            for command in group.commands.values():
                texts.append((f"/{command.path}", command.help))
                texts += [(f"/{command.path} {p.name}", p.help) for p in command.params]
                texts += [(f"/{command.path} {p.name}={c}", label) for p in command.params
                          for c, label in p.labels.items()]
            too_long += [(lang, where, len(tr._(msgid))) for where, msgid in texts
                         if len(tr._(msgid)) > DESCRIPTION_LIMIT]
    assert too_long == []
