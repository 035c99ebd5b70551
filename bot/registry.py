"""Commands are declared once, here, and everything else is derived from the declaration:
the text parser (typed commands and buttons), ``/organizer help``, a platform's slash-command options and
the forms opened when a command is run with no arguments.

Text form: ``/<group> <subcommand> <positional…> [name:value …]`` with ``"double quotes"``
around values that hold spaces (apostrophes are just text: ``O'Brien Elementary``).
"""

from __future__ import annotations

import inspect
import re
import types
import typing
import unicodedata
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Concatenate, TypeVar, cast

from bot.errors import UserError, about
from bot.i18n import N_
from bot.markup import clean
from bot.types import Role

if TYPE_CHECKING:
    from bot.context import Context
    from bot.i18n import Catalogs
    from bot.types import Effect, Listing, Reply

Handler = Callable[Concatenate["Context", ...], Awaitable["Reply"]]
"""A command's handler: the context, then one keyword per declared :class:`Param` (checked by :func:`check_handler`)."""
BatchHandler = Callable[Concatenate[list["Context"], ...], Awaitable[list["Reply"]]]
"""A ``together`` command's handler: the contexts of the clicks that arrived together, one reply for each."""
H = TypeVar("H", bound=Handler | BatchHandler)
JobHandler = Callable[..., Awaitable[tuple["Effect", ...]]]
ProfileSection = Callable[["Context"], Awaitable[list[str]]]
ForgetHook = Callable[["Context", int], Awaitable[tuple["Effect", ...]]]
OptionSource = Callable[[Any, str, int], Awaitable[list[str]]]
"""Options to pick from (a session, what the member typed so far, how many at most), for type-ahead lists."""
EventHandler = Callable[["Context"], Awaitable[tuple["Effect", ...]]]
"""What a platform event (a member joined) does, as the member it concerns: the effects to store."""
EventDone = Callable[[Any, str, str], Awaitable[bool]]
"""Whether an event about an account (a session, its platform, its user id) would do nothing now: read-only, so a
platform asks before spending a rate-limited lookup on the event's hints."""
ListingSource = Callable[["Context", int], Awaitable["Listing | None"]]
"""An event as platforms list it natively (in the context's language; the number its ref carries), None when it
should not be listed (cancelled, or gone)."""

_TRUE = {"yes", "y", "true", "on", "1", "si", "sí"}
_FALSE = {"no", "n", "false", "off", "0"}
_TOKEN = re.compile(r'(?:"(?:[^"\\]|\\.)*"|[^\s"])+|"')
_NAMED = re.compile(r"^([a-z][a-z0-9_-]*):(.*)$", re.S)
_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u201e": '"'})
MAX_TEXT = 4000
PART = "."  # a form splits a value longer than its inputs hold into ``name``, ``name.2``, …, joined by bind
INT_MIN, INT_MAX = -(2**31), 2**31 - 1  # what every database column holds
PARSED_KEPT, PARSED_LONGEST = 4096, 200  # how many distinct lines' parse is kept, and of lines how long


