"""The dashboard's figures, aggregated in SQL: three queries whatever the number of
submissions (GROUP BY and conditional counts), the same on SQLite and PostgreSQL. No Flask:
the view, the benchmark and the tests call the same functions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import case, func, literal, select
from sqlalchemy.orm import Session

from questionnaire.core.models import NO_FLAG_RANK, TIER_RANKS, CallbackRequest, Submission
from questionnaire.staff.submissions import worklist
from questionnaire.staff.submissions.filters import end_of, start_of
from rules import BOOKINGS, INDICATIONS, TIERS

WEEK = timedelta(weeks=1)
DEFAULT_WEEKS = 26
# A week per bar: beyond a year the weekly chart stops being readable on a phone.
MAX_DAYS = 366
SHOWN_LEVELS = ("likely", "possible")
TIER_OF_RANK = {rank: tier for tier, rank in TIER_RANKS.items()}
RANKS = NO_FLAG_RANK + 1  # tier ranks run 0 (emergency) to NO_FLAG_RANK (no red flag)

# Ages of submissions not yet reviewed: (key, words, upper bound). A bucket holds ages from
# the bound before it (inclusive) up to its own (exclusive); the last has no upper bound.
AGE_BUCKETS: tuple[tuple[str, str, timedelta | None], ...] = (
    ("day", "Under 1 day", timedelta(days=1)),
    ("days_1_3", "1 to 3 days", timedelta(days=3)),
    ("days_3_7", "3 to 7 days", timedelta(days=7)),
    ("week_plus", "7 days or more", None),
)


def week_start(day: date) -> date:
    """The Monday of `day`'s week."""
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class Period:
    """Days sent, both ends included, in the zone `tz` (the clinic's, from the view): a
    week is the clinic's Monday to Sunday, 167 or 169 hours long when the clocks change."""

    first: date
    last: date
    tz: tzinfo = UTC

    @property
    def weeks(self) -> list[date]:
        """The Mondays of every week the period touches, oldest first."""
        monday, last = week_start(self.first), week_start(self.last)
        return [monday + i * WEEK for i in range((last - monday).days // 7 + 1)]

    def covers_week(self, monday: date) -> bool:
        return self.first <= monday and monday + timedelta(days=6) <= self.last


def default_period(today: date, tz: tzinfo = UTC) -> Period:
    """This week so far and the 25 whole weeks before it."""
    return Period(week_start(today) - (DEFAULT_WEEKS - 1) * WEEK, today, tz)


def period_between(first: date | None, last: date | None, today: date, tz: tzinfo = UTC) -> Period:
    """The period a filter names: no end means up to today (or the start, if that is later);
    no start means the 26 weeks up to the end."""
    if last is None:
        last = max(today, first) if first else today
    if first is None:
        return default_period(last, tz)
    return Period(first, last, tz)


@dataclass(frozen=True)
class Week:
    start: date
    whole: bool  # False: the period starts or ends inside this week
    counts: dict[str, int]  # booking decision -> submissions

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class Backlog:
    key: str
    words: str
    total: int
    flagged: int  # of which with a red flag


@dataclass(frozen=True)
class Figures:
    period: Period
    weeks: list[Week]
    total: int
    tiers: dict[str, int]  # tier -> submissions with it as their highest
    levels: dict[str, dict[str, int]]  # indication -> {"likely": n, "possible": n}
    backlog: list[Backlog]
    oldest_callback: datetime | None  # the worklist's counts are worklist.counts

    @property
    def level_columns(self) -> tuple[str, ...]:
        """The levels the indication table has a column for, in order: its headings and
        its cells both come from here, not from whichever indication happens to be first."""
        return SHOWN_LEVELS

    @property
    def flagged(self) -> int:
        return sum(self.tiers.values())


def figures(db: Session, period: Period, now: datetime) -> Figures:
    weeks, tiers, levels = _sent_in(db, period)
    _waiting, oldest = callbacks_waiting(db)
    return Figures(
        period=period,
        weeks=weeks,
        total=sum(w.total for w in weeks),
        tiers=tiers,
        levels=levels,
        backlog=_backlog(db, now),
        oldest_callback=oldest,
    )


def _week_index(column: Any, bounds: Sequence[datetime], lo: int, hi: int) -> Any:
    """The index of the week a row falls in, for rows known to lie from bounds[lo] to before
    bounds[hi]: a CASE that halves the weeks at each step (log2 of the weeks compared per
    row, not one per week). Comparing with each week's first moment is what the list's date
    filter does, so a submission at 23:59:59.999999 on a Sunday counts in the same week on
    every backend; dialect date arithmetic would not promise that (SQLite's rounds to the
    millisecond)."""
    if hi - lo == 1:
        return literal(lo)
    mid = (lo + hi) // 2
    return case(
        (column < bounds[mid], _week_index(column, bounds, lo, mid)),
        else_=_week_index(column, bounds, mid, hi),
    )


def _sent_in(
    db: Session, period: Period
) -> tuple[list[Week], dict[str, int], dict[str, dict[str, int]]]:
    """One pass over the period's submissions (a range of the index that holds their
    outcome columns): counts per week, booking decision and tier, with each group's
    indication levels counted alongside. At most weeks × (bookings + tiers) rows come back,
    however many were sent."""
    mondays = period.weeks
    tz = period.tz
    bounds = [start_of(m, tz) for m in mondays] + [end_of(period.last, tz)]
    week = _week_index(Submission.created_at, bounds, 0, len(mondays))
    booking = case({b: i for i, b in enumerate(BOOKINGS)}, value=Submission.booking)
    # Week, booking and tier folded into one integer to group on: SQLite groups by sorting
    # every row, and sorting one integer takes about a fifth less time than three values.
    group = (week * len(BOOKINGS) + booking) * RANKS + Submission.tier_rank
    sent = (
        select(group.label("grp"), *[getattr(Submission, name) for name in INDICATIONS])
        .where(
            Submission.created_at >= start_of(period.first, tz),
            Submission.created_at < end_of(period.last, tz),
        )
        .subquery()
    )
    level_counts = [
        func.count().filter(sent.c[name] == level).label(f"{name}_{level}")
        for name in INDICATIONS
        for level in SHOWN_LEVELS
    ]
    # Grouped in an outer query: PostgreSQL cannot match a GROUP BY to a CASE with bound
    # parameters in the select list, but it can group by a subquery's column.
    rows = db.execute(
        select(sent.c.grp, func.count().label("sent"), *level_counts).group_by(sent.c.grp)
    ).all()
    counts: list[dict[str, int]] = [dict.fromkeys(BOOKINGS, 0) for _ in mondays]
    tiers: dict[str, int] = dict.fromkeys(TIERS, 0)
    levels = {name: dict.fromkeys(SHOWN_LEVELS, 0) for name in INDICATIONS}
    for row in rows:
        rest, rank = divmod(row.grp, RANKS)
        index, booking_number = divmod(rest, len(BOOKINGS))
        counts[index][BOOKINGS[booking_number]] += row.sent
        if rank != NO_FLAG_RANK:
            tiers[TIER_OF_RANK[rank]] += row.sent
        for name in INDICATIONS:
            for level in SHOWN_LEVELS:
                levels[name][level] += row._mapping[f"{name}_{level}"]
    weeks = [
        Week(start=m, whole=period.covers_week(m), counts=c)
        for m, c in zip(mondays, counts, strict=True)
    ]
    return weeks, tiers, levels


def _backlog(db: Session, now: datetime) -> list[Backlog]:
    """Submissions not yet reviewed, by age now, and how many of each carry a red flag: one
    row of conditional counts over the not-reviewed rows (read from the index on review
    status, tier rank and time alone)."""
    created, flagged = Submission.created_at, Submission.tier_rank < NO_FLAG_RANK
    counts = []
    newest: datetime | None = None  # the latest time a submission in this bucket was sent
    for key, _words, bound in AGE_BUCKETS:
        oldest = now - bound if bound is not None else None  # sent after this, if any
        age = []
        if newest is not None:
            age.append(created <= newest)
        if oldest is not None:
            age.append(created > oldest)
        counts.append(func.count().filter(*age).label(key))
        counts.append(func.count().filter(flagged, *age).label(f"{key}_flagged"))
        newest = oldest
    row = db.execute(select(*counts).where(Submission.review_status == "new")).one()
    return [
        Backlog(key, words, row._mapping[key], row._mapping[f"{key}_flagged"])
        for key, words, _bound in AGE_BUCKETS
    ]


def callbacks_waiting(db: Session) -> tuple[int, datetime | None]:
    """The worklist's call-back requests (worklist.condition: not closed by a contact
    outcome, not already listed as a red flag), and when the one waiting longest was asked
    for. The one definition: the worklist, the dashboard and the daily digest all count this
    way. Both from ix_submission_callback_worklist: the count in the index, the oldest its
    first entry's request (a min over the join read every waiting submission's row)."""
    waiting = worklist.condition("callback")
    count = db.scalar(select(func.count()).select_from(Submission).where(waiting)) or 0
    first = select(Submission.id).where(waiting).order_by(Submission.created_at, Submission.id)
    oldest = db.scalar(
        select(CallbackRequest.created_at).where(
            CallbackRequest.submission_id == first.limit(1).scalar_subquery()
        )
    )
    return count, oldest
