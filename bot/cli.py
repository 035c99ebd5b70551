"""``organizer-bot``: run the bot, the console, migrations and roster files. ``--db`` and ``--config``
work on every subcommand. Front-ends are imported only when chosen, so the console starts fast."""

from __future__ import annotations

import asyncio
import functools
import logging
import sys
from pathlib import Path

import click

from bot.config import ConfigError, load_config


def common(fn):
    @click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
                  help="Config file (default: $ORGANIZER_CONFIG or ./organizer.toml if present).")
    @click.option("--db", default=None, metavar="PATH_OR_URL",
                  help="Database: a SQLite file path or an SQLAlchemy URL (overrides the config).")
    @functools.wraps(fn)
    def wrapper(config_path, db, **kwargs):
        try:
            config = load_config(config_path, db=db)
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from None
        return fn(config, **kwargs)

    return wrapper


def _app(config, platforms=("console",)):
    from bot.app import App

    return App(config, platforms=platforms)


async def _started(app):
    try:
        await app.start()
    except Exception as exc:
        await app.close()
        raise click.ClickException(f"cannot open the database {app.db.url.split('@')[-1]}: {exc}") from None
    return app


@click.group()
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
def main(verbose: int) -> None:
    """The organizing bot: sign-ups, chant sheets, bargaining updates and readiness polls
    on Slack, Discord and the console."""
    level = [logging.WARNING, logging.INFO, logging.DEBUG][min(verbose, 2)]
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


@main.command()
@click.option("--user", default="you", show_default=True, help="Your name in this session.")
@click.option("--role", type=click.Choice(["member", "rep", "leader"]), default="member", show_default=True)
@click.option("--site", default=None, metavar="WORKSITE", help="Your worksite (and, for a rep, the one you cover).")
@common
def console(config, user: str, role: str, site: str | None) -> None:
    """Talk to the bot in this terminal (no tokens needed)."""
    _run_console(config, user, role, site)


@main.command()
@common
def run(config) -> None:
    """Start every configured platform (Slack, Discord), or the console when none is configured."""
    platforms = [name for name, on in (("slack", config.slack_enabled), ("discord", config.discord_enabled)) if on]
    if not platforms:
        click.echo("No Slack or Discord token in the environment: starting the console. "
                   "See README.md to connect a platform.", err=True)
        _run_console(config, "you", "member", None)
        return
    from bot.runner import run_platforms

    asyncio.run(run_platforms(config, platforms))


def _run_console(config, user: str, role: str, site: str | None) -> None:
    from bot.adapters.console import Console

    async def go():
        app = await _started(_app(config))
        try:
            await Console(app, user, role, site).run(sys.stdin)
        finally:
            await app.close()

    asyncio.run(go())


@main.group()
def discord() -> None:
    """The Discord front-end."""


@discord.command("sync")
@click.option("--guild", "guild_id", type=int, default=None, help="Server id (default: discord.guild_id).")
@click.option("--global", "sync_global", is_flag=True, default=None, help="Also register globally (slow to appear).")
@common
def discord_sync(config, guild_id: int | None, sync_global: bool | None) -> None:
    """Register the slash commands with Discord now (the bot also does this when it starts)."""
    if not config.discord_enabled:
        raise click.ClickException("set DISCORD_TOKEN to the bot's token first")
    if not (guild_id or config.discord.guild_id or sync_global or config.discord.sync_global):
        raise click.ClickException(
            "nothing to sync to: set discord.guild_id in the config, or pass --guild or --global")
    from bot.adapters.discord import make_client, sync

    async def go():
        app = _app(config, platforms=("discord",))
        client = make_client(app, sync_on_login=False)
        try:
            await client.login(config.secrets.discord_token)
            return await sync(client, guild_id=guild_id, sync_global=sync_global)
        finally:
            await client.close()
            await app.close()

    click.echo("synced: " + ", ".join(asyncio.run(go())))


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@common
def db_upgrade(config) -> None:
    """Bring the database schema up to date (the bot also does this when it starts)."""
    from storage import migrate

    async def go():
        app = await _started(_app(config))
        click.echo(f"database is at revision {await migrate.current(app.db)}")
        await app.close()

    asyncio.run(go())


@main.group()
def roster() -> None:
    """The union's membership roster."""


@roster.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--sync", is_flag=True, help="The file is the whole roster: members not in it go off the roster "
              "(kept with their history, counted nowhere). Shows what would change and asks first.")
