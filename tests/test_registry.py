"""From one declaration: help text, forms; and roles from config."""

import re
from dataclasses import replace

import pytest

from bot.config import load_config
from bot.context import Context
from bot.permissions import Actor, resolve_role
from bot.registry import DeclarationError, Group, Param
from bot.types import Identity, Invocation, Reply, Role
from commands import build_registry
from tests.support import PLATFORMS, make_config


def test_usage_lines_come_from_the_declaration():
    registry = build_registry()
    assert registry.find("member", "site").usage() == "/member site <worksite>"
    assert registry.find("member", "link").usage() == "/member link [code]"
    assert registry.find("organizer", None).name == "help"


def _inv(platform, user, claims=()):
    return Invocation(Identity(platform, user), "member", "me", claims=frozenset(claims))


def test_roles_come_from_config_rules_and_reps_get_their_sites():
    roles = make_config().roles
    assert resolve_role(roles, _inv("slack", "ULEAD"), PLATFORMS) == (Role.leader, frozenset())
    assert resolve_role(roles, _inv("slack", "UREP"), PLATFORMS) == (Role.rep, frozenset({"escalante elementary"}))
    assert resolve_role(roles, _inv("discord", "1", {"discord-role:1000000000000000201"}), PLATFORMS)[0] == Role.leader
    assert resolve_role(roles, _inv("discord", "1", {"discord-role:1000000000000000202"}), PLATFORMS)[0] == Role.rep
    assert resolve_role(roles, _inv("slack", "USOMEONE"), PLATFORMS)[0] == Role.member


def test_only_the_console_may_claim_a_role_outright():
    roles = make_config().roles
    assert resolve_role(roles, _inv("console", "rosa", {"role:leader"}), PLATFORMS)[0] == Role.leader
    assert resolve_role(roles, _inv("slack", "U9", {"role:leader"}), PLATFORMS)[0] == Role.member
    claimed = _inv("discord", "9", {"role:rep", "site:Escalante Elementary"})
    assert resolve_role(roles, claimed, PLATFORMS)[0] == Role.member


def test_a_rep_covers_only_their_sites_and_a_leader_all():
    rep = Actor(1, "Rosa", Role.rep, frozenset({"escalante elementary"}))
    assert rep.covers("Escalante  Elementary") and not rep.covers("Roosevelt High")
    assert Actor(2, "Luis", Role.leader).covers("Roosevelt High")
    assert not Actor(3, "Ana", Role.member).covers("Escalante Elementary")


async def test_a_member_is_told_which_role_a_command_needs(bot):
    from bot.registry import Group

    guarded = Group("guarded", "Test")

    @guarded.command("do", help="Leaders only", role=Role.leader)
    async def do(ctx):
        return ctx.reply("done")

    bot.app.registry.add(guarded)
    assert await bot.fails("ana", "/guarded do") == "Only a leader can do that. Ask your site rep or an organizer."
    assert await bot.ok("ULEAD", "/guarded do", platform="slack") == "done"
    await bot.ok("ana", "/member lang es")
    assert await bot.fails("ana", "/guarded do") == (
        "Eso solo lo puede hacer alguien con el rol de líder. Pregúntale a "
        "tu representante de sitio o a alguien del equipo de organización.")


def test_config_refuses_secrets_in_the_file_and_reads_them_from_the_environment(tmp_path):

    from bot.config import ConfigError

    bad = tmp_path / "bad.toml"
    bad.write_text('[secrets]\nslack_bot_token = "xoxb-1"\n')
    with pytest.raises(ConfigError, match="environment"):
        load_config(PLATFORMS, bad, env={})
    typo = tmp_path / "typo.toml"
    typo.write_text('[campaign]\ntimezone = "Mars/Olympus"\n')
    with pytest.raises(ConfigError, match="unknown timezone"):
        load_config(PLATFORMS, typo, env={})
    config = load_config(PLATFORMS, "config.example.toml", env={"SLACK_BOT_TOKEN": "xoxb-test", "DISCORD_TOKEN": "abc"})
    assert [p.name for p in PLATFORMS if p.enabled(config)] == ["slack", "discord"]
    assert "xoxb-test" not in repr(config.secrets) and "xoxb-test" not in str(config)


