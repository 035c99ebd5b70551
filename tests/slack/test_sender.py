"""The outbox's Slack sender against the fake Web API: DMs, posts, live edits, files, 429 and refusals."""

import pytest
from sqlalchemy import select

from bot import effects
from bot.delivery import RateLimited, Undeliverable, Worker
from bot.types import Attachment, Button, Edit, Message, Post
from storage.outbox import FAILED, PENDING, OutboxItem, PostedMessage


async def store(app, *items):
    await app.db.write(lambda session: effects.store(app, session, items))


async def rows(app, model):
    return await app.db.read(lambda session: _all(session, model))


async def _all(session, model):
    return list((await session.exec(select(model))).scalars())


async def test_a_post_is_stored_with_its_ts_and_a_later_edit_updates_it(app, front, fake, clock):
    worker = Worker(app, {"slack": front.sender})
    await store(app, Post("actions", lambda tr: Message("3 signed up", (Button("Join", "/action join 1"),)),
                          ref="action:1"))
    await worker.drain()
    [posted] = fake.called("chat.postMessage")
    assert posted["channel"] == "CACTIONS" and "link_names" not in posted
    assert posted["blocks"][1]["elements"][0]["value"] == "/action join 1"
    [where] = await rows(app, PostedMessage)
    assert (where.channel_id, where.message_id) == ("CACTIONS", "1700000000.000001")

    await store(app, Edit("action:1", lambda tr: Message("4 signed up")))
    await worker.drain()
    [edited] = fake.called("chat.update")
    assert (edited["channel"], edited["ts"]) == ("CACTIONS", "1700000000.000001")
    assert edited["blocks"][0]["text"]["text"] == "4 signed up"


async def test_a_dm_is_one_call_to_the_user_id_and_files_use_the_external_upload(front, fake):
    message = Message("Your chart", attachments=(Attachment("chart.csv", b"site,yes\nA,3\n", "text/csv", "Chart"),))
    assert await front.sender.send_dm("U100", message, "ob1") == "1700000000.000001"
    assert not fake.called("conversations.open")
    assert fake.called("chat.postMessage")[0]["channel"] == "U100"
    [asked] = fake.called("files.getUploadURLExternal")
    assert (asked["filename"], asked["length"]) == ("chart.csv", "13")
    assert list(fake.uploads.values()) == [b"site,yes\nA,3\n"]
    [completed] = fake.called("files.completeUploadExternal")
    assert completed["channel_id"] == "DU100"


async def test_a_dm_of_files_alone_opens_the_conversation_for_the_upload(front, fake):
    message = Message("", attachments=(Attachment("list.csv", b"name\nAna\n", "text/csv"),))
    assert await front.sender.send_dm("U100", message, "ob1") == "F1"
    assert not fake.called("chat.postMessage")
    assert fake.called("conversations.open")[0]["users"] == "U100"
    [completed] = fake.called("files.completeUploadExternal")
    assert completed["channel_id"] == "DU100"


async def test_429_pauses_the_outbox_for_retry_after_and_refusals_give_up(app, front, fake):
    fake.rate_limit("chat.postMessage", 7)
    with pytest.raises(RateLimited) as limited:
        await front.sender.post("CACTIONS", Message("hi"), "ob1")
    assert limited.value.retry_after == 7
    assert len(fake.called("chat.postMessage")) == 1  # slack_sdk did not retry on its own

    fake.fail("chat.postMessage", "cannot_dm_bot")
    with pytest.raises(Undeliverable):
        await front.sender.send_dm("UBOT", Message("hi"), "ob2")

    worker = Worker(app, {"slack": front.sender})
    fake.rate_limit("chat.postMessage", 30)
    await store(app, Post("announcements", lambda tr: Message("Rally Friday")))
    await worker.drain()
    [item] = await rows(app, OutboxItem)
    assert item.status == PENDING and item.attempts == 0  # a rate limit is not a failed try
    fake.fail("chat.postMessage", "is_archived")
    await store(app, Post("readiness", lambda tr: Message("Poll")))
    assert await worker.deliver() == 0  # the platform is paused for Retry-After
    await Worker(app, {"slack": front.sender}).deliver()
    assert {i.target: i.status for i in await rows(app, OutboxItem)} == {"CANNOUNCE": PENDING, "CREADY": FAILED}
