"""What the core knows of a platform: the descriptor each adapter package registers, and the registry of them.

The core and storage never name a platform: config sections and secrets, the CLI, mention syntax, roster id
columns, where a post or a DM goes and who may claim a role all come from here, so a new platform is a new
package under ``bot/adapters`` (errbot asks each backend to parse its own identifiers; nonebot2 registers
adapters with the driver). A descriptor imports nothing heavy: the platform's SDK is loaded by ``start``.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from bot.budget import UNLIMITED, Budget

if TYPE_CHECKING:
    import click

    from bot.app import App
    from bot.config import Config, Section
    from bot.delivery import Sender
    from storage.roster import IdColumn

S = TypeVar("S", bound="Section")
_NAME = re.compile(r"[a-z][a-z0-9_]{0,31}")  # a config section's name, and what storage holds (storage.types)


@dataclass(frozen=True)
class ModalLimits:
    """What one of the platform's forms holds: its inputs, and the characters of its title, submit button,
    a field's label, a field's value, the hint under a label and a select's option. The core fits a form
    to them (:mod:`bot.forms`); tests check that every form's texts fit them in every language."""

    fields: int
    title: int
    submit: int
    label: int
    value: int
    hint: int
    option: int


def _no_rule(config: Config) -> None:
    return None


def _never(config: Config) -> bool:
    return False


@dataclass(frozen=True)
class Platform(Generic[S]):
    """One platform, as its adapter package describes it.

    ``name`` is what identities, claims (``name:user_id``) and outbox rows carry; ``title`` is how people
    call it. ``settings`` is its config section (``[name]`` in the file) and ``secrets`` its secrets by
    field, each read from the environment variable given; the first secret turns the platform on for
    ``organizer-bot run``, which then calls ``start(app) -> (sender, task)``. ``foreground`` runs a
    platform in this terminal until it ends: ``run`` starts the one that has it when no other is on.
    ``cli`` adds the platform's own subcommands.

    ``mention`` is the platform's mention syntax (group 1 the user id), ``roster_headers`` the roster
    columns that hold its user ids (the first is written on export) and ``id_problem`` why a cell there is
    not one (None when it is). ``escape`` makes member text inert; ``modal`` is what its forms hold (None:
    it has none); ``budget`` what one message and one answer hold (:mod:`bot.budget`: the core pages to fit
    it, the platform's render never sends past it). ``rules`` refuses a config the platform cannot work with
    (a ValueError).

    ``by_name``: the platform reaches every member and channel by name (the console prints them), so a
    DM needs no account and a post no channel id. ``claims_role``: whoever runs it owns the machine and
    may claim a role outright (``role:leader``, ``site:<worksite>``). ``home``: the platform keeps a page
    per member (a home tab) that the bot fills (:mod:`bot.home`); its sender has ``publish_home``. ``lists_events``:
    with this config, the platform keeps a copy of each action in its own events list (:mod:`storage.listings`);
    its sender has ``publish_listing``.

    ``order`` places it among the installed platforms (:func:`bot.adapters.installed`: roster columns, the
    outbox, messages that list them), lowest first and then by name, whatever order packages are found in."""

    name: str
    title: str
    settings: type[S] | None = None
    secrets: Mapping[str, str] = field(default_factory=dict)
    start: Callable[[App], Awaitable[tuple[Sender, asyncio.Task[Any]]]] | None = None
    foreground: Callable[[Config], None] | None = None
    cli: Callable[[], click.Command] | None = None
    mention: re.Pattern[str] | None = None
    roster_headers: tuple[str, ...] = ()
    id_problem: Callable[[str], str | None] = lambda user_id: None
    escape: Callable[[str], str] = str
    modal: ModalLimits | None = None
    budget: Budget = UNLIMITED
    rules: Callable[[Config], None] = _no_rule
    by_name: bool = False
    claims_role: bool = False
    home: bool = False
    order: int = 100
    lists_events: Callable[[Config], bool] = _never

    def enabled(self, config: Config) -> bool:
        """Whether ``organizer-bot run`` starts it: its first secret is set."""
        first = next(iter(self.secrets), None)
        return first is not None and self.start is not None and bool(config.secret(first))

    def settings_of(self, config: Config) -> S:
        """Its config section, as its own type."""
        return cast(S, getattr(config, self.name))

    def channel(self, name: str, configured: str | None) -> str | None:
        """Where a post to the channel config calls ``name`` goes (``configured``: its id for this platform)."""
        return f"#{name}" if self.by_name else configured


class Platforms:
    """The registered platforms, by name, in the order registered. Built once by the composition root
    (:func:`bot.adapters.installed`, or a test with platforms of its own) and passed on; never changed."""

    def __init__(self, *platforms: Platform[Any]) -> None:
        self._by_name: dict[str, Platform[Any]] = {}
        for platform in platforms:
            if not _NAME.fullmatch(platform.name):
                raise ValueError(f"{platform.name!r} cannot name a platform: use up to 32 of a-z, 0-9 and _")
            if platform.name in self._by_name:
                raise ValueError(f"two platforms are named {platform.name!r}")
            self._by_name[platform.name] = platform

    def __iter__(self) -> Iterator[Platform[Any]]:
        return iter(self._by_name.values())

    def __getitem__(self, name: str) -> Platform[Any]:
        return self._by_name[name]

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._by_name)

    def fallback(self) -> Platform[Any] | None:
        """The platform ``run`` starts in the foreground when none is on."""
        return next((p for p in self if p.foreground is not None), None)

    @cached_property
    def config_model(self) -> type[Config]:
        """The config these platforms read: the core's sections plus one per platform."""
        from bot.config import config_model

        return config_model(self)

    def id_columns(self) -> list[IdColumn]:
        """The roster's user id columns, one per platform that has one."""
        from storage.roster import IdColumn

        return [IdColumn(p.name, p.roster_headers, p.id_problem) for p in self if p.roster_headers]

    def accounts(self, text: str) -> tuple[tuple[str, str], ...]:
        """The accounts ``text`` names as ``(platform, user_id)``: ``platform:user_id``, or a mention in
        any platform's syntax (one text may read as a mention on more than one). Empty when it names none."""
        text = text.strip()
        name, colon, user_id = text.partition(":")
        if colon and name in self._by_name and user_id and not re.search(r"\s", user_id):
            return ((name, user_id),)
        found = []
        for platform in self:
            match = platform.mention.fullmatch(text) if platform.mention else None
            if match:
                found.append((platform.name, match.group(1)))
        return tuple(found)

    def __repr__(self) -> str:
        return f"Platforms({', '.join(self._by_name)})"
