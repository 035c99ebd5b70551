"""The one user-error type. Handlers raise it; the core turns it into an error reply that every
front-end shows the same way (privately, with the command's usage line)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class UserError(Exception):
    """A mistake the member can fix. ``msgid`` is translated into the member's language with ``params``;
    ``field`` names the parameter it is about, so a form can show it on that field."""

    def __init__(self, msgid: str, /, *, field: str | None = None, **params: object) -> None:
        super().__init__(msgid)
        self.msgid = msgid
        self.params = params
        self.field = field
        self.usage: str | None = None

    def with_usage(self, usage: str) -> UserError:
        if self.usage is None:
            self.usage = usage
        return self


@contextmanager
def about(field: str) -> Iterator[None]:
    """A refusal raised inside is about ``field`` (the parameter being read), unless it names one itself:
    ``with about("when"): starts = moment_to_come(ctx, when)`` puts a past date under the form's When."""
    try:
        yield
    except UserError as exc:
        if exc.field is None:
            exc.field = field
        raise
