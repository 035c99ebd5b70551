"""Forms on Slack, through signed HTTP against a fake Slack that refuses what Slack refuses (slack_sdk's
own View and Block classes, and the limits they leave out): titles of their own, selects with labels in
the member's language, long text over several inputs."""

import json

import pytest
from sqlalchemy import select

from storage.actions import Action
from storage.bargaining import BargainingUpdate
from tests.slack.fake_slack import view_problem
from tests.slack.payloads import slash, submission
from tests.support import typed_date

FORMS = [("/action", "create", "UREP"), ("/bargaining", "post", "UREP"), ("/pledge", "open", "ULEAD"),
         ("/readiness", "open", "ULEAD"), ("/chant", "add", "UREP"), ("/chant", "suggest", "U100")]


async def opened(slack, fake, command: str, sub: str, user: str, count: int = 1) -> dict:
    await slack.send(slash(command, sub, user=user, response_url=fake.response_url(), trigger_id=f"t-{count}"))
    await fake.wait_for(lambda: len(fake.called("views.open")) == count)
    view = fake.called("views.open")[-1]["view"]
    return json.loads(view) if isinstance(view, str) else view


async def rows(app, statement):
    async def work(session):
        return (await session.exec(statement)).scalars().all()
    return await app.db.read(work)


@pytest.mark.parametrize("locale", ["en-US", "es-LA"])
async def test_every_form_opens_as_slack_accepts_it_in_both_languages(slack, fake, locale):
    fake.usergroups = {"SLEADERS": ["ULEAD"]}
    for user in ("UREP", "ULEAD", "U100"):
        fake.locales[user] = locale
    titles = []
    for count, (command, sub, user) in enumerate(FORMS, 1):
        titles.append((await opened(slack, fake, command, sub, user, count))["title"]["text"])
    assert fake.refused == [] and not fake.responses  # every form opened: none fell back to a message
    assert titles == (["Announce an action", "Bargaining update", "Open a pledge", "Open a readiness poll",
                       "Add a chant", "Suggest a chant"] if locale == "en-US" else
                      ["Anunciar una acción", "Novedad de negociación", "Abrir un compromiso", "Abrir una encuesta",
                       "Agregar una consigna", "Sugerir una consigna"])


def test_the_fake_refuses_what_slack_refuses():
    """The check is real: slack_sdk's classes and the documented limits they leave out."""
    title = {"type": "plain_text", "text": "Announce an action"}
    def view(element, **extra):
        return {"type": "modal", "title": title, **extra, "blocks": [
            {"type": "input", "block_id": "b", "label": {"type": "plain_text", "text": "L"}, "element": element}]}
    text = {"type": "plain_text_input", "action_id": "value", "max_length": 3000}
    option = {"text": {"type": "plain_text", "text": "x" * 75}, "value": "x"}
    assert view_problem(view(text)) is None
    assert view_problem(view({**text, "max_length": 3001})) == "b: max_length must be at most 3000"
    assert view_problem(view({"type": "static_select", "action_id": "value", "options": [option]})) is None
    long_option = {**option, "text": {"type": "plain_text", "text": "x" * 76}}
    assert view_problem(view({"type": "static_select", "action_id": "value", "options": [long_option]})) == \
        "b: option 'x' is too long"
    assert "title" in view_problem(view(text, title={"type": "plain_text", "text": "x" * 25}))
    assert "submit" in view_problem(view(text, submit={"type": "plain_text", "text": "x" * 25}))


async def test_results_are_picked_by_their_spanish_names(slack, fake):
    fake.usergroups = {"SLEADERS": ["ULEAD"]}
    fake.locales["ULEAD"] = "es-LA"
    view = await opened(slack, fake, "/readiness", "open", "ULEAD")
    results = next(b for b in view["blocks"] if b["block_id"] == "results")
    assert results["label"]["text"] == "Quién ve los resultados"
    assert [(o["text"]["text"], o["value"]) for o in results["element"]["options"]] == [
        ("Líderes (y representantes, para sus sitios)", "leaders"), ("Miembros", "members"),
        ("Miembros, al cerrar", "after-close")]
    anonymous = next(b for b in view["blocks"] if b["block_id"] == "anonymous")
    assert [o["text"]["text"] for o in anonymous["element"]["options"]] == ["Sí", "No"]


async def test_a_spanish_rep_types_a_kind_by_its_spanish_name(slack, fake, app, clock):
    fake.locales["UREP"] = "es-LA"
    line = f'"Mitin en el distrito" "{typed_date(clock(), days=3)}" "Oficinas del distrito" kind:mitin'
    await slack.send(slash("/action", f"create {line}", user="UREP", response_url=fake.response_url()))
    await fake.wait_for(lambda: fake.responses)
    assert fake.responses[0]["text"].startswith("Anunciaste la acción #1")
    assert [a.kind for a in await rows(app, select(Action))] == ["rally"]


async def test_a_long_update_goes_over_two_inputs_and_is_posted_whole(slack, fake, app):
    """An update holds 5,000 characters and a Slack input 3,000: two inputs, joined paragraphs apart."""
    view = await opened(slack, fake, "/bargaining", "post", "UREP")
    body = [b for b in view["blocks"] if b["block_id"].startswith("body")]
    assert [(b["block_id"], b["element"]["max_length"], b["optional"]) for b in body] == [
        ("body", 3000, False), ("body.2", 2000, True)]
    assert body[1]["label"]["text"] == "What happened (part 2 of 2)"
    status, answer = await slack.send(submission(view, {"title": "Session 7", "body": "A" * 3000,
                                                        "body.2": "B" * 100}, user="UREP"))
    assert (status, answer) == (200, "")
    await fake.wait_for(lambda: fake.called("chat.postEphemeral") or fake.called("chat.postMessage"))
    [update] = await rows(app, select(BargainingUpdate))
    assert update.body == "A" * 3000 + "\n\n" + "B" * 100
