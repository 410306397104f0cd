"""Resume codes: finish a draft on another device, and the limits that make guessing hopeless.

A code is 12 characters of Crockford's base32 (60 random bits), shown in three groups of
four. Only its SHA-256 is kept, on the draft: a slow hash would add nothing, because 2**60
codes cannot be tried online behind the limits below, and a stolen copy of the table already
holds the answers the code would unlock. Using a code moves the draft to the new browser (a
new cookie token, so the old device's token no longer finds it) and uses the code up.

Every code tried is counted per client and for everyone at once, in the database so that all
workers share the counts; the failures of a window are audited once, after it ends, as one
event with their number rather than one event per guess. Domain functions never commit.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import Request
from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from questionnaire.core import audit
from questionnaire.core.db import rows_changed
from questionnaire.core.models import Draft, ResumeAttempt, utcnow
from questionnaire.patient import drafts

# Crockford's base32 without I, L, O, U: nothing to misread, nothing to mistype.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 12  # 12 x 5 bits = 60 bits
GROUP = 4
# Typing is forgiving: any case, spaces and dashes anywhere, I and L read as 1, O as 0.
_MISREAD = str.maketrans("ILO", "110", " -")

WINDOW = timedelta(minutes=15)
PER_CLIENT = 10  # codes one client may try per window: a patient mistyping has room to spare
EVERYONE = 300  # codes all clients together may try per window, however many addresses
GLOBAL = "*"  # the client key of the everyone-at-once count (an HMAC is 64 hex digits)


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(raw[i : i + GROUP] for i in range(0, LENGTH, GROUP))


def normalise(typed: str) -> str:
    return typed.strip().upper().translate(_MISREAD)


def digest(code: str) -> str:
    return hashlib.sha256(normalise(code).encode()).hexdigest()


def well_formed(typed: str) -> bool:
    code = normalise(typed)
    return len(code) == LENGTH and all(c in ALPHABET for c in code)


def issue(draft: Draft) -> str:
    """A new code for this draft, in place of any earlier one, which stops working."""
    code = new_code()
    draft.resume_hash = digest(code)
    return code


def take_over(db: Session, typed: str) -> str | None:
    """Move the live draft this code belongs to onto a new cookie token and use the code up;
    returns the new token, or None for a wrong, expired or used code alike. One UPDATE finds
    and moves the draft, so two devices sending the same code at once cannot both have it."""
    if not well_formed(typed):
        return None
    token = secrets.token_urlsafe(32)
    moved = rows_changed(
        db.execute(
            update(Draft)
            .where(Draft.resume_hash == digest(typed), Draft.expires_at > utcnow())
            .values(id=drafts.token_key(token), resume_hash=None)
            .execution_options(synchronize_session=False)
        )
    )
    return token if moved == 1 else None


def client_key(request: Request, secret: str) -> str:
    """Who is trying, without keeping their address: an HMAC of it under the app's secret
    (a plain hash of an IPv4 address is undone by trying all 2**32). Behind our nginx the
    address is the last X-Forwarded-For entry, the one nginx added itself; a client talking
    to the app directly can forge it, but not its way past the everyone-at-once limit."""
    forwarded = request.headers.get("X-Forwarded-For", "")
    address = forwarded.rsplit(",", 1)[-1].strip() or request.remote_addr or ""
    return hmac.new(secret.encode(), address.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Allowance:
    allowed: bool
    retry_after: int  # seconds until the window ends


def _window_start(now: datetime) -> datetime:
    seconds = int(WINDOW.total_seconds())
    return datetime.fromtimestamp(int(now.timestamp()) // seconds * seconds, UTC)


def _count(db: Session, client: str, start: datetime) -> int:
    """Count one attempt in one INSERT ... ON CONFLICT ... RETURNING, so attempts sent at the
    same moment to different workers each get their own number."""
    insert = postgresql.insert if db.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(ResumeAttempt).values(
        client=client, window_start=start, attempts=1, failures=0
    )
    counted = statement.on_conflict_do_update(
        index_elements=[ResumeAttempt.client, ResumeAttempt.window_start],
        set_={"attempts": ResumeAttempt.attempts + 1},
    ).returning(ResumeAttempt.attempts)
    return db.execute(counted).scalar_one()


def attempt(db: Session, client: str, now: datetime | None = None) -> Allowance:
    """Count an attempt by this client and by everyone; allowed while both are within the
    limits. Refused attempts count too, so a script that keeps trying stays refused."""
    now = now or utcnow()
    report_finished_windows(db, now)
    start = _window_start(now)
    mine = _count(db, client, start)
    everyone = _count(db, GLOBAL, start)
    left = int((start + WINDOW - now).total_seconds()) + 1
    return Allowance(mine <= PER_CLIENT and everyone <= EVERYONE, left)


def failed(db: Session, client: str, now: datetime | None = None) -> None:
    """Count a wrong, expired or used code against this client's window and everyone's."""
    start = _window_start(now or utcnow())
    db.execute(
        update(ResumeAttempt)
        .where(ResumeAttempt.client.in_([client, GLOBAL]), ResumeAttempt.window_start == start)
        .values(failures=ResumeAttempt.failures + 1)
        .execution_options(synchronize_session=False)
    )


def report_finished_windows(db: Session, now: datetime | None = None) -> int:
    """Audit each finished window that had failures (one event: how many codes were tried,
    how many failed, from how many clients) and delete every finished window's counts. The
    DELETE ... RETURNING decides which worker reports a window: only one gets its rows."""
    start = _window_start(now or utcnow())
    clients = db.execute(
        select(ResumeAttempt.window_start).where(
            ResumeAttempt.window_start < start, ResumeAttempt.client != GLOBAL
        )
    ).all()
    totals = db.execute(
        delete(ResumeAttempt)
        .where(ResumeAttempt.window_start < start, ResumeAttempt.client == GLOBAL)
        .returning(ResumeAttempt.window_start, ResumeAttempt.attempts, ResumeAttempt.failures)
    ).all()
    db.execute(delete(ResumeAttempt).where(ResumeAttempt.window_start < start))
    for window_start, attempts, failures in sorted(totals):
        if failures:
            audit.record(
                db,
                "resume_codes_failed",
                window_start=window_start.isoformat(),
                window_minutes=int(WINDOW.total_seconds() // 60),
                attempts=attempts,
                failures=failures,
                clients=sum(1 for (w,) in clients if w == window_start),
            )
    return sum(1 for _, _, failures in totals if failures)
