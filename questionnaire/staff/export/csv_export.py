"""What a CSV export holds: its columns, its rows (streamed from the database) and its
codebook. One header, one row per submission, all through `csv_safe.stream` (`stream`).

Every column is one `Column` in COLUMNS, LATEST_COLUMNS or CONTACT_COLUMNS: its name, where
its value comes from, how the value becomes a code and a label, and the codebook's words.
The header, the select, the rows and the codebook are all read from those lists.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import ColumnElement, Connection, String, Text, cast, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from questionnaire.core import csv_safe
from questionnaire.core.models import CallbackRequest, Rescreening, Submission
from questionnaire.core.words import (
    ANSWER_KIND_WORDS,
    BEST_TIME_WORDS,
    BOOKING_WORDS,
    CAUTION_NAMES,
    CONTACT_WORDS,
    LANGUAGE_WORDS,
    LEVEL_WORDS,
    NONE_OF_THESE_LABEL,
    RED_FLAG_NAMES,
    STATUS_WORDS,
    TIER_WORDS,
    YES_NO_WORDS,
)
from rules import INDICATIONS, QUESTIONS

EXPORT_CACHE_KIB = 64  # SQLite's page cache while exporting
BATCH = 100  # rows per fetch: 500 held 2 MiB more (of a 64 MiB budget) for no gain in speed

Convert = Callable[[Any], Any]


@dataclass(frozen=True)
class Column:
    """One export column. `source` is the SQL whose value makes the cell; None for a
    question, whose value is its answer. `code` turns a stored value into the code cell,
    `label` into the label cell (each None: the value as it is). Neither sees a NULL: that
    is an empty cell whatever the format. `typed`: free text a person typed, the only cells
    that need the formula check (csv_safe.stream); every other cell is an id, a version, a
    number, a date or one of our own codes or words, none of which starts with a formula
    character (tests/core/test_csv_safety.py) and each already a str, an int or None."""

    name: str
    source: Any
    wording: str
    type: str
    codes: str = ""
    code: Convert | None = None
    label: Convert | None = None
    typed: bool = False


def _codes(words: dict[str, str]) -> str:
    return "; ".join(f"{k} = {v}" for k, v in words.items())


def _ids(key: str) -> Convert:
    """A screening's red flags or cautions as their ids joined with ;."""
    return lambda screening: ";".join(item["id"] for item in screening[key])


def _named(words: dict[str, str]) -> Convert:
    """Ids joined with ; (as stored, "" for none) as their words joined with ;."""
    return lambda ids: ";".join(words[i] for i in ids.split(";") if i)


def _named_in(key: str, words: dict[str, str]) -> Convert:
    """A screening's red flags or cautions as their words joined with ;."""
    return lambda screening: ";".join(words[item["id"]] for item in screening[key])


# The answers as the database holds them, decoded here with orjson, at 40% of json.loads's
# time: SQLAlchemy's JSON type would decode them with json.loads behind a Python call per
# row (on PostgreSQL the driver would).
ANSWERS = cast(Submission.answers, Text)


class iso_utc(FunctionElement[str]):  # noqa: N801 (named as the SQL function it stands for)
    """A UTC date-time column as datetime.isoformat() writes it ("2026-01-31T09:05:00+00:00",
    fractions of a second only when there are any), made by the database: a datetime per
    row, its time zone and isoformat() were a tenth of the export's time."""

    type = String()
    inherit_cache = True
    name = "iso_utc"


@compiles(iso_utc, "sqlite")
def _iso_utc_sqlite(element: iso_utc, compiler: SQLCompiler, **kw: Any) -> str:
    # Stored as "2026-01-31 09:05:00.000000" (SQLAlchemy's format for SQLite).
    at = compiler.process(element.clauses, **kw)
    fraction = f"substr({at}, 20)"
    return (
        f"replace(substr({at}, 1, 19), ' ', 'T') || "
        f"CASE {fraction} WHEN '.000000' THEN '' ELSE {fraction} END || '+00:00'"
    )


@compiles(iso_utc, "postgresql")
def _iso_utc_postgresql(element: iso_utc, compiler: SQLCompiler, **kw: Any) -> str:
    at = compiler.process(element.clauses, **kw)
    return (
        f"to_char({at}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || "
        f"CASE WHEN date_trunc('second', {at}) = {at} THEN '' ELSE to_char({at}, '.US') END"
        " || '+00:00'"
    )


def _question(name: str) -> Column:
    q = QUESTIONS[name]
    words = {o.code: o.label for o in q.options}
    code: Convert | None = None
    label: Convert | None = None
    if q.kind == "multi":

        def code(v: list[str]) -> str:
            return ";".join(v) or "none"

        def label(v: list[str]) -> str:
            return ";".join(map(words.__getitem__, v)) or NONE_OF_THESE_LABEL

    elif q.kind != "int":
        label = words.__getitem__
    return Column(name, None, q.text, ANSWER_KIND_WORDS[q.kind], _codes(words), code, label)


