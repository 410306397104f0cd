"""`flask --app wsgi export-csv`: the staff export page's CSV, written to a file."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from questionnaire.core import private_files
from questionnaire.core.commands import COMMAND_LINE, refuse
from questionnaire.core.db import session
from questionnaire.staff.export import run
from questionnaire.staff.submissions.commands import day


@click.command("export-csv", help="Export submissions as CSV (UTF-8 with BOM) to FILE.")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
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
    # The file holds health data: mode 0600 whatever the umask, and standard output only
    # when it is private too (core.private_files). Opened first: an output that cannot be
    # written is refused before anything is recorded.
    try:
        with private_files.output(file) as out:
            choice = run.Choice(values, labels=labels, contacts=contacts, latest=latest)
            count, lines = run.start(session(), choice, email=COMMAND_LINE)
            for chunk in lines:
                out.write(chunk)
    except private_files.NotPrivate as exc:
        refuse(str(exc))
    click.echo(f"Exported {count} submission(s).", err=file == "-")


COMMANDS = (export_csv,)
