"""The core's command declarations as discord.py app commands, and the one path every interaction
takes: acknowledge within Discord's 3 seconds, run the command as the member, follow up.

Each group becomes an ``app_commands.Group`` and each subcommand an ``app_commands.Command``
whose callback is one generic function with a generated ``__signature__``; discord.py derives the
options from it, so a feature added to the registry appears on Discord with no change here.
Descriptions are ``locale_str``s translated by :class:`CatalogTranslator` from the gettext catalogs.
The schema discord.py sends at sync is the one derivation of Discord's commands (tests/discord check it
against Discord's rules).
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Coroutine, Mapping
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.adapters.discord import MODAL, PLATFORM, ROLE_CLAIM
from bot.adapters.discord.render import NO_PINGS, to_discord
from bot.budget import refused_notice
from bot.i18n import Catalogs, Translator
from bot.registry import Command, Param, Registry
from bot.types import Form, Identity, Invocation, Reply

if TYPE_CHECKING:
    from bot.adapters.discord.client import OrganizerClient

    Interaction = discord.Interaction[OrganizerClient]

log = logging.getLogger(__name__)

FORM_PREFIX = "obform:"
DISCORD_LOCALES = {"es": ("es-ES", "es-419")}
SUGGESTIONS, CHOICE_TEXT = 25, 100  # autocomplete: choices in one answer, characters of a choice's name and value
_LANG_OF_LOCALE = {locale: lang for lang, locales in DISCORD_LOCALES.items() for locale in locales}
DESCRIPTION_LIMIT = 100


def describe(catalogs: Catalogs, msgid: str) -> tuple[str, dict[str, str]]:
    """A declaration string as Discord shows it: English and its translations by Discord locale, each a
    one-line summary of at most 100 characters."""
    english = _fit(msgid, DESCRIPTION_LIMIT)
    localized = {}
    for lang, locales in DISCORD_LOCALES.items():
        text = _fit(catalogs.get(lang)._(msgid), DESCRIPTION_LIMIT)
        if lang in catalogs.languages and text != english:
            localized.update({loc: text for loc in locales})
    return english, localized


def _text(catalogs: Catalogs, msgid: str) -> app_commands.locale_str:
    english, _ = describe(catalogs, msgid)
    return app_commands.locale_str(english, msgid=msgid)


class CatalogTranslator(app_commands.Translator):
    """Description localizations from the gettext catalogs (names stay as declared)."""

    def __init__(self, catalogs: Catalogs) -> None:
        self.catalogs = catalogs

    async def translate(self, string: app_commands.locale_str, locale: discord.Locale,
                        context: app_commands.TranslationContext[Any, Any]) -> str | None:
        msgid = string.extras.get("msgid")
        if msgid is None or locale.value not in _LANG_OF_LOCALE:
            return None
        return describe(self.catalogs, msgid)[1].get(locale.value)


def _annotation(param: Param) -> Any:
    if param.type is bool:
        return bool
    if param.type is int:
        if param.min_value is None and param.max_value is None:
            return int
        return app_commands.Range[int, param.min_value, param.max_value]
    if param.choices:
        return str  # the choices come from _choices, with their names translated
    return app_commands.Range[str, None, min(param.max_length, 6000)]


def _callback(command: Command, catalogs: Catalogs) -> Callable[..., Coroutine[Any, Any, None]]:
    async def callback(interaction: Interaction, **values: Any) -> None:
        await run(interaction, command, {k: v for k, v in values.items() if v is not None})

    ordered = sorted(command.params, key=lambda p: not p.required)
    setattr(callback, "__signature__", inspect.Signature([
        inspect.Parameter("interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=discord.Interaction),
        *(inspect.Parameter(p.name, inspect.Parameter.KEYWORD_ONLY, annotation=_annotation(p),
                            default=inspect.Parameter.empty if p.required and not command.form else None)
          for p in ordered),
    ]))  # what discord.py reads the options from
    if command.params:
        app_commands.describe(**{p.name: _text(catalogs, p.help) for p in command.params})(callback)
    listed = {p.name: _choices(p, catalogs) for p in command.params if p.choices}
    if listed:
        app_commands.choices(**listed)(callback)
    suggested = {p.name: _suggestions(p.options) for p in command.params if p.options and not p.choices}
    if suggested:
        app_commands.autocomplete(**suggested)(callback)
    return callback


def _suggestions(source: str) -> Callable[[Interaction, str], Coroutine[Any, Any, list[app_commands.Choice[str]]]]:
    """Discord's autocomplete for an option with a type-ahead list (``Param.options``): what fits of the list for
    what the member typed so far, none in a server that is not the campaign's."""
    async def suggest(interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
        if invocation(interaction).outside:
            return []
        found = await interaction.client.app.options(source, current, SUGGESTIONS)
        return [app_commands.Choice(name=name, value=name) for name in found if len(name) <= CHOICE_TEXT]

    return suggest


def _choices(param: Param, catalogs: Catalogs) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=_text(catalogs, param.labels[c]) if c in param.labels else c, value=c)
            for c in param.choices[:25]]


