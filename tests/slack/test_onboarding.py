"""Onboarding on Slack: signed Events API envelopes (``team_join``, ``member_joined_channel``) to the bot's own
HTTP server, the welcome DM through the outbox to the fake Web API, and its type-ahead list of worksites
(``block_suggestion`` answered in the ack) and the option picked (``block_actions``)."""

from __future__ import annotations

import json

from bot.delivery import Worker
from bot.types import Identity, Invocation
from storage.members import Member
from storage.onboarding import Welcome
from storage.roster import import_rows, read_csv
from tests.slack.payloads import event, member_joined_channel, pick, signed_headers, suggestion, team_join
from tests.support import ID_COLUMNS, add_roster, count_rows, events_run, until

ESC, ROO = "Escalante Elementary", "Roosevelt High"


async def send_event(slack, envelope: dict, **signing) -> int:
    """An Events API request: JSON, signed as Slack signs it."""
    body = json.dumps(envelope)
    headers = {**signed_headers(body, timestamp=int(slack.clock().timestamp()), **signing),
               "Content-Type": "application/json"}
    async with slack.session.post(slack.url, data=body.encode(), headers=headers) as resp:
        return resp.status


async def test_a_join_redelivered_and_a_join_to_a_campaign_channel_make_one_welcome(slack, fake, app, front):
    await add_roster(app, {ESC: ["ana"], ROO: ["gus"]})
    fake.locales = {"U300": "es-419"}
    done = events_run(app)
    joined = event(team_join("U300", name="Rosa Martínez"), event_id="Ev1")
    assert await send_event(slack, joined) == 200
    assert await send_event(slack, joined, retry=1) == 200  # Slack's redelivery: acknowledged, not run again
    await until(lambda: done)
    assert await send_event(slack, event(member_joined_channel("U300", "CACTIONS"), event_id="Ev2")) == 200
    await until(lambda: len(done) == 2)
    assert done == [True, None]  # the core knew the member was welcomed before anyone looked them up

    await Worker(app, {"slack": front.sender}).drain()
    [welcome] = [c for c in fake.called("chat.postMessage") if c["channel"] == "U300"]
    blocks = welcome["blocks"]
    assert "¡Te damos la bienvenida a Test local, Rosa!" in blocks[0]["text"]["text"]  # users.info's locale
    assert "Welcome" not in blocks[0]["text"]["text"]
    [select] = blocks[-1]["elements"]
    assert blocks[-1]["block_id"] == "/member site"
    assert (select["type"], select["action_id"]) == ("external_select", "pick-worksites")
    assert select["placeholder"]["text"] == "Elige tu sitio de trabajo"
    assert [e["value"] for e in blocks[-2]["elements"]] == ["/member lang en", "/member lang es"]
    assert await count_rows(app, Welcome) == 1


async def test_joins_of_members_welcomed_before_cost_no_users_info_call(slack, fake, app):
    """Slack allows ``users.info`` about 100 calls a minute: a burst of joins to the campaign's channels by
    members another process welcomed already must not spend them."""
    for user in ("U310", "U311", "U312"):
        await app.event("joined", Invocation(Identity("slack", user, user), "", ""))
    done = events_run(app)
    for n, user in enumerate(("U310", "U311", "U312", "U313")):
        await send_event(slack, event(member_joined_channel(user, "CACTIONS"), event_id=f"Ev{n}"))
    await until(lambda: len(done) == 4)
    assert sorted(done, key=str) == [None, None, None, True]
    assert [c["user"] for c in fake.called("users.info")] == ["U313"]
    assert await count_rows(app, Welcome) == 4


async def test_the_workspace_email_matches_the_roster_row(slack, fake, app, front):
    rows, _ = read_csv(f"name,worksite,email\nAna Díaz,{ESC},ana.diaz@example.org\n", ID_COLUMNS)
    await app.db.write(lambda s: import_rows(s, rows, app.clock(), app.voters, ID_COLUMNS))
    done = events_run(app)
    await send_event(slack, event(team_join("U301", name="Ana Díaz", email="ana.diaz@example.org")))
    await until(lambda: done)
    await Worker(app, {"slack": front.sender}).drain()
    [welcome] = [c for c in fake.called("chat.postMessage") if c["channel"] == "U301"]
    assert f"on the union’s roster as Ana Díaz ({ESC})" in welcome["blocks"][0]["text"]["text"]
    assert all(b["type"] != "actions" or b["elements"][0]["type"] == "button" for b in welcome["blocks"])
    assert await count_rows(app, Member) == 1  # the account became the roster row


async def test_bots_the_bot_itself_and_other_channels_get_no_welcome(slack, fake, app):
    done = events_run(app)
    await send_event(slack, event(team_join("U302", name="Deploy Bot", is_bot=True), event_id="Ev1"))
    await send_event(slack, event(member_joined_channel("UBOT", "CACTIONS"), event_id="Ev2"))
    await send_event(slack, event(member_joined_channel("U303", "CRANDOM"), event_id="Ev3"))
    await send_event(slack, event(member_joined_channel("U305", "CACTIONS", team="T9"), event_id="Ev5"))  # a guest
    await send_event(slack, event(member_joined_channel("U304", "CANNOUNCE"), event_id="Ev4"))
    await until(lambda: done)
    assert done == [True]
    assert await count_rows(app, Welcome) == 1


async def test_the_worksite_list_answers_as_the_member_types_and_a_pick_sets_the_site(slack, fake, app):
    await add_roster(app, {ESC: ["ana"], ROO: ["gus"], "Rosa Parks Elementary": ["lu"]})
    status, body = await slack.send(suggestion("pick-worksites", "elem"))
    assert status == 200
    assert json.loads(body) == {"options": [{"text": {"type": "plain_text", "text": name}, "value": name}
                                            for name in (ESC, "Rosa Parks Elementary")]}
    status, body = await slack.send(suggestion("pick-unknown", "elem"))
    assert (status, json.loads(body)) == (200, {"options": []})
    elsewhere = {**suggestion("pick-worksites", "elem"), "team": {"id": "T9", "domain": "other"}}
    assert json.loads((await slack.send(elsewhere))[1]) == {"options": []}  # not the campaign's workspace

    picked = pick("/member site", "pick-worksites", ROO, response_url=fake.response_url("picked"))
    assert (await slack.send(picked))[0] == 200
    await fake.wait_for(lambda: fake.responses)
    assert fake.responses[0]["blocks"][0]["text"]["text"] == f"Your worksite is now {ROO}."
