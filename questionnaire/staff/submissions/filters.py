"""Filters over submissions, shared by the clinicians' list, the CSV export and its command."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement
from wtforms import DateField, Form, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional, ValidationError

from questionnaire.core import clinic_time, codes
from questionnaire.core.models import NO_FLAG_RANK, TIER_RANKS, Submission
from questionnaire.core.words import (
    BOOKING_WORDS,
    CALLBACK_FILTER_WORDS,
    LEVEL_WORDS,
    RESCREEN_WORDS,
    SORT_WORDS,
    STATUS_WORDS,
    TIER_WORDS,
)
from questionnaire.staff.submissions.rescreen import changed_now
from questionnaire.staff.submissions.worklist import still_open
from rules import INDICATIONS

# The days a filter may name. Nothing was sent before 2000, and the day after 9999-12-31
# cannot even be computed (an OverflowError, which was a 500).
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(9998, 12, 31)
OUT_OF_RANGE = f"Enter a date from {FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}"


def in_range(form: Form, field: DateField) -> None:
    if field.data is not None and not FIRST_DAY <= field.data <= LAST_DAY:
        raise ValidationError(OUT_OF_RANGE)


def _known(form: Form, field: SelectField) -> None:
    if field.data not in {c.value for c in field.choices}:
        raise ValidationError("Choose one of the options")


def select_field(
    label: str,
    words: dict[str, str],
    *,
    first: tuple[SelectChoice, ...] | None = None,
    default: str = "",
) -> SelectField:
    """A drop-down of `words`, "Any" first unless `first` says otherwise."""
    leading = (SelectChoice("", "Any"),) if first is None else first
    choices = [*leading, *(SelectChoice(k, v) for k, v in words.items())]
    return SelectField(
        label, choices=choices, validators=[_known], validate_choice=False, default=default
    )


class FilterForm(Form):
    date_from = DateField("Sent on or after", validators=[Optional(), in_range])
    date_to = DateField("Sent on or before", validators=[Optional(), in_range])
    booking = select_field("Outcome", BOOKING_WORDS)
    tier = select_field(
        "Red flags",
        TIER_WORDS,
        first=(
            SelectChoice("", "Any"),
            SelectChoice("flagged", "Any red flag"),
            SelectChoice("none", "No red flag"),
        ),
    )
    osteoarthritis = select_field("Osteoarthritis", LEVEL_WORDS)
    tendinopathy = select_field("Tendinopathy", LEVEL_WORDS)
    ligament = select_field("Ligament", LEVEL_WORDS)
    neuropathic = select_field("Neuropathic", LEVEL_WORDS)
    review_status = select_field("Review", STATUS_WORDS)
    callback = select_field("Call-back", CALLBACK_FILTER_WORDS)
    rescreen = select_field("Re-screening", RESCREEN_WORDS)
    sort = select_field("Order", SORT_WORDS, first=(), default="newest")

    FIELDS: tuple[str, ...] = (
        "date_from",
        "date_to",
        "booking",
        "tier",
        *INDICATIONS,
        "review_status",
        "callback",
        "rescreen",
        "sort",
    )

    def active(self) -> dict[str, str]:
        return active_filters(self, self.FIELDS)


# What a person reading a reference aloud or typing it may use for each character of
REFERENCE_HELP = "Enter the 8 letters and numbers of the reference, like EVXK-ANDF"


def reference_as_stored(typed: str) -> str | None:
    """ "evxk andf", "EVXKANDF" or "evxk-andf" as stored ("EVXK-ANDF"); None if it cannot
    be a reference (codes.reference: O read as 0, I and L as 1)."""
    code = codes.reference(typed)
    return code if codes.is_reference(code) else None


def _a_reference(form: Form, field: StringField) -> None:
    if field.data and field.data.strip():
        if reference_as_stored(field.data) is None:
            raise ValidationError(REFERENCE_HELP)
        field.data = reference_as_stored(field.data)


class ListForm(FilterForm):
    """The clinicians' list: the filters, and a reference to go straight to one."""

    reference = StringField("Reference", validators=[Optional(), _a_reference])
    FIELDS = ("reference", *FilterForm.FIELDS)


def active_filters(form: Form, names: Iterable[str]) -> dict[str, str]:
    """The filters in force among the fields `names` (given, and valid), as text: for audit
    details and for links to other pages. Links are built from these, never from
    request.args, whose other keys url_for would take for its own (_method, _external)."""
    out: dict[str, str] = {}
    for name in names:
        value = form[name].data
        if value not in (None, "") and not form[name].errors:
            out[name] = value.isoformat() if isinstance(value, date) else str(value)
    return out


def start_of(day: date, tz: tzinfo = UTC) -> datetime:
    """The first moment of `day` in the zone `tz` (the clinic's, for what staff filter on)."""
    return clinic_time.start_of_day(day, tz)


def end_of(day: date, tz: tzinfo = UTC) -> datetime:
    """The first moment after `day`, for "on or before" (`day` no later than LAST_DAY)."""
    return start_of(day + timedelta(days=1), tz)


def conditions(values: dict[str, Any], tz: tzinfo | None = None) -> list[ColumnElement[bool]]:
    """WHERE clauses for the filters in `values` (FilterForm.active(), or the command line),
    whose dates are within FIRST_DAY and LAST_DAY. Days are the clinic's (CLINIC_TIMEZONE)
    unless `tz` says otherwise: "sent on 30 March" means the clinic's 30 March."""
    tz = tz or current_app.config["CLINIC_TIMEZONE"]
    where: list[ColumnElement[bool]] = []
    if "reference" in values:
        where.append(Submission.reference == values["reference"])
    if "date_from" in values:
        where.append(Submission.created_at >= start_of(date.fromisoformat(values["date_from"]), tz))
    if "date_to" in values:
        where.append(Submission.created_at < end_of(date.fromisoformat(values["date_to"]), tz))
    if "booking" in values:
        where.append(Submission.booking == values["booking"])
    tier = values.get("tier")
    if tier == "flagged":
        where.append(Submission.tier_rank < NO_FLAG_RANK)
    elif tier == "none":
        where.append(Submission.tier_rank == NO_FLAG_RANK)
    elif tier:
        where.append(Submission.tier_rank == TIER_RANKS[tier])
    for name in INDICATIONS:
        if name in values:
            where.append(getattr(Submission, name) == values[name])
    if "review_status" in values:
        where.append(Submission.review_status == values["review_status"])
    if "callback" in values:
        where.append(Submission.has_callback.is_(True))
        if values["callback"] == "waiting":
            where.append(still_open())
    if values.get("rescreen") == "changed":
        where.append(changed_now())
    return where


def ordering(values: dict[str, Any]) -> list[Any]:
    newest = [Submission.created_at.desc(), Submission.id]
    if values.get("sort") == "flags":
        return [Submission.tier_rank, *newest]
    return newest
