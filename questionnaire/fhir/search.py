"""The search parameters the API understands, read strictly: an unknown parameter or a bad
value is a 400 that says which, never silently ignored (a record system that misspells
`_lastUpdated` must not quietly receive every submission ever sent)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, or_
from werkzeug.datastructures import MultiDict

from questionnaire.core.models import Submission
from questionnaire.fhir.outcome import FhirError
from questionnaire.fhir.store import Cursor

DEFAULT_COUNT = 100
MAX_COUNT = 1000
JSON_FORMATS = frozenset({"json", "application/json", "application/fhir+json"})
SUBMISSION_PARAMS = frozenset({"_lastUpdated", "_count", "_cursor", "_format"})
DEFINITION_PARAMS = frozenset({"_id", "url", "version", "_count", "_offset", "_format"})
PREFIXES = ("eq", "ne", "ge", "gt", "le", "lt", "sa", "eb")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
CURSOR_RE = re.compile(r"([0-9]{1,20})-([0-9a-f]{32})")
ID_RE = re.compile(r"[A-Za-z0-9\-.]{1,64}")


@dataclass(frozen=True)
class Page:
    where: list[ColumnElement[bool]]
    count: int
    cursor: Cursor | None


def check_names(args: MultiDict[str, str], allowed: frozenset[str]) -> None:
    unknown = sorted(set(args) - allowed)
    if unknown:
        takes = ", ".join(sorted(allowed))
        raise FhirError(400, f"Unknown search parameter {unknown[0][:40]!r}; it takes {takes}.")
    fmt = args.get("_format")
    if fmt is not None and fmt not in JSON_FORMATS:
        raise FhirError(406)


# A date-time as a search value: minutes, seconds or a fraction of a second, with an offset.
# [0-9] and not \d, which also matches digits of other scripts that int() would refuse.
DATE_TIME_RE = re.compile(
    r"([0-9]{4}-[0-9]{2}-[0-9]{2})T([0-9]{2}:[0-9]{2})(:[0-9]{2}(\.[0-9]{1,6})?)?"
    r"(Z|[+-][0-9]{2}:[0-9]{2})"
)


def _moment(text: str) -> tuple[datetime, datetime]:
    """The span a search value covers, as its precision implies (FHIR R4 search): a whole
    day (UTC) for a date, a minute, a second or a fraction of one for a date and time, so
    `eq2026-05-01T09:00:00Z` matches a submission stored at 09:00:00.5."""
    try:
        if "T" not in text:
            if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
                raise ValueError(text)
            day = datetime.combine(date.fromisoformat(text), time(), UTC)
            return day, day + timedelta(days=1)
        match = DATE_TIME_RE.fullmatch(text)
        if match is None:
            raise ValueError(text)
        date_text, minute, seconds, fraction, zone = match.groups()
        at = datetime.fromisoformat(
            f"{date_text}T{minute}{seconds or ':00'}{zone.replace('Z', '+00:00')}"
        )
        if not 1 < at.year < 9999:  # far years overflow in UTC
            raise ValueError(text)
        if seconds is None:
            width = timedelta(minutes=1)
        elif fraction is None:
            width = timedelta(seconds=1)
        else:
            width = MICROSECOND * 10 ** (7 - len(fraction))  # ".5" is a tenth of a second
        return at, at + width
    except (ValueError, OverflowError):  # not a date, or the last one there is
        raise FhirError(
            400,
            f"_lastUpdated {text[:40]!r}: give a date (2026-01-31) or a date and time with its "
            "offset (2026-01-31T09:30:00Z).",
        ) from None


def last_updated(value: str) -> list[ColumnElement[bool]]:
    """The conditions for one `_lastUpdated` value. A submission is stored at one instant,
    so `sa` (starts after) is `gt` and `eb` (ends before) is `lt`; `ap` (approximately) is
    refused rather than guessed at."""
    prefix, text = (value[:2], value[2:]) if value[:2].isalpha() else ("eq", value)
    if prefix not in PREFIXES:
        raise FhirError(
            400, f"_lastUpdated prefix {prefix[:2]!r} is not supported; use {', '.join(PREFIXES)}."
        )
    start, end = _moment(text)
    column = Submission.created_at
    return {
        "eq": [column >= start, column < end],
        "ne": [or_(column < start, column >= end)],
        "ge": [column >= start],
        "gt": [column >= end],
        "sa": [column >= end],
        "le": [column < end],
        "lt": [column < start],
        "eb": [column < start],
    }[prefix]


def _digits(raw: str) -> bool:
    # str.isdigit() alone also passes "²" and other scripts' digits, which int() refuses.
    return raw.isascii() and raw.isdigit()


def count(args: MultiDict[str, str]) -> int:
    raw = args.get("_count")
    if raw is None:
        return DEFAULT_COUNT
    if not _digits(raw) or not 1 <= int(raw) <= MAX_COUNT:
        raise FhirError(400, f"_count must be a whole number from 1 to {MAX_COUNT}.")
    return int(raw)


def offset(args: MultiDict[str, str]) -> int:
    raw = args.get("_offset", "0")
    if not _digits(raw) or len(raw) > 6:
        raise FhirError(400, "_offset is not one this server gave: follow the next link.")
    return int(raw)


def cursor_text(cursor: Cursor) -> str:
    at, sid = cursor
    return f"{(at - EPOCH) // MICROSECOND}-{sid}"


def _cursor(args: MultiDict[str, str]) -> Cursor | None:
    raw = args.get("_cursor")
    if raw is None:
        return None
    match = CURSOR_RE.fullmatch(raw)
    try:
        if match is None:
            raise ValueError(raw)
        return EPOCH + int(match[1]) * MICROSECOND, match[2]
    except (ValueError, OverflowError):
        raise FhirError(400, "_cursor is not one this server gave: follow the next link.") from None


def submission_page(args: MultiDict[str, str]) -> Page:
    check_names(args, SUBMISSION_PARAMS)
    where = [c for value in args.getlist("_lastUpdated") for c in last_updated(value)]
    return Page(where, count(args), _cursor(args))


def valid_id(rid: str) -> bool:
    return ID_RE.fullmatch(rid) is not None
