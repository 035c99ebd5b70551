"""Discord's application-command schema, generated from the one declaration of each command.

The Discord front-end registers exactly this; a test checks its shape against Discord's rules
(names, 100-character descriptions, required options first, at most 25 choices)."""

from __future__ import annotations

from typing import Any

from bot.i18n import Catalogs
from bot.registry import Param, Registry

STRING, INTEGER, BOOLEAN, SUB_COMMAND, CHAT_INPUT = 3, 4, 5, 1, 1
DISCORD_LOCALES = {"es": ("es-ES", "es-419")}


def describe(catalogs: Catalogs, msgid: str) -> tuple[str, dict[str, str]]:
    """A declaration string as Discord shows it: English (cut to 100 characters) and its translations
    by Discord locale."""
    english = _cut(msgid)
    localized = {}
    for lang, locales in DISCORD_LOCALES.items():
        text = _cut(catalogs.get(lang)._(msgid))
        if lang in catalogs.languages and text != english:
            localized.update({loc: text for loc in locales})
    return english, localized


def _cut(text: str) -> str:
    """Descriptions are a one-line summary; Discord allows 100 characters."""
    return text if len(text) <= 100 else text[:99].rstrip() + "…"


def option(param: Param, catalogs: Catalogs, *, in_form: bool = False) -> dict[str, Any]:
    """One option. A form command's options are all optional on Discord, so running it bare opens the form."""
    description, localized = describe(catalogs, param.help)
    kind = {int: INTEGER, bool: BOOLEAN}.get(param.type, STRING)
    out: dict[str, Any] = {"type": kind, "name": param.name, "description": description,
                           "required": param.required and not in_form}
    if localized:
        out["description_localizations"] = localized
    if param.choices:
        out["choices"] = [choice(c, param.labels.get(c), catalogs) for c in param.choices[:25]]
    if kind == STRING and not param.choices:
        out["max_length"] = min(param.max_length, 6000)
    if kind == INTEGER:
        if param.min_value is not None:
            out["min_value"] = param.min_value
        if param.max_value is not None:
            out["max_value"] = param.max_value
    return out


def choice(value: str, label: str | None, catalogs: Catalogs) -> dict[str, Any]:
    """One choice in a list: its name (``label``, a msgid) in English and in each language, its value as typed."""
    name, localized = describe(catalogs, label) if label else (value, {})
    out: dict[str, Any] = {"name": name, "value": value}
    if localized:
        out["name_localizations"] = localized
    return out


def discord_commands(registry: Registry, catalogs: Catalogs) -> list[dict[str, Any]]:
    commands = []
    for group in registry.groups.values():
        description, localized = describe(catalogs, group.help)
        subs = []
        for command in group.commands.values():
            sub_description, sub_localized = describe(catalogs, command.help)
            params = sorted(command.params, key=lambda p: not p.required)
            sub: dict[str, Any] = {"type": SUB_COMMAND, "name": command.name, "description": sub_description,
                                   "options": [option(p, catalogs, in_form=command.form) for p in params]}
            if sub_localized:
                sub["description_localizations"] = sub_localized
            subs.append(sub)
        entry: dict[str, Any] = {"type": CHAT_INPUT, "name": group.name, "description": description, "options": subs}
        if localized:
            entry["description_localizations"] = localized
        commands.append(entry)
    return commands
