"""/member through the real app and database: worksite, language, what the bot holds, forget, linking."""

import re

from sqlalchemy import func, select

from bot.types import Identity
from storage.members import Member, MemberIdentity, Worksite


async def count(app, model, *where):
    return await app.db.read(lambda s: _count(s, model, *where))


async def _count(session, model, *where):
    return (await session.exec(select(func.count()).select_from(model).where(*where))).scalar_one()


async def test_first_member_names_the_site_and_me_shows_it(bot, app):
    assert await bot.ok("maria", '/member site "Escalante Elementary"') == "Your worksite is now Escalante Elementary."
    shown = await bot.ok("maria", "/member me")
    assert "maria" in shown and "Worksite: Escalante Elementary" in shown and "console (maria)" in shown
    assert await count(app, Worksite) == 1


async def test_an_account_renamed_on_its_platform_shows_its_new_name(app):
    await app.run_line(Identity("slack", "U1", "Maria"), '/member site "Escalante Elementary"')
    shown = await app.run_line(Identity("slack", "U1", "Maria Álvarez"), "/member me")
    assert "slack (Maria Álvarez)" in shown.message.text
    names = await app.db.read(lambda s: s.exec(select(MemberIdentity.display_name)))
    assert names.scalars().all() == ["Maria Álvarez"]


async def test_after_a_roster_a_misspelt_site_is_refused_with_suggestions(bot, app):
    await bot.ok("maria", "/member site Escalante Elementary")
    error = await bot.fails("luis", "/member site Escalante Elem")
    assert "Did you mean: Escalante Elementary?" in error
    assert await count(app, Worksite) == 1
    assert await bot.ok("luis", "/member site escalante   ELEMENTARY") == "Your worksite is now Escalante Elementary."


async def test_language_choice_switches_every_reply_to_the_spanish_catalog(bot):
    assert await bot.ok("maria", "/member lang es") == "Desde ahora te contesto en español."
    assert "Sitio de trabajo: sin indicar" in await bot.ok("maria", "/member me")
    error = await bot.fails("maria", "/fly away")
    assert error == "No existe el comando /fly. Prueba /organizer help."
    assert "El bot todavía no habla “klingon”" in await bot.fails("maria", "/member lang klingon")
    assert await bot.ok("maria", "/member lang English") == "I’ll answer you in English from now on."


async def test_forget_asks_first_then_deletes_everything(bot, app):
    await bot.ok("maria", "/member site Escalante Elementary")
    reply = await bot.say("maria", "/member forget")
    assert reply.message.buttons[0].command == "/member forget confirm:yes"
    assert await count(app, Member) == 1
    await bot.ok("maria", reply.message.buttons[0].command)
    assert await count(app, Member) == 0
    assert await count(app, MemberIdentity) == 0


async def test_link_joins_a_slack_and_a_discord_account_into_one_member(bot, app):
    await bot.ok("U100", "/member site Escalante Elementary", platform="slack")
    issued = await bot.ok("U100", "/member link", platform="slack")
    code = issued.split("Your code is ")[1][:14]
    await bot.ok("555000111222333444", "/member lang es", platform="discord")
    assert await count(app, Member) == 2
    # in Spanish: the language came along
    linked = await bot.ok("555000111222333444", f"/member link {code}", platform="discord")
    assert linked.startswith("Listo: las dos cuentas ahora son de")
    assert await count(app, Member) == 1
    me = await bot.ok("U100", "/member me", platform="slack")
    assert "Escalante Elementary" in me and "slack (U100)" in me and "discord" in me
    assert "Ese código no existe o ya venció" in await bot.fails("U100", f"/member link {code}", platform="slack")


async def test_link_code_expires(bot, clock):
    code = (await bot.ok("U100", "/member link", platform="slack")).split("Your code is ")[1][:14]
    clock.advance(minutes=16)
    assert "expired" in await bot.fails("D1", f"/member link {code}", platform="discord")


UNKNOWN = "That code is unknown or has expired."


async def test_a_link_code_is_long_and_a_used_expired_or_wrong_one_reads_the_same(bot, app, clock):
    code = (await bot.ok("U100", "/member link", platform="slack")).split("Your code is ")[1][:14]
    assert re.fullmatch(r"[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}", code)  # 60 bits
    assert "Linked" in await bot.ok("D1", f"/member link {code.lower().replace('-', ' ')}", platform="discord")
    used = await bot.fails("D2", f"/member link {code}", platform="discord")
    stale = (await bot.ok("U200", "/member link", platform="slack")).split("Your code is ")[1][:14]
    clock.advance(minutes=16)
    expired = await bot.fails("D3", f"/member link {stale}", platform="discord")
    wrong = await bot.fails("D4", "/member link 2222-2222-2222", platform="discord")
    assert used == expired == wrong and wrong.startswith(UNKNOWN)


async def test_wrong_codes_are_limited_per_code_and_per_account(bot, app, clock):
    code = (await bot.ok("U100", "/member link", platform="slack")).split("Your code is ")[1][:14]
    wrong = code[:10] + ("2222" if code[10:] != "2222" else "3333")  # the right code's row, a wrong secret
    for guesser in ("D1", "D2", "D3", "D4", "D5"):
        assert UNKNOWN in await bot.fails(guesser, f"/member link {wrong}", platform="discord")
    # five wrong tries at this code deleted it: even the right one is refused now
    assert UNKNOWN in await bot.fails("D6", f"/member link {code}", platform="discord")
    assert await count(app, Member) == 7

    code = (await bot.ok("U100", "/member link", platform="slack")).split("Your code is ")[1][:14]
    for n in range(5):
        assert UNKNOWN in await bot.fails("D9", f"/member link 2222-2222-22{n + 2}2", platform="discord")
    assert "Too many wrong codes" in await bot.fails("D9", f"/member link {code}", platform="discord")
    clock.advance(minutes=61)
    code = (await bot.ok("U100", "/member link", platform="slack")).split("Your code is ")[1][:14]
    assert "Linked" in await bot.ok("D9", f"/member link {code}", platform="discord")


async def test_help_lists_commands_for_the_role(bot):
    member_help = await bot.ok("maria", "/help")
    assert "/member site <worksite>" in member_help
    detail = await bot.ok("maria", "/organizer help member")
    assert "worksite: Your worksite, as on the roster" in detail
    assert "There is no /fly command" in await bot.fails("maria", "/help fly")
