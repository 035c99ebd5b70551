"""A member who chose Spanish gets Spanish everywhere: replies, buttons, reminders, errors, help, dates;
a channel speaks its configured language whoever triggered the post."""

import io
import re
from pathlib import Path

import pytest

from bot.adapters.console import ConsoleSender, to_text
from bot.app import App
from bot.types import Identity
from commands import build_registry
from storage.db import Database
from tests.support import TEST_CONFIG, Harness, make_config, text
from tests.test_actions_console import console

REP = {"role": "rep", "site": "Escalante Elementary"}
PICKET = '/action create "Piquete informativo" "2026-12-03 07:15" "Puerta principal" site:"Escalante Elementary"'
SPANISH_DATE = "jue, 3 de dic, 7:15\u202fa.m. PST"  # 2026-12-03 15:15 UTC, as an LA member reads it in Spanish
ENGLISH_DATE = "Thu, Dec 3, 7:15\u202fAM PST"


def shown(bot: Harness, message, tmp_path: Path) -> str:
    """What the console prints for a message, in the language it was rendered in."""
    return to_text(message, bot.app.translator(message.lang), tmp_path)


async def test_a_spanish_member_signs_up_with_me_apunto_and_sees_spanish_dates(bot, tmp_path):
    await bot.ok("rosa", PICKET, **REP)
    assert await bot.ok("maria", "/member lang es") == "Desde ahora te contesto en español."
    show = await bot.say("maria", "/action show 1")
    assert [b.label for b in show.message.buttons] == ["Me apunto", "No puedo ir"]
    assert "Dónde: Puerta principal" in shown(bot, show.message, tmp_path)

    joined = await bot.say("maria", show.message.buttons[0].command)  # the "Me apunto" click
    assert not joined.error and joined.lang == "es"
    assert to_text(joined.message, bot.app.translator(joined.lang), tmp_path).startswith(
        f"¡Ya te apuntaste! Piquete informativo, {SPANISH_DATE}, en Puerta principal. "
        "Te llegarán recordatorios 1 día y 1 hora antes de que empiece.")
    assert [b.label for b in joined.message.buttons] == ["No puedo ir", "Agregar al calendario"]
    assert (await bot.ok("maria", "/action join 1")).startswith("Ya te habías apuntado. ¡Ya te apuntaste!")
    assert "Idioma: español" in await bot.ok("maria", "/member me")


async def test_reminders_are_sent_in_each_members_language_with_their_dates(bot, clock, tmp_path):
    await bot.ok("rosa", PICKET, **REP)
    await bot.ok("maria", "/member lang es")
    await bot.ok("maria", "/action join 1")
    await bot.ok("luis", "/action join 1")
    await bot.deliver()
    clock.advance(hours=46, minutes=15)  # 24 hours before the picket
    dms = {sent.target: sent.message for sent in await bot.deliver() if sent.kind == "dm"}
    assert set(dms) == {"maria", "luis"}
    assert dms["maria"].lang == "es" and dms["luis"].lang == "en"
    assert [b.label for b in dms["maria"].buttons] == ["No puedo ir"]

    out = io.StringIO()
    console = ConsoleSender(out, bot.app.translator, tmp_path)
    await console.send_dm("maria", dms["maria"], "ob1")
    await console.send_dm("luis", dms["luis"], "ob2")
    assert out.getvalue() == (
        f"┌ Mensaje directo a maria\n│ Recordatorio: “Piquete informativo”, {SPANISH_DATE}, en Puerta principal.\n│ \n"
        "│ Cuando llegues, registra tu llegada con /action checkin 1.\n│   [No puedo ir]  →  /action leave 1\n"
        f"┌ DM to luis\n│ Reminder: “Piquete informativo”, {ENGLISH_DATE}, at Puerta principal.\n│ \n"
        "│ When you get there, check in with /action checkin 1.\n│   [Can’t make it]  →  /action leave 1\n")


