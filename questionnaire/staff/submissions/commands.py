"""`flask` commands for stored submissions: retention and re-screening."""

from __future__ import annotations

from datetime import date, timedelta

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import delete

from questionnaire.core import audit
from questionnaire.core.commands import COMMAND_LINE
from questionnaire.core.db import rows_changed, session
from questionnaire.core.models import Submission, utcnow
from questionnaire.fhir import store as fhir_store
from questionnaire.staff.submissions import rescreen
from questionnaire.staff.submissions.filters import (
    FIRST_DAY,
    LAST_DAY,
    OUT_OF_RANGE,
    conditions,
    start_of,
)


def day(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2026-01-31") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise click.BadParameter(f"{value!r}: {OUT_OF_RANGE.lower()}")
    return day.isoformat()


@click.command("purge-submissions", help="Delete submissions older than the retention period.")
@click.option("--days", type=int, help="Keep this many days (default RETENTION_DAYS).")
@with_appcontext
def purge_submissions(days: int | None) -> None:
    keep = days if days is not None else current_app.config["RETENTION_DAYS"]
    if keep < 1:
        raise click.BadParameter("keep at least 1 day", param_hint="--days")
    cutoff = start_of((utcnow() - timedelta(days=keep)).date())
    db = session()
    # One SQL DELETE: the database's ON DELETE CASCADE takes the review notes and call-back
    # requests with them (SQLite too: db.make_engine turns foreign keys on). The ORM would
    # delete the notes first, which the append-only trigger refuses while their submission
    # is still there.
    fhir_store.remember_purged(db, Submission.created_at < cutoff)  # the API's 410 Gone
    rows = rows_changed(db.execute(delete(Submission).where(Submission.created_at < cutoff)))
    audit.record(db, "submissions_purged", email=COMMAND_LINE, before=cutoff.isoformat(), rows=rows)
    db.commit()
    click.echo(f"Deleted {rows} submission(s) sent before {cutoff:%Y-%m-%d}.")


@click.command("rescreen", help="Screen stored answers again under the current rules.")
@click.option("--since", help="Sent on or after this date (YYYY-MM-DD).")
@click.option("--until", help="Sent on or before this date (YYYY-MM-DD).")
@click.option("--dry-run", is_flag=True, help="Count what would change; store nothing.")
@with_appcontext
def rescreen_submissions(since: str | None, until: str | None, dry_run: bool) -> None:
    values = {k: v for k, v in (("date_from", day(since)), ("date_to", day(until))) if v}
    rules_version, bank_version = rescreen.current_versions()
    db = session()
    counts = rescreen.run(db, conditions(values), dry_run=dry_run)
    # Audited on a dry run too: it reads every answer set in range.
    audit.record(
        db,
        "submissions_rescreened",
        email=COMMAND_LINE,
        filters=values,
        dry_run=dry_run,
        rules_version=rules_version,
        bank_version=bank_version,
        **counts.as_details(),
    )
    db.commit()
    stored = "Would store" if dry_run else "Stored"
    click.echo(
        f"Rules {rules_version}, question bank {bank_version}: checked {counts.checked} "
        f"submission(s), skipped {counts.skipped} (already screened under these versions).\n"
        f"{stored} {counts.rescreened} re-screening(s): {counts.changed} changed, "
        f"{counts.booking} in booking decision, {counts.tier} in red-flag tier, "
        f"{counts.levels} in an indication level."
    )
    if counts.unreadable:
        click.echo(
            f"{counts.unreadable} submission(s) have answers the current question bank "
            "does not accept; they were not re-screened.",
            err=True,
        )


COMMANDS = (purge_submissions, rescreen_submissions)