def build_tree(client: discord.Client, registry: Registry, catalogs: Catalogs) -> app_commands.CommandTree:
    tree = app_commands.CommandTree(client)
    for group in registry.groups.values():
        slash = app_commands.Group(name=group.name, description=_text(catalogs, group.help))
        for command in group.commands.values():
            slash.add_command(app_commands.Command(name=command.name, description=_text(catalogs, command.help),
                                                   callback=_callback(command, catalogs)))
        tree.add_command(slash)
    return tree


def invocation(interaction: Interaction, group: str = "", sub: str = "", args: dict[str, Any] | None = None,
               *, can_open_forms: bool = False) -> Invocation:
    """Who is asking: the Discord account, its client's language and its roles, by id, in the campaign's
    own server only (``discord.guild_id``). A role held in any other server the bot is in counts for
    nothing, and an interaction from such a server is marked ``outside``, which the core refuses; a DM
    carries no roles."""
    user = interaction.user
    guild = PLATFORM.settings_of(interaction.client.app.config).guild_id
    ours = guild is not None and interaction.guild_id == guild
    roles = getattr(user, "roles", ()) if ours else ()
    claims = frozenset(f"{ROLE_CLAIM}{r.id}" for r in roles if not r.is_default())
    outside = interaction.guild_id is not None and guild is not None and not ours
    return Invocation(Identity(PLATFORM.name, str(user.id), user.display_name), group, sub, args or {},
                      str(interaction.channel_id) if interaction.channel_id else None, claims,
                      interaction.locale.value, can_open_forms, outside)


def first_delivery(interaction: Interaction) -> bool:
    """False for an interaction this process already ran (Discord can replay one after a resume);
    its first delivery has answered it."""
    return interaction.client.interactions.first(interaction.id)


async def run(interaction: Interaction, command: Command, values: dict[str, Any]) -> None:
    """A slash command. A form command run with nothing filled in opens its modal, which must be the
    first response; everything else is deferred before the work starts."""
    if not first_delivery(interaction):
        return
    app = interaction.client.app
    inv = invocation(interaction, command.group, command.name, values, can_open_forms=command.form and not values)
    if inv.can_open_forms:
        reply = await app.run(inv)
        if reply.form is not None:
            modal = FormModal(reply.form)
            await interaction.response.send_modal(modal)
            modal.stop()  # the submission is handled by submit_form, which needs no memory of this modal
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        await follow_up(interaction, reply)
        return
    await interaction.response.defer(ephemeral=True, thinking=True)
    await follow_up(interaction, await app.run(inv))


