"""Alerts, sending: `flask send-alerts` (a timer, every minute) claims due rows, sends
them and records what happened; a mail server that is down delays alerts, never loses them.
"""

from __future__ import annotations

import os
import secrets
import socket
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.orm import Session

from questionnaire.core import mail
from questionnaire.core.models import Alert, utcnow
from questionnaire.staff.alerts.composing import compose

BATCH = 10  # rows claimed at a time: a batch is sent well within CLAIM_TIMEOUT
# Tries a message may use on a server that answers but puts it off (4xx): about 6 hours
# (1, 2, 4 ... minutes, then hourly). A server that cannot be reached at all uses none of
# them: an outage of any length delays alerts, hourly at most, and fails none.
MAX_ATTEMPTS = 12
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=1)
# `send-alerts` claims no new batch after this long, so its timer's limit (TimeoutStartSec
# in deploy/systemd/prolotherapy-alerts.service) never stops it mid-message: what is left
# waits for the next run.
SEND_BUDGET = timedelta(minutes=8)
# A claim this old was left by a sender that died mid-batch: its rows are taken over. A
# live sender renews its claim before each message (_hold), and one message takes a few
# steps of at most SMTP_TIMEOUT (60 s at most) each: far less than this.
CLAIM_TIMEOUT = timedelta(minutes=15)


@dataclass
class Outcome:
    sent: int = 0
    failed: int = 0
    retrying: int = 0
    problems: list[str] = field(default_factory=list)  # why the server could not be used
    out_of_time: bool = False  # stopped at the time budget with alerts maybe still due


def _free(now: datetime) -> ColumnElement[bool]:
    return or_(Alert.claimed_by.is_(None), Alert.claimed_at < now - CLAIM_TIMEOUT)


def claim(db: Session, worker: str, now: datetime, limit: int = BATCH) -> list[int]:
    """Take up to `limit` due rows for `worker` and commit: another sender running at the
    same moment gets other rows or none."""
    due = (
        select(Alert.id)
        .where(Alert.status == "pending", Alert.next_attempt_at <= now, _free(now))
        .order_by(Alert.id)
        .limit(limit)
    )
    if db.get_bind().dialect.name == "postgresql":
        # Lock the due rows, skipping any another sender holds, then mark them ours in the
        # same transaction. Not as a locking subquery of the UPDATE: PostgreSQL may run that
        # again for each row it updates, and so claim more than `limit` rows.
        chosen = Alert.id.in_(db.scalars(due.with_for_update(skip_locked=True)).all())
    else:
        chosen = Alert.id.in_(due.scalar_subquery())  # one statement: SQLite has one writer
    ids = db.scalars(
        update(Alert)
        .where(chosen, Alert.status == "pending", _free(now))
        .values(claimed_by=worker, claimed_at=now)
        .returning(Alert.id)
        .execution_options(synchronize_session=False)
    ).all()
    db.commit()
    return sorted(ids)


def _record(db: Session, alert: Alert, worker: str, **values: Any) -> None:
    """Write the result and let go of the row, unless another sender has taken it over."""
    db.execute(
        update(Alert)
        .where(Alert.id == alert.id, Alert.claimed_by == worker)
        .values(claimed_by=None, claimed_at=None, **values)
        .execution_options(synchronize_session=False)
    )
    db.commit()


def _hold(db: Session, batch: list[Alert], worker: str) -> None:
    """Renew the claim on what is left of the batch before each message: however slow the
    server, a live sender's rows never look abandoned (CLAIM_TIMEOUT) to another."""
    db.execute(
        update(Alert)
        .where(Alert.id.in_([a.id for a in batch]), Alert.claimed_by == worker)
        .values(claimed_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.commit()


def _retry_or_fail(db: Session, alert: Alert, worker: str, why: str, out: Outcome) -> None:
    """The server put this message off: try again later, unless it has used its tries."""
    attempts = alert.attempts + 1
    if attempts >= MAX_ATTEMPTS:
        _fail(db, alert, worker, f"Gave up after {attempts} attempts. {why}", attempts=attempts)
        out.failed += 1
        return
    wait = min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_WAIT)
    _record(
        db,
        alert,
        worker,
        attempts=attempts,
        last_error=why[: mail.MAX_REASON],
        next_attempt_at=utcnow() + wait,
    )
    out.retrying += 1


def _wait_for_server(db: Session, alert: Alert, worker: str, why: str, out: Outcome) -> None:
    """The server could not be reached: not this message's fault, so no try is spent. The
    wait grows with the time the alert has waited (doubling, as the tries' backoff does),
    from a minute to an hour."""
    now = utcnow()
    wait = min(max(now - alert.created_at, FIRST_RETRY), LONGEST_WAIT)
    _record(db, alert, worker, last_error=why[: mail.MAX_REASON], next_attempt_at=now + wait)
    out.retrying += 1


def _fail(db: Session, alert: Alert, worker: str, why: str, **values: Any) -> None:
    _record(db, alert, worker, status="failed", last_error=why[: mail.MAX_REASON], **values)


def _release(db: Session, ids: Iterable[int], worker: str) -> None:
    """Let go of whatever of `ids` this sender still holds, untouched: due again at once."""
    db.rollback()  # whatever stopped us may have left the transaction unusable
    db.execute(
        update(Alert)
        .where(Alert.id.in_(list(ids)), Alert.claimed_by == worker)
        .values(claimed_by=None, claimed_at=None)
        .execution_options(synchronize_session=False)
    )
    db.commit()


def new_worker_id() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(4)}"


