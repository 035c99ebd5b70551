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
import re
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.adapters.discord import MODAL, PLATFORM, ROLE_CLAIM
from bot.adapters.discord.render import NO_PINGS, to_discord
from bot.budget import refused_notice
from bot.i18n import N_, Catalogs, Translator
from bot.registry import Command, Param, Registry
from bot.types import Form, FormField, Identity, Invocation, Reply

if TYPE_CHECKING:
    from bot.adapters.discord.client import OrganizerClient

    Interaction = discord.Interaction[OrganizerClient]

log = logging.getLogger(__name__)

FORM_PREFIX = "obform:"  # a modal's custom_id: obform:<group> <sub>[ <draft key>]
NEXT_PREFIX = "obform-next:"  # the button that opens a form's next page: obform-next:<draft key>
DRAFT_WINDOW = 900.0  # seconds a form filled page by page is kept: an interaction's follow-up window
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
    inv = invocation(interaction, command.group, command.name, values, can_open_forms=bool(command.form) and not values)
    if inv.can_open_forms:
        reply = await app.run(inv)
        if reply.form is not None:
            await open_form(interaction, reply.form, reply.lang)
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
    """One page of a core :class:`Form` as a Discord modal: each field a label (its hint under it) over a
    text input, or a select of its choices by their labels. A form longer than a modal holds
    (:data:`~bot.adapters.discord.MODAL`) is shown page by page; ``draft`` is the key of what its pages
    so far were given (:class:`Drafts`)."""

    def __init__(self, form: Form, page: int = 0, draft: str | None = None) -> None:
        pages = form.pages(MODAL.fields)
        title = form.title if len(pages) == 1 else f"{form.title} ({page + 1}/{len(pages)})"
        super().__init__(title=_fit(title, MODAL.title),
                         custom_id=f"{FORM_PREFIX}{form.group} {form.sub}" + (f" {draft}" if draft else ""))
        for one in pages[page]:
            hint = one.hint if one.hint and one.hint != one.label else None
            self.add_item(discord.ui.Label(text=_fit(one.label, MODAL.label), component=_input(one),
                                           description=_fit(hint, MODAL.hint) if hint else None))


def _input(field: FormField) -> discord.ui.Item[Any]:
    if field.choices:
        return discord.ui.Select(custom_id=field.name, required=field.required, min_values=int(field.required),
                                 options=[discord.SelectOption(label=_fit(label, MODAL.option), value=choice)
                                          for choice, label in zip(field.choices, field.labels or field.choices)])
    return discord.ui.TextInput(custom_id=field.name, required=field.required,
                                style=discord.TextStyle.paragraph if field.multiline else discord.TextStyle.short,
                                max_length=min(field.max_length or MODAL.value, MODAL.value))


@dataclass
class Draft:
    """A form part way through: the page to show next and what the pages before it were given."""

    form: Form
    lang: str | None
    page: int = 0
    values: dict[str, str] = field(default_factory=dict)


class Drafts:
    """Forms being filled page by page, by a random key the next page's button and modal carry. Kept in
    this process's memory for an interaction's 15 minutes: after a restart the member is asked to start
    the form again, never given a half-filled command."""

    def __init__(self, window: float = DRAFT_WINDOW, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.window, self.monotonic = window, monotonic
        self._drafts: OrderedDict[str, tuple[float, Draft]] = OrderedDict()

    def add(self, draft: Draft) -> str:
        now = self.monotonic()
        while self._drafts and now - next(iter(self._drafts.values()))[0] >= self.window:
            self._drafts.popitem(last=False)
        key = secrets.token_urlsafe(12)
        self._drafts[key] = (now, draft)
        return key

    def get(self, key: str) -> Draft | None:
        found = self._drafts.get(key)
        return found[1] if found and self.monotonic() - found[0] < self.window else None

    def drop(self, key: str) -> None:
        self._drafts.pop(key, None)


async def open_form(interaction: Interaction, form: Form, lang: str | None) -> None:
    """The form's first page; a form of several pages keeps a draft from the start."""
    draft = interaction.client.drafts.add(Draft(form, lang)) if len(form.pages(MODAL.fields)) > 1 else None
    modal = FormModal(form, 0, draft)
    await interaction.response.send_modal(modal)
    modal.stop()  # the submission is handled by submit_form, which needs no memory of this modal


class NextPage(discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=r"obform-next:(?P<key>[\w-]+)"):
    """The button under a form's page that opens its next page (a modal cannot open another modal)."""

    def __init__(self, key: str, label: str = "…") -> None:
        super().__init__(discord.ui.Button(label=label[:80], style=discord.ButtonStyle.primary,
                                           custom_id=f"{NEXT_PREFIX}{key}"))
        self.key = key

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> NextPage:
        return cls(match["key"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        if not first_delivery(interaction):
            return
        draft = interaction.client.drafts.get(self.key)
        if draft is None:
            await _expired(interaction)
            return
        modal = FormModal(draft.form, draft.page, self.key)
        await interaction.response.send_modal(modal)
        modal.stop()


async def _expired(interaction: Interaction) -> None:
    """A page whose draft is gone (15 minutes on, or the bot restarted): nothing is run."""
    tr = interaction.client.app.translator(_LANG_OF_LOCALE.get(interaction.locale.value))
    await interaction.response.send_message(
        tr._(N_("This form has expired, so nothing was done. Run the command again to start it over.")),
        ephemeral=True)


async def submit_form(interaction: Interaction) -> None:
    """A submitted form runs its command. A one-page form needs nothing but the submission itself (the
    command in the custom_id, the values in the inputs), so one opened before a restart still works; a
    page of a longer form adds its values to the draft and offers the next page, the last runs it all."""
    if not first_delivery(interaction):
        return
    data: Mapping[str, Any] = interaction.data or {}
    group, sub, key = (str(data["custom_id"]).removeprefix(FORM_PREFIX).split(" ") + [""])[:3]
    values = submitted(data.get("components", ()))
    if key:
        draft = interaction.client.drafts.get(key)
        if draft is None:
            await _expired(interaction)
            return
        draft.values.update(values)
        draft.page += 1
        pages = draft.form.pages(MODAL.fields)
        if draft.page < len(pages):
            await _offer_next(interaction, draft, key, pages)
            return
        interaction.client.drafts.drop(key)
        values = draft.values
    await interaction.response.defer(ephemeral=True, thinking=True)
    await follow_up(interaction, await interaction.client.app.run(invocation(interaction, group, sub, values)))


async def _offer_next(interaction: Interaction, draft: Draft, key: str, pages: tuple[tuple[FormField, ...], ...]
                      ) -> None:
    tr = interaction.client.app.translator(draft.lang)
    text = tr._(N_("Page {page} of {pages} is saved. The next one asks for: {fields}."), page=draft.page,
                pages=len(pages), fields=", ".join(f.label for f in pages[draft.page]))
    view = discord.ui.View(timeout=None)
    view.add_item(NextPage(key, tr._(N_("Continue"))))
    await interaction.response.send_message(text, view=view, ephemeral=True, allowed_mentions=NO_PINGS)


def submitted(components: Any) -> dict[str, str]:
    """A modal's values by custom_id: each top-level label's input or select (or an older action row's)."""
    values: dict[str, str] = {}
    for top in components:
        for component in [top["component"]] if "component" in top else top.get("components", ()):
            if "custom_id" not in component:
                continue
            if "values" in component:
                if component["values"]:
                    values[component["custom_id"]] = str(component["values"][0])
            else:
                values[component["custom_id"]] = str(component.get("value", ""))
    return values


def _fit(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"

