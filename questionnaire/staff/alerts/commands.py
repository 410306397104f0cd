"""`flask` commands the alert timers run, and a test email to check the mail settings."""

from __future__ import annotations

import re

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from questionnaire.core import audit, clinic_time, mail
from questionnaire.core.commands import COMMAND_LINE, refuse
from questionnaire.core.config import ADDRESS_RE
from questionnaire.core.db import session
from questionnaire.core.models import utcnow
from questionnaire.staff.alerts import outbox as alerts


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
    audit.record(db, "test_email_sent", email=COMMAND_LINE, to=address)
    db.commit()
    click.echo(f"Sent a test email to {address} through {settings.host}:{settings.port}.")


# A systemd unit's name as OnFailure= passes it (%n): letters, digits and :_.@- only, so
# nothing odd reaches an email's subject. Short enough for the outbox's dedupe key.
UNIT_RE = re.compile(r"[A-Za-z0-9:_.@-]{1,100}\.(service|timer)")


@click.command(
    "notify-failure",
    help="Email the admins that a systemd UNIT failed (each unit's OnFailure= runs this).",
)
@click.argument("unit")
@with_appcontext
def notify_failure(unit: str) -> None:
    if not UNIT_RE.fullmatch(unit):
        refuse(f"{unit!r} is not a systemd unit's name, like prolotherapy-backup.service")
    db = session()
    try:
        queued = alerts.queue_unit_failure(db, unit, utcnow())
        db.commit()
    except IntegrityError:  # another run queued it a moment ago
        db.rollback()
        queued = None
    if queued is None:
        click.echo(f"The admins were told of {unit} failing within the hour: nothing queued.")
    elif queued == 0:
        raise click.ClickException(f"No active admin account to tell that {unit} failed")
    else:
        click.echo(f"Queued an alert that {unit} failed to {queued} admin(s).")
    # Sent now, not by the alerts timer: that timer may be the unit that failed.
    settings = mail.MailSettings.from_config(current_app.config)
    if settings.on:
        _send_due(db, settings)
    else:
        _mail_off(db)


COMMANDS = (send_alerts, send_digest, send_test_email, notify_failure)