async def test_a_readiness_answer_an_error_and_help_come_in_spanish(bot):
    await bot.ok("luis", "/readiness open ¿Votarías por autorizar una huelga?", role="leader")
    await bot.ok("maria", "/member lang es")
    assert await bot.ok("maria", "/readiness answer 1 más bien sí") == (
        "Tu respuesta a la encuesta #1: Más bien sí. Solo tú ves esto; puedes cambiarla hasta que cierre la encuesta.")
    assert "Tu respuesta a la encuesta #1: Sí, votaría por autorizar una huelga." in await bot.ok(
        "maria", "/readiness answer 1 1")

    assert await bot.fails("maria", "/action join 99") == "No existe la acción #99. /action list muestra las próximas."
    assert "Uso: /action join <id>" in await bot.fails("maria", "/action join dos")
    assert (await bot.fails("maria", "/action fly")).startswith("/action no tiene “fly”.")

    help_text = await bot.ok("maria", "/help")
    assert help_text.startswith("Lo que puedes hacer con el bot de organización")
    assert "/action join <id> — Apúntate a una acción" in help_text
    assert "Escribe /organizer help <comando> para ver detalles" in help_text
    assert "id: El número de la acción" in await bot.ok("maria", "/organizer help action")


@pytest.fixture
async def spanish_channel_app(db_url, clock):
    channels = {**TEST_CONFIG["channels"], "actions": {**TEST_CONFIG["channels"]["actions"], "lang": "es"}}
    app = App(make_config(channels=channels), build_registry(), db=Database(db_url), clock=clock)
    await app.start()
    yield app
    await app.close()


async def test_posts_and_their_live_edits_follow_the_channels_language(spanish_channel_app, clock):
    bot = Harness(spanish_channel_app, clock)
    assert (await bot.ok("rosa", PICKET, **REP)).startswith("Announced action #1")  # the rep reads English…
    [post] = await bot.deliver()
    assert (post.kind, post.target, post.message.lang) == ("post", "#actions", "es")  # …the channel Spanish
    assert [b.label for b in post.message.buttons] == ["Me apunto", "No puedo ir"]
    assert "Dónde: Puerta principal" in post.text

    assert (await bot.ok("luis", "/action join 1")).startswith("You’re in:")
    clock.advance(seconds=5)
    [edit] = await bot.deliver()
    assert edit.kind == "edit" and edit.message.lang == "es" and "1 va" in edit.text

    await bot.ok("luis", "/readiness open Strike?", role="leader")
    [poll] = await bot.deliver()
    assert poll.target == "#readiness" and poll.text.startswith("Readiness poll #1")  # readiness stays English


def test_the_console_speaks_spanish_to_a_member_who_chose_it(tmp_path):
    out = console(tmp_path, ["--user", "rosa", "--role", "rep", "--site", "Escalante Elementary"], [
        "/member lang es",
        '/action create "Piquete informativo" "tomorrow 7:15am" "Puerta principal"',
        "/action join 1",
        "/action join 99",
        "/help",
    ])
    assert "Desde ahora te contesto en español." in out
    assert "Anunciaste la acción #1: Piquete informativo" in out
    assert "┌ posted in #actions\n│ Piquete informativo (#1)" in out and "[I’m in]  →  /action join 1" in out
    assert re.search(r"¡Ya te apuntaste! Piquete informativo, (lun|mar|mié|jue|vie|sáb|dom), \d+ de [a-z]+\.?, "
                     r"7:15\sa\.m\. P[SD]T, en Puerta principal\.", out), out
    assert "[No puedo ir]  →  /action leave 1" in out
    assert "✗ No existe la acción #99." in out
    assert "Lo que puedes hacer con el bot de organización" in out


async def test_the_platforms_language_speaks_for_a_member_until_they_choose_one(bot, app, clock):
    ana = Identity("console", "ana", "ana")
    await bot.ok("rosa", PICKET, **REP)
    joined = await app.run_line(ana, "/action join 1", locale="es-419")
    assert text(joined).startswith("¡Ya te apuntaste!")
    clock.advance(hours=46, minutes=15)
    [reminder] = [s for s in await bot.deliver() if s.kind == "dm"]
    assert reminder.text.startswith("Recordatorio:")  # a DM has no platform hint: the one seen is kept

    await bot.ok("ana", "/member lang en")
    again = await app.run_line(ana, "/action show 1", locale="es-419")
    assert "Where: Puerta principal" in text(again)  # the member's choice outranks the platform's
