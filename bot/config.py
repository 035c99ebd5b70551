"""The one config loader: a TOML file validated at start, secrets from the environment only.

Every setting is documented in ``config.example.toml``; a typo in a key is an error at start,
not a silently ignored setting.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from types import GenericAlias
from typing import TYPE_CHECKING, Any, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model, field_validator, model_validator

if TYPE_CHECKING:
    from bot.platforms import Platforms

DEFAULT_CONFIG_FILE = "organizer.toml"


class ConfigError(Exception):
    """The config file or environment is wrong; the message says where."""


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Campaign(Section):
    name: str = "Our contract campaign"
    timezone: str = "America/Los_Angeles"
    default_lang: str = "en"
    region: str = "US"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {value!r} (use an IANA name such as America/Los_Angeles)") from exc
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class DatabaseSettings(Section):
    url: str = "organizer.db"


class Channel(Section):
    """A channel the bot posts to, named by purpose (``actions``, ``announcements``, ``readiness``): its id on
    each platform that posts by id (a field per platform, see :func:`config_model`) and its language."""

    lang: str = "en"

    def id_on(self, platform: str) -> str | None:
        return getattr(self, platform, None)


class RoleRule(Section):
    """Identities that hold a role, as ``platform:user_id`` or a claim a platform vouches for (a group, a
    role: see each platform's section of ``config.example.toml``). A rep rule names the worksites the rep
    covers."""

    match: list[str]
    sites: list[str] = []


class Roles(Section):
    leaders: list[RoleRule] = []
    reps: list[RoleRule] = []
    captains: list[RoleRule] = []

    def claims(self) -> list[str]:
        """Every claim any rule names."""
        return [claim for rule in (*self.leaders, *self.reps, *self.captains) for claim in rule.match]


class Delivery(Section):
    lease_seconds: float = 60.0
    live_edit_interval_seconds: float = 2.0
    home_interval_seconds: float = Field(10.0, gt=0)  # bot.home: one republish of a member's page per window
    max_attempts: int = 8
    poll_seconds: float = 1.0


class Jobs(Section):
    retry_seconds: float = Field(30.0, gt=0)
    max_attempts: int = Field(5, ge=1)


class Bargaining(Section):
    subscribe_roster_by_default: bool = False


class Readiness(Section):
    """The structure test: the share of a site's whole roster answering yes that counts as ready; the
    smallest count of answers shown (:func:`bot.permissions.disclose`); and how many answers a site needs
    before "all of them picked one choice" may show."""

    threshold: float = Field(0.70, gt=0, le=1)
    min_cell_size: int = Field(5, ge=1)
    unanimous_min: int = Field(20, ge=1)


class Actions(Section):
    """Action signups: when reminders go out and when members may check themselves in."""

    reminder_hours: list[float] = [24, 1]
    checkin_opens_hours_before: float = 1
    checkin_closes_hours_after: float = 3
    calendar_duration_hours: float = 2
    turnout_actions: int = Field(default=6, ge=1)

    @field_validator("reminder_hours")
    @classmethod
    def _positive(cls, value: list[float]) -> list[float]:
        if any(hours <= 0 for hours in value):
            raise ValueError("reminder hours must be above 0")
        return sorted(set(value), reverse=True)


class Strike(Section):
    """Picket shifts: the strike-pay rule (hours a week, or hours in one day), when reminders go out, how early a
    captain may sign people in, and a shift's staffing minimum unless the plan names one."""

    hours_per_week: float = Field(20, gt=0)
    hours_per_day: float = Field(4, gt=0, le=24)
    reminder_hours: list[float] = [12]
    signin_opens_minutes: int = Field(30, ge=0, le=240)
    minimum: int = Field(4, ge=1)

    @field_validator("reminder_hours")
    @classmethod
    def _positive(cls, value: list[float]) -> list[float]:
        return Actions._positive(value)


class Organizing(Section):
    """One-on-ones and captains: how recent another organizer's conversation must be for the bot to mention it
    first, and how many coworkers one captain is responsible for."""

    recent_contact_days: int = Field(7, ge=1)
    list_size: int = Field(10, ge=1)


class Secrets(Section):
    """Each platform's secrets, a field each (see :func:`config_model`), read from the environment only."""

    def __repr__(self) -> str:  # never print a token, even in a traceback
        return "Secrets(" + ", ".join(f"{k}={'set' if v else 'unset'}" for k, v in self) + ")"

    __str__ = __repr__


class Config(Section):
    """The core's sections; :func:`config_model` adds one per registered platform and knows the platforms
    as ``platforms``."""

    platforms: ClassVar[Platforms]

    campaign: Campaign = Campaign()
    database: DatabaseSettings = DatabaseSettings()
    channels: dict[str, Channel] = Field(default_factory=dict)
    roles: Roles = Roles()
    delivery: Delivery = Delivery()
    jobs: Jobs = Jobs()
    actions: Actions = Actions()
    bargaining: Bargaining = Bargaining()
    readiness: Readiness = Readiness()
    strike: Strike = Strike()
    organizing: Organizing = Organizing()
    secrets: Secrets = Secrets()

    @model_validator(mode="after")
    def _platform_rules(self) -> Config:
        for platform in self.platforms:
            platform.rules(self)
        return self

    def secret(self, name: str) -> str | None:
        return getattr(self.secrets, name, None)


def config_model(platforms: Platforms) -> type[Config]:
    """The config model for ``platforms``: each one's section under its name, its secrets among the
    secrets, and its channel ids in each channel (unless it reaches channels by name)."""
    ids: dict[str, Any] = {p.name: (str | None, None) for p in platforms if not p.by_name}
    channel = create_model("Channel", __base__=Channel, **ids)
    keys: dict[str, Any] = {key: (str | None, None) for p in platforms for key in p.secrets}
    secrets = create_model("Secrets", __base__=Secrets, **keys)
    fields: dict[str, Any] = {p.name: (p.settings, p.settings()) for p in platforms if p.settings is not None}
    fields["channels"] = (GenericAlias(dict, (str, channel)), Field(default_factory=dict))
    fields["secrets"] = (secrets, secrets())
    model = create_model("Config", __base__=Config, **fields)
    model.platforms = platforms
    return model


def secret_env(platforms: Platforms) -> dict[str, str]:
    """Each secret's field and the environment variable it is read from."""
    return {key: env for p in platforms for key, env in p.secrets.items()}


def load_config(platforms: Platforms, path: str | Path | None = None, *, db: str | None = None,
                env: Mapping[str, str] | None = None) -> Config:
    """Read ``path`` (or ``$ORGANIZER_CONFIG``, or ``./organizer.toml`` if present, or defaults) for
    ``platforms``, add secrets from the environment and let ``db`` (the ``--db`` flag) override the database."""
    env = os.environ if env is None else env
    default = DEFAULT_CONFIG_FILE if Path(DEFAULT_CONFIG_FILE).exists() else None
    chosen = path or env.get("ORGANIZER_CONFIG") or default
    data: dict[str, Any] = {}
    if chosen:
        try:
            data = tomllib.loads(Path(chosen).read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ConfigError(f"config file not found: {chosen}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{chosen}: {exc}") from exc
    env_of = secret_env(platforms)
    if "secrets" in data:
        names = ", ".join(env_of.values())
        raise ConfigError(f"{chosen}: secrets are read from the environment ({names}), not the file")
    data["secrets"] = {key: env[name] for key, name in env_of.items() if env.get(name)}
    if db:
        data.setdefault("database", {})["url"] = db
    elif env.get("ORGANIZER_DB"):
        data.setdefault("database", {})["url"] = env["ORGANIZER_DB"]
    try:
        return platforms.config_model.model_validate(data)
    except ValidationError as exc:
        lines = [f"  {'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()]
        raise ConfigError(f"{chosen or 'config'} is not valid:\n" + "\n".join(lines)) from None
