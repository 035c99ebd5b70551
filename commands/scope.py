"""What every structure test shares: its threshold and worksite scope as typed, and a site's share of its
roster as a viewer may see it (the small-cell rule of :func:`bot.permissions.hides_count`)."""

from __future__ import annotations

from dataclasses import dataclass

from bot import permissions
from bot.context import Context
from bot.errors import UserError
from bot.i18n import N_
from bot.registry import Param
from commands.members import resolve_site
from storage.members import Worksite

THRESHOLD = Param("threshold", N_("The share of each worksite’s roster that passes, such as 75% (default: the "
                                  "campaign’s)"), required=False, max_length=10, label=N_("Threshold"))
SITES = Param("sites", N_("Only these worksites, separated by commas (default: every worksite)"), required=False,
              max_length=2000, label=N_("Worksites"))


def parse_threshold(text: str | None) -> float | None:
    """"75%", "75" or "0.75" → 0.75; None when not given."""
    if text is None:
        return None
    typed = text.strip().rstrip("%").strip().replace(",", ".")
    try:
        value = float(typed)
    except ValueError:
        raise UserError(N_("threshold must be a share such as 75%, not “{value}”."), value=text[:20]) from None
    if value > 1:
        value /= 100
    if not 0 < value <= 1:
        raise UserError(N_("threshold must be more than 0% and at most 100%."))
    return value


async def parse_sites(ctx: Context, text: str | None) -> list[Worksite] | None:
    """Worksites named and separated by commas, each as on the roster; None (every worksite) when not given."""
    if text is None:
        return None
    names = list(dict.fromkeys(" ".join(name.split()) for name in text.split(",") if name.strip()))
    if not names:
        raise UserError(N_("Name at least one worksite, or leave sites: out for every worksite."))
    return [await resolve_site(ctx, name) for name in names]


@dataclass(frozen=True)
class Cell:
    """One worksite in one test: ``count`` people of ``roster``; ``count`` None where the viewer may not see it."""

    count: int | None
    roster: int

    @property
    def share(self) -> float | None:
        return None if self.count is None or not self.roster else self.count / self.roster


class Shares:
    """Shares as a viewer reads them, formatted once per value (a ladder shows 500 worksites × 12 tests)."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.minimum = ctx.config.readiness.min_cell_size
        self.default_threshold = ctx.config.readiness.threshold
        self.locale = ctx.tr.locale
        self._format = self.locale.percent_formats[None]
        self._percents: dict[float, str] = {}

    def cell(self, count: int, roster: int) -> Cell:
        """A count of visible acts (check-ins, signatures): under the minimum it is hidden from all but leaders."""
        return Cell(None if permissions.hides_count(self.ctx.actor, count, self.minimum) else count, roster)

    def percent(self, share: float) -> str:
        if share not in self._percents:
            self._percents[share] = self._format.apply(share, self.locale)
        return self._percents[share]

    def count(self, cell: Cell) -> str:
        return f"<{self.minimum}" if cell.count is None else str(cell.count)
