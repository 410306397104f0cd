"""`flask` commands for the database: migrations, statistics, backups."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import NoReturn

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import URL, make_url

from questionnaire.core import backup, migrate
from questionnaire.core.release import VERSION

# Who the audit log names for a command run at the terminal.
COMMAND_LINE = "(command line)"

db_group = AppGroup("db", help="Database schema.")


def refuse(message: str) -> NoReturn:
    """One line on standard error and exit status 2: what a script and a person both read."""
    click.echo(f"Error: {message}", err=True)
    click.get_current_context().exit(2)


@db_group.command("upgrade", help="Apply every migration not yet applied, naming each.")
def db_upgrade() -> None:
    try:
        steps = migrate.upgrade(current_app.extensions["db_engine"])
    except migrate.MigrationError as exc:
        refuse(str(exc))
    for step in steps:
        click.echo(f"Applied {step}.")
    click.echo(f"Database is at {migrate.head()}" + ("." if steps else ": nothing to apply."))


@db_group.command(
    "downgrade",
    help="Undo migrations down to REVISION (an id, -N for the last N, or base), naming each. "
    "Run it with the newer code, before checking out an older release.",
    # -N is a revision here, not an option.
    context_settings={"ignore_unknown_options": True},
)
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    try:
        steps = migrate.downgrade(current_app.extensions["db_engine"], revision)
    except migrate.MigrationError as exc:
        refuse(str(exc))
    for step in steps:
        click.echo(f"Undid {step}.")
    now = migrate.current(current_app.extensions["db_engine"])
    click.echo(
        f"Database is at {now or 'base (no tables)'}" + ("." if steps else ": nothing to undo.")
    )


@db_group.command(
    "status", help="The database's revision and the one this code expects (exit 1 if they differ)."
)
def db_status() -> None:
    now = migrate.status(current_app.extensions["db_engine"])
    click.echo(f"Database revision: {now.current or 'none (an empty database)'}")
    click.echo(f"This code ({VERSION}) expects: {now.head}")
    if now.up_to_date:
        click.echo("Up to date.")
        return
    if now.known:
        click.echo("Behind: run `db upgrade` (the service does at its start).")
    else:
        click.echo(
            "Ahead: a newer release migrated this database. Go back to that release's code "
            "and run `db downgrade` there (docs/production.md)."
        )
    click.get_current_context().exit(1)


@db_group.command("analyze", help="Refresh the query planner's statistics (run daily).")
def db_analyze() -> None:
    # The list's filters stay fast only while the planner knows which index is selective
    # (docs/performance.md). PostgreSQL's autovacuum keeps its statistics; SQLite has
    # nothing of the kind, so without this a database grown from empty sorts every match.
    with current_app.extensions["db_engine"].begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    click.echo("Statistics refreshed.")


@db_group.command("revision", help="Write a migration for changes to the models.")
@click.argument("message")
def db_revision(message: str) -> None:
    migrate.make_revision(current_app.extensions["db_engine"], message)


@click.command("backup", help="Copy the live SQLite database to FILE (PostgreSQL: pg_dump).")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@with_appcontext
def backup_database(file: Path, force: bool) -> None:
    url = make_url(current_app.config["DATABASE_URL"])
    backend = url.get_backend_name()
    if backend == "postgresql":
        # pg_dump is the tool: a consistent snapshot, and a format pg_restore reads. The
        # password stays out of the command line, where every local user could read it.
        # (URL.set(password=None) would keep the password: None there means "unchanged".)
        libpq = URL.create(
            "postgresql", url.username, None, url.host, url.port, url.database, url.query
        )
        dump = shlex.join(
            ["pg_dump", "--format=custom", f"--file={file}", libpq.render_as_string(False)]
        )
        click.echo(
            "This database is PostgreSQL: back it up with pg_dump, for example\n"
            f"  {dump}\n"
            "with the password, if one is needed, in PGPASSWORD or ~/.pgpass. "
            "deploy/systemd/prolotherapy-backup does this every night.",
            err=True,
        )
        click.get_current_context().exit(2)
    if backend != "sqlite" or not url.database or url.database == ":memory:":
        raise click.ClickException(f"No backup method for DATABASE_URL's {backend} database")
    try:
        size = backup.backup_sqlite(Path(url.database), file, force=force)
    except backup.TargetError as exc:
        refuse(str(exc))
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Wrote {file} ({size:,} bytes), a checked copy of {url.database}.")


@click.command("version", help="The app's version and the database revision it expects.")
def version() -> None:
    click.echo(f"prolotherapy self-assessment {VERSION} (database revision {migrate.head()})")


COMMANDS = (db_group, backup_database, version)
