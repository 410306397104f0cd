"""Clinic time: the clinic's own clock and opening hours, for every time shown to a person
and every "day" or "week" counted. Storage stays UTC (models.UTCDateTime); times become
clinic time only here, on the way out, with the zone named (GMT or BST in London), so a
reader never has to guess.

Standard library only: config.py checks the settings with these functions at start-up, and
the views, the dashboard's figures and the alert emails call the same ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_ZONE = "Europe/London"
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class ClockError(ValueError):
    """A clinic-time setting that cannot be used (config.py turns it into a ConfigError)."""


def zone(name: str) -> ZoneInfo:
    """The IANA zone `name` (ZoneInfo keeps one object per name)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ClockError(
            f"{name!r} is not a time zone this server knows; use an IANA name such as "
            f"{DEFAULT_ZONE}"
        ) from None


def shown(at: datetime, tz: ZoneInfo, *, seconds: bool = False) -> str:
    """Like "8 Dec 2026, 14:05 GMT": the date, the 24-hour time (with seconds for the audit
    log) and the zone's name on that day."""
    here = at.astimezone(tz)
    clock = "%H:%M:%S" if seconds else "%H:%M"
    return f"{here.day} {here.strftime('%b %Y, ' + clock)} {here.tzname()}"


def zone_name(at: datetime, tz: ZoneInfo) -> str:
    """The zone's name at that moment, as people read it: GMT in winter, BST in summer."""
    return at.astimezone(tz).tzname() or tz.key


def today(now: datetime, tz: ZoneInfo) -> date:
    """The clinic's date at `now`: a submission at 00:30 BST is the clinic's today, though
    UTC still says yesterday."""
    return now.astimezone(tz).date()


def start_of_day(day: date, tz: tzinfo) -> datetime:
    """The first moment of the clinic's `day`, in UTC: days are 23 or 25 hours long when the
    clocks change, so a day's bounds come from the zone, never from adding 24 hours."""
    return datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC)


@dataclass(frozen=True)
class OpeningHours:
    """When the clinic answers the phone: the same hours on each open day."""

    days: frozenset[int]  # Monday is 0
    opens: time
    closes: time

    def intervals(
        self, first: date, last: date, tz: ZoneInfo
    ) -> Iterable[tuple[datetime, datetime]]:
        """Each open stretch from `first` to `last` (clinic days), in UTC, oldest first."""
        day = first
        while day <= last:
            if day.weekday() in self.days:
                yield (
                    datetime.combine(day, self.opens, tzinfo=tz).astimezone(UTC),
                    datetime.combine(day, self.closes, tzinfo=tz).astimezone(UTC),
                )
            day += timedelta(days=1)


def opening_hours(days: str, hours: str) -> OpeningHours:
    """From settings such as "mon,tue,wed,thu,fri" and "09:00-17:00"."""
    names = [d.strip().lower() for d in days.split(",") if d.strip()]
    unknown = [d for d in names if d not in DAY_NAMES]
    if not names or unknown:
        raise ClockError(f"open days must be names from {','.join(DAY_NAMES)}, not {days!r}")
    found = re.fullmatch(r"\s*(\d\d):(\d\d)\s*-\s*(\d\d):(\d\d)\s*", hours)
    try:
        if found is None:
            raise ValueError
        h1, m1, h2, m2 = map(int, found.groups())
        opens, closes = time(h1, m1), time(h2, m2)
    except ValueError:
        raise ClockError(f"opening hours must look like 09:00-17:00, not {hours!r}") from None
    if closes <= opens:
        raise ClockError(f"opening hours must close after they open, not {hours!r}")
    return OpeningHours(frozenset(DAY_NAMES.index(d) for d in names), opens, closes)


# How far back a target in opening hours may reach: a clinic open one day a week, with a
# target of several working days, still finds its start within this.
LOOK_BACK = timedelta(days=400)


def opening_hours_after(
    start: datetime, hours: float, open_at: OpeningHours, tz: ZoneInfo
) -> datetime:
    """The moment `hours` of opening time after `start`: when a promise made at `start`
    ("within one working day") falls due, nights, weekends and closed days not counted."""
    left = timedelta(hours=hours)
    first = today(start, tz)
    for opens, closes in open_at.intervals(first, first + LOOK_BACK, tz):
        if closes <= start:
            continue
        begin = max(opens, start)
        if closes - begin >= left:
            return begin + left
        left -= closes - begin
    return start + LOOK_BACK


def opening_hours_before(
    now: datetime, hours: float, open_at: OpeningHours, tz: ZoneInfo
) -> datetime:
    """The moment `hours` of opening time before `now`: whatever was asked for before it
    has waited longer than `hours` of the clinic's open time (nights, weekends and closed
    days do not count), so it is overdue against a target of `hours`."""
    left = timedelta(hours=hours)
    last = today(now, tz)
    first = (now - LOOK_BACK).date()
    for opens, closes in reversed(list(open_at.intervals(first, last, tz))):
        if opens >= now:
            continue
        stretch = min(closes, now) - opens
        if stretch >= left:
            return min(closes, now) - left
        left -= stretch
    return now - LOOK_BACK
