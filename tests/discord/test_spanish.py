"""A member whose Discord client is in Latin-American Spanish (es-419) and who never ran /member lang:
replies, buttons, modals, reminder DMs, errors and help all come in Spanish."""

from bot.adapters.discord.sender import DiscordSender
from bot.delivery import Worker
from bot.types import Identity
from tests.discord.conftest import GUILD_ID, ORGANIZERS_ROLE, REPS_ROLE, click, dispatch, slash
from tests.discord.fake_api import APP_ID
from tests.discord.test_interactions import answered

MARIA = "300000000000000001"
PICKET = '/action create "Piquete informativo" "2026-12-03 07:15" "Puerta principal"'
STARTS = "<t:1796310900:F>"


def labels(body: dict) -> list[str]:
    return [c["label"] for row in body.get("components", ()) for c in row["components"]]


async def test_a_spanish_discord_client_is_answered_in_spanish_everywhere(app, client, fake, clock):
    leader = Identity("discord", "300000000000000009", "Luis")
    assert not (await app.run_line(leader, PICKET, claims={f"discord-role:{ORGANIZERS_ROLE}"})).error
    assert not (await app.run_line(leader, "/readiness open ¿Votarías por autorizar una huelga?",
                                   claims={f"discord-role:{ORGANIZERS_ROLE}"})).error

    shown = slash("action", "show", locale="es-419", id=1)
    dispatch(client, shown)
    _, [card] = await answered(fake, shown)
    assert labels(card.body) == ["Me apunto", "No puedo ir"]
    me_apunto = card.body["components"][0]["components"][0]["custom_id"]
    pressed = click(me_apunto)
    pressed["locale"] = "es-419"
    dispatch(client, pressed)
    _, [joined] = await answered(fake, pressed)
    assert joined.body["content"] == (f"¡Ya te apuntaste! Piquete informativo, {STARTS}, en Puerta principal. "
                                      "Te llegarán recordatorios 1 día y 1 hora antes de que empiece.")
    assert labels(joined.body) == ["No puedo ir", "Agregar al calendario"]

    worker = Worker(app, {"discord": DiscordSender(client)})
    await worker.drain()
    clock.advance(hours=46, minutes=15)
    await worker.drain()
    [reminder] = [c for c in fake.of("POST", "/channels/") if "Recordatorio" in (c.body or {}).get("content", "")]
    assert reminder.body["content"] == (f"Recordatorio: “Piquete informativo”, {STARTS}, en Puerta principal.\n\n"
                                        "Cuando llegues, registra tu llegada con /action checkin 1.")
    assert labels(reminder.body) == ["No puedo ir"]

    answer = slash("readiness", "answer", locale="es-419", poll=1, choice="1")
    mistake = slash("action", "join", locale="es-419", id=99)
    helped = slash("organizer", "help", locale="es-419")
    for payload in (answer, mistake, helped):
        dispatch(client, payload)
    _, [to_answer] = await answered(fake, answer)
    _, [to_mistake] = await answered(fake, mistake)
    _, [to_help, *more_help] = await answered(fake, helped)  # longer in Spanish: split between paragraphs
    assert to_answer.body["content"].startswith("Tu respuesta a la encuesta #1: Sí, votaría por autorizar una huelga.")
    assert to_mistake.body["content"] == "No existe la acción #99. /action list muestra las próximas."
    assert to_help.body["content"].startswith("**Lo que puedes hacer con el bot de organización**")
    assert "Apúntate a una acción" in to_help.body["content"]


async def test_a_form_opens_in_the_clients_language(app, client, fake):
    opened = slash("action", "create", "300000000000000003", "Rosa", roles=(REPS_ROLE,), locale="es-ES")
    dispatch(client, opened)
    [modal] = await fake.wait_for("POST", f"/interactions/{opened['id']}/")
    data = modal.body["data"]
    assert data["title"] == "Anunciar una acción (1/3)"  # the third page holds the Spanish variants
    assert (data["components"][0]["label"], data["components"][0]["description"]) == (
        "Título", "Qué es, p. ej. “Piquete informativo”")
    kind = next(label["component"] for label in data["components"] if label["component"]["custom_id"] == "kind")
    assert [(o["label"], o["value"]) for o in kind["options"]][:2] == [("Piquete", "picket"), ("Mitin", "rally")]


async def test_choices_are_listed_by_name_in_spanish_and_arrive_as_their_value(app, client, fake):
    [put] = fake.of("PUT", f"/applications/{APP_ID}/guilds/{GUILD_ID}/commands")
    action = next(c for c in put.body if c["name"] == "action")
    create = next(o for o in action["options"] if o["name"] == "create")
    kind = next(o for o in create["options"] if o["name"] == "kind")
    assert kind["choices"][0] == {"name": "Picket", "value": "picket",
                                  "name_localizations": {"es-ES": "Piquete", "es-419": "Piquete"}}

    created = slash("action", "create", "300000000000000003", "Rosa", roles=(REPS_ROLE,), locale="es-419",
                    title="Piquete informativo", when="2026-12-03 07:15", where="Puerta principal", kind="picket")
    dispatch(client, created)
    _, [done] = await answered(fake, created)
    assert done.body["content"].startswith("Anunciaste la acción #1: Piquete informativo")
    shown = slash("action", "show", locale="es-419", id=1)
    dispatch(client, shown)
    _, [card] = await answered(fake, shown)
    assert "Piquete · <t:1796310900:F>" in card.body["content"]