@pytest.mark.parametrize("toml, error", [
    ('[discord]\nguild_id = 1\n[[roles.leaders]]\nmatch = ["discord-role:Organizers"]\n',
     "'discord-role:Organizers' names a Discord role by name: use its id"),
    ('[[roles.reps]]\nmatch = ["discord-role:123"]\nsites = ["Escalante"]\n',
     "discord.guild_id must say which server"),
    ('[discord]\nguild_id = 1\nping_role = "Members"\n', "'Members' is not a role id"),
])
def test_discord_roles_are_named_by_id_in_one_server_or_the_bot_does_not_start(tmp_path, toml, error):
    from bot.config import ConfigError

    path = tmp_path / "organizer.toml"
    path.write_text(toml)
    with pytest.raises(ConfigError, match=re.escape(error)):
        load_config(PLATFORMS, path, env={})


async def _wrong_name(ctx: Context, site: str) -> Reply:
    return Reply()


async def _extra(ctx: Context, worksite: str, note: str | None) -> Reply:
    return Reply()


async def _not_optional(ctx: Context, worksite: str, note: str) -> Reply:
    return Reply()


async def _wrong_type(ctx: Context, worksite: int) -> Reply:
    return Reply()


async def _a_default(ctx: Context, worksite: str = "Escalante") -> Reply:
    return Reply()


async def _everything(ctx: Context, **values: str) -> Reply:
    return Reply()


async def _untyped(ctx, worksite):
    return Reply()


async def _site(ctx: Context, worksite: str) -> Reply:
    return Reply()


WORKSITE = Param("worksite", "Worksite")
NOTE = Param("note", "Note", required=False)


@pytest.mark.parametrize("handler, params, error", [
    (_wrong_name, [WORKSITE], "declares worksite but the handler takes no such parameter"),
    (_extra, [WORKSITE], "the handler takes note, which no Param declares"),
    (_not_optional, [WORKSITE, NOTE],
     "note is annotated str, but its Param gives str | None (optional, with no default)"),
    (_wrong_type, [WORKSITE], "worksite is annotated int, but its Param gives str"),
    (_a_default, [WORKSITE], "worksite has a default in the handler; give it as Param(default=...) only"),
    (_everything, [WORKSITE], "**values hides the declared params"),
    (_untyped, [WORKSITE], "annotate worksite as str"),
    (_site, [Param("worksite", "Worksite", default="Escalante")], "worksite is required, so its default"),
    (_site, [Param("worksite", "Worksite", required=False, default=3)], "worksite's default 3 is not a str"),
])
def test_a_handler_that_does_not_take_what_its_command_declares_is_refused_when_declared(handler, params, error):
    group = Group("survey", "Survey")
    where = f"/survey answer (tests.test_registry.{handler.__name__})"
    with pytest.raises(DeclarationError, match=re.escape(f"{where}: {error}")):
        group.command("answer", help="Answer", params=params)(handler)
    assert "answer" not in group.commands


def test_every_real_handler_takes_what_its_command_declares():
    """build_registry imports every feature, and every declaration is checked as it is made."""
    assert len(list(build_registry().commands())) > 50


LABELLED = [replace(WORKSITE, label="Worksite"), replace(NOTE, label="Note")]


@pytest.mark.parametrize("form, title, params, error", [
    (("worksite", "site"), "Survey", LABELLED, "form= names site; name each param once"),
    (("note",), "Survey", LABELLED, "form= leaves out worksite, which the command requires"),
    (("worksite", "worksite"), "Survey", LABELLED, "form= names a param twice"),
    (True, None, LABELLED, "a form needs title=, a short title of its own"),
    (True, "Survey", [WORKSITE, NOTE], "give worksite, note a label=, the short name over its form field"),
    (False, "Survey", [WORKSITE, NOTE], "title= is a form's title, and the command opens no form"),
])
def test_a_form_has_a_title_labels_and_every_required_param(form, title, params, error):
    group = Group("survey", "Survey")
    with pytest.raises(DeclarationError, match=re.escape(error)):
        group.command("answer", help="Answer", params=params, form=form, title=title)(_extra)