@dataclass(frozen=True)
class Param:
    """One argument. Required parameters are positional and optional ones ``name:value``, unless
    ``positional`` says otherwise (``/chant list [tag]``).

    ``greedy`` (last positional only) takes the rest of the line as typed, so
    ``/member site Escalante Elementary`` needs no quotes. ``labels`` name choices (msgids) where a
    list is shown to pick from (a platform's options, its forms); a choice may be typed as itself or
    as its label in any of the campaign's languages (a Spanish rep's "mitin" is ``rally``). ``options``
    names a type-ahead list of likely values (worksites), which a platform may suggest as the member types.
    ``label`` is the short name (a msgid) over its field in a form, where ``help`` goes under it.
    """

    name: str
    help: str
    type: type = str
    required: bool = True
    positional: bool | None = None
    choices: tuple[str, ...] = ()
    default: Any = None
    greedy: bool = False
    max_length: int = 200
    min_value: int | None = None
    max_value: int | None = None
    multiline: bool = False
    labels: Mapping[str, str] = field(default_factory=dict)
    options: str | None = None  # a type-ahead list (Registry.options) a platform may offer for the value
    label: str | None = None

    @property
    def in_order(self) -> bool:
        return self.required if self.positional is None else self.positional

    def usage(self) -> str:
        shown = "|".join(self.choices) if self.choices else "…"
        if self.in_order:
            return f"<{self.name}>" if self.required else f"[{self.name}]"
        return f"[{self.name}:{shown}]"

    def convert(self, raw: Any, catalogs: Catalogs | None = None) -> Any:
        """Check and convert a value typed as text (or already typed, from a platform's options or a form);
        ``catalogs`` read a choice's label in each language."""
        if self.type is bool:
            if isinstance(raw, bool):
                return raw
            word = str(raw).strip().casefold()
            if word in _TRUE:
                return True
            if word in _FALSE:
                return False
            raise UserError(N_("{name} must be yes or no."), name=self.name)
        if self.type is int:
            try:
                value = int(str(raw).strip())
            except ValueError:
                raise UserError(N_("{name} must be a whole number, not “{value}”."), name=self.name,
                                value=str(raw)[:40]) from None
            low = INT_MIN if self.min_value is None else self.min_value
            high = INT_MAX if self.max_value is None else self.max_value
            if value < low:
                raise UserError(N_("{name} must be at least {min}."), name=self.name, min=low)
            if value > high:
                raise UserError(N_("{name} must be at most {max}."), name=self.name, max=high)
            return value
        text = clean(str(raw)).strip()
        if not text:
            raise UserError(N_("{name} can’t be empty."), name=self.name)
        if len(text) > self.max_length:
            raise UserError(N_("{name} is too long: {length} characters, the limit is {limit}."),
                            name=self.name, length=len(text), limit=self.max_length)
        if self.choices:
            choice = self._choice(text, catalogs)
            if choice is not None:
                return choice
            raise UserError(N_("{name} must be one of: {choices}."), name=self.name,
                            choices=", ".join(self.choices))
        return text

    def _choice(self, text: str, catalogs: Catalogs | None) -> str | None:
        """The choice ``text`` names: the choice itself or its label, in any case and with or without accents."""
        wanted = _folded(text)
        for choice in self.choices:
            names = [choice]
            label = self.labels.get(choice)
            if label is not None:
                names.append(label)
                if catalogs is not None:
                    names += [catalogs.get(lang)._(label) for lang in catalogs.languages]
            if wanted in {_folded(name) for name in names}:
                return choice
        return None


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _joined(values: Mapping[str, Any]) -> dict[str, Any]:
    """A form's parts of one long value (``body``, ``body.2``, …) as that value, paragraphs apart."""
    out: dict[str, Any] = {}
    parts: dict[str, list[tuple[int, str]]] = {}
    for name, value in values.items():
        base, dot, index = name.partition(PART)
        if dot and index.isdigit():
            parts.setdefault(base, []).append((int(index), str(value)))
        else:
            out[name] = value
    for base, more in parts.items():
        pieces = [str(out.get(base) or "")] + [value for _, value in sorted(more)]
        out[base] = "\n\n".join(piece.strip() for piece in pieces if piece.strip())
    return out