@click.option("--yes", is_flag=True, help="With --sync, apply without asking, even when some rows are bad.")
@common
def roster_import(config, file: Path, sync: bool, yes: bool) -> None:
    """Load members from a CSV file: name, worksite and optionally email, member id, slack id, discord id."""
    from storage.roster import read_csv

    try:
        rows, problems = read_csv(file.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise click.ClickException(f"{file} is not UTF-8 text; export it from the spreadsheet as CSV UTF-8") from None
    if problems and not rows:
        for line, reason in problems:
            click.echo(f"line {line}: {reason}", err=True)
        raise click.ClickException("nothing imported")
    if sync and not rows:
        raise click.ClickException(f"{file} has no members: --sync would take everyone off the roster")

    async def go():
        from storage.roster import import_rows, preview_rows

        app = await _started(_app(config))
        try:
            if sync:
                preview = await app.db.write(lambda s: preview_rows(s, rows, app.clock(), app.voters, sync=True))
                _confirm_sync(preview, yes)
            with click.progressbar(length=len(rows), label="Importing", file=sys.stderr) as bar:
                return await app.db.write(lambda s: import_rows(s, rows, app.clock(), app.voters, bar.update,
                                                                sync=sync))
        finally:
            await app.close()

    report = asyncio.run(go())
    for line, reason in report.problems:
        click.echo(f"line {line}: {reason}", err=True)
    gone = f", {report.off} off the roster" if sync else ""
    click.echo(f"{report.added} added, {report.updated} updated, {report.unchanged} unchanged{gone}, "
               f"{len(report.problems)} rows skipped")


def _confirm_sync(preview, yes: bool) -> None:
    """Show what a --sync would change; go on only if confirmed (or --yes), never past bad rows unless --yes."""
    click.echo(f"This import would make {preview.added} added, {preview.updated} updated, "
               f"{preview.off} off the roster (kept with their history, counted nowhere), "
               f"{preview.unchanged} unchanged:")
    for change in preview.changes:
        click.echo(f"  {change}")
    for line, reason in preview.problems:
        click.echo(f"line {line}: {reason}", err=True)
    if yes:
        return
    if preview.problems:
        raise click.ClickException(f"nothing changed: {len(preview.problems)} rows are bad. Fix them, or pass --yes "
                                   "to import the good rows (members on bad rows stay on the roster)")
    if not click.confirm("Apply these changes?", default=False):
        raise click.ClickException("nothing changed")


@roster.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path), required=False)
@common
def roster_export(config, file: Path | None) -> None:
    """Write the roster as CSV to FILE (or standard output)."""
    from bot.csvfile import to_csv
    from storage.roster import EXPORT_COLUMNS, export_rows

    async def go():
        app = await _started(_app(config))
        try:
            return await app.db.read(export_rows)
        finally:
            await app.close()

    data = to_csv(EXPORT_COLUMNS, asyncio.run(go()))
    if file:
        file.write_bytes(data)
        click.echo(f"wrote {file}", err=True)
    else:
        sys.stdout.write(data.decode("utf-8").lstrip("\ufeff"))


@main.command()
@click.option("--limit", default=100, show_default=True, help="How many entries, newest first.")
@click.option("--since", default=None, metavar="DATE", help="Only entries on or after this date (YYYY-MM-DD).")
@common
def audit(config, limit: int, since: str | None) -> None:
    """Who viewed tallies, missing lists, rosters and exports, and when; refused attempts are marked."""
    from datetime import datetime

    from bot.i18n import Catalogs
    from storage.audit import recent

    try:
        start = datetime.fromisoformat(since).replace(tzinfo=config.campaign.tz) if since else None
    except ValueError:
        raise click.BadParameter(f"{since!r} is not a date like 2026-11-25", param_hint="--since") from None

    async def go():
        app = await _started(_app(config))
        try:
            return await app.db.read(lambda s: recent(s, limit, start))
        finally:
            await app.close()

    tr = Catalogs("en", config.campaign.tz).get("en")
    entries = asyncio.run(go())
    if not entries:
        click.echo("no audited views yet")
    for entry in entries:
        args = " ".join(f"{k}:{v}" for k, v in entry.args.items() if v is not None)
        refused = "  (refused)" if entry.refused else ""
        click.echo(f"{tr.when(entry.at)}  {entry.viewer} ({entry.platform}:{entry.user_id})  /{entry.command} {args}"
                   f"{refused}")
