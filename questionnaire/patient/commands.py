"""`flask` commands for patients' unsent answers."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from questionnaire.core.db import session
from questionnaire.patient import drafts


@click.command("purge-drafts", help="Delete drafts past their lifetime.")
@with_appcontext
def purge_drafts() -> None:
    db = session()
    count = drafts.purge_expired(db)
    db.commit()
    click.echo(f"Deleted {count} expired draft(s).")


COMMANDS = (purge_drafts,)
