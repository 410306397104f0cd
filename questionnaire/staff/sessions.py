"""Staff sessions, kept server-side: a cookie holds a random token, the table its digest.

Domain functions never commit; the view or command does.

A session starts when the password is right; until the second factor is given (or, before a
person has one, set up) it reaches only the code page, or the set-up and password pages, and
ends after CODE_STEP_TIME or SETUP_STEP_TIME. Every session also ends after idle minutes
without a request and at the latest STAFF_SESSION_HOURS after it began, however busy.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from questionnaire.core.db import rows_changed
from questionnaire.core.models import StaffSession, User, utcnow

CODE_STEP_TIME = timedelta(minutes=5)  # from a right password to the code
SETUP_STEP_TIME = timedelta(minutes=15)  # time to install an app as well
HALF_WAY_TIME = {"code": CODE_STEP_TIME, "setup": SETUP_STEP_TIME}


def _key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class SignedIn:
    """A live session, its person, and how far its sign-in has got: "in"; "code" (the
    password was right, the code is wanted); "setup" (the password was right, and the person
    has no authenticator yet)."""

    user: User
    row: StaffSession
    stage: str


@dataclass(frozen=True)
class SessionRules:
    idle: timedelta
    lifetime: timedelta
    mfa_required: bool


def open_session(
    db: Session, user: User, *, mfa_passed: bool, replacing: StaffSession | None = None
) -> str:
    """A new session token. `replacing`: the session it takes over from (after a password
    change), whose start and second factor it keeps, so the 12-hour limit cannot be renewed
    by changing the password."""
    token = secrets.token_urlsafe(32)
    row = StaffSession(id=_key(token), user_id=user.id)
    if replacing is not None:
        row.created_at, row.mfa_passed_at = replacing.created_at, replacing.mfa_passed_at
        row.code_at = replacing.code_at
    else:
        row.mfa_passed_at = row.code_at = utcnow() if mfa_passed else None
    db.add(row)
    db.flush()
    return token


def stage(row: StaffSession, mfa_required: bool) -> str:
    if row.mfa_passed_at is not None or not mfa_required:
        return "in"
    return "code" if row.user.has_authenticator else "setup"


def find_session(db: Session, token: str | None, rules: SessionRules) -> SignedIn | None:
    """The live session behind a token; one that is over is ended."""
    if not token:
        return None
    row = db.get(StaffSession, _key(token))
    if row is None:
        return None
    now = utcnow()
    how_far = stage(row, rules.mfa_required)
    age = now - row.created_at
    if (
        now - row.last_seen_at > rules.idle
        or age > rules.lifetime
        or (how_far != "in" and age > HALF_WAY_TIME[how_far])
        or not row.user.active
    ):
        db.delete(row)
        return None
    # Write at most once a minute: a page view should not always cost a write.
    if now - row.last_seen_at > timedelta(minutes=1):
        row.last_seen_at = now
    return SignedIn(row.user, row, how_far)


def session_owner(db: Session, token: str | None) -> int | None:
    """Whose session a token was, live or not (before find_session ends one that is over):
    so a form posted just after the idle timeout can be kept for that person."""
    row = db.get(StaffSession, _key(token)) if token else None
    return row.user_id if row is not None else None


def close_session(db: Session, token: str | None) -> None:
    if token:
        db.execute(delete(StaffSession).where(StaffSession.id == _key(token)))


def end_sessions(db: Session, user: User) -> None:
    db.execute(delete(StaffSession).where(StaffSession.user_id == user.id))


def purge_idle_sessions(db: Session, idle: timedelta, now: datetime | None = None) -> int:
    cutoff = (now or utcnow()) - idle
    return (
        rows_changed(db.execute(delete(StaffSession).where(StaffSession.last_seen_at < cutoff)))
        or 0
    )
