"""`flask --app wsgi ...` commands."""

from __future__ import annotations

import contextlib
import shlex
import sys
from datetime import date, timedelta
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import URL, delete, func, make_url, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from questionnaire.core import audit, backup, clinic_time, mail, migrate
from questionnaire.core.config import ADDRESS_RE
from questionnaire.core.db import session
from questionnaire.core.models import ROLES, Submission, User, utcnow
from questionnaire.fhir import commands as fhir_commands
from questionnaire.fhir import store as fhir_store
from questionnaire.patient import drafts
from questionnaire.staff import accounts
from questionnaire.staff.alerts import outbox as alerts
from questionnaire.staff.export import csv_export
from questionnaire.staff.submissions import rescreen
from questionnaire.staff.submissions.filters import (
    FIRST_DAY,
    LAST_DAY,
    OUT_OF_RANGE,
    conditions,
    start_of,
)

db_group = AppGroup("db", help="Database schema.")


def init_app(app: Flask) -> None:
    for command in (
        db_group,
        purge_drafts,
        purge_sessions,
        create_user,
        unlock_user,
        reset_mfa,
        export_csv,
        backup_database,
        purge_submissions,
        rescreen_submissions,
        send_alerts,
        send_digest,
        send_test_email,
        *fhir_commands.COMMANDS,
    ):
        app.cli.add_command(command)


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


@click.command("purge-drafts", help="Delete drafts past their lifetime.")
@with_appcontext
def purge_drafts() -> None:
    db = session()
    count = drafts.purge_expired(db)
    db.commit()
    click.echo(f"Deleted {count} expired draft(s).")


@click.command("purge-sessions", help="Delete staff sessions idle past the timeout.")
@with_appcontext
def purge_sessions() -> None:
    db = session()
    idle = timedelta(minutes=current_app.config["STAFF_IDLE_MINUTES"])
    count = accounts.purge_idle_sessions(db, idle)
    db.commit()
    click.echo(f"Deleted {count} idle staff session(s).")


@click.command("create-user", help="Make a staff account. Asks for the password twice.")
@click.argument("email")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice(ROLES),
    help="A role to give; repeat for several.",
)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def create_user(email: str, roles: tuple[str, ...], password_stdin: bool) -> None:
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    db = session()
    try:
        user = accounts.create_user(db, email, password, list(roles))
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from None
    audit.record(
        db, "user_created", email="(command line)", target=f"user:{user.id}", roles=user.roles
    )
    db.commit()
    click.echo(f"Created {user.email} with roles: {', '.join(user.roles)}.")


def _account(db: Session, email: str) -> User:
    user = accounts.find_user(db, email)
    if user is None:
        raise click.ClickException(f"No account for {accounts.normalise_email(email)}")
    return user


@click.command("unlock-user", help="Lift a lock from failed sign-ins (e.g. the last admin's).")
@click.argument("email")
@with_appcontext
def unlock_user(email: str) -> None:
    db = session()
    user = _account(db, email)
    audit.record(
        db,
        "user_unlocked",
        email="(command line)",
        target=f"user:{user.id}",
        locked_until=accounts.unlock(user),
    )
    db.commit()
    click.echo(f"{user.email} can sign in again.")


@click.command(
    "reset-mfa", help="Remove a person's authenticator app (e.g. the last admin's lost phone)."
)
@click.argument("email")
@with_appcontext
def reset_mfa(email: str) -> None:
    db = session()
    user = _account(db, email)
    accounts.reset_second_factor(db, user)
    audit.record(db, "mfa_reset", email="(command line)", target=f"user:{user.id}")
    db.commit()
    click.echo(
        f"{user.email} is signed out everywhere and will set up an authenticator app again "
        "at their next sign-in."
    )


