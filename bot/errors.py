"""The one user-error type. Handlers raise it; the core turns it into an error reply that every
front-end shows the same way (privately, with the command's usage line)."""

from __future__ import annotations


class UserError(Exception):
    """A mistake the member can fix. ``msgid`` is translated into the member's language with ``params``."""

    def __init__(self, msgid: str, /, **params: object) -> None:
        super().__init__(msgid)
        self.msgid = msgid
        self.params = params
        self.usage: str | None = None

    def with_usage(self, usage: str) -> UserError:
        if self.usage is None:
            self.usage = usage
        return self
