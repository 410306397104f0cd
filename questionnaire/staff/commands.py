"""`flask` commands for staff accounts (e.g. the first admin, or the last admin's lost phone)."""

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
from questionnaire.staff import accounts, lockout, sessions


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
    setup_code = accounts.reset_second_factor(db, user, "(command line)")
    audit.record(db, "mfa_reset", email=COMMAND_LINE, target=f"user:{user.id}")
    db.commit()
    click.echo(
        f"{user.email} is signed out everywhere and will set up an authenticator app again "
        f"at their next sign-in, with this set-up code (give it to them; it is shown only "
        f"now, and works for {current_app.config['SETUP_CODE_HOURS']} hours): {setup_code}"
    )


COMMANDS = (purge_sessions, create_user, unlock_user, reset_mfa)