LEVELS = _codes(LEVEL_WORDS)
TIERS = _codes(TIER_WORDS)
BOOKINGS = _codes(BOOKING_WORDS)


def _tier_label(tier: str) -> str:
    return TIER_WORDS.get(tier, "")


COLUMNS: tuple[Column, ...] = (
    Column("submission_id", Submission.id, "Random id of the submission", "text"),
    Column(
        "reference",
        Submission.reference,
        "Reference code the patient was given and quotes on the phone, like EVXK-ANDF",
        "text",
    ),
    Column(
        "submitted_at",
        iso_utc(Submission.created_at),
        "When it was sent, UTC, ISO 8601",
        "date-time",
    ),
    Column("bank_version", Submission.bank_version, "Version of the question bank", "text"),
    Column("rules_version", Submission.rules_version, "Version of the screening rules", "text"),
    *(_question(name) for name in QUESTIONS),
    *(
        Column(
            i,
            getattr(Submission, i),
            f"Screening level for {i}",
            "code",
            LEVELS,
            label=LEVEL_WORDS.__getitem__,
        )
        for i in INDICATIONS
    ),
    Column(
        "red_flags",
        Submission.red_flags,
        "Red flags raised, ids joined with ;",
        "list",
        _codes(RED_FLAG_NAMES),
        label=_named(RED_FLAG_NAMES),
    ),
    Column(
        "cautions",
        Submission.cautions,
        "Cautions raised, ids joined with ;",
        "list",
        _codes(CAUTION_NAMES),
        label=_named(CAUTION_NAMES),
    ),
    Column(
        "tier",
        Submission.tier,
        "Highest red-flag tier; empty for none",
        "code",
        TIERS,
        label=_tier_label,
    ),
    Column(
        "booking",
        Submission.booking,
        "Booking decision",
        "code",
        BOOKINGS,
        label=BOOKING_WORDS.__getitem__,
    ),
    Column(
        "review_status",
        Submission.review_status,
        "Clinician review status",
        "code",
        _codes(STATUS_WORDS),
        label=lambda v: STATUS_WORDS.get(v, v),
    ),
    Column(
        "contact_outcome",
        Submission.contact_outcome,
        "Contact log: how the latest try at reaching the patient ended; empty for no try",
        "code",
        _codes(CONTACT_WORDS),
        label=CONTACT_WORDS.__getitem__,
    ),
    Column(
        "contact_attempts",
        Submission.contact_attempts,
        "Contact log: tries at reaching the patient",
        "integer",
    ),
    Column(
        "language",
        Submission.language,
        "Language the patient read the check in",
        "code",
        "; ".join(f"{code} = {name}" for code, name in LANGUAGE_WORDS.items()),
    ),
)

# The latest re-screening under later rules, beside the original (only when asked for): the
# original columns stay what the patient was shown. All empty for one never re-screened.
LATEST_COLUMNS: tuple[Column, ...] = (
    Column(
        "latest_screened_at",
        iso_utc(Rescreening.created_at),
        "Latest re-screening under later rules (only when asked for): when, UTC, ISO 8601; "
        "empty for a submission never re-screened, and then so is every latest_ column",
        "date-time",
    ),
    Column(
        "latest_bank_version",
        Rescreening.bank_version,
        "Latest re-screening: version of the question bank",
        "text",
    ),
    Column(
        "latest_rules_version",
        Rescreening.rules_version,
        "Latest re-screening: version of the rules",
        "text",
    ),
    *(
        Column(
            f"latest_{i}",
            getattr(Rescreening, i),
            f"Latest re-screening: level for {i}",
            "code",
            LEVELS,
            label=LEVEL_WORDS.__getitem__,
        )
        for i in INDICATIONS
    ),
    Column(
        "latest_red_flags",
        Rescreening.screening,
        "Latest re-screening: red flags, ids joined with ;",
        "list",
        _codes(RED_FLAG_NAMES),
        code=_ids("red_flags"),
        label=_named_in("red_flags", RED_FLAG_NAMES),
    ),
    Column(
        "latest_cautions",
        Rescreening.screening,
        "Latest re-screening: cautions, ids joined with ;",
        "list",
        _codes(CAUTION_NAMES),
        code=_ids("cautions"),
        label=_named_in("cautions", CAUTION_NAMES),
    ),
    Column(
        "latest_tier",
        Rescreening.tier,
        "Latest re-screening: highest red-flag tier",
        "code",
        TIERS,
        label=_tier_label,
    ),
    Column(
        "latest_booking",
        Rescreening.booking,
        "Latest re-screening: booking decision",
        "code",
        BOOKINGS,
        label=BOOKING_WORDS.__getitem__,
    ),
    Column(
        "latest_changed",
        Rescreening.changed,
        "Latest re-screening: booking, tier or any level differs from the original",
        "code",
        _codes(dict(YES_NO_WORDS.values())),
        code=lambda v: YES_NO_WORDS[v][0],
        label=lambda v: YES_NO_WORDS[v][1],
    ),
)