@dataclass(frozen=True)
class Command:
    group: str
    name: str
    help: str
    params: tuple[Param, ...]
    role: Role
    handler: Handler | BatchHandler
    writes: bool = True
    form: tuple[str, ...] = ()  # its params in the order its form holds them; none: it opens no form
    audited: bool = False
    together: str | None = None
    title: str = ""  # its form's title (a msgid), short enough for every platform's forms

    @property
    def path(self) -> str:
        return f"{self.group} {self.name}"

    @property
    def one(self) -> Handler:
        """The handler of a command run click by click (:func:`check_handler` saw it take one context)."""
        assert self.together is None, f"/{self.path} runs clicks together"
        return cast(Handler, self.handler)

    @property
    def batch(self) -> BatchHandler:
        """The handler of a ``together`` command (:func:`check_handler` saw it take a list of contexts)."""
        assert self.together is not None, f"/{self.path} runs click by click"
        return cast(BatchHandler, self.handler)

    def usage(self) -> str:
        return " ".join([f"/{self.group} {self.name}", *(p.usage() for p in self.params)])

    def bind(self, values: Mapping[str, Any], catalogs: Catalogs | None = None) -> dict[str, Any]:
        """Validate and convert named values (from the parser, a platform's command options or a form, whose
        parts of a long value are joined first); ``catalogs`` read choices typed as their labels. A refusal
        names the parameter it is about (:attr:`UserError.field`)."""
        values = _joined(values)
        known = {p.name: p for p in self.params}
        for name in values:
            if name not in known:
                raise UserError(N_("Unknown option “{name}”."), name=name)
        args: dict[str, Any] = {}
        for param in self.params:
            raw = values.get(param.name)
            if raw is None or (isinstance(raw, str) and raw.strip() == "" and not param.required):
                if param.required:
                    raise UserError(N_("Missing {name}."), field=param.name, name=param.name)
                args[param.name] = param.default
            else:
                with about(param.name):
                    args[param.name] = param.convert(raw, catalogs)
        return args

    def parse(self, rest: str) -> dict[str, Any]:
        """Split the text after ``/<group> <sub>`` into values for :meth:`bind`.

        Any parameter may be given as ``name:value``; the loose words fill the positional ones
        that were not named, in order. A greedy value is the run of words the member typed together: words
        left after an option are refused by name rather than glued onto it (``topics:wages,class size``
        loses no "size" into the body)."""
        known = {p.name for p in self.params}
        values: dict[str, Any] = {}
        loose: list[tuple[str, int]] = []
        after: dict[int, str] = {}  # loose word index → the option typed just before it
        for token, start in _tokens(rest):
            match = _NAMED.match(token)
            if match and match.group(1) in known:
                values[match.group(1)] = _unquote(match.group(2))
                after[len(loose)] = match.group(1)
            elif match and match.group(2) and not match.group(2).startswith("//"):
                raise UserError(N_("Unknown option “{name}”."), name=match.group(1))
            else:
                loose.append((token, start))
        positional = [p for p in self.params if p.in_order and p.name not in values]
        for index, param in enumerate(positional):
            if index >= len(loose):
                break
            if param.greedy and index == len(positional) - 1 and len(loose) > index + 1:
                run = _typed_together(loose, index, after)
                values[param.name] = _as_typed(rest, loose[index:run])
                _refuse_stray(loose, run, after)
                loose = loose[:index + 1]
            else:
                values[param.name] = _unquote(loose[index][0])
        if len(loose) > len(positional):
            raise UserError(N_("Too many values: “{extra}” is not expected here. Put quotes around text with spaces."),
                            extra=_unquote(loose[len(positional)][0])[:60])
        return values


def _typed_together(loose: list[tuple[str, int]], first: int, after: dict[int, str]) -> int:
    """Where the greedy run starting at ``first`` ends: at the first option typed between two of its words."""
    end = first + 1
    while end < len(loose) and end not in after:
        end += 1
    return end


def _refuse_stray(loose: list[tuple[str, int]], run: int, after: dict[int, str]) -> None:
    if run >= len(loose):
        return
    extra = _unquote(loose[run][0])[:60]
    if run in after:
        raise UserError(N_("“{extra}” after {option}: is not expected. If it belongs to {option}, put the whole "
                           "value in quotes: {option}:\"…\""), extra=extra, option=after[run])
    raise UserError(N_("Too many values: “{extra}” is not expected here. Put quotes around text with spaces."),
                    extra=extra)


