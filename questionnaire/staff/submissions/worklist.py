"""The clinicians' worklist: what needs a person now, most urgent first.

Three groups, each submission in one at most:
- red flags not yet dealt with: a red flag, not yet reviewed, no contact outcome that
  closed it; by tier, then the longest wait;
- call-back requests: asked for, no contact outcome that closed it (and not already
  listed as a red flag); the longest wait first;
- follow-ups: marked "needs follow-up" at review, no call-back, not closed by a contact;
  any with a red flag first, by tier, then the longest wait.
"No answer" and "Left a message" keep an item open (words.CONTACT_STILL_OPEN).

Each group is read with its own index (review status and tier rank, or the call-back
requests), counted with its overdue items in one query, and only its first rows are read:
the dashboard, the digest and the page all count from `counts`. No Flask: the view, the
bench and the dashboard call the same functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from questionnaire.core import clinic_time
from questionnaire.core.models import NO_FLAG_RANK, TIER_RANKS, CallbackRequest, Submission
from questionnaire.core.words import CONTACT_STILL_OPEN

KINDS = ("red_flag", "callback", "follow_up")
GP_SOON_RANK = TIER_RANKS["gp_soon"]


@dataclass(frozen=True)
class Targets:
    """How long each kind may wait before it is overdue (config WORKLIST_*)."""

    red_flag_hours: int  # emergency and urgent, clock hours
    gp_soon_open_hours: int  # the clinic's opening hours
    callback_open_hours: int
    follow_up_open_hours: int
    opening: clinic_time.OpeningHours
    tz: ZoneInfo

    @classmethod
    def from_config(cls, config: Any) -> Targets:
        return cls(
            config["WORKLIST_RED_FLAG_HOURS"],
            config["WORKLIST_GP_SOON_OPEN_HOURS"],
            config["WORKLIST_CALLBACK_OPEN_HOURS"],
            config["WORKLIST_FOLLOW_UP_OPEN_HOURS"],
            config["CLINIC_OPENING_HOURS"],
            config["CLINIC_TIMEZONE"],
        )

    def _before(self, now: datetime, hours: int) -> datetime:
        return clinic_time.opening_hours_before(now, hours, self.opening, self.tz)

    def overdue(self, kind: str, now: datetime) -> ColumnElement[bool]:
        """Sent before the moment that makes it late now."""
        sent = Submission.created_at
        if kind == "red_flag":
            return or_(
                and_(
                    Submission.tier_rank < GP_SOON_RANK,
                    sent < now - timedelta(hours=self.red_flag_hours),
                ),
                and_(
                    Submission.tier_rank == GP_SOON_RANK,
                    sent < self._before(now, self.gp_soon_open_hours),
                ),
            )
        hours = self.callback_open_hours if kind == "callback" else self.follow_up_open_hours
        return sent < self._before(now, hours)


def still_open() -> ColumnElement[bool]:
    return or_(
        Submission.contact_outcome.is_(None), Submission.contact_outcome.in_(CONTACT_STILL_OPEN)
    )


def _red_flag_new() -> ColumnElement[bool]:
    return and_(Submission.review_status == "new", Submission.tier_rank < NO_FLAG_RANK)


def condition(kind: str) -> ColumnElement[bool]:
    """The submissions in the group `kind` (one of KINDS)."""
    if kind == "red_flag":
        return and_(_red_flag_new(), still_open())
    if kind == "callback":
        return and_(Submission.has_callback.is_(True), ~_red_flag_new(), still_open())
    return and_(
        Submission.review_status == "follow_up", ~Submission.has_callback.is_(True), still_open()
    )


def _order(kind: str) -> list[Any]:
    """Red flags and follow-ups by tier (the most urgent first), then the longest wait: the
    order of ix_submission_worklist, so neither is sorted. Call-backs by wait alone."""
    oldest = [Submission.created_at, Submission.id]
    return oldest if kind == "callback" else [Submission.tier_rank, *oldest]


@dataclass(frozen=True)
class Count:
    total: int
    overdue: int


def counts(db: Session, targets: Targets, now: datetime) -> dict[str, Count]:
    out = {}
    for kind in KINDS:
        total, late = db.execute(
            select(func.count(), func.count().filter(targets.overdue(kind, now))).where(
                condition(kind)
            )
        ).one()
        out[kind] = Count(total, late)
    return out


@dataclass(frozen=True)
class Item:
    id: str
    reference: str
    created_at: datetime
    tier: str | None
    booking: str
    review_status: str
    contact_outcome: str | None
    contact_attempts: int
    name: str | None  # the call-back request's, when there is one
    phone: str | None
    best_time: str | None
    overdue: bool


@dataclass(frozen=True)
class Group:
    """One group's page of items, for the page and its links to the others."""

    rows: list[Item]
    number: int  # from 1
    pages: int  # at least 1


def items(
    db: Session, kind: str, targets: Targets, now: datetime, limit: int, offset: int = 0
) -> list[Item]:
    """The group's items, most urgent first, `limit` from `offset`. The page's ids are
    found first, from the index alone, and only their rows and call-back requests read."""
    order = _order(kind)
    page = select(Submission.id).where(condition(kind)).order_by(*order).limit(limit)
    rows = db.execute(
        select(
            Submission.id,
            Submission.reference,
            Submission.created_at,
            Submission.tier,
            Submission.booking,
            Submission.review_status,
            Submission.contact_outcome,
            Submission.contact_attempts,
            CallbackRequest.name,
            CallbackRequest.phone,
            CallbackRequest.best_time,
            targets.overdue(kind, now).label("overdue"),
        )
        .outerjoin(CallbackRequest, CallbackRequest.submission_id == Submission.id)
        .where(Submission.id.in_(page.offset(offset).scalar_subquery()))
        .order_by(*order)
    ).all()
    return [Item(**{**row._asdict(), "overdue": bool(row.overdue)}) for row in rows]
