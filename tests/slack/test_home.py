"""Slack's App Home: ``app_home_opened`` as Slack posts it (signed JSON) to the bot's own HTTP server, and the
member's page published by the outbox worker with ``views.publish`` to the fake Web API, which refuses what Slack
refuses (tests/slack/fake_slack.py: home_view_problem)."""

import asyncio

import pytest

from bot import effects
from bot.delivery import Worker
from bot.types import Button, Home, Identity, Invocation, Message, Notify, Panel
from storage.homes import HomeTab
from storage.members import member_for
from storage.outbox import FAILED, PENDING, OutboxItem
from tests.slack.fake_slack import home_view_problem
from tests.slack.payloads import home_click, home_opened
from tests.support import count_rows, typed_date

LEADER = Identity("slack", "ULEAD", "lead")


@pytest.fixture
async def worker(app, front):
    """The outbox worker as the bot runs it: woken when something is queued."""
    worker = Worker(app, {"slack": front.sender})
    task = asyncio.create_task(worker.run())
    yield worker
    while not task.done():  # a cancel can land inside a Web API call that swallows it: ask until it stops
        task.cancel()
        await asyncio.wait({task}, timeout=1)


def shown(view) -> str:
    return "\n".join(b["text"]["text"] for b in view["blocks"] if b["type"] in ("header", "section"))


def buttons(view) -> list[tuple[str, str]]:
    return [(e["text"]["text"], e["value"]) for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]


async def announce(app, clock, title="Informational picket") -> None:
    reply = await app.run_line(LEADER, f'/action create "{title}" "{typed_date(clock(), days=3)}" "Front gate"',
                               claims=["slack-group:SLEADERS"])
    assert not reply.error, reply.message


async def publishes(fake, count: int) -> list[dict]:
    await fake.wait_for(lambda: len(fake.called("views.publish")) >= count)
    return fake.called("views.publish")


async def test_opening_the_home_tab_publishes_the_members_next_actions_with_their_buttons(slack, fake, app, clock,
                                                                                           worker):
    await announce(app, clock)
    status, _ = await slack.send_event(home_opened("U100"))
    assert status == 200
    [published] = await publishes(fake, 1)
    assert published["user_id"] == "U100"
    view = fake.homes["U100"]
    assert home_view_problem(view) is None and view["type"] == "home"
    text = shown(view)
    assert "Your next actions" in text and "*Informational picket* (#1)" in text
    assert "Worksite: not set — use /member site" in text and "Nothing is waiting for you." in text
    assert ("I’m in", "/action join 1") in buttons(view)
    assert "structure tests" not in text and "The ladder" not in text  # a member sees no one else's answers
    assert await count_rows(app, HomeTab, HomeTab.user_id == "U100") == 1


async def test_a_click_on_the_home_tab_signs_up_answers_by_dm_and_republishes_once_per_window(slack, fake, app,
                                                                                           clock, worker):
    await announce(app, clock)
    await slack.send_event(home_opened("U100"))
    await publishes(fake, 1)

    assert (await slack.send(home_click("/action join 1")))[0] == 200
    await fake.wait_for(lambda: fake.dms_to("U100"))
    assert (await slack.send(home_click("/action leave 1", action_id="run-1")))[0] == 200
    await fake.wait_for(lambda: len(fake.dms_to("U100")) == 2)
    assert (await slack.send(home_click("/action join 1", action_id="run-2")))[0] == 200
    await fake.wait_for(lambda: len(fake.dms_to("U100")) == 3)
    assert "You’re in" in fake.dms_to("U100")[0]["text"]
    # three writes in one window are one publish, due when the window ends
    assert await count_rows(app, OutboxItem, OutboxItem.kind == "home", OutboxItem.status == PENDING) == 1
    assert len(fake.called("views.publish")) == 1

    clock.advance(seconds=app.config.delivery.home_interval_seconds)
    worker.wake()
    await publishes(fake, 2)
    view = fake.homes["U100"]
    assert "You’re going." in shown(view) and ("Can’t make it", "/action leave 1") in buttons(view)


async def test_a_rep_sees_their_worksites_structure_and_a_spanish_member_reads_spanish(slack, fake, app, worker):
    await slack.send_event(home_opened("UREP", event_id="Ev1"))
    await publishes(fake, 1)
    assert "Your worksites’ latest structure tests" in shown(fake.homes["UREP"])

    fake.locales["U200"] = "es-ES"
    await slack.send_event(home_opened("U200", event_id="Ev2"))
    await publishes(fake, 2)
    text = shown(fake.homes["U200"])
    assert "Tus próximas acciones" in text and "Your next actions" not in text


async def test_the_messages_tab_and_an_event_without_its_member_publish_nothing(slack, fake, app, worker):
    assert (await slack.send_event(home_opened("U100", tab="messages")))[0] == 200
    envelope = home_opened("U100", event_id="Ev2")
    del envelope["event"]["user"]
    assert (await slack.send_event(envelope))[0] == 200
    await slack.send_event(home_opened("U300", event_id="Ev3"))  # sent after both, so handled after them
    [published] = await publishes(fake, 1)
    assert published["user_id"] == "U300"
    assert await count_rows(app, HomeTab) == 1


async def test_a_page_past_slacks_100_blocks_leaves_whole_items_out_and_slack_accepts_it(front, fake):
    many = tuple(Message(f"Action {n}", (Button("I’m in", f"/action join {n}"),)) for n in range(80))
    await front.sender.publish_home("U100", Home((Panel("Your next actions", many),)))
    view = fake.homes["U100"]
    assert home_view_problem(view) is None
    assert len(view["blocks"]) <= 100
    assert view["blocks"][-1]["type"] == "actions"  # the last item shown is whole: its text and its button


async def test_a_rate_limited_home_tab_holds_back_only_pages_and_an_app_without_one_is_not_retried(app, front, fake,
                                                                                                   clock):
    member = await app.db.write(lambda s: member_for(s, "slack", "U100", "ana", app.clock()))
    await app.home_opened(Invocation(Identity("slack", "U100"), "", ""))
    await app.db.write(lambda s: effects.store(app, s, (Notify((member.id,), lambda tr: Message("Picket moved")),),
                                               app.clock()))
    fake.rate_limit("views.publish", 30)
    await Worker(app, {"slack": front.sender}).drain()
    assert [m["text"] for m in fake.dms_to("U100")] == ["Picket moved"]  # the DM went; only the pages wait
    assert await count_rows(app, OutboxItem, OutboxItem.kind == "home", OutboxItem.status == PENDING) == 1

    clock.advance(seconds=31)  # past Retry-After, for a worker that never saw the pause
    fake.home_enabled = False
    await Worker(app, {"slack": front.sender}).drain()
    assert len(fake.called("views.publish")) == 2  # once rate-limited, once refused for good: never again
    assert await count_rows(app, OutboxItem, OutboxItem.kind == "home", OutboxItem.status == FAILED) == 1