def _as_typed(text: str, tokens: list[tuple[str, int]]) -> str:
    """Loose words as the member typed them (typographic quotes too), spacing and newlines kept, named
    options left out."""
    out = text[tokens[0][1]:tokens[0][1] + len(tokens[0][0])]
    for (prev, prev_start), (token, start) in zip(tokens, tokens[1:], strict=False):
        gap = text[prev_start + len(prev):start]
        out += (gap if not gap.strip() else " ") + text[start:start + len(token)]
    return out


def _tokens(text: str) -> Iterator[tuple[str, int]]:
    text = text.translate(_QUOTES)
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        if token == '"' or _open_quote(token):
            raise UserError(N_("A quote is not closed: add the closing \" and try again."))
        yield token, match.start()


def _open_quote(token: str) -> bool:
    count, escaped = 0, False
    for char in token:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"':
            count += 1
    return count % 2 == 1


def _unquote(token: str) -> str:
    out, quoted, escaped = [], False, False
    for char in token:
        if escaped:
            out.append(char)
            escaped = False
        elif char == "\\" and quoted:
            escaped = True
        elif char == '"':
            quoted = not quoted
        else:
            out.append(char)
    return "".join(out)


class DeclarationError(TypeError):
    """A command whose handler does not take what its declaration says it is given."""


def check_handler(path: str, handler: Callable[..., object], params: tuple[Param, ...], *,
                  together: bool = False) -> None:
    """Refuse a handler that does not take exactly the declared params, each annotated with the type
    :meth:`Command.bind` gives it: the param's type, or ``type | None`` when it is optional with no default.
    Defaults live in the declaration only, so a handler parameter has none. A ``together`` handler takes
    ``list[Context]`` first, any other a context."""
    where = f"{path} ({handler.__module__}.{handler.__qualname__})"
    signature = inspect.signature(handler)
    if not signature.parameters:
        raise DeclarationError(f"{where}: the handler must take the context first")
    first, *taken = signature.parameters.values()
    for parameter in taken:
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD, parameter.POSITIONAL_ONLY):
            shown = parameter.replace(annotation=parameter.empty, default=parameter.empty)
            raise DeclarationError(f"{where}: {shown} hides the declared params; name each one")
    declared = {p.name: p for p in params}
    missing = [name for name in declared if name not in signature.parameters]
    if missing:
        raise DeclarationError(f"{where}: declares {', '.join(missing)} but the handler takes no such parameter")
    extra = [p.name for p in taken if p.name not in declared]
    if extra:
        raise DeclarationError(f"{where}: the handler takes {', '.join(extra)}, which no Param declares")
    try:
        hints = typing.get_type_hints(handler)
    except NameError as exc:
        raise DeclarationError(f"{where}: an annotation does not resolve at import time ({exc})") from None
    batch = typing.get_origin(hints.get(first.name)) is list
    if batch != together:
        why = "not list[Context], but the command runs clicks together" if together else \
            "a list, but the command has no together="
        raise DeclarationError(f"{where}: {first.name} is {why}")
    for parameter in taken:
        param = declared[parameter.name]
        if parameter.default is not parameter.empty:
            raise DeclarationError(f"{where}: {parameter.name} has a default in the handler; give it as "
                                   f"Param(default=...) only")
        if param.required and param.default is not None:
            raise DeclarationError(f"{where}: {param.name} is required, so its default would never be used")
        if param.default is not None and not isinstance(param.default, param.type):
            raise DeclarationError(f"{where}: {param.name}'s default {param.default!r} is not a "
                                   f"{param.type.__name__}")
        expected = param.type if param.required or param.default is not None else param.type | None
        if parameter.name not in hints:
            raise DeclarationError(f"{where}: annotate {parameter.name} as {_spell(expected)}")
        if _members(hints[parameter.name]) != _members(expected):
            why = "" if param.required or param.default is not None else " (optional, with no default)"
            raise DeclarationError(f"{where}: {parameter.name} is annotated {_spell(hints[parameter.name])}, but "
                                   f"its Param gives {_spell(expected)}{why}")


