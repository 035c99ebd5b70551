"""A real discord.py client logged in to a fake Discord REST API, over the real app and database.

Interactions arrive as raw INTERACTION_CREATE gateway payloads fed to the client's own
ConnectionState parser, so the command tree, views and modals are discord.py's, not stand-ins."""

from __future__ import annotations

import itertools

import discord
import pytest

from bot.adapters.discord.client import make_client
from bot.app import App
from bot.context import Context
from bot.errors import UserError
from bot.i18n import N_
from bot.registry import Group, Param
from bot.types import Reply
from commands import build_registry
from commands.members import resolve_site
from storage.db import Database
from storage.members import Member
from tests.discord.fake_api import APP_ID, FakeDiscord
from tests.support import TEST_CONFIG, make_config

GUILD_ID = "1000000000000000100"
ORGANIZERS_ROLE, REPS_ROLE, MEMBERS_ROLE = "1000000000000000201", "1000000000000000202", "1000000000000000203"
NAMED_LIKE_LEADERS_ROLE = "1000000000000000204"  # a role anyone may create, named after the leaders' role id
OTHER_GUILD_ID = "1000000000000000900"  # another server the bot was added to
CHANNEL_ID = "1000000000000000001"

survey = Group("survey", N_("A later feature: a form with every kind of option"))


@survey.command("answer", help=N_("Answer the survey"), form=True, title=N_("Survey"), params=[
    Param("worksite", N_("Your worksite"), greedy=True, label=N_("Worksite")),
    Param("note", N_("Anything else"), required=False, multiline=True, max_length=3000, label=N_("Note")),
    Param("shifts", N_("Shifts you can cover"), type=int, required=False, min_value=0, max_value=7,
          label=N_("Shifts")),
    Param("strike", N_("Ready to strike"), type=bool, required=False, label=N_("Strike")),
    Param("shift", N_("When you work"), required=False, choices=("day", "night"), label=N_("Shift")),
])
async def answer(ctx: Context, worksite: str, note: str | None, shifts: int | None, strike: bool | None,
                 shift: str | None) -> Reply:
    if shifts == 0 and strike:
        raise UserError(N_("Zero shifts and a strike vote? Pick one."))
    member = await ctx.session.get(Member, ctx.member_id)
    member.worksite_id = (await resolve_site(ctx, worksite)).id
    return ctx.reply(f"{worksite}|{note}|{shifts}|{strike}|{shift}")


def registry():
    built = build_registry()
    built.add(survey)
    return built


@pytest.fixture
def platforms():
    return ("discord",)


@pytest.fixture
async def fake(monkeypatch, clock):
    api = FakeDiscord(clock)
    monkeypatch.setattr(discord.http.Route, "BASE", await api.start())
    yield api
    await api.stop()


@pytest.fixture
async def app(db_url, clock, platforms):
    roles = {"leaders": [{"match": [f"discord-role:{ORGANIZERS_ROLE}"]}],
             "reps": [{"match": [f"discord-role:{REPS_ROLE}"], "sites": ["Escalante Elementary"]}]}
    config = make_config(roles=roles, discord={"guild_id": int(GUILD_ID), "ping_role": MEMBERS_ROLE},
                         channels=TEST_CONFIG["channels"])
    app = App(config, registry=registry(), db=Database(db_url), platforms=platforms, clock=clock)
    await app.start()
    yield app
    await app.close()


async def logged_in(app) -> discord.Client:
    """What ``start`` does short of opening the gateway: log in (which syncs), then learn the server."""
    client = make_client(app)
    await client.login("test-token")
    client._connection.parsers["GUILD_CREATE"](guild_payload())
    return client


@pytest.fixture
async def client(app, fake):
    client = await logged_in(app)
    yield client
    await client.close()


def guild_payload() -> dict:
    def role(role_id, name, position):
        return {"id": role_id, "name": name, "permissions": "0", "position": position, "color": 0, "hoist": False,
                "managed": False, "mentionable": True, "flags": 0}

    return {"id": GUILD_ID, "name": "Local 1", "owner_id": "1", "afk_timeout": 300, "verification_level": 0,
            "default_message_notifications": 0, "explicit_content_filter": 0, "features": [], "mfa_level": 0,
            "premium_tier": 0, "preferred_locale": "en-US", "nsfw_level": 0, "member_count": 3, "large": False,
            "unavailable": False, "emojis": [], "stickers": [], "members": [], "voice_states": [], "presences": [],
            "threads": [], "stage_instances": [], "guild_scheduled_events": [], "soundboard_sounds": [],
            "roles": [role(GUILD_ID, "@everyone", 0), role(ORGANIZERS_ROLE, "Organizers", 3),
                      role(REPS_ROLE, "Escalante Reps", 2), role(MEMBERS_ROLE, "Members", 1),
                      role(NAMED_LIKE_LEADERS_ROLE, ORGANIZERS_ROLE, 1)],
            "channels": [{"id": CHANNEL_ID, "type": 0, "name": "actions", "position": 0, "permission_overwrites": [],
                          "nsfw": False, "parent_id": None, "rate_limit_per_user": 0, "topic": None}]}


