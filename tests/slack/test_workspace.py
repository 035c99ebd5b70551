"""Only the campaign's workspace (``slack.team_id``, T1 here): a command, click or form sent from
another workspace the app is in, or by a member of another organisation in a shared channel, is
refused before anything runs or anyone is looked up, through the bot's real HTTP server."""

import json

from sqlalchemy import func, select

from storage.members import Member, Worksite
from tests.slack.payloads import click, slash, submission

REFUSED = "This bot works only in the union’s own server. Use it there, or in a direct message to the bot."


async def count(app, model):
    return await app.db.read(lambda s: s.exec(select(func.count()).select_from(model)))


async def refused(slack, fake, payload, url: str) -> None:
    assert (await slack.send(payload))[0] == 200
    await fake.wait_for(lambda: any(r["url"] == url for r in fake.responses))
    [answer] = [r for r in fake.responses if r["url"] == url]
    assert answer["blocks"][0]["text"]["text"] == REFUSED and answer["response_type"] == "ephemeral"


async def test_requests_from_another_workspace_or_its_members_are_refused(slack, fake, app):
    other = slash("/member", "site Escalante Elementary", response_url=fake.response_url("other"))
    await refused(slack, fake, {**other, "team_id": "T2"}, "other")
    shared = slash("/member", "site Escalante Elementary", response_url=fake.response_url("shared"))
    await refused(slack, fake, {**shared, "user_team": "T2"}, "shared")  # a guest of a shared channel
    pressed = click("/member site Escalante Elementary", response_url=fake.response_url("click"))
    await refused(slack, fake, {**pressed, "team": {"id": "T2"}, "user": {**pressed["user"], "team_id": "T2"}},
                  "click")
    guest = click("/member site Escalante Elementary", response_url=fake.response_url("guest"), message_ts="2.0")
    await refused(slack, fake, {**guest, "user": {**guest["user"], "team_id": "T2"}}, "guest")
    assert (await count(app, Member)).scalar_one() == 0 and (await count(app, Worksite)).scalar_one() == 0
    assert not [call for call in fake.calls if call.method in ("users.info", "usergroups.users.list")]

    ours = slash("/member", "site Escalante Elementary", response_url=fake.response_url("ours"))
    assert (await slack.send(ours))[0] == 200
    await fake.wait_for(lambda: any(r["url"] == "ours" for r in fake.responses))
    assert (await count(app, Worksite)).scalar_one() == 1


async def test_a_form_submitted_from_another_workspace_is_refused(slack, fake):
    await slack.send(slash("/testing", "note", response_url=fake.response_url()))
    await fake.wait_for(lambda: fake.called("views.open"))
    view = fake.called("views.open")[0]["view"]
    view = json.loads(view) if isinstance(view, str) else view
    status, body = await slack.send({**submission(view, {"title": "Picket"}), "team": {"id": "T2"}})
    assert status == 200
    refusal = json.loads(body)
    assert refusal["response_action"] == "errors" and refusal["errors"]["title"] == REFUSED
    assert not fake.called("chat.postMessage")