CONTACT_COLUMNS: tuple[Column, ...] = (
    Column(
        "contact_name",
        CallbackRequest.name,
        "Call-back request: name (only when asked for)",
        "text",
        typed=True,
    ),
    Column("contact_phone", CallbackRequest.phone, "Call-back request: phone", "text", typed=True),
    Column("contact_email", CallbackRequest.email, "Call-back request: email", "text", typed=True),
    Column(
        "contact_best_time",
        CallbackRequest.best_time,
        "Call-back request: best time to call",
        "code",
        _codes(BEST_TIME_WORDS),
    ),
)

QUESTION_IDS = tuple(QUESTIONS)
LATEST = tuple(c.name for c in LATEST_COLUMNS)


def columns(contacts: bool, latest: bool = False) -> tuple[Column, ...]:
    return (
        *COLUMNS,
        *(LATEST_COLUMNS if latest else ()),
        *(CONTACT_COLUMNS if contacts else ()),
    )


def header(contacts: bool, latest: bool = False) -> list[str]:
    return [c.name for c in columns(contacts, latest)]


@dataclass
class _Plan:
    """How one export turns a fetched row into cells, worked out once per export: the
    distinct SQL values to select, where each cell's value sits in the row's values (the
    selected ones, then the answers in QUESTION_IDS order), and the cells to convert."""

    selected: list[Any]  # ANSWERS first
    order: list[int]
    convert: list[tuple[int, Convert]]


def _plan(chosen: Sequence[Column], labels: bool) -> _Plan:
    selected: list[Any] = [ANSWERS]
    # SQL expressions compare with ==, so sameness is by identity.
    position = {id(ANSWERS): 0}
    for c in chosen:
        if c.source is not None and id(c.source) not in position:
            position[id(c.source)] = len(selected)
            selected.append(c.source)
    answer_at = {qid: len(selected) + n for n, qid in enumerate(QUESTION_IDS)}
    order = [answer_at[c.name] if c.source is None else position[id(c.source)] for c in chosen]
    convert = [
        (n, fn)
        for n, c in enumerate(chosen)
        if (fn := (c.label or c.code) if labels else c.code) is not None
    ]
    return _Plan(selected, order, convert)


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
    chosen = columns(contacts, latest)
    yield header(contacts, latest)
    plan = _plan(chosen, labels)
    query = select(*plan.selected).where(*where).order_by(Submission.created_at, Submission.id)
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
    # One pass in order gains nothing from SQLite's 2 MiB page cache, and that is 2 MiB of
    # the export's 64 MiB budget: a small cache for the export, the usual one after it
    # (the connection goes back to the pool).
    small_cache = conn.dialect.name == "sqlite"
    if small_cache:
        conn.exec_driver_sql(f"PRAGMA cache_size=-{EXPORT_CACHE_KIB}")
    try:
        result = conn.execution_options(yield_per=BATCH).execute(query)
        order, convert, loads = plan.order, plan.convert, orjson.loads
        for batch in result.partitions():  # a batch at a time: no Python call per row
            for r in batch:
                values = [*r, *map(loads(r[0]).get, QUESTION_IDS)]
                row = list(map(values.__getitem__, order))
                for n, fn in convert:
                    if row[n] is not None:
                        row[n] = fn(row[n])
                yield row
    finally:
        if small_cache:
            conn.exec_driver_sql("PRAGMA cache_size=-2000")  # SQLite's default


def stream(
    conn: Connection,
    where: list[ColumnElement[bool]],
    *,
    labels: bool,
    contacts: bool,
    latest: bool = False,
) -> Iterator[str]:
    """The export as CSV text, in chunks: `rows` through csv_safe.stream, which checks
    every header cell and, after it, only the cells a person typed."""
    typed = [n for n, c in enumerate(columns(contacts, latest)) if c.typed]
    chosen = rows(conn, where, labels=labels, contacts=contacts, latest=latest)
    return csv_safe.stream(chosen, typed)


def codebook(contacts: bool = True, latest: bool = True) -> Iterator[list[Any]]:
    """One row per export column: what it holds, its type, its codes with their labels."""
    yield ["column", "wording", "type", "codes"]
    for c in columns(contacts, latest):
        yield [c.name, c.wording, c.type, c.codes]
