"""Requests from a patient about what the clinic holds (UK GDPR): a copy of it (article 15)
and erasure (article 17), found by the reference on their result page.

Erasure is one DELETE of the submission. Every table that points at a submission does so
ON DELETE CASCADE (a test checks every foreign key, so a table added later is covered),
which takes its review notes, re-screenings, call-back request and alerts with it; the
append-only triggers allow exactly that, a note or re-screening deleted once its
submission is gone, and nothing else. What stays is a tombstone (ErasedSubmission) and an
audit event with who, when and why, and the counts of what went: no health data.

Domain functions never commit; the view or command does.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Table, delete, func, select
from sqlalchemy.orm import Session

from questionnaire.core import audit, codes
from questionnaire.core.commands import COMMAND_LINE
from questionnaire.core.db import rows_changed
from questionnaire.core.models import (
    Base,
    ErasedSubmission,
    Submission,
    User,
)

REASON_MAX = 500


class RequestError(Exception):
    """A reference or reason that cannot be acted on; the message says why, in words for
    the person who typed it."""


@dataclass(frozen=True)
class Found:
    submission: Submission
    held: dict[str, int]  # what goes with it: table name -> rows


def _dependents() -> list[tuple[Table, str]]:
    """(table, column) for every foreign key to submission.id, from the models: a table
    added later (a contact log, say) is counted and, by its cascade, erased too."""
    return [
        (table, fk.parent.name)
        for table in Base.metadata.sorted_tables
        for fk in table.foreign_keys
        if fk.column.table.name == Submission.__tablename__
    ]


def find(db: Session, typed: str) -> Found:
    """The live submission with this reference, and what is held with it; RequestError for
    a reference of the wrong shape, unknown, or already erased."""
    # Forgiving, as it is read out on the phone (codes.reference).
    reference = codes.reference(typed)
    if not reference:
        raise RequestError("Enter the reference from the patient's result, like AB12-CD34")
    if not codes.is_reference(reference):
        raise RequestError("A reference is 8 letters and numbers, like AB12-CD34")
    submission = db.scalars(select(Submission).where(Submission.reference == reference)).first()
    if submission is None:
        erased = db.scalars(
            select(ErasedSubmission)
            .where(ErasedSubmission.reference == reference)
            .order_by(ErasedSubmission.erased_at.desc())
        ).first()
        if erased is not None:
            raise RequestError(
                f"{reference} was already erased on {erased.erased_at:%Y-%m-%d} by "
                f"{erased.erased_by}"
            )
        raise RequestError(f"No submission has the reference {reference}")
    held = {}
    for table, column in _dependents():
        count = select(func.count()).select_from(table).where(table.c[column] == submission.id)
        held[table.name] = db.scalar(count) or 0
    return Found(submission, held)


def clean_reason(typed: str) -> str:
    """The reason on one line, as the audit log keeps it. It is what the patient asked and
    how, never health details (the page says so)."""
    reason = " ".join(typed.split())
    if not reason:
        raise RequestError("Say why, e.g. \u201cpatient asked by phone on 3 March\u201d")
    if len(reason) > REASON_MAX:
        raise RequestError(f"Keep the reason to {REASON_MAX} characters or fewer")
    if not reason.isprintable():
        raise RequestError("The reason has characters that cannot be shown: type it again")
    return reason


def copy_given(db: Session, found: Found, reason: str, by: User | None) -> None:
    """`by`: the admin, or None for the command line."""
    audit.record(
        db,
        "submission_copy_given",
        user=by,
        email=None if by else COMMAND_LINE,
        target=f"submission:{found.submission.id}",
        reference=found.submission.reference,
        reason=reason,
    )


def erase(db: Session, found: Found, reason: str, by: User | None) -> None:
    """Delete the submission and all held with it, leave the tombstone and the audit event.
    Raises RequestError if someone else erased it first (nothing then changes)."""
    s = found.submission
    sid, reference = s.id, s.reference
    db.expunge(s)  # the ORM must not try to delete the notes itself: the triggers refuse
    gone = rows_changed(
        db.execute(
            delete(Submission)
            .where(Submission.id == sid)
            .execution_options(synchronize_session=False)
        )
    )
    if gone != 1:
        raise RequestError(f"{reference} was erased by someone else a moment ago")
    db.add(
        ErasedSubmission(id=sid, reference=reference, erased_by=by.email if by else COMMAND_LINE)
    )
    audit.record(
        db,
        "submission_erased",
        user=by,
        email=None if by else COMMAND_LINE,
        target=f"submission:{sid}",
        reference=reference,
        reason=reason,
        erased={name: rows for name, rows in found.held.items() if rows},
    )
    db.flush()
