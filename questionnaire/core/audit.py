"""The append-only audit log: who did what, to which record, when.

Details hold ids, paths, filters, counts and roles; never answers, contact details or passwords.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from questionnaire.core.models import AuditEvent, User
from questionnaire.staff.accounts import normalise_email
from questionnaire.staff.submissions.filters import end_of, start_of

ACTIONS = (
    "login",
    "login_failed",
    "password_accepted",
    "mfa_failed",
    "mfa_enrolled",
    "mfa_setup_refused",
    "mfa_recovery_used",
    "mfa_recovery_regenerated",
    "mfa_reset",
    "lockout",
    "new_device_told",
    "logout",
    "password_changed",
    "password_change_failed",
    "user_created",
    "user_create_refused",
    "user_roles_changed",
    "user_disabled",
    "user_enabled",
    "user_unlocked",
    "password_reset",
    "access_denied",
    "step_up_passed",
    "step_up_failed",
    "submissions_listed",
    "submission_viewed",
    "submission_reviewed",
    "contact_recorded",
    "worklist_viewed",
    "export_csv",
    "export_codebook",
    "submissions_purged",
    "submissions_rescreened",
    "api_token_created",
    "api_token_revoked",
    "fhir_read",
    "fhir_refused",
    "fhir_exported",
    "alerts_viewed",
    "alert_retried",
    "alerts_all_retried",
    "test_email_sent",
    "resume_codes_failed",
    "resume_codes_ceiling",
    "mfa_key_rotated",
    "submission_copy_given",
    "submission_erased",
)


def record(
    db: Session,
    action: str,
    *,
    user: User | None = None,
    email: str | None = None,
    target: str | None = None,
    **details: Any,
) -> AuditEvent:
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    event = AuditEvent(
        user_id=user.id if user else None,
        user_email=user.email if user else email,
        action=action,
        target=target,
        details=details,
    )
    db.add(event)
    return event


def conditions(values: dict[str, str]) -> list[ColumnElement[bool]]:
    """WHERE clauses for the audit log's filters in `values` (user, action, date_from,
    date_to; dates as ISO strings, UTC days), each present one narrowing the log."""
    where = []
    if "user" in values:
        where.append(AuditEvent.user_email == normalise_email(values["user"]))
    if "action" in values:
        where.append(AuditEvent.action == values["action"])
    if "date_from" in values:
        where.append(AuditEvent.at >= start_of(date.fromisoformat(values["date_from"])))
    if "date_to" in values:
        where.append(AuditEvent.at < end_of(date.fromisoformat(values["date_to"])))
    return where
