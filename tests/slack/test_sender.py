"""The outbox's Slack sender against the fake Web API: DMs, posts, live edits, files, 429 and refusals."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot import effects
from bot.delivery import RateLimited, Undeliverable, Worker
from bot.types import Attachment, Button, Edit, Message, Notify, Post
from storage import outbox
from storage.members import member_for
from storage.outbox import FAILED, PENDING, SENT, OutboxItem, PostedMessage
from storage.unreached import UnreachedAccount


async def store(app, *items):
    await app.db.write(lambda session: effects.store(app, session, items, app.clock()))


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
    assert (where.channel_id, where.message_id) == ("CACTIONS", fake.ts(1))

    await store(app, Edit("action:1", lambda tr: Message("4 signed up")))
    await worker.drain()
    [edited] = fake.called("chat.update")
    assert (edited["channel"], edited["ts"]) == ("CACTIONS", fake.ts(1))
    assert edited["blocks"][0]["text"]["text"] == "4 signed up"


async def test_a_dm_is_one_call_to_the_user_id_and_files_use_the_external_upload(front, fake):
    message = Message("Your chart", attachments=(Attachment("chart.csv", b"site,yes\nA,3\n", "text/csv", "Chart"),))
    assert await front.sender.send_dm("U100", message, "ob1") == fake.ts(1)
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


async def queue_dm(app, user: str, text: str) -> int:
    async def add(session):
        row = {"kind": "dm", "platform": "slack", "target": user, "payload": effects.to_payload(Message(text)),
               "dedupe": f"test:{user}"}
        await outbox.add(session, [row], app.clock())
        return (await session.exec(select(OutboxItem.id).where(OutboxItem.target == user))).scalar_one()
    return await app.db.write(add)


async def test_a_dm_slack_accepted_before_its_worker_died_is_found_not_sent_again(app, front, fake, clock):
    accepted = await queue_dm(app, "U100", "Tentative agreement")
    await queue_dm(app, "U200", "Tentative agreement")
    await app.db.write(lambda s: outbox.claim(s, ["slack"], "dead-worker", clock(), timedelta(seconds=30), 10, 8))
    ts = await front.sender.send_dm("U100", Message("Tentative agreement"), f"ob{accepted}")  # then the worker died
    clock.advance(seconds=31)
    await Worker(app, {"slack": front.sender}).drain()
    assert [m["text"] for m in fake.dms_to("U100")] == ["Tentative agreement"]
    assert [m["text"] for m in fake.dms_to("U200")] == ["Tentative agreement"]  # never accepted: sent now
    assert {i.target: (i.status, i.message_id) for i in await rows(app, OutboxItem)} == {
        "U100": (SENT, ts), "U200": (SENT, fake.dms_to("U200")[0]["ts"])}
    assert [c["channel"] for c in fake.called("conversations.history")] == ["DU100", "DU200"]


async def test_a_first_try_sends_without_reading_history_and_tags_the_message(app, front, fake):
    await queue_dm(app, "U100", "Rally Friday")
    await Worker(app, {"slack": front.sender}).drain()
    assert not fake.called("conversations.history") and not fake.called("conversations.open")
    [sent] = fake.dms_to("U100")
    assert sent["metadata"]["event_type"] == "organizer_outbox"
    assert fake.called("chat.postMessage")[0]["metadata"]["event_payload"]["key"].startswith("ob")


async def test_history_without_metadata_asked_for_hides_it_and_pages_newest_first(front, fake):
    for n in range(3):
        await front.sender.post("CACTIONS", Message(f"post {n}"), f"ob{n}")
    page = await front.client.conversations_history(channel="CACTIONS", limit=2)
    assert [m["text"] for m in page["messages"]] == ["post 2", "post 1"] and page["has_more"]
    assert all("metadata" not in m for m in page["messages"])
    rest = await front.client.conversations_history(channel="CACTIONS", limit=2, include_all_metadata=True,
                                                    cursor=page["response_metadata"]["next_cursor"])
    assert [(m["text"], m["metadata"]["event_payload"]["key"]) for m in rest["messages"]] == [("post 0", "ob0")]


@pytest.mark.parametrize("allowed", [False, True])
async def test_a_post_that_asks_to_ping_opens_with_channel_only_where_config_allows(front, fake, allowed):
    front.sender.channel_ping = allowed
    await front.sender.post("CANNOUNCE", Message("Strike vote tonight <!here>", ping=True), "ob1")
    await front.sender.post("CANNOUNCE", Message("Picket <!channel>"), "ob2")
    pinged, quiet = fake.called("chat.postMessage")
    first = pinged["blocks"][0]["text"]["text"]
    assert first == ("<!channel>\n\n" if allowed else "") + "Strike vote tonight &lt;!here&gt;"
    assert quiet["blocks"][0]["text"]["text"] == "Picket &lt;!channel&gt;"
    await front.sender.send_dm("U100", Message("Strike vote tonight", ping=True), "ob3")
    assert "<!channel>" not in fake.called("chat.postMessage")[-1]["blocks"][0]["text"]["text"]


@pytest.mark.parametrize("error, reason", [("cannot_dm_bot", "closed"), ("user_not_found", "gone"),
                                           ("account_inactive", "gone")])
async def test_a_member_slack_will_not_let_the_bot_dm_is_recorded_and_not_tried_again(app, front, fake, error,
                                                                                        reason):
    member = await app.db.write(lambda s: member_for(s, "slack", "U200", "ana", app.clock()))
    worker = Worker(app, {"slack": front.sender})
    fake.fail("chat.postMessage", error)
    await store(app, Notify((member.id,), lambda tr: Message("Session 1"), key="b1"))
    await worker.drain()
    [refused] = await rows(app, UnreachedAccount)
    assert (refused.platform, refused.user_id, refused.reason, refused.detail) == ("slack", "U200", reason, error)
    await store(app, Notify((member.id,), lambda tr: Message("Session 2"), key="b2"))
    await worker.drain()
    assert len(fake.called("chat.postMessage")) == 1  # the second DM was never sent into the refusal
    assert [i.status for i in await rows(app, OutboxItem)] == [FAILED, FAILED]


async def test_a_refusal_that_is_not_the_members_marks_no_one(app, front, fake):
    member = await app.db.write(lambda s: member_for(s, "slack", "U200", "ana", app.clock()))
    fake.fail("chat.postMessage", "token_revoked")  # the bot's own token: every member would look unreachable
    await store(app, Notify((member.id,), lambda tr: Message("Session 1"), key="b1"))
    await Worker(app, {"slack": front.sender}).drain()
    assert [i.status for i in await rows(app, OutboxItem)] == [FAILED]
    assert await rows(app, UnreachedAccount) == []
