"""A fan-out whose worker dies after Slack accepted DMs but before their "sent" marks committed (the
marks are batched, so up to a batch of them): the next worker finds those DMs by the metadata they
carry and sends only the rest. Every member gets the update exactly once."""

from __future__ import annotations

import asyncio
from collections import Counter

from sqlalchemy import select

from bot import delivery, effects
from bot.delivery import Worker
from bot.types import Message
from storage import outbox
from storage.outbox import SENT, OutboxItem

MEMBERS, ACCEPTED_BEFORE_THE_KILL = 40, 20


async def test_a_worker_killed_mid_fan_out_leaves_no_duplicate_dm(app, front, fake, clock, monkeypatch):
    users = [f"U{n:03d}" for n in range(MEMBERS)]
    payload = effects.to_payload(Message("Tentative agreement on class size."))
    rows = [{"kind": "dm", "platform": "slack", "target": user, "payload": payload, "dedupe": f"update:{user}"}
            for user in users]
    await app.db.write(lambda s: outbox.add(s, rows, clock()))
    accepted, send = 0, front.sender.send_dm

    async def dies_after_some(user_id, message, dedupe, retry_since=None):
        nonlocal accepted
        if accepted >= ACCEPTED_BEFORE_THE_KILL:
            await asyncio.Event().wait()  # the process is gone: no answer, no mark
        accepted += 1
        return await send(user_id, message, dedupe, retry_since)

    with monkeypatch.context() as dying:
        dying.setattr(front.sender, "send_dm", dies_after_some)
        dying.setattr(delivery._SentMarks, "add", lambda self, item, message_id: None)  # marks never committed
        killed = asyncio.ensure_future(Worker(app, {"slack": front.sender}).deliver())
        await fake.wait_for(lambda: len(fake.called("chat.postMessage")) >= ACCEPTED_BEFORE_THE_KILL)
        killed.cancel()
        await asyncio.gather(killed, return_exceptions=True)

    clock.advance(seconds=app.config.delivery.lease_seconds + 1)
    await Worker(app, {"slack": front.sender}).drain()

    received = {user: len(fake.dms_to(user)) for user in users}
    assert received == {user: 1 for user in users}, "a member got the update twice, or never"

    async def statuses(session):
        return Counter((await session.exec(select(OutboxItem.status))).scalars())
    assert await app.db.read(statuses) == {SENT: MEMBERS}
