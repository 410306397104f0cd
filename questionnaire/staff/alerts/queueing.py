"""Alerts, queueing: an event (a submission, a call-back request, the daily digest) adds one
Alert row per recipient in the same transaction as the event itself, so the alert exists
exactly when the event does; and an admin's "send again". Nothing here talks to a mail
server.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import Session

from questionnaire.core.config import ALERT_ROUTES
from questionnaire.core.db import rows_changed
from questionnaire.core.models import NO_FLAG_RANK, Alert, Submission, User, utcnow
from questionnaire.core.words import ALERT_STATUS_WORDS, BOOKING_WORDS
from questionnaire.staff.dashboard import statistics
from questionnaire.staff.submissions.filters import start_of


def recipients(kind: str) -> tuple[str, ...]:
    return current_app.config[ALERT_ROUTES[kind]]


def _queue(
    db: Session,
    kind: str,
    addresses: Iterable[str],
    submission: Submission | None = None,
    **extra: Any,
) -> None:
    for address in addresses:
        db.add(
            Alert(
                kind=kind,
                recipient=address,
                submission_id=submission.id if submission else None,
                reference=submission.reference if submission else None,
                tier=submission.tier if submission else None,
                **extra,
            )
        )


def on_submission(db: Session, submission: Submission) -> None:
    """Called by submissions.create, inside its transaction. Someone who hears of the red
    flag is not also sent the "new submission" alert for it."""
    told: tuple[str, ...] = ()
    if submission.tier is not None:
        told = recipients("red_flag")
        _queue(db, "red_flag", told, submission)
    _queue(db, "submission", [a for a in recipients("submission") if a not in told], submission)


def on_callback(db: Session, submission: Submission) -> None:
    """Called by submissions.add_callback, inside its transaction."""
    _queue(db, "callback", recipients("callback"), submission)


def on_new_device(db: Session, user: User, at: datetime) -> None:
    """A sign-in from a device new to the account, after a pause for wrong passwords or
    codes (staff.devices): told to the person, in case it was not them."""
    _queue(db, "new_device", [user.email], details={"at": at.strftime("%Y-%m-%d %H:%M")})


def queue_unit_failure(db: Session, unit: str, now: datetime) -> int | None:
    """Queue an alert about a failed systemd unit to every active admin; how many, or None
    when they were told of this unit within the hour: a timer that fails every minute (the
    mail server down, say) tells them once an hour, not sixty times."""
    prefix = f"unit_failed:{unit}:{now:%Y-%m-%dT%H}:"
    if db.scalar(select(exists().where(Alert.dedupe_key.startswith(prefix, autoescape=True)))):
        return None
    admins = [u.email for u in db.scalars(select(User).where(User.active)) if u.has_role("admin")]
    details = {"unit": unit, "at": now.isoformat(sep=" ", timespec="minutes")}
    for address in admins:
        _queue(db, "unit_failed", [address], details=details, dedupe_key=prefix + address)
    db.flush()
    return len(admins)


# The digest -------------------------------------------------------------------------------


def digest_counts(db: Session, day: date, now: datetime) -> dict[str, Any]:
    """What the digest for `day` says: the day before's submissions by outcome (the
    clinic's days: 23 or 25 hours when the clocks change), and what is waiting now,
    whenever it was sent."""
    tz = current_app.config["CLINIC_TIMEZONE"]
    window = (Submission.created_at >= start_of(day - timedelta(days=1), tz)) & (
        Submission.created_at < start_of(day, tz)
    )
    by_booking = dict(
        db.execute(
            select(Submission.booking, func.count()).where(window).group_by(Submission.booking)
        ).all()
    )
    unreviewed_flags = db.scalar(
        select(func.count())
        .select_from(Submission)
        .where(Submission.tier_rank < NO_FLAG_RANK, Submission.review_status == "new")
    )
    waiting, oldest = statistics.callbacks_waiting(db)  # as the dashboard counts them
    return {
        "day": (day - timedelta(days=1)).isoformat(),
        "by_booking": {b: by_booking.get(b, 0) for b in BOOKING_WORDS},
        "red_flags_unreviewed": unreviewed_flags or 0,
        "callbacks_waiting": waiting or 0,
        "oldest_callback_minutes": int((now - oldest).total_seconds() // 60) if oldest else None,
    }


def queue_digest(db: Session, day: date) -> int | None:
    """Queue the digest for `day` (one row per address), or None when it is already queued:
    running the command twice in a day sends one. The unique dedupe key settles a race
    between two runs (the caller rolls back on IntegrityError)."""
    prefix = f"digest:{day.isoformat()}:"
    if db.scalar(select(exists().where(Alert.dedupe_key.startswith(prefix, autoescape=True)))):
        return None
    addresses = recipients("digest")
    counts = digest_counts(db, day, utcnow())
    for address in addresses:
        _queue(db, "digest", [address], details=counts, dedupe_key=prefix + address)
    db.flush()
    return len(addresses)


def retry(alert: Alert) -> None:
    """An admin's "Send again" for a failed alert: due at the next run, a fresh count."""
    alert.status = "pending"
    alert.attempts = 0
    alert.next_attempt_at = utcnow()
    alert.claimed_by = alert.claimed_at = None


def retry_all_failed(db: Session) -> int:
    """An admin's "Send all failed again" (after fixing a setting, say): how many."""
    result = db.execute(
        update(Alert)
        .where(Alert.status == "failed")
        .values(
            status="pending",
            attempts=0,
            next_attempt_at=utcnow(),
            claimed_by=None,
            claimed_at=None,
        )
        .execution_options(synchronize_session=False)
    )
    return rows_changed(result)


def counts_by_status(db: Session) -> dict[str, int]:
    found = dict(db.execute(select(Alert.status, func.count()).group_by(Alert.status)).all())
    return {s: found.get(s, 0) for s in ALERT_STATUS_WORDS}
