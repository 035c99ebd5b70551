"""/bargaining correct, retract and versions through the real app: who got an update gets its correction or
retraction by DM, the channel post is edited, and every version stays readable with who changed it."""

from sqlalchemy import select

from storage.bargaining_versions import BargainingVersion
from tests.support import Harness

REP = {"role": "rep", "site": "Escalante Elementary"}
OTHER_REP = {"role": "rep", "site": "Roosevelt High"}
POST = '/bargaining post "Session 7" "District offered 2% one-time." topics:wages'


def of_kind(sent, kind):
    return [s for s in sent if s.kind == kind]


async def posted(bot: Harness) -> None:
    await bot.ok("maria", "/bargaining subscribe")
    await bot.ok("luis", "/bargaining subscribe")
    await bot.ok("luis", "/member lang es")
    await bot.ok("rosa", POST + ' es:"El distrito ofreció 2% una sola vez."', **REP)
    await bot.deliver()


async def test_a_correction_reaches_everyone_who_got_the_update_and_edits_the_post(bot):
    await posted(bot)
    await bot.ok("ana", "/bargaining subscribe")  # subscribed after: never got #1, gets no correction of it
    reply = await bot.ok("rosa", '/bargaining correct 1 body:"District offered 2% plus a 1% bonus, one-time." '
                                 'es:"El distrito ofreció 2% más un bono de 1%, una sola vez." '
                                 'topics:"wages, class size"', **REP)
    assert reply == "Corrected update #1: the post is edited and 2 members who got it are sent the correction."
    sent = await bot.deliver()
    dms = {s.target: s.text for s in of_kind(sent, "dm")}
    assert set(dms) == {"maria", "luis"}
    assert dms["maria"].startswith("Correction to bargaining update #1:")
    assert "2% plus a 1% bonus" in dms["maria"] and "Topics: wages, class size" in dms["maria"]
    assert dms["luis"].startswith("Corrección de la actualización de negociación #1:")
    assert "bono de 1%" in dms["luis"]
    edits = of_kind(sent, "edit")
    assert [e.target.split("/")[0] for e in edits] == ["#announcements"]
    assert "2% plus a 1% bonus" in edits[0].text and "Corrected" in edits[0].text
    shown = await bot.ok("maria", "/bargaining show 1")
    assert "2% plus a 1% bonus" in shown and "Corrected" in shown
    assert "#1 · " in (history := await bot.ok("maria", "/bargaining history")) and "— corrected" in history
    assert await bot.ok("rosa", '/bargaining correct 1 topics:"class size, wages"', **REP) == \
        "Nothing to correct: update #1 already says that."
    assert await bot.deliver() == []


async def test_versions_show_each_text_with_who_changed_it(bot, app):
    await posted(bot)
    await bot.ok("rosa", '/bargaining correct 1 title:"Session 7: district moves"', **REP)
    await bot.ok("boss", "/bargaining retract 1 The district withdrew the offer", role="leader")
    text = await bot.ok("maria", "/bargaining versions 1")
    assert "v1 · Posted" in text and "by rosa\nSession 7 (wages)\nDistrict offered 2% one-time." in text
    assert "v2 · Corrected" in text and "by rosa\nSession 7: district moves (wages)" in text
    assert "v3 · Retracted" in text and "by boss\nThe district withdrew the offer" in text
    assert "In Spanish: El distrito ofreció 2% una sola vez." in text
    rows = await app.db.read(lambda s: s.exec(select(BargainingVersion.number, BargainingVersion.kind)
                                              .order_by(BargainingVersion.number)))
    assert rows.all() == [(1, "posted"), (2, "corrected"), (3, "retracted")]


async def test_a_retraction_tells_everyone_and_the_update_no_longer_says_what_it_said(bot):
    await posted(bot)
    reply = await bot.ok("rosa", "/bargaining retract 1 Wrong figure: it was 1%", **REP)
    assert reply == "Retracted update #1: the post says so and 2 members who got it are told."
    sent = await bot.deliver()
    dms = {s.target: s.text for s in of_kind(sent, "dm")}
    assert dms["maria"].startswith("Bargaining update #1 is retracted:")
    assert "Wrong figure: it was 1%" in dms["maria"] and "District offered" not in dms["maria"]
    assert dms["luis"].startswith("La actualización de negociación #1 queda retirada:")
    edit = of_kind(sent, "edit")[0]
    assert "Retracted: Session 7" in edit.text and "District offered" not in edit.text
    assert "District offered" not in await bot.ok("maria", "/bargaining latest")
    assert "was retracted" in await bot.fails("rosa", "/bargaining correct 1 title:Again", **REP)
    assert "was retracted" in await bot.fails("rosa", "/bargaining retract 1", **REP)


async def test_only_a_leader_or_the_rep_who_posted_it_may_change_it(bot):
    await posted(bot)
    assert "Only a leader or the rep who posted it" in await bot.fails(
        "pat", "/bargaining correct 1 title:Mine", **OTHER_REP)
    assert "Only a site rep" in await bot.fails("maria", "/bargaining retract 1")
    assert "Say what to correct" in await bot.fails("rosa", "/bargaining correct 1", **REP)
    await bot.ok("boss", "/bargaining correct 1 title:Fixed", role="leader")
