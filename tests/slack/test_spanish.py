"""A Spanish-speaking member on Slack: every payload the bot sends them is in Spanish, dates' fallback text too."""

import json

from bot.delivery import Worker
from bot.types import Identity
from tests.slack.payloads import click, slash

PICKET = '/action create "Piquete informativo" "2026-12-03 07:15" "Puerta principal"'
DATE = "<!date^1796310900^{date_short_pretty} {time}|jue, 3 de dic, 7:15\u202fa.m. PST>"


def texts(response: dict) -> list[str]:
    return [b["text"]["text"] for b in response["blocks"] if b["type"] == "section"]


def labels(response: dict) -> list[str]:
    return [e["text"]["text"] for b in response["blocks"] if b["type"] == "actions" for e in b["elements"]]


async def ask(slack, fake, command: str, text: str, name: str, **kw) -> dict:
    await slack.send(slash(command, text, response_url=fake.response_url(name), **kw))
    await fake.wait_for(lambda: any(r["url"] == name for r in fake.responses))
    return next(r for r in fake.responses if r["url"] == name)


async def test_signup_reminder_answer_error_and_help_in_spanish(slack, fake, app, front, clock):
    rep = Identity("slack", "UREP", "rosa")
    assert not (await app.run_line(rep, PICKET)).error
    leader = Identity("slack", "ULEAD", "luis")
    assert not (await app.run_line(leader, "/readiness open ¿Votarías por autorizar una huelga?",
                                   claims={"slack-group:SLEADERS"})).error

    assert texts(await ask(slack, fake, "/member", "lang es", "lang")) == ["Desde ahora te contesto en español."]
    shown = await ask(slack, fake, "/action", "show 1", "show")
    assert labels(shown) == ["Me apunto", "No puedo ir"]
    me_apunto = next(e for b in shown["blocks"] if b["type"] == "actions" for e in b["elements"])
    await slack.send(click(me_apunto["value"], action_id=me_apunto["action_id"], response_url=fake.response_url("in")))
    await fake.wait_for(lambda: any(r["url"] == "in" for r in fake.responses))
    joined = next(r for r in fake.responses if r["url"] == "in")
    assert texts(joined) == [f"¡Ya te apuntaste! Piquete informativo, {DATE}, en Puerta principal. Te llegarán "
                             "recordatorios 1 día y 1 hora antes de que empiece."]
    assert labels(joined) == ["No puedo ir", "Agregar al calendario"]

    worker = Worker(app, {"slack": front.sender})
    await worker.drain()
    clock.advance(hours=46, minutes=15)
    await worker.drain()
    [reminder] = [m for m in fake.called("chat.postMessage") if m["channel"] == "U100"]
    blocks = json.loads(reminder["blocks"]) if isinstance(reminder["blocks"], str) else reminder["blocks"]
    assert blocks[0]["text"]["text"] == (f"Recordatorio: “Piquete informativo”, {DATE}, en Puerta principal.\n\n"
                                         "Cuando llegues, registra tu llegada con /action checkin 1.")
    assert blocks[-1]["elements"][0]["text"]["text"] == "No puedo ir"

    answered = await ask(slack, fake, "/readiness", "answer 1 1", "answer")
    assert texts(answered)[0].startswith("Tu respuesta a la encuesta #1: Sí, votaría por autorizar una huelga.")
    mistake = await ask(slack, fake, "/action", "join 99", "mistake")
    assert mistake["response_type"] == "ephemeral"
    assert texts(mistake) == ["No existe la acción #99. /action list muestra las próximas."]
    helped = await ask(slack, fake, "/organizer", "help", "help")
    assert texts(helped)[0].startswith("*Lo que puedes hacer con el bot de organización*\n\n*/action* — Acciones")
    assert any("Apúntate a una acción" in t for t in texts(helped))


async def test_a_slack_client_in_spanish_gets_spanish_forms_before_choosing_a_language(slack, fake):
    fake.locales["UREP"] = "es-LA"
    await slack.send(slash("/action", "create", user="UREP", response_url=fake.response_url(), trigger_id="t-es"))
    await fake.wait_for(lambda: fake.called("views.open"))
    opened = fake.called("views.open")[0]
    view = opened["view"] if isinstance(opened["view"], dict) else json.loads(opened["view"])
    assert view["title"]["text"] == "Anunciar una acción"
    assert view["submit"]["text"] == "Enviar"
    assert (view["blocks"][0]["label"]["text"], view["blocks"][0]["hint"]["text"]) == (
        "Título", "Qué es, p. ej. “Piquete informativo”")
    kind = next(b for b in view["blocks"] if b["block_id"] == "kind")
    assert kind["element"]["options"][0] == {"text": {"type": "plain_text", "text": "Piquete"}, "value": "picket"}
