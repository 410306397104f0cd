"""`flask` commands for the FHIR API: tokens, and the bulk NDJSON export."""

from __future__ import annotations

from datetime import date

import click
from flask import current_app
from flask.cli import with_appcontext

from questionnaire.core import audit, private_files
from questionnaire.core.commands import COMMAND_LINE, refuse
from questionnaire.core.db import session
from questionnaire.core.models import API_SCOPES
from questionnaire.fhir import bulk, search, tokens
from questionnaire.fhir.outcome import FhirError


@click.command("create-api-token", help="Make an API token for a system; prints it once.")
@click.argument("name")
@click.option("--scope", required=True, type=click.Choice(API_SCOPES), help="What it may read.")
@click.option("--expires", required=True, help="Last day it works (YYYY-MM-DD, UTC).")
@with_appcontext
def create_api_token(name: str, scope: str, expires: str) -> None:
    try:
        day = date.fromisoformat(expires)
    except ValueError:
        raise click.BadParameter(f"{expires!r} is not a date like 2027-01-31") from None
    db = session()
    try:
        row, token = tokens.create(
            db,
            name,
            scope,
            day,
            COMMAND_LINE,
            contact_days=current_app.config["API_CONTACT_TOKEN_MAX_DAYS"],
        )
    except tokens.TokenError as exc:
        raise click.ClickException(str(exc)) from None
    db.commit()
    click.echo(
        f"Token for {row.name} ({row.scope}, until {day.isoformat()}), shown only now:", err=True
    )
    click.echo(token)


@click.command("revoke-api-token", help="Stop an API token working, at once.")
@click.argument("name")
@with_appcontext
def revoke_api_token(name: str) -> None:
    db = session()
    row = tokens.named(db, name)
    if row is None:
        raise click.ClickException(f"No API token named {name!r}")
    tokens.revoke(row)
    audit.record(
        db, "api_token_revoked", email=COMMAND_LINE, target=f"api_token:{row.id}", name=row.name
    )
    db.commit()
    click.echo(f"The token {row.name} no longer works.")


@click.command("export-fhir", help="Write submissions since DATE to FILE as FHIR NDJSON.")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, allow_dash=True))
@click.option("--since", required=True, help="Stored on or after this date (YYYY-MM-DD, UTC).")
@click.option("--contacts", is_flag=True, help="Include call-back contact details.")
@with_appcontext
def export_fhir(file: str, since: str, contacts: bool) -> None:
    try:
        where = search.last_updated("ge" + date.fromisoformat(since).isoformat())
    except (ValueError, FhirError):
        raise click.BadParameter(
            f"{since!r} is not a date like 2026-01-31", param_hint="--since"
        ) from None
    engine = current_app.extensions["db_engine"]
    # Health data: the file is readable by its owner alone (0600), as the CSV export's is,
    # and standard output only when it is private too (core.private_files).
    try:
        with private_files.output(file) as out, engine.connect() as conn:
            count = bulk.write(conn, where, out, contacts=contacts)
    except private_files.NotPrivate as exc:
        refuse(str(exc))
    db = session()
    audit.record(
        db, "fhir_exported", email=COMMAND_LINE, since=since, rows=count, contacts=contacts
    )
    db.commit()
    click.echo(f"Exported {count} submission(s).", err=True)


COMMANDS = (create_api_token, revoke_api_token, export_fhir)
