"""Members the bot cannot DM: the refusal is recorded, never sent into again, and listed by worksite for
follow-up in person (``/member unreached``, ``/bargaining delivery``), each viewer seeing their own sites."""

from __future__ import annotations

from bot.delivery import Unreachable
from storage.outbox import FAILED, OutboxItem
from storage.unreached import UnreachedAccount
from tests.support import RecordingSender, add_roster, count_rows

ESC, ROO = "Escalante Elementary", "Roosevelt High"


class Refusing(RecordingSender):
    """A platform on which some accounts refuse DMs for good, as Discord's 50007 or Slack's cannot_dm_bot."""

    def __init__(self, sender: RecordingSender, refused: dict[str, str]) -> None:
        super().__init__(sender.platform, sender.log)
        self.refused = refused
        self.tried: list[str] = []

    async def send_dm(self, user_id, message, dedupe, retry_since=None):
        self.tried.append(user_id)
        if user_id in self.refused:
            raise Unreachable(self.refused[user_id], "refused by the platform")
        return await super().send_dm(user_id, message, dedupe, retry_since)


async def world(bot, app) -> Refusing:
    await add_roster(app, {ESC: ["ana", "cruz"], ROO: ["gus"]})
    for name in ("ana", "cruz", "gus"):
        await bot.ok(name, "/bargaining subscribe")
    refusing = Refusing(bot.senders["console"], {"ana": Unreachable.CLOSED, "gus": Unreachable.GONE})
    bot.senders["console"] = bot.worker.senders["console"] = refusing
    return refusing


async def test_a_refused_dm_is_recorded_and_never_sent_again(bot, app):
    refusing = await world(bot, app)
    await bot.ok("lena", '/bargaining post "Session 1" "We met."', role="leader")
    await bot.deliver()
    assert sorted(refusing.tried) == ["ana", "cruz", "gus"]
    assert await count_rows(app, UnreachedAccount) == 2

    refusing.tried.clear()
    await bot.ok("lena", '/bargaining post "Session 2" "We met again."', role="leader")
    await bot.deliver()
    assert refusing.tried == ["cruz"]  # no call into a refusal already known
    assert await count_rows(app, OutboxItem, OutboxItem.batch == "bargaining:2", OutboxItem.status == FAILED) == 2

    said = await bot.ok("lena", "/bargaining delivery 2", role="leader")
    assert "1 sent, 0 waiting, 2 failed" in said
    assert f"{ESC} (1)\nana — does not take direct messages from the bot" in said
    assert f"{ROO} (1)\ngus — account deactivated or gone" in said


async def test_each_viewer_sees_only_their_own_sites_members(bot, app):
    await world(bot, app)
    await bot.ok("lena", '/bargaining post "Session 1" "We met."', role="leader")
    await bot.deliver()

    rep = await bot.ok("rosa", "/member unreached", role="rep", site=ESC)
    assert "ana" in rep and "gus" not in rep and ROO not in rep
    delivery = await bot.ok("rosa", "/bargaining delivery 1", role="rep", site=ESC)
    assert "ana" in delivery and "gus" not in delivery and "1 more at other worksites" in delivery
    leader = await bot.ok("lena", "/member unreached", role="leader")
    assert "2 members the bot cannot reach" in leader and "ana" in leader and "gus" in leader
    assert "Only a site rep" in await bot.fails("cruz", "/member unreached")
    assert "other worksites, not Roosevelt High" in await bot.fails("rosa", f"/member unreached {ROO}", role="rep",
                                                                    site=ESC)
    await bot.ok("lena", "/member lang es", role="leader")
    assert "no acepta mensajes directos del bot" in await bot.ok("lena", "/member unreached", role="leader")


async def test_a_member_who_uses_the_bot_again_is_tried_again(bot, app):
    refusing = await world(bot, app)
    await bot.ok("lena", '/bargaining post "Session 1" "We met."', role="leader")
    await bot.deliver()
    refusing.refused.pop("ana")  # she opened her DMs, and says so by using the bot
    await bot.ok("ana", "/bargaining subscribe")
    assert "ana" not in await bot.ok("lena", "/member unreached", role="leader")
    refusing.tried.clear()
    await bot.ok("lena", '/bargaining post "Session 2" "We met again."', role="leader")
    await bot.deliver()
    assert sorted(refusing.tried) == ["ana", "cruz"]


async def test_a_transient_failure_is_retried_and_marks_no_one(bot, app):
    await add_roster(app, {ESC: ["ana"]})
    await bot.ok("ana", "/bargaining subscribe")
    await bot.ok("lena", '/bargaining post "Session 1" "We met."', role="leader")
    bot.senders["console"].fail_next = 2  # the post and the DM, whichever goes first
    sent = await bot.deliver()
    bot.clock.advance(seconds=5)
    sent += await bot.deliver()
    assert [dm.target for dm in sent if dm.kind == "dm"] == ["ana"]
    assert await count_rows(app, UnreachedAccount) == 0
    assert "every member here" in await bot.ok("lena", "/member unreached", role="leader")
