"""Email alerts through a transactional outbox: the one name the rest of the app imports.
The work is in three modules along its seams: queueing.py (rows added with their event),
composing.py (a row's message) and sending.py (claiming, sending, recording).

An event (a submission, a call-back request, the daily digest) adds one Alert row per
recipient in the same transaction as the event itself: the alert exists exactly when the
event does. `flask send-alerts` (a timer, every minute) claims due rows, sends them, and
records what happened; a mail server that is down delays alerts, never loses them.

Nothing is sent from the patient's request: it never waits for a mail server (see
docs/production.md, "Mail and alerts").

A message says what happened, the reference code, the red-flag tier where there is one, and
a link to the staff page. Never answers, names, phone numbers or email addresses of patients.
"""

from questionnaire.core import mail
from questionnaire.staff.alerts.composing import compose
from questionnaire.staff.alerts.queueing import (
    counts_by_status,
    digest_counts,
    on_callback,
    on_new_device,
    on_submission,
    queue_digest,
    queue_unit_failure,
    recipients,
    retry,
    retry_all_failed,
)
from questionnaire.staff.alerts.sending import (
    BATCH,
    CLAIM_TIMEOUT,
    SEND_BUDGET,
    Outcome,
    claim,
    send_due,
    send_test,
)

__all__ = [
    "BATCH",
    "CLAIM_TIMEOUT",
    "SEND_BUDGET",
    "Outcome",
    "claim",
    "compose",
    "counts_by_status",
    "digest_counts",
    "mail",
    "on_callback",
    "on_new_device",
    "on_submission",
    "queue_digest",
    "queue_unit_failure",
    "recipients",
    "retry",
    "retry_all_failed",
    "send_due",
    "send_test",
]
