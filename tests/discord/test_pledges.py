"""The pledge's Sign button through discord.py's machinery: posted to the announcements channel, clicked by a
member, answered privately with the reminder that organizers see who signed, one signature for two clicks."""

from sqlalchemy import func, select

from bot.adapters.discord.sender import DiscordSender
from bot.delivery import Worker
from storage.pledges import PledgeSignature
from tests.discord.conftest import ORGANIZERS_ROLE, click, dispatch, slash
from tests.discord.test_interactions import EPHEMERAL, answered, rows


async def test_the_sign_button_signs_once_and_says_the_organizing_team_sees_it(app, client, fake):
    opened = slash("pledge", "open", "300000000000000002", "Org", roles=(ORGANIZERS_ROLE,),
                   text="I will vote YES to authorize a strike")
    dispatch(client, opened)
    _, [done] = await answered(fake, opened)
    assert "Pledge #1 is posted" in done.body["content"]
    await Worker(app, {"discord": DiscordSender(client)}).drain()
    [post] = fake.of("POST", "/channels/1000000000000000002/messages")
    assert "the organizing team sees who signed" in post.body["content"]
    sign = post.body["components"][0]["components"][0]
    assert sign["label"] == "Sign" and sign["custom_id"] == "ob:/pledge sign 1"

    for attempt in (1, 2):
        clicked = click(sign["custom_id"], "300000000000000009", "Ana")
        dispatch(client, clicked)
        _, [follow] = await answered(fake, clicked)
        assert follow.body["flags"] == EPHEMERAL
        assert ("The organizing team sees that you signed" if attempt == 1 else "already signed") \
            in follow.body["content"]
    assert await rows(app, select(func.count()).select_from(PledgeSignature)) == [(1,)]
