"""`flask --app wsgi ...` commands."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from . import drafts, migrate
from .db import session


def init_app(app: Flask) -> None:
    app.cli.add_command(db_group)
    app.cli.add_command(purge_drafts)


db_group = AppGroup("db", help="Database schema.")


@db_group.command("upgrade", help="Apply every migration not yet applied.")
def db_upgrade() -> None:
    migrate.upgrade(current_app.extensions["db_engine"])
    click.echo("Database is up to date.")


@db_group.command("revision", help="Write a migration for changes to the models.")
@click.argument("message")
def db_revision(message: str) -> None:
    migrate.make_revision(current_app.extensions["db_engine"], message)


@click.command("purge-drafts", help="Delete drafts past their lifetime.")
@with_appcontext
def purge_drafts() -> None:
    db = session()
    count = drafts.purge_expired(db)
    db.commit()
    click.echo(f"Deleted {count} expired draft(s).")