def _form_fields(path: str, params: tuple[Param, ...], form: bool | tuple[str, ...], title: str | None
                 ) -> tuple[str, ...]:
    """A form's params in order: all of them as declared (``form=True``), or those ``form`` names first
    (each a param, every required one among them), then the others. A form has a title of its own and
    each of its fields a short label: the help sentences are too long for a title or a label."""
    if form is False:
        if title is not None:
            raise DeclarationError(f"{path}: title= is a form's title, and the command opens no form")
        return ()
    if not title:
        raise DeclarationError(f"{path}: a form needs title=, a short title of its own")
    unlabelled = [p.name for p in params if not p.label]
    if unlabelled:
        raise DeclarationError(f"{path}: give {', '.join(unlabelled)} a label=, the short name over its form field")
    if form is True:
        return tuple(p.name for p in params)
    names = {p.name for p in params}
    unknown = [name for name in form if name not in names]
    if unknown or len(set(form)) != len(form):
        raise DeclarationError(f"{path}: form= names {', '.join(unknown) or 'a param twice'}; name each param once")
    left_out = [p.name for p in params if p.required and p.name not in form]
    if left_out:
        raise DeclarationError(f"{path}: form= leaves out {', '.join(left_out)}, which the command requires")
    return form + tuple(p.name for p in params if p.name not in form)


def _members(hint: object) -> frozenset[object]:
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return frozenset(typing.get_args(hint))
    return frozenset({hint})


def _spell(hint: object) -> str:
    names = sorted(getattr(m, "__name__", str(m)) for m in _members(hint) if m is not type(None))
    return " | ".join(names + ["None"] * (type(None) in _members(hint)))


@dataclass
class Group:
    """A slash command (``/action``) and its subcommands; ``default`` runs when none is given."""

    name: str
    help: str
    commands: dict[str, Command] = field(default_factory=dict)
    default: str | None = None

    def command(self, name: str, *, help: str, params: tuple[Param, ...] | list[Param] = (),
                role: Role = Role.member, writes: bool = True, form: bool | tuple[str, ...] = False,
                title: str | None = None, audited: bool = False, together: str | None = None
                ) -> Callable[[H], H]:
        """Declare a subcommand. ``audited`` records who ran it and when (tallies, exports, missing lists).
        The handler's signature is checked against ``params`` here, when its module is imported.

        ``form`` opens a form titled ``title`` when the command is run bare, with its params in declared
        order (True) or those it names first, in that order: a platform whose forms hold fewer fields
        shows them over as many forms as it takes, the first ones first.

        ``together`` names the parameter that says what a hot command changes (an action's id): clicks
        with the same arguments that reach one write batch run as one call of the handler, which takes
        the list of their contexts (one per click, in arrival order, a list of one for a lone click)
        and returns one reply for each (storage/db.py, ``write_together``)."""
        def register(handler: H) -> H:
            if name in self.commands:
                raise ValueError(f"/{self.name} {name} is declared twice")
            check_handler(f"/{self.name} {name}", handler, tuple(params), together=together is not None)
            fields = _form_fields(f"/{self.name} {name}", tuple(params), form, title)
            if together is not None and (together not in {p.name for p in params} or not writes or audited):
                raise ValueError(f"/{self.name} {name}: together= names one of its parameters, of a command "
                                 "that writes and is not audited")
            self.commands[name] = Command(self.name, name, help, tuple(params), role, handler, writes, fields, audited,
                                          together, title or "")
            return handler

        return register