def _day(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2026-01-31") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise click.BadParameter(f"{value!r}: {OUT_OF_RANGE.lower()}")
    return day.isoformat()


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
    values = {k: v for k, v in (("date_from", _day(since)), ("date_to", _day(until))) if v}
    where = conditions(values)
    db = session()
    count = db.scalar(select(func.count()).select_from(Submission).where(*where)) or 0
    engine = current_app.extensions["db_engine"]
    # The file holds health data: mode 0600 whatever the umask (csv_export.open_private).
    target = contextlib.nullcontext(sys.stdout) if file == "-" else csv_export.open_private(file)
    with target as out, engine.connect() as conn:
        lines = csv_export.stream(conn, where, labels=labels, contacts=contacts, latest=latest)
        for chunk in lines:
            out.write(chunk)
    audit.record(
        db,
        "export_csv",
        email="(command line)",
        filters=values,
        rows=count,
        labels=labels,
        contacts=contacts,
        latest_screening=latest,
    )
    db.commit()
    click.echo(f"Exported {count} submission(s).", err=file == "-")


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
    rows = db.execute(delete(Submission).where(Submission.created_at < cutoff)).rowcount
    audit.record(
        db, "submissions_purged", email="(command line)", before=cutoff.isoformat(), rows=rows
    )
    db.commit()
    click.echo(f"Deleted {rows} submission(s) sent before {cutoff:%Y-%m-%d}.")


@click.command("rescreen", help="Screen stored answers again under the current rules.")
@click.option("--since", help="Sent on or after this date (YYYY-MM-DD).")
@click.option("--until", help="Sent on or before this date (YYYY-MM-DD).")
@click.option("--dry-run", is_flag=True, help="Count what would change; store nothing.")
@with_appcontext
def rescreen_submissions(since: str | None, until: str | None, dry_run: bool) -> None:
    values = {k: v for k, v in (("date_from", _day(since)), ("date_to", _day(until))) if v}
    rules_version, bank_version = rescreen.current_versions()
    db = session()
    counts = rescreen.run(db, conditions(values), dry_run=dry_run)
    # Audited on a dry run too: it reads every answer set in range.
    audit.record(
        db,
        "submissions_rescreened",
        email="(command line)",
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


def _send_due(db: Session, settings: mail.MailSettings) -> None:
    out = alerts.send_due(db, settings)
    click.echo(
        f"Sent {out.sent} alert(s); {out.failed} failed for good; "
        f"{out.retrying} will be tried again."
    )
    if out.out_of_time:
        click.echo("Stopped at the time budget: the rest goes out on the next run.")
    if out.problems:  # a failed unit shows in `systemctl --failed` and the journal
        raise click.ClickException(f"{out.problems[0]} (the alerts are kept and tried again)")


def _mail_off(db: Session) -> None:
    waiting = alerts.counts_by_status(db)["pending"]
    click.echo(f"Mail is off (no SMTP_HOST): {waiting} alert(s) wait in the outbox.")


@click.command("send-alerts", help="Send the email alerts that are due (a timer, every minute).")
@with_appcontext
def send_alerts() -> None:
    db = session()
    settings = mail.MailSettings.from_config(current_app.config)
    if not settings.on:
        _mail_off(db)
        return
    _send_due(db, settings)


@click.command("send-digest", help="Queue today's summary email, once a day, and send it.")
@with_appcontext
def send_digest() -> None:
    db = session()
    today = clinic_time.today(utcnow(), current_app.config["CLINIC_TIMEZONE"])  # the clinic's
    try:
        queued = alerts.queue_digest(db, today)
        db.commit()
    except IntegrityError:  # another run queued it a moment ago
        db.rollback()
        queued = None
    if queued is None:
        click.echo(f"The digest for {today} was already queued: nothing more queued.")
    elif queued == 0:
        click.echo("ALERT_DIGEST_TO is empty: no digest queued.")
    else:
        click.echo(f"Queued the digest for {today} to {queued} address(es).")
    settings = mail.MailSettings.from_config(current_app.config)
    if settings.on:
        _send_due(db, settings)
    else:
        _mail_off(db)


@click.command("send-test-email", help="Send one email now to ADDRESS, to check the mail settings.")
@click.argument("address")
@with_appcontext
def send_test_email(address: str) -> None:
    settings = mail.MailSettings.from_config(current_app.config)
    if not settings.on:
        raise click.ClickException("Mail is off: set SMTP_HOST (docs/production.md)")
    if not ADDRESS_RE.fullmatch(address):
        raise click.BadParameter(f"{address!r} is not an email address", param_hint="ADDRESS")
    try:
        alerts.send_test(settings, address)
    except (mail.Refused, mail.NotNow) as exc:
        raise click.ClickException(str(exc)) from None
    db = session()
    audit.record(db, "test_email_sent", email="(command line)", to=address)
    db.commit()
    click.echo(f"Sent a test email to {address} through {settings.host}:{settings.port}.")
