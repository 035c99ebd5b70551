"""``organizer-bot``: run the bot, migrations and roster files; each platform adds its own subcommands
(:attr:`bot.platforms.Platform.cli`). ``--db`` and ``--config`` work on every subcommand. A platform's SDK
is imported only when it starts, so a subcommand starts fast."""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bot.adapters import installed
from bot.commandline import common, make_app, started

if TYPE_CHECKING:
    from bot.config import Config
    from storage.roster import ImportReport


@click.group()
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
def main(verbose: int) -> None:
    """The organizing bot: sign-ups, chant sheets, bargaining updates and readiness polls
    on every chat platform it has an adapter for."""
    level = [logging.WARNING, logging.INFO, logging.DEBUG][min(verbose, 2)]
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


@main.command()
@common
def run(config: Config) -> None:
    """Start every configured platform, or the one that runs in this terminal when none is configured."""
    platforms = [p.name for p in config.platforms if p.enabled(config)]
    if not platforms:
        fallback = config.platforms.fallback()
        tokens = " or ".join(p.title for p in config.platforms if p.start is not None)
        if fallback is None:
            raise click.ClickException(f"No {tokens} token in the environment. See README.md to connect a platform.")
        click.echo(f"No {tokens} token in the environment: starting the {fallback.title}. "
                   "See README.md to connect a platform.", err=True)
        assert fallback.foreground is not None
        fallback.foreground(config)
        return
    from bot.runner import run_platforms

    asyncio.run(run_platforms(config, platforms))


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@common
def db_upgrade(config: Config) -> None:
    """Bring the database schema up to date (the bot also does this when it starts)."""
    from storage import migrate

    async def go() -> None:
        app = await started(make_app(config))
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
def roster_import(config: Config, file: Path, sync: bool, yes: bool) -> None:
    """Load members from a CSV file: name, worksite and optionally email, member id, department, shift, grade and
    each platform's user id."""
    from storage.roster import read_csv

    columns = config.platforms.id_columns()
    try:
        rows, problems = read_csv(file.read_text(encoding="utf-8-sig"), columns)
    except UnicodeDecodeError:
        raise click.ClickException(f"{file} is not UTF-8 text; export it from the spreadsheet as CSV UTF-8") from None
    if problems and not rows:
        for line, reason in problems:
            click.echo(f"line {line}: {reason}", err=True)
        raise click.ClickException("nothing imported")
    if sync and not rows:
        raise click.ClickException(f"{file} has no members: --sync would take everyone off the roster")

    async def go() -> ImportReport:
        from storage.roster import import_rows, preview_rows

        app = await started(make_app(config))
        try:
            if sync:
                preview = await app.db.write(
                    lambda s: preview_rows(s, rows, app.clock(), app.voters, columns, sync=True))
                _confirm_sync(preview, yes)
            with click.progressbar(length=len(rows), label="Importing", file=sys.stderr) as bar:
                return await app.db.write(lambda s: import_rows(s, rows, app.clock(), app.voters, columns,
                                                                bar.update, sync=sync))
        finally:
            await app.close()

    report = asyncio.run(go())
    for line, reason in report.problems:
        click.echo(f"line {line}: {reason}", err=True)
    gone = f", {report.off} off the roster" if sync else ""
    click.echo(f"{report.added} added, {report.updated} updated, {report.unchanged} unchanged{gone}, "
               f"{len(report.problems)} rows skipped")


def _confirm_sync(preview: ImportReport, yes: bool) -> None:
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
def roster_export(config: Config, file: Path | None) -> None:
    """Write the roster as CSV to FILE (or standard output)."""
    from bot.csvfile import to_csv
    from storage.roster import export_columns, export_rows

    columns = config.platforms.id_columns()

    async def go() -> list[list[str]]:
        app = await started(make_app(config))
        try:
            return await app.db.read(lambda s: export_rows(s, columns))
        finally:
            await app.close()

    data = to_csv(export_columns(columns), asyncio.run(go()))
    if file:
        file.write_bytes(data)
        click.echo(f"wrote {file}", err=True)
    else:
        sys.stdout.write(data.decode("utf-8").lstrip("\ufeff"))


@main.command()
@click.option("--limit", default=100, show_default=True, help="How many entries, newest first.")
@click.option("--since", default=None, metavar="DATE", help="Only entries on or after this date (YYYY-MM-DD).")
@common
def audit(config: Config, limit: int, since: str | None) -> None:
    """Who viewed tallies, missing lists, rosters and exports, and when; refused attempts are marked."""
    from datetime import datetime

    from bot.i18n import Catalogs
    from storage.audit import AuditEntry, recent

    try:
        start = datetime.fromisoformat(since).replace(tzinfo=config.campaign.tz) if since else None
    except ValueError:
        raise click.BadParameter(f"{since!r} is not a date like 2026-11-25", param_hint="--since") from None

    async def go() -> list[AuditEntry]:
        app = await started(make_app(config))
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


def _add_platform_commands(group: click.Group) -> None:
    for platform in installed():
        if platform.cli is not None:
            group.add_command(platform.cli())


_add_platform_commands(main)
