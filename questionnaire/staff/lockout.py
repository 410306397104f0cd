"""Throttling sign-in guesses per account: passwords, authenticator codes, recovery codes.

Domain functions never commit; the view or command does.

FAILURES_BEFORE_LOCK wrong passwords within FAILURE_WINDOW, at the sign-in page or as the
current password on the password page, lock the account. Every attempt is counted in one SQL
statement before its password is checked, so attempts sent at once get exactly that many
checks between them, not one each.

The pauses grow with each run of failures that ends in one (PAUSES: 15 minutes, 1 hour,
4 hours, then a day each time), and go back to the first only after PAUSE_MEMORY (a week)
without a pause. A right password or code does not start them again from the first: the
owner signing in between two runs would otherwise hand the guesser short pauses. So one
account gets at most 5 guesses a day after the first day: the
arithmetic for a year is in docs/security.md. The price is that anyone who knows an address
can keep its account paused for a day at a time: an admin can lift a pause at once from the
accounts page (admin.unlock, which also starts the pauses again from the first), and
limiting attempts per address is nginx's job, not this module's.

Codes from an authenticator app and recovery codes count toward the same lock. So that a
person who knows the password cannot start the count again by typing it again between wrong
codes, a right password at a sign-in that still needs a code clears nothing: it only takes
back its own attempt. The code that completes the sign-in clears the count.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import BindParameter, case, literal, or_, update
from sqlalchemy.orm import Session

from questionnaire.core.models import User, UTCDateTime, utcnow
from questionnaire.staff import mfa
from questionnaire.staff.passwords import spend_like_a_check, verify_password

FAILURES_BEFORE_LOCK = 5
FAILURE_WINDOW = timedelta(minutes=15)
PAUSES = (timedelta(minutes=15), timedelta(hours=1), timedelta(hours=4), timedelta(hours=24))
LOCK_TIME = PAUSES[0]  # the first pause, set as the last allowed attempt is counted
PAUSE_MEMORY = timedelta(days=7)


def attempt_password(db: Session, user: User, password: str, *, completes: bool = True) -> str:
    """Check `user`'s password as one counted attempt: "ok", "bad_credentials",
    "locked_now" (this failure locked the account) or "locked" (no check was made).
    A right password clears earlier failures only if it `completes` what it is for."""

    def check() -> str:
        return "ok" if verify_password(user, password) else "bad_credentials"

    outcome = _attempt(db, user, check, on_locked=lambda: spend_like_a_check(password))
    if outcome == "ok":
        if completes:
            clear_failures(user)
        else:
            _take_back_attempt(db, user)
    return outcome


def attempt_code(db: Session, user: User, code: str) -> str:
    """A code from the authenticator app, counted like a password: "ok", "bad_code",
    "replayed", "secret_unreadable", "locked_now" or "locked"."""
    return _clearing(user, _attempt(db, user, lambda: mfa.check_code(db, user, code)))


def attempt_recovery_code(db: Session, user: User, code: str) -> str:
    """A recovery code, counted like a password: "ok" (and it is used up), "bad_code",
    "locked_now" or "locked"."""
    return _clearing(user, _attempt(db, user, lambda: mfa.use_recovery_code(db, user, code)))


def attempt_setup_code(db: Session, user: User, code: str) -> str:
    """An admin's set-up code, counted like a password: "ok" (not yet used up: finishing
    the set-up does that), "bad_setup_code", "setup_code_expired", "locked_now" or
    "locked"."""
    return _clearing(user, _attempt(db, user, lambda: mfa.check_setup_code(user, code)))


def _clearing(user: User, outcome: str) -> str:
    if outcome == "ok":
        clear_failures(user)
    return outcome


def _attempt(
    db: Session, user: User, check: Callable[[], str], on_locked: Callable[[], None] = lambda: None
) -> str:
    """One counted attempt: `check` runs only while the account is not locked."""
    now = utcnow()
    attempt = _count_attempt(db, user, now)
    if attempt > FAILURES_BEFORE_LOCK:
        on_locked()
        return "locked"
    outcome = check()
    if outcome != "ok" and attempt == FAILURES_BEFORE_LOCK:
        _lengthen_pause(db, user, now)
        return "locked_now"
    return outcome


def pause_for(level: int) -> timedelta:
    """The pause after the `level`th run of failures in a row (1 for the first)."""
    return PAUSES[min(level, len(PAUSES)) - 1]


def _lengthen_pause(db: Session, user: User, now: datetime) -> None:
    """The run of failures ended in a pause: make it as long as this run's number says.
    Only the attempt numbered FAILURES_BEFORE_LOCK comes here, so one statement for the
    number and one for the end are enough; the number is counted in SQL, as the attempts
    are, from the row as it is."""
    level = db.execute(
        update(User)
        .where(User.id == user.id)
        .values(
            lock_level=case(
                (
                    or_(User.lock_level_at.is_(None), User.lock_level_at <= now - PAUSE_MEMORY),
                    1,
                ),
                else_=User.lock_level + 1,
            ),
            lock_level_at=_moment(now),
        )
        .returning(User.lock_level)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    db.execute(
        update(User)
        .where(User.id == user.id)
        .values(locked_until=_moment(now + pause_for(level)))
        .execution_options(synchronize_session=False)
    )
    db.expire(user, ["lock_level", "lock_level_at", "locked_until"])


def _count_attempt(db: Session, user: User, now: datetime) -> int:
    """Count one attempt and return its number in the current window. A number above
    FAILURES_BEFORE_LOCK means the account is locked: no password may be checked.

    One UPDATE ... RETURNING, so attempts at the same moment each get their own number (read,
    then write, gave them all the same one). The last allowed attempt sets the lock before
    its password is checked; a right password then lifts it again (clear_failures)."""
    locked = User.locked_until > now
    new_window = or_(
        User.first_failed_at.is_(None),
        User.first_failed_at <= now - FAILURE_WINDOW,
        User.failed_logins >= FAILURES_BEFORE_LOCK,  # a lock that has run out, or was lifted
    )
    number = case((locked, User.failed_logins + 1), (new_window, 1), else_=User.failed_logins + 1)
    attempt = db.execute(
        update(User)
        .where(User.id == user.id)
        .values(
            failed_logins=number,
            first_failed_at=case(
                (locked, User.first_failed_at),
                (new_window, _moment(now)),
                else_=User.first_failed_at,
            ),
            locked_until=case(
                (locked, User.locked_until),
                (number >= FAILURES_BEFORE_LOCK, _moment(now + LOCK_TIME)),
                else_=None,
            ),
        )
        .returning(User.failed_logins)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    db.expire(user, ["failed_logins", "first_failed_at", "locked_until"])
    return attempt


def _moment(value: datetime) -> BindParameter[datetime]:
    # Typed, so it is stored as the columns store it (naive UTC), whatever the session's zone.
    return literal(value, UTCDateTime())


def _take_back_attempt(db: Session, user: User) -> None:
    """Uncount a right password's attempt, leaving the failures counted: one right password
    among four failures still lifts the lock its attempt set, but clears nothing more."""
    remaining = User.failed_logins - 1
    db.execute(
        update(User)
        .where(User.id == user.id)
        .values(
            failed_logins=remaining,
            first_failed_at=case((remaining < 1, None), else_=User.first_failed_at),
            locked_until=case((remaining < FAILURES_BEFORE_LOCK, None), else_=User.locked_until),
        )
        .execution_options(synchronize_session=False)
    )
    db.expire(user, ["failed_logins", "first_failed_at", "locked_until"])


def clear_failures(user: User) -> None:
    """Forget failed attempts and lift any lock: a right password, or an admin's unlock."""
    user.failed_logins, user.first_failed_at, user.locked_until = 0, None, None


def unlock(user: User) -> str | None:
    """An admin's Unlock (or `flask unlock-user`): lift the lock, forget the failures, and
    start the pauses again from the first. Returns when the lock would have ended, for the
    audit entry."""
    was = user.locked_until
    clear_failures(user)
    user.lock_level, user.lock_level_at = 0, None
    return was.isoformat() if was else None


def pause_minutes(user: User) -> int:
    """The pause the account is in now, in minutes, for the audit entry."""
    return pause_for(max(user.lock_level, 1)) // timedelta(minutes=1)


def is_locked(user: User, now: datetime | None = None) -> bool:
    return user.locked_until is not None and user.locked_until > (now or utcnow())
