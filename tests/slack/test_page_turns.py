"""Previous/Next on Slack, through signed HTTP to the bot's own server and the fake Web API: the page takes the
place of the message clicked on, whoever sees it (only its response_url can replace an ephemeral answer;
``chat.update`` edits a public answer or the member's DM), and a private page never replaces what the channel
sees. The fake changes messages as Slack does (tests/slack/fake_slack.py)."""

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from storage.bargaining import FaqEntry
from tests.slack.fake_slack import BOT_USER, RESPONSE_USES
from tests.slack.payloads import click, home_click, slash


async def faq(app, count: int = 12) -> None:
    async def add(session):
        session.add_all([FaqEntry(question=f"Question {n}?", answer="Not now. " * 200, lang="en",
                                  created_at=app.clock()) for n in range(count)])
    await app.db.write(add)


def text(message) -> str:
    return "\n".join(b["text"]["text"] for b in message["blocks"] if b["type"] == "section")


def button(message, label: str) -> dict:
    return next(e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]
                if e["text"]["text"] == label)


def turn(fake, message, label: str, *, channel: str = "CGENERAL", ephemeral: bool, user: str = "U100",
         name: str = "turn") -> dict:
    """A click on ``label`` under ``message``, with a response_url for that message, as Slack sends it."""
    pressed = button(message, label)
    url = fake.response_url(name, channel=channel, user=user, message_ts=message["ts"])
    return click(pressed["value"], action_id=pressed["action_id"], channel=channel, message_ts=message["ts"],
                 ephemeral=ephemeral, user=user, response_url=url)


async def test_next_under_a_private_answer_replaces_it_through_its_response_url(slack, fake, app):
    await faq(app)
    await slack.send(slash("/bargaining", "faq", response_url=fake.response_url("ask")))
    await fake.wait_for(lambda: fake.responses)
    [first] = fake.ephemerals
    assert "Page 1 of " in text(first) and button(first, "Next ▶")["action_id"].startswith("run-page-")

    await slack.send(turn(fake, first, "Next ▶", ephemeral=True))
    await fake.wait_for(lambda: len(fake.responses) == 2)
    assert fake.responses[1]["replace_original"] is True and fake.responses[1]["response_type"] == "ephemeral"
    assert fake.ephemerals == [first] and "Page 2 of " in text(first) and "Question 0?" not in text(first)
    await slack.send(turn(fake, first, "◀ Previous", ephemeral=True, name="back"))
    await fake.wait_for(lambda: len(fake.responses) == 3)
    assert fake.ephemerals == [first] and "Page 1 of " in text(first) and "Question 0?" in text(first)
    assert fake.history == {} and not fake.called("chat.update")


async def test_next_under_a_public_answer_edits_that_message_for_the_channel(slack, fake):
    await slack.send(slash("/testing", "pages", response_url=fake.response_url("ask")))
    await fake.wait_for(lambda: fake.responses)
    [first] = fake.history["CGENERAL"]
    assert fake.responses[0]["response_type"] == "in_channel" and "Page 1 of " in text(first)

    await slack.send(turn(fake, first, "Next ▶", ephemeral=False, user="U200"))  # anyone in the channel may
    await fake.wait_for(lambda: fake.called("chat.update"))
    [update] = fake.called("chat.update")
    assert (update["channel"], update["ts"]) == ("CGENERAL", first["ts"])
    assert fake.history["CGENERAL"] == [first] and "Page 2 of " in text(first) and "Shift 0:" not in text(first)
    assert len(fake.responses) == 1 and fake.ephemerals == []


async def test_a_private_page_never_replaces_a_message_the_channel_sees(slack, fake, app):
    """A public message whose buttons open the FAQ's pages: the page is the clicker's, so it comes to them alone
    and the channel's message stays as it was."""
    await faq(app)
    public = {"type": "message", "user": BOT_USER, "ts": fake.ts(900), "text": "FAQ", "blocks": [
        {"type": "section", "text": {"type": "mrkdwn", "text": "Rumor control"}},
        {"type": "actions", "elements": [{"type": "button", "action_id": "run-page-0",
                                          "value": "/bargaining faq page:2",
                                          "text": {"type": "plain_text", "text": "Next ▶"}}]}]}
    fake.history["CGENERAL"] = [public]
    await slack.send(turn(fake, public, "Next ▶", ephemeral=False))
    await fake.wait_for(lambda: fake.responses)
    assert fake.responses[0]["response_type"] == "ephemeral" and fake.responses[0]["replace_original"] is False
    [page] = fake.ephemerals
    assert "Page 2 of " in text(page) and text(public) == "Rumor control"
    assert not fake.called("chat.update")


async def test_in_the_members_dm_a_page_turn_edits_the_dm_and_a_deleted_page_comes_anew(slack, fake, app):
    await faq(app)
    await slack.send(home_click("/bargaining faq"))  # the Home tab has no response_url: the answer is a DM
    await fake.wait_for(lambda: fake.dms_to("U100"))
    [first] = fake.dms_to("U100")
    await slack.send(turn(fake, first, "Next ▶", channel="DU100", ephemeral=False))
    await fake.wait_for(lambda: fake.called("chat.update"))
    assert fake.dms_to("U100") == [first] and "Page 2 of " in text(first)

    fake.history["DU100"] = []  # the member deleted it
    await slack.send(turn(fake, first, "Next ▶", channel="DU100", ephemeral=False))
    await fake.wait_for(lambda: fake.responses)
    assert len(fake.called("chat.update")) == 2  # the second refused: message_not_found
    [page] = fake.ephemerals
    assert "Page 3 of " in text(page)


@pytest.fixture
async def web(fake):
    async with aiohttp.ClientSession() as session:
        yield AsyncWebClient(token="xoxb-test", base_url=f"{fake.url}/api/", session=session)


async def test_the_fake_changes_messages_only_as_slack_does(fake, web):
    posted = await web.chat_postMessage(channel="CGENERAL", text="one")
    ephemeral = await web.chat_postEphemeral(channel="CGENERAL", user="U100", text="two")
    assert (await web.chat_update(channel="CGENERAL", ts=posted["ts"], text="one, edited"))["ok"]
    assert fake.message(posted["ts"])["text"] == "one, edited"
    fake.history["CGENERAL"].append({"type": "message", "user": "U100", "ts": fake.ts(901), "text": "a member's"})
    for ts, error in ((ephemeral["message_ts"], "message_not_found"), (fake.ts(901), "cant_update_message")):
        with pytest.raises(SlackApiError) as refused:
            await web.chat_update(channel="CGENERAL", ts=ts, text="no")
        assert refused.value.response["error"] == error
    url = fake.response_url("once", message_ts=ephemeral["message_ts"])
    session = web.session
    for n in range(RESPONSE_USES + 1):
        async with session.post(url, json={"text": f"take {n}", "replace_original": True}) as answered:
            assert (answered.status, await answered.text()) == ((200, "ok") if n < RESPONSE_USES else (404, "used_url"))
    assert fake.message(ephemeral["message_ts"])["text"] == f"take {RESPONSE_USES - 1}" and len(fake.ephemerals) == 1
