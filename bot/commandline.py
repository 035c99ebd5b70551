"""What every ``organizer-bot`` subcommand shares, the platforms' own included: ``--config`` and ``--db``
read into a config for the installed platforms, and an app whose database is open."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from bot.app import App
    from bot.config import Config


def common(fn: Callable[..., Any]) -> Callable[..., Any]:
    @click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
                  help="Config file (default: $ORGANIZER_CONFIG or ./organizer.toml if present).")
    @click.option("--db", default=None, metavar="PATH_OR_URL",
                  help="Database: a SQLite file path or an SQLAlchemy URL (overrides the config).")
    @functools.wraps(fn)
    def wrapper(config_path: str | None, db: str | None, **kwargs: Any) -> Any:
        from bot.adapters import installed
        from bot.config import ConfigError, load_config

        try:
            config = load_config(installed(), config_path, db=db)
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from None
        return fn(config, **kwargs)

    return wrapper


def make_app(config: Config, platforms: Iterable[str] | None = None) -> App:
    """The composition root: the app with every feature's commands."""
    from bot.app import App
    from commands import build_registry

    return App(config, build_registry(), platforms=platforms)


async def started(app: App) -> App:
    """``app`` with its schema up to date, or a ClickException saying which database would not open."""
    try:
        await app.start()
    except Exception as exc:
        await app.close()
        raise click.ClickException(f"cannot open the database {app.db.url.split('@')[-1]}: {exc}") from None
    return app
