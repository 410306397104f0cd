"""API tokens: made for a named system with a scope and an expiry, kept only as a hash,
revoked at once, and rate-limited per token in the database (questionnaire.core.limits) so
every worker counts alike.

A token is 256 random bits. SHA-256 (not a slow password hash) is right for it: nobody can
guess a 256-bit value, and the hash is looked up on every request.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import literal, select, update
from sqlalchemy.orm import Session

from questionnaire.core import audit, limits
from questionnaire.core.models import API_SCOPES, ApiToken, User, UTCDateTime, utcnow

PREFIX = "prolo_"  # recognisable in a leaked file or a secret scanner's rules
NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._-]{0,79}")
# Each scope includes the ones before it.
SCOPE_RANK = {scope: rank for rank, scope in enumerate(API_SCOPES)}
SCOPE_WORDS = {
    "definitions": "The questionnaire and code systems only",
    "responses": "Responses and screenings, without contact details",
    "responses-with-contacts": "Responses and screenings, with call-back contact details",
}
MAX_DAYS = 366 * 2  # a token that never expires is a token nobody remembers to revoke
# A token that reads patients' contact details lives at most API_CONTACT_TOKEN_MAX_DAYS.
CONTACT_SCOPE = "responses-with-contacts"


def most_days(scope: str | None, contact_days: int) -> int:
    """The longest a token of `scope` may live, in days."""
    return min(contact_days, MAX_DAYS) if scope == CONTACT_SCOPE else MAX_DAYS


class TokenError(ValueError):
    """Why a token cannot be made, in words an admin can act on."""


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def expiry_problem(day: date | None, today: date, most: int) -> str | None:
    """What is wrong with `day` as a token's last day, if anything; `most`: most_days."""
    if day is None:
        return "Enter an expiry date like 2027-01-31"
    if day <= today:
        return "Choose an expiry date after today"
    if day > today + timedelta(days=most):
        return f"Choose an expiry date within {most} days"
    return None


def create(
    db: Session, name: str, scope: str, expires: date, by: User | str, *, contact_days: int
) -> tuple[ApiToken, str]:
    """The new token's row, and the token itself: the only time it exists in the clear.
    `by`: the admin making it, or where it was made without one (the command line); the row
    and its audit event, added here whichever way it was made, both name them. An admin's
    token works only while they stay an active admin (use). `contact_days`: the setting
    API_CONTACT_TOKEN_MAX_DAYS. The caller commits."""
    name = name.strip()
    if not NAME_RE.fullmatch(name):
        raise TokenError(
            "Use 1 to 80 letters, digits, spaces, dots, dashes or underscores, starting with "
            "a letter or digit"
        )
    if scope not in SCOPE_RANK:
        raise TokenError(f"Choose a scope: {', '.join(API_SCOPES)}")
    problem = expiry_problem(expires, utcnow().date(), most_days(scope, contact_days))
    if problem:
        raise TokenError(problem)
    if db.scalar(select(ApiToken.id).where(ApiToken.name == name)) is not None:
        raise TokenError(f"A token named {name!r} exists already: choose another name")
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        name=name,
        scope=scope,
        token_hash=digest(token),
        created_by=by.email if isinstance(by, User) else by,
        created_by_id=by.id if isinstance(by, User) else None,
        # The token works through the whole of its last day (UTC).
        expires_at=datetime.combine(expires + timedelta(days=1), time(), UTC),
    )
    db.add(row)
    db.flush()
    audit.record(
        db,
        "api_token_created",
        user=by if isinstance(by, User) else None,
        email=row.created_by,
        target=f"api_token:{row.id}",
        name=row.name,
        scope=row.scope,
        expires_at=row.expires_at.isoformat(),
    )
    return row, token


def last_day(row: ApiToken) -> date:
    """The last day (UTC) a token works: it expires at the start of the next."""
    return (row.expires_at - timedelta(days=1)).date()


def named(db: Session, name: str) -> ApiToken | None:
    return db.scalar(select(ApiToken).where(ApiToken.name == name))


def revoke(row: ApiToken) -> bool:
    """Stop the token working; False if it had been revoked already."""
    if row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    return True


def listing(db: Session) -> list[ApiToken]:
    return list(
        db.scalars(select(ApiToken).order_by(ApiToken.revoked_at.is_not(None), ApiToken.name))
    )