async def run_line(interaction: Interaction, line: str, *, turns_page: bool = False) -> None:
    """A button: its command line, run as the member who clicked. A page turn under a private answer
    replaces that answer in place (the same message, edited); anything else answers with a new message."""
    if not first_delivery(interaction):
        return
    app = interaction.client.app
    in_place = turns_page and interaction.message is not None and interaction.message.flags.ephemeral
    if in_place:
        await interaction.response.defer()  # a component's deferral: the message it is on is edited later
    else:
        await interaction.response.defer(ephemeral=True, thinking=True)
    inv = invocation(interaction)
    reply = await app.run_line(inv.identity, line, channel=inv.channel, claims=inv.claims, locale=inv.locale,
                               outside=inv.outside)
    if in_place and reply.message is None:
        return  # nothing to show: the page stays as it is
    if in_place and reply.message is not None and not reply.error and not reply.public:
        tr = app.translator(reply.lang)
        parts = to_discord(reply.message, tr)
        if len(parts) == 1 and not parts[0].files:
            try:
                await interaction.edit_original_response(content=parts[0].content, view=parts[0].view,
                                                         allowed_mentions=NO_PINGS)
            except discord.HTTPException as exc:
                await refused(interaction, tr, exc)
            return
    await follow_up(interaction, reply)


async def follow_up(interaction: Interaction, reply: Reply) -> None:
    """Answer a deferred interaction. The first follow-up keeps the deferral's privacy, so a public
    reply replaces the private "thinking…" with a message in the channel. A part Discord refuses is
    never silent: the member is told, and the log says why."""
    if reply.message is None:
        await interaction.delete_original_response()
        return
    tr = interaction.client.app.translator(reply.lang)
    parts = to_discord(reply.message, tr)
    channel = interaction.channel
    try:
        if reply.public and isinstance(channel, discord.abc.Messageable):
            await interaction.delete_original_response()
            for part in parts:
                await channel.send(**part.kwargs())
            return
        for part in parts:
            await interaction.followup.send(ephemeral=True, **part.kwargs())
    except discord.HTTPException as exc:
        await refused(interaction, tr, exc)


async def refused(interaction: Interaction, tr: Translator, exc: discord.HTTPException) -> None:
    """Discord did not take an answer: a short private message says so (the log says why)."""
    why = f"{exc.status} {exc.code}" if exc.code else str(exc.status)
    command = interaction.command.qualified_name if interaction.command else None
    log.warning("Discord refused the answer to %s (%s: %s)", command or "a button", why, exc.text[:100])
    text = refused_notice(tr, PLATFORM.title, why, f"/{command}" if command else None)
    try:
        await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_PINGS)
    except discord.HTTPException as again:
        log.warning("Discord refused the notice of a refused answer too (%s)", again.status)


class FormModal(discord.ui.Modal):
    """A core :class:`Form` as a Discord modal (five text inputs at most)."""

    def __init__(self, form: Form) -> None:
        super().__init__(title=_fit(form.title, MODAL.title), custom_id=f"{FORM_PREFIX}{form.group} {form.sub}")
        for field in form.fields[:MODAL.fields]:
            hint = " | ".join(field.choices) if field.choices else field.label
            self.add_item(discord.ui.TextInput(
                label=_fit(field.label, MODAL.label), custom_id=field.name, required=field.required,
                style=discord.TextStyle.paragraph if field.multiline else discord.TextStyle.short,
                max_length=min(field.max_length or MODAL.value, MODAL.value), placeholder=_fit(hint, 100)))


async def submit_form(interaction: Interaction) -> None:
    """A submitted form runs its command. Everything needed is in the submission itself (the command
    in the custom_id, the values in the inputs), so a form opened before a restart still works."""
    if not first_delivery(interaction):
        return
    data: Mapping[str, Any] = interaction.data or {}
    group, _, sub = str(data["custom_id"]).removeprefix(FORM_PREFIX).partition(" ")
    values = {component["custom_id"]: component.get("value", "")
              for row in data.get("components", ()) for component in row.get("components", ())}
    await interaction.response.defer(ephemeral=True, thinking=True)
    await follow_up(interaction, await interaction.client.app.run(invocation(interaction, group, sub, values)))


def _fit(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"

