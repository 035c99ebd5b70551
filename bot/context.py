"""What a handler receives: the session of its transaction, who is asking, and how to speak to them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlmodel.ext.asyncio.session import AsyncSession

from bot import permissions
from bot.i18n import Translator
from bot.permissions import Actor
from bot.types import Attachment, Button, Effect, Message, Reply, Role

if TYPE_CHECKING:
    from bot.app import App
    from bot.config import Config
    from bot.types import Invocation


@dataclass
class Context:
    app: App
    session: AsyncSession
    actor: Actor
    tr: Translator
    now: datetime
    inv: Invocation | None = None

    @property
    def config(self) -> Config:
        return self.app.config

    @property
    def date_languages(self) -> list[str]:
        """What a typed date is read in: the member's language first, then the campaign's, never all."""
        return list(dict.fromkeys((self.tr.lang, *self.app.catalogs.languages)))

    def _(self, msgid: str, /, **params: object) -> str:
        return self.tr._(msgid, **params)

    def n_(self, singular: str, plural: str, n: int, /, **params: object) -> str:
        return self.tr.n_(singular, plural, n, **params)

    def require(self, role: Role) -> None:
        permissions.require(self.actor, role)

    def require_site(self, site_name: str | None) -> None:
        permissions.require_site(self.actor, site_name)

    @property
    def member_id(self) -> int:
        assert self.actor.member_id is not None, "read-only commands have no member row for a first-time user"
        return self.actor.member_id

    def refusal(self, msgid: str, /, **params: object) -> Reply:
        """A refusal that keeps what the handler wrote (a wrong code counted against its limit), where a
        raised UserError would roll it back."""
        return Reply(Message(self._(msgid, **params)), error=True)

    def reply(self, text: str, *, public: bool = False, buttons: tuple[Button, ...] = (),
              attachments: tuple[Attachment, ...] = (), effects: tuple[Effect, ...] = ()) -> Reply:
        return Reply(Message(text, buttons, attachments), public=public, effects=effects)