_ids = itertools.count(1_200_000_000_000_000_000)


def _interaction(kind: int, data: dict, user_id: str, name: str, roles: tuple[str, ...], locale: str,
                 guild: str | None = GUILD_ID) -> dict:
    """An INTERACTION_CREATE in a server (``guild``), or in a DM with the bot (``guild=None``), as Discord's
    API documents it."""
    interaction_id = str(next(_ids))
    user = {"id": user_id, "username": name.lower(), "global_name": name, "discriminator": "0", "avatar": None}
    payload = {"id": interaction_id, "application_id": APP_ID, "type": kind, "token": f"token-{interaction_id}",
               "version": 1, "channel_id": CHANNEL_ID, "attachment_size_limit": 10485760,
               "locale": locale, "app_permissions": "2248473465835073", "entitlements": [], "data": data}
    if guild is None:
        return {**payload, "user": user, "channel": {"id": CHANNEL_ID, "type": 1}, "context": 1,
                "authorizing_integration_owners": {"1": user_id}}
    return {**payload, "guild_id": guild, "guild_locale": "en-US", "context": 0,
            "channel": {"id": CHANNEL_ID, "type": 0, "name": "actions", "guild_id": guild, "position": 0,
                        "permission_overwrites": [], "nsfw": False, "parent_id": None},
            "member": {"user": user, "roles": list(roles), "nick": None, "joined_at": "2024-01-01T00:00:00+00:00",
                       "deaf": False, "mute": False, "flags": 0, "permissions": "2248473465835073"},
            "authorizing_integration_owners": {"0": guild}}


def slash(command: str, sub: str, user_id: str = "300000000000000001", name: str = "María", *,
          roles: tuple[str, ...] = (), locale: str = "en-US", guild: str | None = GUILD_ID, **options) -> dict:
    """APPLICATION_COMMAND (type 2): ``/command sub name:value…``."""
    kinds = {bool: 5, int: 4, str: 3}
    data = {"id": str(next(_ids)), "name": command, "type": 1,
            "options": [{"name": sub, "type": 1, "options": [
                {"name": key, "type": kinds[type(value)], "value": value} for key, value in options.items()]}]}
    if guild is not None:
        data["guild_id"] = guild
    return _interaction(2, data, user_id, name, roles, locale, guild)


def autocomplete(command: str, sub: str, option: str, typed: str, user_id: str = "300000000000000001",
                 name: str = "María", *, guild: str | None = GUILD_ID) -> dict:
    """APPLICATION_COMMAND_AUTOCOMPLETE (type 4): ``/command sub option:typed…`` with ``option`` focused."""
    data = {"id": str(next(_ids)), "name": command, "type": 1, "options": [{"name": sub, "type": 1, "options": [
        {"name": option, "type": 3, "value": typed, "focused": True}]}]}
    if guild is not None:
        data["guild_id"] = guild
    return _interaction(4, data, user_id, name, (), "en-US", guild)


def click(custom_id: str, user_id: str = "300000000000000001", name: str = "María", *,
          roles: tuple[str, ...] = (), guild: str | None = GUILD_ID) -> dict:
    """MESSAGE_COMPONENT (type 3): a button on a message the bot posted."""
    payload = _interaction(3, {"custom_id": custom_id, "component_type": 2}, user_id, name, roles, "en-US", guild)
    payload["message"] = {"id": str(next(_ids)), "channel_id": CHANNEL_ID, "type": 0, "content": "…",
                          "author": {"id": APP_ID, "username": "organizer-bot", "discriminator": "0", "avatar": None,
                                     "bot": True},
                          "attachments": [], "embeds": [], "mentions": [], "mention_roles": [],
                          "mention_everyone": False, "pinned": False, "tts": False, "flags": 0,
                          "timestamp": "2026-11-30T17:00:00+00:00", "edited_timestamp": None,
                          "components": [{"type": 1, "components": [
                              {"type": 2, "style": 2, "label": "Go", "custom_id": custom_id}]}]}
    return payload


def submit(custom_id: str, values: dict[str, str | list[str]], user_id: str = "300000000000000001",
           name: str = "María", *, roles: tuple[str, ...] = (), locale: str = "en-US") -> dict:
    """MODAL_SUBMIT (type 5): a modal's labels, each with the text typed into its input (a str) or what was
    picked from its select (a list), as Discord sends them."""
    labels = [{"type": 18, "id": index, "component":
               {"type": 3, "id": index + 100, "custom_id": key, "values": value} if isinstance(value, list)
               else {"type": 4, "id": index + 100, "custom_id": key, "value": value}}
              for index, (key, value) in enumerate(values.items(), 1)]
    return _interaction(5, {"custom_id": custom_id, "components": labels}, user_id, name, roles, locale)


def dispatch(client: discord.Client, payload: dict) -> None:
    """Hand a payload to discord.py exactly as its gateway does."""
    client._connection.parsers["INTERACTION_CREATE"](payload)
