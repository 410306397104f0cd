"""What a CSV export holds: its columns, its rows (streamed from the database) and its
codebook. One header, one row per submission, all through `csv_safe.stream`."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from typing import Any, TextIO

from sqlalchemy import ColumnElement, Connection, select

from rules import INDICATIONS, QUESTIONS

from .filters import BOOKING_WORDS, LEVEL_WORDS, STATUS_WORDS, TIER_WORDS
from .models import CallbackRequest, Submission
from .wording import NONE_OF_THESE_LABEL

QUESTION_IDS = tuple(QUESTIONS)
LEADING = ("submission_id", "submitted_at", "bank_version", "rules_version")
TRAILING = (*INDICATIONS, "red_flags", "cautions", "tier", "booking", "review_status")
CONTACT = ("contact_name", "contact_phone", "contact_email", "contact_best_time")
BATCH = 500  # rows per fetch: 1,000 held about 2 MiB more for no gain in speed
PRIVATE = 0o600  # an export holds health data: its owner alone may read it
KIND_WORDS = {
    "int": "whole number 0-120",
    "multi": "list: codes joined with ; ('none' = none of these)",
    "single": "code",
    "yesno": "code",
}


def open_private(path: str) -> TextIO:
    """`path` opened to write an export to, with mode 0600 whatever the umask. A file left by
    an earlier export (a nightly job writes the same name) is made 0600 too; a device or a
    pipe is left as it is."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE)
    try:
        if stat.S_ISREG(os.fstat(fd).st_mode):
            os.fchmod(fd, PRIVATE)
    except OSError:
        os.close(fd)
        raise
    # newline="": the CSV writer ends lines with CRLF itself, as the format asks.
    return open(fd, "w", encoding="utf-8", newline="")


def header(contacts: bool) -> list[str]:
    return [*LEADING, *QUESTION_IDS, *TRAILING, *(CONTACT if contacts else ())]


def _converters(labels: bool) -> list[tuple[int, Any]]:
    """(position among the question columns, how to turn a stored answer into a cell) for
    each question whose stored value does not go out as it is. Worked out once per export."""
    plan: list[tuple[int, Any]] = []
    for index, q in enumerate(QUESTIONS.values()):
        words = {o.code: o.label for o in q.options}
        if q.kind == "multi":
            empty = NONE_OF_THESE_LABEL if labels else "none"
            if labels:
                plan.append(
                    (index, lambda v, w=words, e=empty: ";".join(map(w.__getitem__, v)) or e)
                )
            else:
                plan.append((index, lambda v, e=empty: ";".join(v) or e))
        elif labels and q.kind != "int":
            plan.append((index, words.__getitem__))
    return plan


def _columns(contacts: bool) -> list[Any]:
    cols: list[Any] = [
        Submission.id,
        Submission.created_at,
        Submission.bank_version,
        Submission.rules_version,
        Submission.answers,
        Submission.screening,
        *(getattr(Submission, i) for i in INDICATIONS),
        Submission.tier,
        Submission.booking,
        Submission.review_status,
    ]
    if contacts:
        cols += [
            CallbackRequest.name,
            CallbackRequest.phone,
            CallbackRequest.email,
            CallbackRequest.best_time,
        ]
    return cols


def rows(
    conn: Connection, where: list[ColumnElement[bool]], *, labels: bool, contacts: bool
) -> Iterator[list[Any]]:
    """The header, then one row per matching submission, oldest first, fetched in batches
    from a Core select so memory stays flat whatever the number of rows."""
    yield header(contacts)
    query = select(*_columns(contacts)).where(*where).order_by(Submission.created_at, Submission.id)
    if contacts:
        query = query.outerjoin(CallbackRequest, CallbackRequest.submission_id == Submission.id)
    result = conn.execution_options(yield_per=BATCH).execute(query)
    levels = LEVEL_WORDS if labels else None
    plan = _converters(labels)
    for r in result:
        answers = r.answers
        screening = r.screening
        cells = [answers.get(qid) for qid in QUESTION_IDS]
        for index, convert in plan:
            if cells[index] is not None:
                cells[index] = convert(cells[index])
        row: list[Any] = [r.id, r.created_at.isoformat(), r.bank_version, r.rules_version, *cells]
        row += [levels[getattr(r, i)] if levels else getattr(r, i) for i in INDICATIONS]
        row.append(";".join(f["id"] for f in screening["red_flags"]))
        row.append(";".join(c["id"] for c in screening["cautions"]))
        if labels:
            row += [
                TIER_WORDS.get(r.tier, ""),
                BOOKING_WORDS[r.booking],
                STATUS_WORDS.get(r.review_status, r.review_status),
            ]
        else:
            row += [r.tier, r.booking, r.review_status]
        if contacts:
            row += [r.name, r.phone, r.email, r.best_time]
        yield row


def codebook(contacts: bool = True) -> Iterator[list[Any]]:
    """One row per export column: what it holds, its type, its codes with their labels."""
    yield ["column", "wording", "type", "codes"]
    fixed = {
        "submission_id": ("Random id of the submission", "text", ""),
        "submitted_at": ("When it was sent, UTC, ISO 8601", "date-time", ""),
        "bank_version": ("Version of the question bank", "text", ""),
        "rules_version": ("Version of the screening rules", "text", ""),
        "red_flags": ("Red flags raised, ids joined with ;", "list", ""),
        "cautions": ("Cautions raised, ids joined with ;", "list", ""),
        "tier": ("Highest red-flag tier; empty for none", "code", _codes(TIER_WORDS)),
        "booking": ("Booking decision", "code", _codes(BOOKING_WORDS)),
        "review_status": ("Clinician review status", "code", _codes(STATUS_WORDS)),
        "contact_name": ("Call-back request: name (only when asked for)", "text", ""),
        "contact_phone": ("Call-back request: phone", "text", ""),
        "contact_email": ("Call-back request: email", "text", ""),
        "contact_best_time": (
            "Call-back request: best time to call",
            "code",
            "any; morning; afternoon; evening",
        ),
    }
    for name in header(contacts):
        if name in QUESTIONS:
            q = QUESTIONS[name]
            kind = KIND_WORDS[q.kind]
            codes = "; ".join(f"{o.code} = {o.label}" for o in q.options)
            yield [name, q.text, kind, codes]
        elif name in INDICATIONS:
            yield [name, f"Screening level for {name}", "code", _codes(LEVEL_WORDS)]
        else:
            yield [name, *fixed[name]]


def _codes(words: dict[str, str]) -> str:
    return "; ".join(f"{k} = {v}" for k, v in words.items())