@dataclass
class Registry:
    groups: dict[str, Group] = field(default_factory=dict)
    jobs: dict[str, JobHandler] = field(default_factory=dict)
    profile: list[ProfileSection] = field(default_factory=list)
    forgetting: list[ForgetHook] = field(default_factory=list)  # run before a member is forgotten
    aliases: dict[str, tuple[str, str]] = field(default_factory=dict)
    options: dict[str, OptionSource] = field(default_factory=dict)  # type-ahead lists by name (bot.types.Pick)
    events: dict[str, EventHandler] = field(default_factory=dict)  # platform events by name ("joined")
    done: dict[str, EventDone] = field(default_factory=dict)  # whether an event is already done, by its name
    listings: dict[str, ListingSource] = field(default_factory=dict)  # by a Relist ref's prefix ("action")
    _parsed: dict[str, tuple[Command, dict[str, Any]]] = field(default_factory=dict, repr=False)

    def add(self, group: Group) -> None:
        """A group may be added again by a feature that declares more of its subcommands."""
        if self.groups.get(group.name, group) is not group:
            raise ValueError(f"/{group.name} is declared twice")
        self.groups[group.name] = group
        self._parsed.clear()

    def add_job(self, name: str, handler: JobHandler) -> None:
        if name in self.jobs:
            raise ValueError(f"job {name} is declared twice")
        self.jobs[name] = handler

    def commands(self) -> Iterator[Command]:
        for group in self.groups.values():
            yield from group.commands.values()

    def find(self, group: str, sub: str | None) -> Command:
        found = self.groups.get(group)
        if found is None:
            raise UserError(N_("There is no /{group} command. Try /organizer help."), group=group)
        sub = sub or found.default
        if not sub:
            raise UserError(N_("/{group} needs a subcommand: {choices}."), group=group,
                            choices=", ".join(found.commands))
        command = found.commands.get(sub)
        if command is None:
            raise UserError(N_("/{group} has no “{sub}”. It has: {choices}."), group=group, sub=sub[:40],
                            choices=", ".join(found.commands))
        return command

    def parse_line(self, line: str) -> tuple[Command, dict[str, Any]]:
        """``/action join 12`` → the command and its raw values (call ``Command.bind`` to convert).

        A rush is thousands of clicks on the same few buttons, each the same short line: such a line parsed
        once is not tokenized again (up to ``PARSED_KEPT`` of them, so typed text cannot fill memory)."""
        if len(line) > PARSED_LONGEST:
            return self._parse_line(line)
        parsed = self._parsed.get(line)
        if parsed is None:
            parsed = self._parse_line(line)
            if len(self._parsed) >= PARSED_KEPT:
                self._parsed.clear()
            self._parsed[line] = parsed
        return parsed[0], dict(parsed[1])

    def _parse_line(self, line: str) -> tuple[Command, dict[str, Any]]:
        line = line.strip()
        if len(line) > MAX_TEXT * 3:
            raise UserError(N_("That message is too long for a command ({length} characters)."), length=len(line))
        head, _, rest = line.lstrip("/").partition(" ")
        head = head.strip().casefold()
        if head in self.aliases:
            group, sub = self.aliases[head]
            return self.find(group, sub), self._parse_rest(self.find(group, sub), rest)
        sub, _, rest = rest.strip().partition(" ")
        found = self.groups.get(head)
        word, _, after = rest.strip().partition(" ")
        if found is not None and word and f"{sub}-{word}".casefold() in found.commands:
            sub, rest = f"{sub}-{word}", after  # "/bargaining demand add" is "/bargaining demand-add"
        if found is not None and sub and sub.casefold() not in found.commands and found.default:
            command = self.find(head, found.default)
            return command, self._parse_rest(command, f"{sub} {rest}")
        command = self.find(head, sub.casefold() or None)
        return command, self._parse_rest(command, rest)

    @staticmethod
    def _parse_rest(command: Command, rest: str) -> dict[str, Any]:
        try:
            return command.parse(rest)
        except UserError as exc:
            raise exc.with_usage(command.usage()) from None
