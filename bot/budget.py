"""What one answer, DM or post may hold on a platform, declared once in its descriptor
(:attr:`bot.platforms.Platform.budget`) and read by both sides: the core pages a long result to fit it
(:mod:`bot.paging`), and the platform's render never sends past it.

``text`` is what one message carries, with a margin under what the platform refuses (each platform's
package says where its numbers come from). ``messages`` is how many messages one answer may become; ``page``
how much of a long list one page shows, which is what a phone's screen or two reads. ``time`` and ``strong``
are what the platform's syntax for a time and for emphasis adds once rendered, so the core can measure a
text as the platform will send it (:meth:`Budget.measure`) without knowing that syntax.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.i18n import N_, Translator
from bot.markup import paragraphs, render, split

CUT = N_("The rest of this answer did not fit here ({n} characters left out). Ask for less at once, or for "
         "the file, if the command has one.")


@dataclass(frozen=True)
class EmbedLimits:
    """Characters and counts a platform's embeds (rich cards) hold, as its API refuses past them."""

    total: int
    per_message: int
    title: int
    description: int
    fields: int
    field_name: int
    field_value: int
    footer: int
    author: int


@dataclass(frozen=True)
class Budget:
    text: int
    messages: int = 3
    page: int = 3000
    time: int = 0
    strong: int = 0
    embeds: EmbedLimits | None = None

    def measure(self, text: str, escape: Callable[[str], str] = str) -> int:
        """Characters ``text`` (core markup) becomes on the platform: escaped, times and emphasis in its syntax."""
        return len(self._rendered(text, escape))

    def fits(self, text: str, escape: Callable[[str], str] = str) -> bool:
        """Whether ``text`` goes out whole: split between paragraphs as the platform splits it, in no more than
        ``messages`` messages."""
        return len(split([self._rendered(p, escape) for p in paragraphs(text)], self.text)) <= self.messages

    def _rendered(self, text: str, escape: Callable[[str], str]) -> str:
        return render(text, escape=escape, time=lambda moment: "0" * self.time,
                      strong=lambda inner: "*" * self.strong + inner)


REFUSED = N_("{platform} did not accept this answer ({reason}), so it is not shown. Try {command} again; if it "
             "keeps happening, tell an organizer.")


def refused_notice(tr: Translator, platform: str, reason: str, command: str | None) -> str:
    """What a member is told when their platform refused the answer to what they asked (``platform`` its
    title, ``command`` what they typed, if known)."""
    return tr._(REFUSED, platform=platform, reason=reason, command=command or "/organizer help")


def cut_notice(tr: Translator, left: int) -> str:
    """What a platform's render says where it left text out to stay within its budget (a safety net: a
    handler pages a long answer instead, :mod:`bot.paging`)."""
    return tr._(CUT, n=tr.number(left))


UNLIMITED = Budget(text=10**9, messages=1, page=10**9)
"""A terminal shows everything at once: nothing to page, nothing it refuses."""
