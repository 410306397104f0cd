"""`flask --app wsgi export-csv`: the staff export page's CSV, written to a file."""

from __future__ import annotations

import contextlib
import sys

import click
from flask.cli import with_appcontext

from questionnaire.core.commands import COMMAND_LINE
from questionnaire.core.db import session
from questionnaire.staff.export import csv_export, run
from questionnaire.staff.submissions.commands import day


@click.command("export-csv", help="Export submissions as CSV (UTF-8 with BOM) to FILE.")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, allow_dash=True))
@click.option("--since", help="Sent on or after this date (YYYY-MM-DD).")
@click.option("--until", help="Sent on or before this date (YYYY-MM-DD).")
@click.option("--labels", is_flag=True, help="Answers as labels instead of codes.")
@click.option("--contacts", is_flag=True, help="Include call-back contact details.")
@click.option(
    "--latest-screening",
    "latest",
    is_flag=True,
    help="Add the latest re-screening's columns beside the original's.",
)
@with_appcontext
def export_csv(
    file: str, since: str | None, until: str | None, labels: bool, contacts: bool, latest: bool
) -> None:
    values = {k: v for k, v in (("date_from", day(since)), ("date_to", day(until))) if v}
    # The file holds health data: mode 0600 whatever the umask (csv_export.open_private).
    # Opened first: a file that cannot be written is refused before anything is recorded.
    target = contextlib.nullcontext(sys.stdout) if file == "-" else csv_export.open_private(file)
    with target as out:
        choice = run.Choice(values, labels=labels, contacts=contacts, latest=latest)
        count, lines = run.start(session(), choice, email=COMMAND_LINE)
        for chunk in lines:
            out.write(chunk)
    click.echo(f"Exported {count} submission(s).", err=file == "-")


COMMANDS = (export_csv,)
