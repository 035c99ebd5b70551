"""Typed, platform-neutral objects that cross the boundary between adapters and the core.

Adapters build an :class:`Invocation`; the core answers with a :class:`Reply`. Neither side
sees the other's types, so a handler can be tested without any platform at all.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from bot.i18n import Translator


class Role(IntEnum):
    """Roles are ordered: a leader can do everything a rep can, a rep everything a captain can, a captain
    (a Contract Action Team member with a list of coworkers) everything a member can."""

    member = 1
    captain = 2
    rep = 3
    leader = 4


@dataclass(frozen=True)
class Identity:
    """One account on one platform (a registered :attr:`bot.platforms.Platform.name`)."""

    platform: str
    user_id: str
    display_name: str = ""


@dataclass(frozen=True)
class Invocation:
    """Who asked for what, where: everything the core needs and nothing platform-specific.

    ``claims`` are the facts the platform vouches for that config maps to roles
    (a user group, a server role, each as the platform spells it); ``locale`` is the platform's hint of
    the member's language, used until the member picks one with ``/member lang``. ``outside`` marks an
    invocation from a server or workspace the campaign does not use (another server the bot
    was added to): it is refused before anything runs. ``email`` is an address the platform verified as
    the account's, which matches it to its roster row.
    """

    identity: Identity
    group: str
    sub: str
    args: Mapping[str, Any] = field(default_factory=dict)
    channel: str | None = None
    claims: frozenset[str] = frozenset()
    locale: str | None = None
    can_open_forms: bool = False
    outside: bool = False
    email: str | None = None


@dataclass(frozen=True)
class Button:
    """A button runs a command line as the member who clicks it. ``turns_page``: its answer is another page
    of the answer it is under (:mod:`bot.paging`), shown in that message's place where the platform can."""

    label: str
    command: str
    style: Literal["primary", "danger", "default"] = "default"
    turns_page: bool = False


@dataclass(frozen=True)
class Pick:
    """A list to pick one from, with type-ahead over the option source ``source`` (:attr:`bot.registry.Registry.
    options`): picking an option runs ``command`` with it, as the member who picks. A platform without such a
    list leaves it out, so the message's text says how to type the command instead."""

    placeholder: str
    command: str
    source: str

    def line(self, option: str) -> str:
        return pick_line(self.command, option)


def pick_line(command: str, option: str) -> str:
    """The command line an option picked from a :class:`Pick` runs."""
    return f'{command} "{option}"' if '"' not in option else f"{command} {option}"


@dataclass(frozen=True)
class Attachment:
    filename: str
    data: bytes
    mime: str
    title: str = ""


@dataclass(frozen=True)
class Message:
    """Plain text with core markup (see :mod:`bot.markup`), buttons and files.

    Paragraphs (separated by a blank line) are the units a front-end may split a long
    message at, so a chant or a demand is never cut in two. ``ping`` is a leader's explicit request
    to notify the role the platform's config names for it; nothing else ever pings.
    ``lang`` is the language a DM or post was rendered in (set by the core when it stores the
    effect), so a sender writes its times and labels in that language too. ``picks`` are lists to pick from
    (:class:`Pick`), shown after the text where the platform has them.
    """

    text: str
    buttons: tuple[Button, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    ping: bool = False
    lang: str | None = None
    picks: tuple[Pick, ...] = ()


@dataclass(frozen=True)
class FormField:
    """One input of a form: ``label`` short (it fits every platform's label), ``hint`` the longer help under
    it. A field with ``choices`` is a select showing ``labels``, each choice as the member reads it."""

    name: str
    label: str
    required: bool
    hint: str = ""
    multiline: bool = False
    max_length: int | None = None
    choices: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Form:
    """A modal form for a command opened with no arguments; submitting it runs the command. A platform
    whose forms hold fewer inputs than ``fields`` shows them over several, :meth:`pages`."""

    title: str
    group: str
    sub: str
    fields: tuple[FormField, ...]
    submit: str

    def pages(self, size: int) -> tuple[tuple[FormField, ...], ...]:
        """The fields ``size`` at a time, in order: every field on one page or another."""
        return tuple(self.fields[start:start + size] for start in range(0, len(self.fields), size)) or ((),)


@dataclass(frozen=True)
class Panel:
    """One part of a member's page: a heading, then items, each a message with its own buttons."""

    title: str
    items: tuple[Message, ...]


@dataclass(frozen=True)
class Home:
    """A member's own page, on a platform that keeps one per member (its descriptor's ``home``): what they
    can do next and, for a rep or a leader, how the structure tests stand; in the member's language ``lang``."""

    panels: tuple[Panel, ...]
    lang: str | None = None


@dataclass(frozen=True)
class Listing:
    """An event as a platform lists it in its own events list (its descriptor's ``lists_events``): plain text, in
    the language of the channel it is announced in; the platform cuts each text to what it holds."""

    name: str
    description: str
    location: str
    starts_at: datetime
    ends_at: datetime


Render = Callable[["Translator"], Message]
"""A message rendered once per language: DMs follow each recipient's language."""


@dataclass(frozen=True)
class Notify:
    """Direct-message members, durably: written to the outbox in the handler's transaction.

    ``key`` makes the notice idempotent per member (a reminder is never sent twice);
    ``due`` delays it; ``batch`` groups a fan-out for delivery reports.
    """

    member_ids: tuple[int, ...]
    render: Render
    key: str | None = None
    due: datetime | None = None
    batch: str | None = None


@dataclass(frozen=True)
class Post:
    """Post to a channel named in config (``actions``, ``announcements``…); ``ref`` lets later edits find it."""

    channel: str
    render: Render
    ref: str | None = None


@dataclass(frozen=True)
class Edit:
    """Replace an earlier post; edits to the same post are coalesced and rate-limited."""

    ref: str
    render: Render


@dataclass(frozen=True)
class Refresh:
    """Replace an earlier post with what the database holds just before commit: ``compose`` (given the
    write session) runs once per write batch however many calls asked, so a burst of joins reads and
    renders the live announcement once instead of once per join."""

    ref: str
    compose: Callable[[Any], Awaitable[Render]]


@dataclass(frozen=True)
class Schedule:
    """Run a registered job at ``due``; the same ``key`` replaces an earlier schedule."""

    job: str
    key: str
    due: datetime
    args: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Unschedule:
    key: str


@dataclass(frozen=True)
class Relist:
    """The event ``ref`` names was created, changed, cancelled or restored: each platform that lists events
    natively brings its copy in step (:mod:`storage.listings`), in the language of ``channel``."""

    ref: str
    channel: str


Effect = Notify | Post | Edit | Refresh | Schedule | Unschedule | Relist


@dataclass(frozen=True)
class Reply:
    """What a handler returns: a message to the invoker (private unless ``public``),
    or a form to open, plus effects stored in the same transaction as the handler's writes."""

    message: Message | None = None
    public: bool = False
    form: Form | None = None
    effects: tuple[Effect, ...] = ()
    error: bool = False
    lang: str | None = None
    field: str | None = None  # the parameter a refusal is about, so a form shows it on that field
