"""The text parser and the registry, with no database: what a member types becomes exactly these values."""

import pytest

from bot.context import Context
from bot.errors import UserError
from bot.registry import Group, Param, Registry
from bot.types import Reply, Role


async def _create(ctx: Context, title: str, when: str, where: str, kind: str | None, capacity: int | None,
                  details: str | None) -> Reply:
    return Reply()


async def _one_id(ctx: Context, id: int) -> Reply:
    return Reply()


async def _tag(ctx: Context, tag: str | None) -> Reply:
    return Reply()


async def _site(ctx: Context, worksite: str) -> Reply:
    return Reply()


async def _forget(ctx: Context, confirm: bool) -> Reply:
    return Reply()


async def _none(ctx: Context) -> Reply:
    return Reply()


async def _post(ctx: Context, title: str, body: str, topics: str | None) -> Reply:
    return Reply()


def _registry() -> Registry:
    g = Group("action", "Actions")
    g.command("create", help="Announce", role=Role.rep, params=[
        Param("title", "Title"), Param("when", "When"), Param("where", "Where", greedy=True),
        Param("kind", "Kind", required=False, choices=("picket", "rally")),
        Param("capacity", "Capacity", type=int, required=False, min_value=1, max_value=100000),
        Param("details", "Details", required=False, max_length=20),
    ])(_create)
    g.command("join", help="Join", params=[Param("id", "Action id", type=int, min_value=1)])(_one_id)
    g.command("list", help="List", params=[Param("tag", "Tag", required=False, positional=True)])(_tag)
    reg = Registry()
    reg.add(g)
    m = Group("member", "Members")
    m.command("site", help="Site", params=[Param("worksite", "Worksite", greedy=True)])(_site)
    m.command("forget", help="Forget",
              params=[Param("confirm", "Confirm", type=bool, required=False, default=False)])(_forget)
    reg.add(m)
    return reg


def parse(line: str) -> dict:
    command, values = _registry().parse_line(line)
    return command.bind(values)


def test_quotes_positional_and_named_values():
    assert parse('/action create "Picket at Escalante" "tomorrow 7:15am" front gate kind:picket capacity:40 '
                 'details:"Bring signs"') == {
        "title": "Picket at Escalante", "when": "tomorrow 7:15am", "where": "front gate", "kind": "picket",
        "capacity": 40, "details": "Bring signs"}


def test_greedy_last_positional_keeps_text_as_typed_including_apostrophes():
    assert parse("/member site O'Brien  Elementary") == {"worksite": "O'Brien  Elementary"}
    assert parse('/member site "Escalante Elementary"') == {"worksite": "Escalante Elementary"}


def test_curly_quotes_from_phones_work_like_straight_quotes():
    assert parse("/action create “Rally downtown” tomorrow “City Hall”")["title"] == "Rally downtown"


def test_named_form_of_a_positional_and_optional_positional():
    assert parse("/action join id:12") == {"id": 12}
    assert parse("/action list wages") == {"tag": "wages"}
    assert parse("/action list") == {"tag": None}


def test_choice_matching_ignores_case_and_bool_words():
    assert parse('/action create t w x kind:RALLY')["kind"] == "rally"
    assert parse("/member forget confirm:yes") == {"confirm": True}
    assert parse("/member forget confirm:sí") == {"confirm": True}


def test_url_in_a_greedy_value_is_not_an_option():
    assert parse("/action create t w https://zoom.us/j/1")["where"] == "https://zoom.us/j/1"


@pytest.mark.parametrize(("line", "message"), [
    ("/action join", "Missing id"),
    ("/action join twelve", "must be a whole number"),
    ("/action join 0", "at least 1"),
    ("/action join 99999999999999999999", "at most 2147483647"),
    ("/action join 12 13", "Too many values"),
    ('/action create "unclosed t w', "quote is not closed"),
    ("/action create t w x kind:strike", "must be one of: picket, rally"),
    ("/action create t w x capacity:-3", "at least 1"),
    ("/action create t w x details:" + "x" * 21, "too long: 21 characters, the limit is 20"),
    ("/action create t w x colour:red", "Unknown option “colour”"),
    ('/action create "" w x', "can’t be empty"),
    ("/action fly", "/action has no “fly”"),
    ("/nothing here", "There is no /nothing command"),
    ("/action", "/action needs a subcommand"),
    ("/member forget confirm:maybe", "yes or no"),
])
def test_bad_input_is_a_user_error_with_a_clear_message(line, message):
    with pytest.raises(UserError) as caught:
        parse(line)
    error = caught.value
    assert message in error.msgid.format(**error.params)


def test_errors_from_arguments_carry_the_usage_line():
    with pytest.raises(UserError) as caught:
        _registry().parse_line("/action join 1 2")
    assert caught.value.usage == "/action join <id>"


def test_markup_characters_typed_by_a_member_are_removed():
    assert parse("/member site Esca\ue000lante\x00") == {"worksite": "Escalante"}


def test_a_command_declared_twice_is_refused():
    g = Group("x", "X")
    g.command("a", help="A")(_none)
    with pytest.raises(ValueError):
        g.command("a", help="A")(_none)


def _bargaining() -> Registry:
    g = Group("bargaining", "Bargaining")
    g.command("post", help="Post", role=Role.rep, params=[
        Param("title", "Title"), Param("body", "Body", greedy=True, max_length=2000),
        Param("topics", "Topics", required=False)])(_post)
    reg = Registry()
    reg.add(g)
    return reg


def test_a_word_left_after_an_option_is_refused_by_name_not_glued_into_the_greedy_value():
    with pytest.raises(UserError) as caught:
        _bargaining().parse_line('/bargaining post "Session 7" "District offered 2% one-time." topics:wages,class size')
    error = caught.value
    assert error.msgid.format(**error.params) == (
        "“size” after topics: is not expected. If it belongs to topics, put the whole value in quotes: topics:\"…\"")
    with pytest.raises(UserError) as caught:
        parse("/action create t w front kind:picket gate")
    assert caught.value.params == {"extra": "gate", "option": "kind"}


def test_quotes_around_a_greedy_value_are_removed():
    command, values = _bargaining().parse_line(
        '/bargaining post "Session 7" "District offered 2% one-time." topics:"wages, class size"')
    assert command.bind(values) == {"title": "Session 7", "body": "District offered 2% one-time.",
                                    "topics": "wages, class size"}
    assert parse('/action create t w "front gate" kind:picket')["where"] == "front gate"
    assert parse("/action create t w kind:picket front  gate")["where"] == "front  gate"  # typed together
