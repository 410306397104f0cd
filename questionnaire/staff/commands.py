"""`flask` commands for staff accounts (e.g. the first admin, or the last admin's lost phone),
the second factor's key, and a patient's request to be erased."""

from __future__ import annotations

import sys
from datetime import timedelta

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from questionnaire.core import audit
from questionnaire.core.commands import COMMAND_LINE
from questionnaire.core.db import session
from questionnaire.core.models import ROLES, User
from questionnaire.staff import accounts, lockout, mfa, sessions
from questionnaire.staff.admin import erasure


@click.command("purge-sessions", help="Delete staff sessions idle past the timeout.")
@with_appcontext
def purge_sessions() -> None:
    db = session()
    idle = timedelta(minutes=current_app.config["STAFF_IDLE_MINUTES"])
    count = sessions.purge_idle_sessions(db, idle)
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
        # Made by someone at the host: its first set-up of an app needs no set-up code.
        user = accounts.create_user(db, email, password, list(roles), setup_code_required=False)
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from None
    audit.record(db, "user_created", email=COMMAND_LINE, target=f"user:{user.id}", roles=user.roles)
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
        email=COMMAND_LINE,
        target=f"user:{user.id}",
        locked_until=lockout.unlock(user),
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
    setup_code = accounts.reset_second_factor(db, user, COMMAND_LINE)
    audit.record(db, "mfa_reset", email=COMMAND_LINE, target=f"user:{user.id}")
    db.commit()
    click.echo(
        f"{user.email} is signed out everywhere and will set up an authenticator app again "
        f"at their next sign-in, with this set-up code (give it to them; it is shown only "
        f"now, and works for {current_app.config['SETUP_CODE_HOURS']} hours): {setup_code}"
    )


@click.command(
    "rotate-mfa-key",
    help="Encrypt authenticator secrets again under MFA_ENCRYPTION_KEY (run at every start).",
)
@with_appcontext
def rotate_mfa_key() -> None:
    """After a key change, so that MFA_ENCRYPTION_KEY_PREVIOUS can be removed; the systemd
    unit runs it before the app starts, which also makes a wrong key show at once."""
    db = session()
    moved, unreadable = mfa.rotate_key(db)
    if moved:
        audit.record(db, "mfa_key_rotated", email=COMMAND_LINE, secrets=moved)
    db.commit()
    if unreadable:
        raise click.ClickException(
            f"{unreadable} authenticator secret(s) cannot be decrypted with MFA_ENCRYPTION_KEY "
            "or MFA_ENCRYPTION_KEY_PREVIOUS: the key is wrong, or the old one is missing. "
            "Put the right key back, or `reset-mfa EMAIL` each person"
        )
    click.echo(f"{moved} authenticator secret(s) encrypted again under MFA_ENCRYPTION_KEY.")


@click.command(
    "erase-submission", help="Erase a submission at the patient's request, by its REFERENCE."
)
@click.argument("reference")
@click.option("--reason", default="", help="Who asked, how and when (goes in the audit log).")
@with_appcontext
def erase_submission(reference: str, reason: str) -> None:
    """A reference unknown or already erased, or no reason: one line and status 2, as for a
    bad argument, and nothing changes."""
    db = session()
    try:
        found = erasure.find(db, reference)
        erasure.erase(db, found, erasure.clean_reason(reason), None)
    except erasure.RequestError as exc:
        db.rollback()
        click.echo(f"Error: {exc}", err=True)
        click.get_current_context().exit(2)
    db.commit()
    held = ", ".join(f"{name}: {rows}" for name, rows in found.held.items() if rows)
    click.echo(f"Erased {found.submission.reference}" + (f" with {held}." if held else "."))


COMMANDS = (purge_sessions, create_user, unlock_user, reset_mfa, rotate_mfa_key, erase_submission)