@dataclass(frozen=True)
class Caller:
    id: int
    name: str
    scope: str
    retry_after: int | None  # seconds to wait when over the limit, else None
    refusals: int = 0  # requests over the limit in this window, this one included

    def may(self, scope: str) -> bool:
        # A scope this version does not know (a row from a newer or older release) grants
        # nothing, rather than failing the request.
        return SCOPE_RANK.get(self.scope, -1) >= SCOPE_RANK[scope]


def use(db: Session, token: str, limit: int, window: timedelta) -> Caller | None:
    """The live token's caller, its request counted; None for an unknown, revoked or
    expired token. One UPDATE ... RETURNING finds the token and marks its use; the request
    is then counted in the token's rate window (limits.hit), which no two requests on any
    worker or host share a number in.

    A token made by an admin who has since been disabled or lost the admin role is revoked
    here, at its first use after (audited), and refused like any revoked token from then on:
    checked at use, no sweep can be missed, and an admin given the role back does not
    bring their old tokens back with it."""
    now = utcnow()
    at = literal(now, UTCDateTime())
    row = db.execute(
        update(ApiToken)
        .where(
            ApiToken.token_hash == digest(token),
            ApiToken.revoked_at.is_(None),
            ApiToken.expires_at > at,
        )
        .values(last_used_at=at)
        .returning(ApiToken.id, ApiToken.name, ApiToken.scope, ApiToken.created_by_id)
        .execution_options(synchronize_session=False)
    ).first()
    if row is None:
        return None
    if row.created_by_id is not None and not _still_admin(db.get(User, row.created_by_id)):
        _revoke_orphan(db, row.id, row.name, row.created_by_id, now)
        return None
    counted = _hit(db, limits.Limit(USED, limit, window), row.id, now)
    retry, refusals = None, 0
    if not counted.allowed:
        retry, refusals = counted.retry_after, counted.count - limit
    return Caller(row.id, row.name, row.scope, retry, refusals)


# The rate limits' names: requests made with a live token, and refusals of a dead one.
USED, REFUSED = "fhir-token", "fhir-refused"


def _hit(db: Session, limit: limits.Limit, token_id: int, now: datetime) -> limits.Hit:
    """Count a request in the token's window; the first of a window also clears every
    token's finished windows of this limit, so the table holds one row per busy token."""
    counted = limits.hit(db, limit, f"api_token:{token_id}", now)
    if counted.count == 1:
        limits.finished(db, limit, now)
    return counted


def _still_admin(maker: User | None) -> bool:
    return maker is not None and maker.active and maker.has_role("admin")


def _revoke_orphan(db: Session, token_id: int, name: str, maker_id: int, now: datetime) -> None:
    db.execute(
        update(ApiToken)
        .where(ApiToken.id == token_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=literal(now, UTCDateTime()))
        .execution_options(synchronize_session=False)
    )
    audit.record(
        db,
        "api_token_revoked",
        target=f"api_token:{token_id}",
        name=name,
        reason="its maker is no longer an active admin",
        maker=f"staff_user:{maker_id}",
    )


def worth_auditing(refusals: int) -> bool:
    """Whether the n-th refusal of a token in one rate window is audited: the 1st, 10th,
    100th... A flood of refused requests then writes a handful of audit rows, each saying
    how many refusals the window had reached, instead of one row per request."""
    return refusals >= 1 and str(refusals).rstrip("0") == "1"


@dataclass(frozen=True)
class Refused:
    name: str
    why: str  # revoked or expired
    refusals: int  # in this rate window, this one included


def refused(db: Session, token: str, window: timedelta) -> Refused | None:
    """For a token that did not work: its name, why (revoked or expired) and how often it
    has been refused in this rate window, if it was ever one of ours, so the refusal is
    audited under the name. Refusals count under a limit of their own, apart from the
    token's requests."""
    row = db.execute(
        select(ApiToken.id, ApiToken.name, ApiToken.revoked_at).where(
            ApiToken.token_hash == digest(token)
        )
    ).first()
    if row is None:
        return None
    # Refusals are counted, never refused: the most a window may hold does not matter.
    counted = _hit(db, limits.Limit(REFUSED, 1, window), row.id, utcnow())
    why = "revoked" if row.revoked_at is not None else "expired"
    return Refused(row.name, why, counted.count)