def send_due(db: Session, settings: mail.MailSettings, budget: timedelta = SEND_BUDGET) -> Outcome:
    """Send every due alert, a batch at a time, until none is due, the server cannot be
    used (then every claimed row waits for its next attempt), or `budget` has passed (no
    new batch is claimed after it; the rest waits for the next run)."""
    worker = new_worker_id()
    out = Outcome()
    started = time.monotonic()
    while ids := claim(db, worker, utcnow()):
        try:
            # Read afresh: the session may hold these rows from before the claim (send-digest).
            fresh = select(Alert).where(Alert.id.in_(ids)).order_by(Alert.id)
            batch = db.scalars(fresh.execution_options(populate_existing=True)).all()
            usable = _send_batch(db, batch, settings, worker, out)
        finally:
            # Whatever happened (a crash, a stop signal), no row stays claimed by us to
            # wait out CLAIM_TIMEOUT: what was not accounted for is due again at once.
            _release(db, ids, worker)
        if not usable:
            break
        if time.monotonic() - started >= budget.total_seconds():
            out.out_of_time = True
            break
    return out


def _send_batch(
    db: Session, batch: Iterable[Alert], settings: mail.MailSettings, worker: str, out: Outcome
) -> bool:
    """False when the server could not be used: the rest of the batch is let go untried."""
    pending = list(batch)
    sender_name = _sender_name()
    try:
        with mail.Connection(settings) as conn:
            while pending:
                _hold(db, pending, worker)
                alert = pending.pop(0)
                if not _send_one(db, conn, alert, settings, sender_name, worker, out):
                    break
    except mail.Unreachable as exc:  # no conversation at all: no row has been tried
        for alert in pending:
            _wait_for_server(db, alert, worker, str(exc), out)
        out.problems.append(str(exc))
        return False
    return not out.problems  # untried rows after the server went away: released, due now


def _send_one(
    db: Session,
    conn: mail.Connection,
    alert: Alert,
    settings: mail.MailSettings,
    sender_name: str,
    worker: str,
    out: Outcome,
) -> bool:
    """Send `alert` and record what happened; False when the server went away."""
    try:
        subject, body = compose(alert, settings)
        msg = mail.message(settings, sender_name, alert.recipient, subject, body)
    except Exception as exc:  # one bad message must not stop the others
        # The class name only: the text may quote the row's facts or a setting.
        _fail(
            db,
            alert,
            worker,
            f"Could not write the message: {type(exc).__name__}",
            attempts=alert.attempts + 1,
        )
        out.failed += 1
        return True
    try:
        conn.send(msg)
    except mail.Refused as exc:
        _fail(db, alert, worker, str(exc), attempts=alert.attempts + 1)
        out.failed += 1
    except mail.Unreachable as exc:
        _wait_for_server(db, alert, worker, str(exc), out)
        out.problems.append(str(exc))
        return False
    except mail.NotNow as exc:
        _retry_or_fail(db, alert, worker, str(exc), out)
    else:
        _record(
            db,
            alert,
            worker,
            attempts=alert.attempts + 1,
            status="sent",
            sent_at=utcnow(),
            last_error=None,
            message_id=msg["Message-ID"],
        )
        out.sent += 1
    return True


def _sender_name() -> str:
    return f"{current_app.config['CLINIC_NAME']} self-assessment"


def send_test(settings: mail.MailSettings, to: str) -> None:
    """Send one message now, outside the outbox, to check the settings end to end. Raises
    mail.Refused or mail.NotNow (Unreachable included) with the server's words."""
    clinic = current_app.config["CLINIC_NAME"]
    body = (
        f"A test email from the self-assessment of {clinic}: alerts sent to this address\n"
        f"will arrive. Their links start with {settings.site_url}\n"
    )
    msg = mail.message(settings, _sender_name(), to, "Test email", body)
    with mail.Connection(settings) as conn:
        conn.send(msg)
