"""Submissions read for the API and the bulk export, in pages from where the last ended.

Keyset paging on (created_at, id): each page is one range scan of the index
ix_submission_created_id, so page 1,000 costs what page 1 does (OFFSET would read and
discard every row before it). Only the columns a resource needs are read: decoding the
JSON columns is most of the cost.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, and_, insert, literal, or_, select
from sqlalchemy.orm import Session

from questionnaire.core.models import (
    CallbackRequest,
    ErasedSubmission,
    PurgedSubmission,
    Submission,
    UTCDateTime,
    utcnow,
)
from questionnaire.fhir.resources import Contact, Stored

Cursor = tuple[datetime, str]  # (created_at, id) of the last submission already given


@dataclass(frozen=True)
class Want:
    answers: bool = False
    screening: bool = False
    contacts: bool = False


def _query(want: Want) -> Select[Any]:
    cols: list[Any] = [
        Submission.id,
        Submission.reference,
        Submission.created_at,
        Submission.bank_version,
        Submission.rules_version,
    ]
    if want.answers:
        cols.append(Submission.answers)
    if want.screening:
        cols.append(Submission.screening)
    query = select(*cols)
    if want.contacts:
        query = query.add_columns(
            CallbackRequest.name,
            CallbackRequest.phone,
            CallbackRequest.email,
            CallbackRequest.best_time,
        ).outerjoin(CallbackRequest, CallbackRequest.submission_id == Submission.id)
    return query


def _stored(row: Any, want: Want) -> Stored:
    contact = None
    if want.contacts and row.name is not None:
        contact = Contact(row.name, row.phone, row.email, row.best_time)
    return Stored(
        id=row.id,
        reference=row.reference,
        created_at=row.created_at,
        bank_version=row.bank_version,
        rules_version=row.rules_version,
        answers=row.answers if want.answers else None,
        screening=row.screening if want.screening else None,
        contact=contact,
    )


def after(cursor: Cursor | None) -> list[ColumnElement[bool]]:
    if cursor is None:
        return []
    at, sid = cursor
    # The first term alone lets every backend range-scan the index from `at`.
    return [
        Submission.created_at >= at,
        or_(Submission.created_at > at, and_(Submission.created_at == at, Submission.id > sid)),
    ]


def page(
    conn: Connection | Session,
    where: list[ColumnElement[bool]],
    cursor: Cursor | None,
    size: int,
    want: Want,
) -> tuple[list[Stored], Cursor | None]:
    """Up to `size` submissions after `cursor`, oldest first, and the cursor for the next
    page (None when this is the last)."""
    query = (
        _query(want)
        .where(*where, *after(cursor))
        .order_by(Submission.created_at, Submission.id)
        .limit(size + 1)
    )
    rows = conn.execute(query).all()
    found = [_stored(r, want) for r in rows[:size]]
    more = len(rows) > size
    return found, (found[-1].created_at, found[-1].id) if more else None


def stream(
    conn: Connection, where: list[ColumnElement[bool]], want: Want, batch: int
) -> Iterator[Stored]:
    """Every matching submission, oldest first, a page at a time: memory stays flat and no
    transaction stays open across the whole table."""
    cursor: Cursor | None = None
    while True:
        found, cursor = page(conn, where, cursor, batch, want)
        yield from found
        conn.rollback()
        if cursor is None:
            return


def one(db: Session, submission_id: str, want: Want) -> Stored | None:
    row = db.execute(_query(want).where(Submission.id == submission_id)).first()
    return _stored(row, want) if row is not None else None


def was_erased(db: Session, submission_id: str) -> bool:
    """Erased at the patient's request (questionnaire.staff.admin.erasure)."""
    return db.get(ErasedSubmission, submission_id) is not None


def was_purged(db: Session, submission_id: str) -> bool:
    return db.get(PurgedSubmission, submission_id) is not None


def remember_purged(db: Session, where: ColumnElement[bool]) -> None:
    """Keep the ids of the submissions about to be deleted (ids only, no data), so the API
    answers 410 Gone for them. Called in the purge's own transaction, before its DELETE."""
    now = literal(utcnow(), UTCDateTime())
    db.execute(
        insert(PurgedSubmission).from_select(
            ["id", "purged_at"], select(Submission.id, now).where(where)
        )
    )
