"""Slack's requests through the bot's real HTTP server, against a fake Web API, on the real app and database."""

import asyncio
import contextlib
import json
import socket

import aiohttp
from sqlalchemy import func, select

from storage.members import Member, MemberIdentity, Worksite
from tests.slack.conftest import SlackClient
from tests.slack.payloads import click, slash, submission
from tests.support import ID_COLUMNS


async def count(app, model, *where):
    async def work(session):
        return (await session.exec(select(func.count()).select_from(model).where(*where))).scalar_one()
    return await app.db.read(work)


async def test_slash_command_sets_the_site_and_answers_only_the_member(slack, fake, app):
    status, body = await slack.send(slash("/member", "site Escalante Elementary", response_url=fake.response_url()))
    assert (status, body) == (200, "")
    await fake.wait_for(lambda: fake.responses)
    [answer] = fake.responses
    assert answer["response_type"] == "ephemeral"
    assert answer["blocks"][0]["text"]["text"] == "Your worksite is now Escalante Elementary."
    assert "link_names" not in answer
    assert await count(app, MemberIdentity, MemberIdentity.platform == "slack", MemberIdentity.user_id == "U100") == 1
    assert await count(app, Member, Member.worksite_id.is_not(None)) == 1


async def test_the_ack_arrives_before_slow_work_finishes(slack, fake, gate):
    status, _ = await slack.send(slash("/testing", "slow", response_url=fake.response_url()))
    assert status == 200
    assert not gate.finished and not fake.responses
    await asyncio.wait_for(gate.started.wait(), 10)
    gate.opened.set()
    await fake.wait_for(lambda: fake.responses)
    assert gate.finished
    assert fake.responses[0]["blocks"][0]["text"]["text"] == "slow work done"


async def test_forget_asks_with_a_button_and_a_double_click_deletes_once(slack, fake, app):
    await slack.send(slash("/member", "forget", response_url=fake.response_url("ask")))
    await fake.wait_for(lambda: fake.responses)
    actions = fake.responses[0]["blocks"][-1]
    assert actions["type"] == "actions"
    button = actions["elements"][0]
    assert (button["value"], button["style"]) == ("/member forget confirm:yes", "danger")
    assert await count(app, Member) == 1

    pressed = click(button["value"], action_id=button["action_id"], response_url=fake.response_url("done"))
    assert (await slack.send(pressed))[0] == 200
    assert (await slack.send(pressed))[0] == 200
    await slack.send(slash("/organizer", "help", response_url=fake.response_url("after")))
    await fake.wait_for(lambda: {"done", "after"} <= {r["url"] for r in fake.responses})
    assert await count(app, Member) == 0
    done = [r for r in fake.responses if r["url"] == "done"]
    assert len(done) == 1 and done[0]["replace_original"] is True
    assert done[0]["blocks"][0]["text"]["text"].startswith("Done: everything the bot held about you is deleted.")


async def test_a_redelivery_is_acknowledged_and_not_run_again(slack, fake, app):
    status, _ = await slack.send(slash("/member", "site Roosevelt High", response_url=fake.response_url()), retry=1)
    assert status == 200
    await slack.send(slash("/organizer", "help", response_url=fake.response_url("help")))
    await fake.wait_for(lambda: fake.responses)
    assert [r["url"] for r in fake.responses] == ["help"]
    assert await count(app, Worksite) == 0


async def test_forged_signatures_and_old_timestamps_are_refused_and_change_nothing(slack, fake, app):
    request = slash("/member", "site Escalante Elementary", response_url=fake.response_url())
    assert (await slack.send(request, secret="not-the-secret"))[0] == 401
    assert (await slack.send(request, timestamp=int(app.clock().timestamp()) - 6 * 60))[0] == 401
    assert (await slack.send(click("/member forget confirm:yes", response_url=fake.response_url()),
                             secret="forged"))[0] == 401
    assert (await slack.send(request, secret="not-the-secret", retry=1))[0] == 401  # a forged "redelivery"
    assert (await slack.send(request, timestamp=int(app.clock().timestamp()) - 6 * 60, retry=2))[0] == 401
    assert await count(app, Member) == 0 and await count(app, Worksite) == 0
    assert fake.responses == [] and fake.calls == []


async def test_organizer_help_is_mrkdwn_and_every_group_is_a_command(slack, fake):
    await slack.send(slash("/organizer", "help member", response_url=fake.response_url()))
    await fake.wait_for(lambda: fake.responses)
    text = "\n".join(b["text"]["text"] for b in fake.responses[0]["blocks"])
    assert "*/member* — " in text and "*/member site &lt;worksite&gt;*" in text


