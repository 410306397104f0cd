"""Staff accounts: making one, finding one, setting its password, signing in to it.

Domain functions never commit; the view or command does. The password rules and hashing
are in passwords, the throttling of guesses in lockout, the sessions in sessions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from questionnaire.core.forms import EMAIL_RE
from questionnaire.core.models import ROLES, User, utcnow
from questionnaire.staff import mfa
from questionnaire.staff.lockout import attempt_password
from questionnaire.staff.passwords import (
    Busy,
    checking,
    hash_password,
    password_problem,
    rehash_if_needed,
    spend_like_a_check,
)
from questionnaire.staff.sessions import end_sessions


class AccountError(ValueError):
    """A reason a person can act on, e.g. why a password was refused."""


EMAIL_TAKEN = "An account with this email address already exists"
BUSY = "Many sign-ins are being checked right now. Wait a moment and try again."


def check_password_rules(password: str, email: str = "") -> None:
    problem = password_problem(password, email)
    if problem:
        raise AccountError(problem)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def looks_like_email(text: str) -> bool:
    """One @, no spaces, a dot in the domain, at most 254 characters. What was typed at a
    failed sign-in is kept only then: a password typed into the email box must not be."""
    return len(text) <= 254 and EMAIL_RE.fullmatch(text) is not None


def find_user(db: Session, email: str) -> User | None:
    return db.scalars(select(User).where(User.email == normalise_email(email))).first()


def _hours(setting: str) -> timedelta:
    return timedelta(hours=current_app.config[setting])


def create_user(
    db: Session,
    email: str,
    password: str,
    roles: list[str],
    *,
    must_change: bool = False,
    setup_code_required: bool = True,
) -> User:
    """`must_change`: `password` is a temporary one, for one sign-in within
    TEMPORARY_PASSWORD_HOURS. `setup_code_required`: False only for an account made at
    the host (`flask create-user`), whose first set-up needs no code from an admin."""
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise AccountError("Enter a valid email address")
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise AccountError(f"Unknown role {unknown[0]!r}; roles are {', '.join(ROLES)}")
    if find_user(db, email) is not None:
        raise AccountError(EMAIL_TAKEN)
    check_password_rules(password, email)
    user = User(
        email=email,
        password_hash=_hashed(password),
        roles=[r for r in ROLES if r in roles],
        must_change_password=must_change,
        setup_code_required=setup_code_required,
    )
    _temporary(user, must_change)
    try:
        # A savepoint: two requests adding one address at once both pass find_user, and
        # the second's INSERT fails on the unique email; its transaction stays usable.
        with db.begin_nested():
            db.add(user)
    except IntegrityError:
        raise AccountError(EMAIL_TAKEN) from None
    return user


def set_password(db: Session, user: User, password: str, *, must_change: bool = False) -> None:
    check_password_rules(password, user.email)
    user.password_hash = _hashed(password)
    user.must_change_password = must_change
    _temporary(user, must_change)
    end_sessions(db, user)


def _hashed(password: str) -> str:
    try:
        return hash_password(password)
    except Busy:
        raise AccountError(BUSY) from None


def _temporary(user: User, temporary: bool) -> None:
    user.temporary_password_until = (
        utcnow() + _hours("TEMPORARY_PASSWORD_HOURS") if temporary else None
    )


def issue_setup_code(user: User, by: str) -> str:
    return mfa.issue_setup_code(user, by, _hours("SETUP_CODE_HOURS"))


@dataclass(frozen=True)
class SignIn:
    user: User | None
    outcome: str  # "ok", "disabled", "temporary_expired", or an attempt_password() outcome


def sign_in(db: Session, email: str, password: str, *, mfa_required: bool) -> SignIn:
    """Check the credentials, counting failures per account. The caller shows the same
    message for every outcome but "ok", so nobody learns which accounts exist. Raises
    passwords.Busy, before anything is looked up or counted, when the host has no slot
    free for a password check."""
    with checking():
        return _sign_in(db, email, password, mfa_required=mfa_required)


def _sign_in(db: Session, email: str, password: str, *, mfa_required: bool) -> SignIn:
    user = find_user(db, email)
    if user is None:
        spend_like_a_check(password)
        return SignIn(None, "bad_credentials")
    code_follows = mfa_required and user.has_authenticator
    outcome = attempt_password(db, user, password, completes=not code_follows)
    if outcome != "ok":
        return SignIn(user, outcome)
    if not user.active:
        return SignIn(user, "disabled")
    if user.must_change_password:
        # A temporary password works once: whoever uses it first spends it, so a second
        # person holding it learns it was taken (the sign-in says so, and is audited).
        now = utcnow()
        if user.temporary_password_until is None or user.temporary_password_until <= now:
            return SignIn(user, "temporary_expired")
        user.temporary_password_until = now
    rehash_if_needed(user, password)
    return SignIn(user, "ok")


def reset_second_factor(db: Session, user: User, by: str) -> str:
    """For a lost phone: the person is signed out everywhere and sets up an authenticator
    app again at their next sign-in, with the set-up code returned, which `by` hands over."""
    mfa.forget(db, user)
    end_sessions(db, user)
    return issue_setup_code(user, by)
