"""``/organizer announce``: a leader's post in the announcements channel, a ping only when asked for."""

from __future__ import annotations


async def test_a_leader_announces_without_a_ping_unless_asked(bot):
    said = await bot.ok("lena", "/organizer announce Rally at the board meeting <!channel> @everyone", role="leader")
    assert "without notifying anyone" in said
    [post] = await bot.deliver()
    assert (post.kind, post.target) == ("post", "#announcements")
    assert post.message.text == "Rally at the board meeting <!channel> @everyone"  # escaped by each platform
    assert post.message.ping is False

    said = await bot.ok("lena", "/organizer announce Strike vote tonight ping:yes", role="leader")
    assert "notifying everyone" in said
    [post] = await bot.deliver()
    assert post.message.text == "Strike vote tonight" and post.message.ping is True


async def test_only_a_leader_announces(bot):
    for role in ("member", "rep"):
        assert "Only a leader" in await bot.fails("rosa", "/organizer announce Hello ping:yes", role=role,
                                                  site="Escalante Elementary")
    assert await bot.deliver() == []


async def test_the_announcement_is_in_spanish_for_a_spanish_leader(bot):
    await bot.ok("lena", "/member lang es", role="leader")
    assert "sin avisar a nadie" in await bot.ok("lena", "/organizer announce Mitin el viernes", role="leader")
