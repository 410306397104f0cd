"""Clinic time: every time shown to staff in the clinic's zone, named; days and weeks
counted in it, across the changes to and from summer time; storage stays UTC."""

from datetime import UTC, datetime

import pytest

from questionnaire import create_app
from questionnaire.core import clinic_time
from questionnaire.core.config import ConfigError
from tests.helpers.answer_sets import bookable
from tests.helpers.staff_client import add_submission
from tests.staff.test_submissions import references

LONDON = clinic_time.zone("Europe/London")
HOURS = clinic_time.opening_hours("mon,tue,wed,thu,fri", "09:00-17:00")


def test_opening_hours_skip_nights_and_weekends():
    monday_10 = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)  # GMT: clinic time is UTC
    # One working day back from Monday 10:00 is Friday 10:00.
    assert clinic_time.opening_hours_before(monday_10, 8, HOURS, LONDON) == datetime(
        2026, 12, 4, 10, 0, tzinfo=UTC
    )


def test_a_promise_in_opening_hours_falls_due_after_nights_and_weekends():
    friday_16 = datetime(2026, 12, 4, 16, 0, tzinfo=UTC)  # GMT: clinic time is UTC
    # One working day from Friday 16:00: an hour on Friday, seven on Monday.
    assert clinic_time.opening_hours_after(friday_16, 8, HOURS, LONDON) == datetime(
        2026, 12, 7, 16, 0, tzinfo=UTC
    )
    saturday = datetime(2026, 12, 5, 11, 0, tzinfo=UTC)
    assert clinic_time.opening_hours_after(saturday, 8, HOURS, LONDON) == datetime(
        2026, 12, 7, 17, 0, tzinfo=UTC
    )
    # Into summer time: Friday 27 March 16:00 GMT, then Monday opens at 09:00 BST (08:00 UTC).
    before_the_change = datetime(2026, 3, 27, 16, 0, tzinfo=UTC)
    assert clinic_time.opening_hours_after(before_the_change, 8, HOURS, LONDON) == datetime(
        2026, 3, 30, 15, 0, tzinfo=UTC
    )


def test_opening_hours_follow_the_clinic_s_clock_across_summer_time():
    # The clocks went forward on Sunday 29 March 2026: 09:00 BST on Monday is 08:00 UTC.
    monday = datetime(2026, 3, 30, 9, 30, tzinfo=UTC)  # 10:30 BST
    assert clinic_time.opening_hours_before(monday, 2, HOURS, LONDON) == datetime(
        2026, 3, 27, 16, 30, tzinfo=UTC
    )  # 16:30 GMT on the Friday before: 1.5 hours on Monday, 0.5 on Friday
    assert clinic_time.shown(monday, LONDON) == "30 Mar 2026, 10:30 BST"
    assert clinic_time.shown(datetime(2026, 10, 26, 9, 30, tzinfo=UTC), LONDON) == (
        "26 Oct 2026, 09:30 GMT"
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CLINIC_TIMEZONE", "Mars/Olympus_Mons"),
        ("CLINIC_TIMEZONE", "../../etc/passwd"),
        ("CLINIC_OPEN_HOURS", "17:00-09:00"),
        ("CLINIC_OPEN_DAYS", "monday"),
    ],
)
def test_a_zone_or_hours_the_server_cannot_read_refuse_to_start(monkeypatch, tmp_path, name, value):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=name):
        create_app()


@pytest.mark.parametrize(
    ("sent", "day", "before"),
    [
        # 23:30 UTC on Sunday 29 March 2026 is 00:30 BST on Monday 30 March.
        (datetime(2026, 3, 29, 23, 30, tzinfo=UTC), "2026-03-30", "2026-03-29"),
        # 23:30 UTC on Sunday 25 October 2026 is 23:30 GMT the same day (a 25-hour day).
        (datetime(2026, 10, 25, 23, 30, tzinfo=UTC), "2026-10-25", "2026-10-24"),
        # 00:30 UTC on 25 October is 01:30 BST, before the clocks go back.
        (datetime(2026, 10, 25, 0, 30, tzinfo=UTC), "2026-10-25", "2026-10-24"),
    ],
)
def test_the_list_s_days_are_the_clinic_s_across_summer_time(app, as_role, db, sent, day, before):
    from questionnaire.core.models import Submission

    sid = add_submission(app, bookable())
    db.query(Submission).filter_by(id=sid).update({"created_at": sent})
    db.commit()
    staff = as_role("clinician")
    on_the_day = staff.get(f"/staff/submissions/?date_from={day}&date_to={day}")
    assert references(on_the_day) == [sid]
    assert references(staff.get(f"/staff/submissions/?date_to={before}")) == []
    shown = clinic_time.shown(sent, LONDON)
    assert shown in on_the_day.text and shown.endswith(("BST", "GMT"))