async def test_member_text_can_never_mention_anyone(slack, fake):
    typed = "&lt;!channel&gt; <!here> <!everyone|everyone> <!subteam^S1|@reps> <@U999> & co"
    await slack.send(slash("/member", f"site {typed}", response_url=fake.response_url()))
    await fake.wait_for(lambda: fake.responses)
    text = fake.responses[0]["blocks"][0]["text"]["text"]
    for mention in ("<!channel>", "<!here", "<!everyone", "<!subteam^", "<@U999"):
        assert mention not in text and mention not in fake.responses[0]["text"]
    assert "&lt;!channel&gt; &lt;!here&gt;" in text and "&amp; co" in text


async def test_user_groups_grant_roles_and_a_failing_lookup_does_not_block(slack, fake, front):
    fake.fail("usergroups.list", "internal_error")
    await slack.send(slash("/member", "me", user="U200", response_url=fake.response_url("down")))
    await fake.wait_for(lambda: fake.responses)
    assert "Role: member" in fake.responses[0]["blocks"][0]["text"]["text"]
    directory = front.work.directory
    later = directory.monotonic() + directory.retry + 1  # past the failure's pause
    directory.monotonic = lambda: later
    fake.usergroups = {"SLEADERS": ["U300"], "SOTHER": ["U200"]}
    await slack.send(slash("/member", "me", user="U300", response_url=fake.response_url("up")))
    await fake.wait_for(lambda: len(fake.responses) == 2)
    assert "Role: leader" in fake.responses[1]["blocks"][0]["text"]["text"]
    assert [c["usergroup"] for c in fake.called("usergroups.users.list")] == ["SLEADERS", "SOTHER"]


async def test_commands_do_not_wait_one_behind_another_for_a_hanging_user_group_api(slack, fake, front, caplog):
    """30 members at once while ``usergroups.list`` hangs: one load, which they all wait on together,
    then answers without a role (before, each command reloaded under one lock: 30 joins took 61 s). The loads
    are counted as the bot logs them: on a loaded machine the one request may not reach the fake before it
    times out (CI saw 0 arrivals)."""
    fake.holds["usergroups.list"] = asyncio.Event()
    front.work.directory.timeout = 0.5
    members = [f"U{n}" for n in range(30)]
    sent = await asyncio.gather(*(slack.send(slash("/member", "me", user=user, response_url=fake.response_url(user)))
                                  for user in members))
    assert [status for status, _ in sent] == [200] * 30
    await fake.wait_for(lambda: len(fake.responses) == 30)
    assert all("Role: member" in r["text"] for r in fake.responses)
    assert [r.getMessage() for r in caplog.records if "user groups unavailable" in r.getMessage()] == [
        "Slack user groups unavailable (TimeoutError); trying again in 30 s"]
    assert fake.arrived.count("usergroups.list") <= 1
    fake.holds.pop("usergroups.list").set()


async def test_a_form_opens_refuses_a_bad_field_and_runs_on_submit(slack, fake):
    await slack.send(slash("/testing", "note", response_url=fake.response_url(), trigger_id="trig-9"))
    await fake.wait_for(lambda: fake.called("views.open"))
    opened = fake.called("views.open")[0]
    view = opened["view"] if isinstance(opened["view"], dict) else json.loads(opened["view"])
    assert opened["trigger_id"] == "trig-9"
    assert [b["block_id"] for b in view["blocks"]] == ["title", "size"]
    assert view["blocks"][1]["element"]["type"] == "static_select"
    assert fake.responses == []

    status, body = await slack.send(submission(view, {"title": "x" * 30}))
    assert status == 200
    refused = json.loads(body)
    assert refused["response_action"] == "errors" and "too long" in refused["errors"]["title"]

    status, body = await slack.send(submission(view, {"title": "Picket <!here>"}))
    assert (status, body) == (200, "")
    await fake.wait_for(lambda: fake.called("chat.postMessage"))
    posted = fake.called("chat.postMessage")[0]
    assert posted["channel"] == "CGENERAL"
    assert posted["blocks"][0]["text"]["text"] == "noted Picket &lt;!here&gt; (any)"


