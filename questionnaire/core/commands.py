"""`flask` commands for the database: migrations, statistics, backups."""

from __future__ import annotations

import shlex
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import URL, make_url

from questionnaire.core import backup, migrate

# Who the audit log names for a command run at the terminal.
COMMAND_LINE = "(command line)"

db_group = AppGroup("db", help="Database schema.")


@db_group.command("upgrade", help="Apply every migration not yet applied.")
def db_upgrade() -> None:
    migrate.upgrade(current_app.extensions["db_engine"])
    click.echo("Database is up to date.")


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
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Wrote {file} ({size:,} bytes), a checked copy of {url.database}.")


COMMANDS = (db_group, backup_database)
