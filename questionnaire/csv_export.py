"""What a CSV export holds: its columns, its rows (streamed from the database) and its
codebook. One header, one row per submission, all through `csv_safe.stream`."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from typing import Any, TextIO

from sqlalchemy import ColumnElement, Connection, func, select

from rules import INDICATIONS, QUESTIONS

from .models import CallbackRequest, Rescreening, Submission
from .words import (
    ANSWER_KIND_WORDS,
    BEST_TIME_WORDS,
    BOOKING_WORDS,
    LEVEL_WORDS,
    NONE_OF_THESE_LABEL,
    STATUS_WORDS,
    TIER_WORDS,
    YES_NO_WORDS,
)

QUESTION_IDS = tuple(QUESTIONS)
LEADING = ("submission_id", "submitted_at", "bank_version", "rules_version")
TRAILING = (*INDICATIONS, "red_flags", "cautions", "tier", "booking", "review_status", "language")
CONTACT = ("contact_name", "contact_phone", "contact_email", "contact_best_time")
# The latest re-screening under later rules, beside the original (only when asked for): the
# original columns stay what the patient was shown.
LATEST = (
    "latest_screened_at",
    "latest_bank_version",
    "latest_rules_version",
    *(f"latest_{i}" for i in INDICATIONS),
    "latest_red_flags",
    "latest_cautions",
    "latest_tier",
    "latest_booking",
    "latest_changed",
)
BATCH = 500  # rows per fetch: 1,000 held about 2 MiB more for no gain in speed
PRIVATE = 0o600  # an export holds health data: its owner alone may read it


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


def header(contacts: bool, latest: bool = False) -> list[str]:
    return [
        *LEADING,
        *QUESTION_IDS,
        *TRAILING,
        *(LATEST if latest else ()),
        *(CONTACT if contacts else ()),
    ]


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


def _latest_columns() -> list[Any]:
    """The re-screening's columns, labelled so they never shadow the original's."""
    return [
        Rescreening.created_at.label("latest_screened_at"),
        Rescreening.bank_version.label("latest_bank_version"),
        Rescreening.rules_version.label("latest_rules_version"),
        *(getattr(Rescreening, i).label(f"latest_{i}") for i in INDICATIONS),
        Rescreening.screening.label("latest_screening"),
        Rescreening.tier.label("latest_tier"),
        Rescreening.booking.label("latest_booking"),
        Rescreening.changed.label("latest_changed"),
    ]


def _latest_cells(r: Any, labels: bool) -> list[Any]:
    if r.latest_screened_at is None:
        return [""] * len(LATEST)  # never re-screened
    levels = [getattr(r, f"latest_{i}") for i in INDICATIONS]
    if labels:
        levels = [LEVEL_WORDS[level] for level in levels]
    screening = r.latest_screening
    cells = [
        r.latest_screened_at.isoformat(),
        r.latest_bank_version,
        r.latest_rules_version,
        *levels,
        ";".join(f["id"] for f in screening["red_flags"]),
        ";".join(c["id"] for c in screening["cautions"]),
    ]
    tier, booking, changed = r.latest_tier, r.latest_booking, YES_NO_WORDS[r.latest_changed]
    if labels:
        return [*cells, TIER_WORDS.get(tier, ""), BOOKING_WORDS[booking], changed[1]]
    return [*cells, tier, booking, changed[0]]


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
        Submission.language,
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
    conn: Connection,
    where: list[ColumnElement[bool]],
    *,
    labels: bool,
    contacts: bool,
    latest: bool = False,
) -> Iterator[list[Any]]:
    """The header, then one row per matching submission, oldest first, fetched in batches
    from a Core select so memory stays flat whatever the number of rows. The latest
    re-screening comes by a join in the same select: no query per row or per batch."""
    yield header(contacts, latest)
    columns = _columns(contacts) + (_latest_columns() if latest else [])
    query = select(*columns).where(*where).order_by(Submission.created_at, Submission.id)
    if latest:
        # Re-screenings are only ever added, so the highest id is the latest one.
        newest = (
            select(Rescreening.submission_id, func.max(Rescreening.id).label("id"))
            .group_by(Rescreening.submission_id)
            .subquery()
        )
        query = query.outerjoin(newest, newest.c.submission_id == Submission.id).outerjoin(
            Rescreening, Rescreening.id == newest.c.id
        )
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
                r.language,
            ]
        else:
            row += [r.tier, r.booking, r.review_status, r.language]
        if latest:
            row += _latest_cells(r, labels)
        if contacts:
            row += [r.name, r.phone, r.email, r.best_time]
        yield row


def codebook(contacts: bool = True, latest: bool = True) -> Iterator[list[Any]]:
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
        "language": ("Language the patient read the check in", "code", "en = English; cy = Welsh"),
        "latest_screened_at": (
            "Latest re-screening under later rules (only when asked for): when, UTC, "
            "ISO 8601; empty for a submission never re-screened, and then so is every "
            "latest_ column",
            "date-time",
            "",
        ),
        "latest_bank_version": ("Latest re-screening: version of the question bank", "text", ""),
        "latest_rules_version": ("Latest re-screening: version of the rules", "text", ""),
        "latest_red_flags": ("Latest re-screening: red flags, ids joined with ;", "list", ""),
        "latest_cautions": ("Latest re-screening: cautions, ids joined with ;", "list", ""),
        "latest_tier": ("Latest re-screening: highest red-flag tier", "code", _codes(TIER_WORDS)),
        "latest_booking": ("Latest re-screening: booking decision", "code", _codes(BOOKING_WORDS)),
        "latest_changed": (
            "Latest re-screening: booking, tier or any level differs from the original",
            "code",
            _codes(dict(YES_NO_WORDS.values())),
        ),
        "contact_name": ("Call-back request: name (only when asked for)", "text", ""),
        "contact_phone": ("Call-back request: phone", "text", ""),
        "contact_email": ("Call-back request: email", "text", ""),
        "contact_best_time": (
            "Call-back request: best time to call",
            "code",
            _codes(BEST_TIME_WORDS),
        ),
    }
    for name in header(contacts, latest):
        if name in QUESTIONS:
            q = QUESTIONS[name]
            kind = ANSWER_KIND_WORDS[q.kind]
            codes = "; ".join(f"{o.code} = {o.label}" for o in q.options)
            yield [name, q.text, kind, codes]
        elif name in INDICATIONS:
            yield [name, f"Screening level for {name}", "code", _codes(LEVEL_WORDS)]
        elif name.removeprefix("latest_") in INDICATIONS:
            indication = name.removeprefix("latest_")
            words = f"Latest re-screening: level for {indication}"
            yield [name, words, "code", _codes(LEVEL_WORDS)]
        else:
            yield [name, *fixed[name]]


def _codes(words: dict[str, str]) -> str:
    return "; ".join(f"{k} = {v}" for k, v in words.items())