async def test_a_refused_submission_of_a_view_without_fields_is_answered_by_message(slack, fake):
    await slack.send(slash("/testing", "note", response_url=fake.response_url()))
    await fake.wait_for(lambda: fake.called("views.open"))
    view = fake.called("views.open")[0]["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert await slack.send(submission({**view, "blocks": []}, {"title": "x" * 30})) == (200, "")
    await fake.wait_for(lambda: fake.called("chat.postEphemeral"))
    assert "too long" in fake.called("chat.postEphemeral")[0]["text"]


async def test_mistakes_are_ephemeral_and_public_replies_go_in_the_channel(slack, fake):
    await slack.send(slash("/member", "site", response_url=fake.response_url("missing")))
    await fake.wait_for(lambda: fake.responses)
    assert fake.responses[0]["response_type"] == "ephemeral"
    assert fake.responses[0]["blocks"][0]["text"]["text"].startswith("Missing worksite.")
    await slack.send(slash("/testing", 'note "Strike vote" size:large', response_url=fake.response_url("public")))
    await fake.wait_for(lambda: len(fake.responses) == 2)
    assert fake.responses[1]["response_type"] == "in_channel"
    assert fake.responses[1]["text"] == "noted Strike vote (large)"


async def test_organizer_bot_run_serves_http_mode_from_config(app, fake):
    from bot.adapters.slack import PLATFORM
    from bot.adapters.slack.frontend import EVENTS_PATH
    from bot.adapters.slack.outbound import SlackSender

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app.config = app.config.model_copy(update={"slack": app.config.slack.model_copy(
        update={"host": "127.0.0.1", "port": port})})
    sender, task = await PLATFORM.start(app)
    try:
        assert isinstance(sender, SlackSender)
        async with aiohttp.ClientSession() as session:
            client = SlackClient(f"http://127.0.0.1:{port}{EVENTS_PATH}", session, app.clock)
            for _ in range(50):
                try:
                    status, _ = await client.send(slash("/organizer", "help", response_url=fake.response_url()))
                    break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.05)
        assert status == 200
        await fake.wait_for(lambda: fake.responses)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_a_slow_submission_is_acked_and_answered_privately_afterwards(slack, fake, gate, monkeypatch):
    from bot.adapters.slack import frontend

    monkeypatch.setattr(frontend, "SUBMIT_WAIT", 0)
    await slack.send(slash("/testing", "report", response_url=fake.response_url()))
    await fake.wait_for(lambda: fake.called("views.open"))
    view = fake.called("views.open")[0]["view"]
    assert await slack.send(submission(view, {"title": "Heat"})) == (200, "")
    fake.fail("chat.postEphemeral", "channel_not_found")
    assert await slack.send(submission(view, {"title": "Mold"})) == (200, "")
    assert not fake.called("chat.postEphemeral")
    gate.opened.set()
    await fake.wait_for(lambda: len(fake.called("chat.postEphemeral")) == 2 and fake.called("chat.postMessage"))
    ephemeral, dm = fake.called("chat.postEphemeral"), fake.called("chat.postMessage")
    assert [(p["channel"], p["user"]) for p in ephemeral] == [("CGENERAL", "U100")] * 2  # the first was refused
    assert [p["channel"] for p in dm] == ["U100"] and not fake.called("conversations.open")
    assert {p["text"] for p in ephemeral + dm} == {"report Heat filed", "report Mold filed"}


async def test_a_file_slack_refuses_is_said_to_the_member(slack, fake):
    """The reply's text arrives; when Slack refuses its file the leader is told, with what to do."""
    fake.usergroups = {"SLEADERS": ["ULEAD"]}
    await slack.send(slash("/readiness", 'open Ready? choices:"Yes;No"', user="ULEAD",
                           response_url=fake.response_url()))
    await fake.wait_for(lambda: fake.responses)
    fake.fail("files.getUploadURLExternal", "not_allowed")
    await slack.send(slash("/readiness", "export 1", user="ULEAD", response_url=fake.response_url("export")))
    await fake.wait_for(lambda: len([r for r in fake.responses if r["url"] == "export"]) == 2)
    export, notice = [r for r in fake.responses if r["url"] == "export"]
    assert export["text"].startswith("Poll #1 is anonymous")
    assert notice["text"] == "“readiness-1-sites.csv” could not be sent. Try /readiness export 1 again."
    assert notice["response_type"] == "ephemeral" and not fake.uploads


async def test_the_email_slack_verified_matches_the_member_to_their_roster_row(slack, fake, app, monkeypatch):
    from storage.roster import import_rows, read_csv

    monkeypatch.setenv("ORGANIZER_SECRET_KEY", "test-key")
    rows, _ = read_csv("name,worksite,email,member id\nMaria Álvarez,Escalante Elementary,maria@example.org,1001\n",
                       ID_COLUMNS)
    await app.db.write(lambda s: import_rows(s, rows, app.clock(), app.voters, ID_COLUMNS))
    fake.emails = {"U100": "Maria@Example.org"}
    await slack.send(slash("/member", "me", response_url=fake.response_url()))
    await fake.wait_for(lambda: fake.responses)
    shown = fake.responses[0]["blocks"][0]["text"]["text"]
    assert "Maria Álvarez" in shown and "On the union roster: yes" in shown and "Member number: 1001" in shown
    assert await count(app, Member) == 1
