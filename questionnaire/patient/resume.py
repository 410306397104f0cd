"""Resume codes: finish a draft on another device, and the limits that make guessing hopeless.

A code is 12 characters of Crockford's base32 (60 random bits), shown in three groups of
four. Only its SHA-256 is kept, on the draft: a slow hash would add nothing, because 2**60
codes cannot be tried online behind the limits below, and a stolen copy of the table already
holds the answers the code would unlock. Using a code moves the draft to the new browser (a
new cookie token, so the old device's token no longer finds it) and uses the code up.

Every code tried is counted per client network (questionnaire.core.limits: an IPv4 address,
an IPv6 /64) and refused past a few; a crowd of addresses cannot lock patients out, because
the count for everyone at once only raises the alarm (an audit event, once a window) when
it passes a ceiling far above real use. The failures of a window are audited once, after
it ends, as one event with their number rather than one event per guess. Domain functions
never commit.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Request
from sqlalchemy import update
from sqlalchemy.orm import Session

from questionnaire.core import audit, codes, limits
from questionnaire.core.db import rows_changed
from questionnaire.core.models import Draft, utcnow
from questionnaire.patient import drafts

LENGTH = 12  # 12 x 5 bits = 60 bits

WINDOW = timedelta(minutes=15)
PER_CLIENT = 10  # codes one client may try per window: a patient mistyping has room to spare
# Codes tried by every client at once in a window: a clinic's patients resume a handful a
# day, so passing this is an attack (or a fault) someone must look at; it refuses nobody.
CEILING = 3000
TRIED = limits.Limit("resume-client", PER_CLIENT, WINDOW)
EVERYONE = limits.Limit("resume-everyone", CEILING, WINDOW)
FAILED = limits.Limit("resume-failed", CEILING, WINDOW)  # for the report: never refuses
ALL = "*"  # the key of the everyone-at-once counts (a client's is 64 hex digits)


def new_code() -> str:
    return codes.new_code(LENGTH)


def digest(code: str) -> str:
    return hashlib.sha256(codes.normalise(code).encode()).hexdigest()


def well_formed(typed: str) -> bool:
    code = codes.normalise(typed)
    return len(code) == LENGTH and all(c in codes.ALPHABET for c in code)


def issue(draft: Draft) -> str:
    """A new code for this draft, in place of any earlier one, which stops working."""
    code = new_code()
    draft.resume_hash = digest(code)
    return code


def opens(draft: Draft, code: str | None) -> bool:
    """Whether this code is the draft's current one (not replaced, not used)."""
    return bool(code) and draft.resume_hash == digest(code or "")


def keep_or_issue(draft: Draft, known: str | None) -> str:
    """The code this browser was given for this draft while it still works, so a code the
    patient wrote down keeps working when they save again; otherwise a new one."""
    if known is not None and opens(draft, known):
        return known
    return issue(draft)


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
    """The key a client's tries are counted under: its network, as an HMAC."""
    return limits.client_key(request, secret)


@dataclass(frozen=True)
class Allowance:
    allowed: bool
    retry_after: int  # seconds until the window ends


def attempt(db: Session, client: str, now: datetime | None = None) -> Allowance:
    """Count an attempt by this client and by everyone; allowed while this client is within
    its limit. Refused attempts count too, so a script that keeps trying stays refused. The
    attempt that first passes the ceiling for everyone is audited (exactly one gets that
    count), and refused no more than any other."""
    now = now or utcnow()
    report_finished_windows(db, now)
    mine = limits.hit(db, TRIED, client, now)
    everyone = limits.hit(db, EVERYONE, ALL, now)
    if everyone.count == EVERYONE.most + 1:
        audit.record(
            db,
            "resume_codes_ceiling",
            window_start=everyone.window_start.isoformat(),
            window_minutes=int(WINDOW.total_seconds() // 60),
            ceiling=EVERYONE.most,
        )
    return Allowance(mine.allowed, mine.retry_after)


def failed(db: Session, client: str, now: datetime | None = None) -> None:
    """Count a wrong, expired or used code for this window's report: in all, and by client
    (the report says how many clients failed, never which)."""
    limits.hit(db, FAILED, client, now)
    limits.hit(db, FAILED, ALL, now)


def report_finished_windows(db: Session, now: datetime | None = None) -> int:
    """Audit the finished window of the count for everyone, if it had failures (one event:
    how many codes were tried, how many failed, from how many clients) and delete its
    counts: the failures since the last report with it, and the clients' finished windows.
    Whoever deletes the count for everyone (limits.finished) reports it: only one worker
    gets its row. Every failure is counted after an attempt, whose call reports first, so
    the failures cleared are the finished window's."""
    limits.finished(db, TRIED, now)
    reported = 0
    for _, start, attempts in limits.finished(db, EVERYONE, now):
        failed_now = limits.clear(db, FAILED)
        failures = sum(count for key, _, count in failed_now if key == ALL)
        if failures:
            reported += 1
            audit.record(
                db,
                "resume_codes_failed",
                window_start=start.isoformat(),
                window_minutes=int(WINDOW.total_seconds() // 60),
                attempts=attempts,
                failures=failures,
                clients=sum(1 for key, _, _ in failed_now if key != ALL),
            )
    return reported
