"""The one config loader: a TOML file validated at start, secrets from the environment only.

Every setting is documented in ``config.example.toml``; a typo in a key is an error at start,
not a silently ignored setting.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

DEFAULT_CONFIG_FILE = "organizer.toml"
DISCORD_ROLE = "discord-role:"


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
    """A channel the bot posts to, named by purpose (``actions``, ``announcements``, ``readiness``)."""

    slack: str | None = None
    discord: str | None = None
    lang: str = "en"


class RoleRule(Section):
    """Identities that hold a role: ``slack:U…``, ``slack-group:S…``, ``discord:<user id>``,
    ``discord-role:<role id>``. A rep rule names the worksites the rep covers.

    A Discord role is named by its id, never its name: anyone who can create a role in any server can
    give it any name, an id is unique."""

    match: list[str]
    sites: list[str] = []

    @field_validator("match")
    @classmethod
    def _discord_roles_by_id(cls, value: list[str]) -> list[str]:
        for claim in value:
            if claim.startswith(DISCORD_ROLE) and not claim.removeprefix(DISCORD_ROLE).isdigit():
                raise ValueError(f"{claim!r} names a Discord role by name: use its id (Server Settings → Roles → "
                                 "right-click the role → Copy Role ID), as discord-role:<id>")
        return value


class Roles(Section):
    leaders: list[RoleRule] = []
    reps: list[RoleRule] = []

    def name_discord_roles(self) -> bool:
        return any(c.startswith(DISCORD_ROLE) for rule in (*self.leaders, *self.reps) for c in rule.match)


class SlackSettings(Section):
    mode: Literal["socket", "http"] = "socket"
    host: str = "0.0.0.0"
    port: int = 3000
    api_base_url: str = "https://slack.com/api/"
    command_processes: int = Field(1, ge=0)


class DiscordSettings(Section):
    guild_id: int | None = None
    sync_global: bool = False
    shard_count: int | None = None
    shard_ids: list[int] | None = None
    ping_role: str | None = None

    @field_validator("ping_role")
    @classmethod
    def _role_id(cls, value: str | None) -> str | None:
        if value is not None and not value.isdigit():
            raise ValueError(f"{value!r} is not a role id: name the role to ping by its id")
        return value


class Delivery(Section):
    lease_seconds: float = 60.0
    live_edit_interval_seconds: float = 2.0
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


class Secrets(Section):
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    discord_token: str | None = None

    def __repr__(self) -> str:  # never print a token, even in a traceback
        return "Secrets(" + ", ".join(f"{k}={'set' if v else 'unset'}" for k, v in self) + ")"

    __str__ = __repr__


class Config(Section):
    campaign: Campaign = Campaign()
    database: DatabaseSettings = DatabaseSettings()
    channels: dict[str, Channel] = Field(default_factory=dict)
    roles: Roles = Roles()
    slack: SlackSettings = SlackSettings()
    discord: DiscordSettings = DiscordSettings()
    delivery: Delivery = Delivery()
    jobs: Jobs = Jobs()
    actions: Actions = Actions()
    bargaining: Bargaining = Bargaining()
    readiness: Readiness = Readiness()
    secrets: Secrets = Secrets()

    @model_validator(mode="after")
    def _discord_roles_need_the_guild(self) -> Config:
        if self.roles.name_discord_roles() and self.discord.guild_id is None:
            raise ValueError("roles name Discord roles, so discord.guild_id must say which server they belong to: "
                             "a role from any other server the bot is in never counts")
        return self

    @property
    def slack_enabled(self) -> bool:
        return bool(self.secrets.slack_bot_token)

    @property
    def discord_enabled(self) -> bool:
        return bool(self.secrets.discord_token)


SECRET_ENV = {
    "slack_bot_token": "SLACK_BOT_TOKEN",
    "slack_signing_secret": "SLACK_SIGNING_SECRET",
    "slack_app_token": "SLACK_APP_TOKEN",
    "discord_token": "DISCORD_TOKEN",
}


def load_config(path: str | Path | None = None, *, db: str | None = None,
                env: Mapping[str, str] | None = None) -> Config:
    """Read ``path`` (or ``$ORGANIZER_CONFIG``, or ``./organizer.toml`` if present, or defaults),
    add secrets from the environment and let ``db`` (the ``--db`` flag) override the database."""
    env = os.environ if env is None else env
    default = DEFAULT_CONFIG_FILE if Path(DEFAULT_CONFIG_FILE).exists() else None
    chosen = path or env.get("ORGANIZER_CONFIG") or default
    data: dict = {}
    if chosen:
        try:
            data = tomllib.loads(Path(chosen).read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ConfigError(f"config file not found: {chosen}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{chosen}: {exc}") from exc
    if "secrets" in data:
        names = ", ".join(SECRET_ENV.values())
        raise ConfigError(f"{chosen}: secrets are read from the environment ({names}), not the file")
    data["secrets"] = {key: env[name] for key, name in SECRET_ENV.items() if env.get(name)}
    if db:
        data.setdefault("database", {})["url"] = db
    elif env.get("ORGANIZER_DB"):
        data.setdefault("database", {})["url"] = env["ORGANIZER_DB"]
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        lines = [f"  {'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()]
        raise ConfigError(f"{chosen or 'config'} is not valid:\n" + "\n".join(lines)) from None
