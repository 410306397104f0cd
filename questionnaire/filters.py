"""Filters over submissions, shared by the clinicians' list, the CSV export and its command."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement
from wtforms import DateField, Form, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional, ValidationError

from rules import INDICATIONS

from .models import NO_FLAG_RANK, TIER_RANKS, Submission

BOOKING_WORDS = {
    "seek_care": "Seek care (red flag)",
    "incomplete": "Incomplete",
    "not_suitable": "Not suitable",
    "call_back": "Call back first",
    "book": "Book",
}
TIER_WORDS = {"emergency": "Emergency", "urgent": "Urgent", "gp_soon": "GP soon"}
LEVEL_WORDS = {"likely": "Likely", "possible": "Possible", "unlikely": "Unlikely"}
STATUS_WORDS = {"new": "Not reviewed", "reviewed": "Reviewed", "follow_up": "Needs follow-up"}
INDICATION_WORDS = {
    "osteoarthritis": "Osteoarthritis",
    "tendinopathy": "Tendinopathy",
    "ligament": "Ligament",
    "neuropathic": "Neuropathic",
}
SORTS = {"newest": "Newest first", "flags": "Red flags first, then newest"}


def _known(form: Form, field: SelectField) -> None:
    if field.data not in {c.value for c in field.choices}:  # type: ignore[union-attr]
        raise ValidationError("Choose one of the options")


def _select(
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
    date_from = DateField("Sent on or after", validators=[Optional()])
    date_to = DateField("Sent on or before", validators=[Optional()])
    booking = _select("Outcome", BOOKING_WORDS)
    tier = _select(
        "Red flags",
        TIER_WORDS,
        first=(
            SelectChoice("", "Any"),
            SelectChoice("flagged", "Any red flag"),
            SelectChoice("none", "No red flag"),
        ),
    )
    osteoarthritis = _select("Osteoarthritis", LEVEL_WORDS)
    tendinopathy = _select("Tendinopathy", LEVEL_WORDS)
    ligament = _select("Ligament", LEVEL_WORDS)
    neuropathic = _select("Neuropathic", LEVEL_WORDS)
    review_status = _select("Review", STATUS_WORDS)
    sort = _select("Order", SORTS, first=(), default="newest")

    FIELDS = ("date_from", "date_to", "booking", "tier", *INDICATIONS, "review_status", "sort")

    def active(self) -> dict[str, str]:
        """The filters in force, as text: for audit details and for links to other pages."""
        out: dict[str, str] = {}
        for name in self.FIELDS:
            value = self[name].data
            if value not in (None, "") and not self[name].errors:
                out[name] = value.isoformat() if isinstance(value, date) else str(value)
        return out


def start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def conditions(values: dict[str, Any]) -> list[ColumnElement[bool]]:
    """WHERE clauses for the filters in `values` (FilterForm.active(), or the command line)."""
    where: list[ColumnElement[bool]] = []
    if "date_from" in values:
        where.append(Submission.created_at >= start_of(date.fromisoformat(values["date_from"])))
    if "date_to" in values:
        day_after = date.fromisoformat(values["date_to"]) + timedelta(days=1)
        where.append(Submission.created_at < start_of(day_after))
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
    return where


def ordering(values: dict[str, Any]) -> list[Any]:
    newest = [Submission.created_at.desc(), Submission.id]
    if values.get("sort") == "flags":
        return [Submission.tier_rank, *newest]
    return newest
