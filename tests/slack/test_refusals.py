"""A message Slack refuses is never silent: an answer refused at its response_url or by the Web API is said
to the member in a short message and logged, and the outbox gives up on a message Slack refuses for what
it is (``msg_blocks_too_long``) on the first try instead of trying it again and again."""

from sqlalchemy import select

from bot import effects
from bot.delivery import Worker
from bot.types import Message, Post
from storage.members import member_for
from storage.outbox import FAILED, OutboxItem
from tests.slack.fake_slack import BLOCK_TEXT_LIMIT, refusal
from tests.slack.payloads import slash


async def test_an_answer_its_response_url_refuses_is_said_to_the_member_and_logged(slack, fake, caplog):
    fake.response_failures.append("msg_blocks_too_long")
    await slack.send(slash("/organizer", "help", response_url=fake.response_url()))
    await fake.wait_for(lambda: fake.responses)
    [refused] = fake.refused_responses
    [notice] = fake.responses
    assert refused["error"] == "msg_blocks_too_long"
    assert notice["response_type"] == "ephemeral" and notice["replace_original"] is False
    assert notice["text"] == ("Slack did not accept this answer (msg_blocks_too_long), so it is not shown. Try "
                              "/organizer help again; if it keeps happening, tell an organizer.")
    assert "Slack refused the answer to /organizer help (msg_blocks_too_long)" in caplog.text


async def test_when_the_response_url_is_gone_the_notice_goes_privately_where_the_member_is(slack, fake, app):
    async def spanish(session):
        await member_for(session, "slack", "U100", "Rosa", app.clock(), "es")
    await app.db.write(spanish)
    fake.response_failures.extend(["expired_url", "expired_url"])
    await slack.send(slash("/organizer", "help", response_url=fake.response_url()))
    await fake.wait_for(lambda: fake.called("chat.postEphemeral"))
    [notice] = fake.called("chat.postEphemeral")
    assert (notice["channel"], notice["user"]) == ("CGENERAL", "U100")
    assert notice["text"].startswith("Slack no aceptó esta respuesta (expired_url)")
    assert [r["error"] for r in fake.refused_responses] == ["expired_url", "expired_url"]


async def test_a_dm_slack_refuses_as_too_long_fails_on_the_first_try(app, front, fake):
    fake.fail("chat.postMessage", "msg_blocks_too_long")
    await app.db.write(lambda session: effects.store(app, session, (Post("announcements",
                                                                         lambda tr: Message("Update")),), app.clock()))
    await Worker(app, {"slack": front.sender}).drain()
    [item] = await app.db.read(lambda session: _items(session))
    assert item.status == FAILED and item.attempts == 1  # not eight tries of a message that cannot pass
    assert len(fake.called("chat.postMessage")) == 1


async def _items(session):
    return list((await session.exec(select(OutboxItem))).scalars())


def test_the_fake_refuses_what_slack_refuses():
    def section(n):
        return {"type": "section", "text": {"type": "mrkdwn", "text": "x" * n, "verbatim": True}}

    assert refusal({"blocks": [section(3000)] * 4}) is None
    assert refusal({"blocks": [section(3000)] * 4 + [section(BLOCK_TEXT_LIMIT - 11_999)]}) == "msg_blocks_too_long"
    assert refusal({"blocks": [section(3001)]}) == "invalid_blocks"  # slack_sdk's SectionBlock says so
    assert refusal({"blocks": [section(1)] * 51}) == "invalid_blocks"
