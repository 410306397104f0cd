"""Nothing typed is lost to the idle timeout: a review or contact entry posted after the
session ended is kept for that person, offered back on the same page after signing in
again, and never shown to anyone else."""

from datetime import timedelta

from sqlalchemy import select

from questionnaire.core.models import AuditEvent, ContactAttempt, KeptText, ReviewNote, StaffSession
from tests.helpers.answer_sets import bookable
from tests.helpers.staff_client import Staff, add_submission

NOTE = "Spoke to GP <b>about</b> the calf; rebook in 2 weeks"


def time_out(db, staff) -> None:
    """Every session left idle past STAFF_IDLE_MINUTES (30), with `staff` still holding the
    page's form (and its CSRF token) as an open tab would."""
    assert staff.csrf
    for row in db.scalars(select(StaffSession)):
        row.last_seen_at -= timedelta(minutes=31)
    db.commit()


def test_a_review_posted_after_the_timeout_is_kept_and_offered_back(app, as_role, db):
    sid = add_submission(app, bookable(rf_calf="yes"))
    staff = as_role("clinician")
    staff.get(f"/staff/submissions/{sid}")
    time_out(db, staff)
    posted = staff.post(f"/staff/submissions/{sid}/review", {"status": "follow_up", "note": NOTE})
    assert posted.status_code == 302
    assert posted.location == f"/staff/login?next=/staff/submissions/{sid}"
    assert "what you typed will be filled in for you" in staff.get(posted.location).text
    assert db.scalars(select(ReviewNote)).all() == []  # nothing saved yet
    signed_in = staff.login(query=f"?next=/staff/submissions/{sid}")
    assert signed_in.location == f"/staff/submissions/{sid}"
    page = staff.get(signed_in.location)
    assert "You were signed out before this was saved" in page.text
    assert (
        "Spoke to GP &lt;b&gt;about&lt;/b&gt; the calf; rebook in 2 weeks</textarea>" in page.text
    )
    assert 'value="follow_up" checked' in page.text
    db.expire_all()
    assert db.scalars(select(KeptText)).all() == []  # offered once, then gone
    assert "Spoke to GP" not in staff.get(f"/staff/submissions/{sid}").text
    assert NOTE not in str([e.details for e in db.scalars(select(AuditEvent))])


def test_a_contact_entry_is_kept_too(app, as_role, db):
    sid = add_submission(app, bookable(rf_calf="yes"))
    staff = as_role("clinician")
    time_out(db, staff)
    staff.post(
        f"/staff/submissions/{sid}/contact",
        {"contact-outcome": "left_message", "contact-note": "Voicemail, will try at 4"},
    )
    staff.login()
    page = staff.get(f"/staff/submissions/{sid}")
    assert "Voicemail, will try at 4</textarea>" in page.text
    assert 'value="left_message" checked' in page.text
    assert db.scalars(select(ContactAttempt)).all() == []


def test_kept_text_is_never_shown_to_anyone_else(app, as_role, db, users):
    sid = add_submission(app, bookable(rf_calf="yes"))
    staff = as_role("clinician")
    time_out(db, staff)
    staff.post(f"/staff/submissions/{sid}/review", {"status": "reviewed", "note": NOTE})
    # Someone else signs in on the same browser, with the cookie still there.
    other = Staff(staff.client, "admin@clinic.example")
    other.login()
    assert "Spoke to GP" not in other.get(f"/staff/submissions/{sid}").text
    # A different browser of the same person does not hold the token either.
    elsewhere = as_role("clinician")
    assert "Spoke to GP" not in elsewhere.get(f"/staff/submissions/{sid}").text


def test_kept_text_lasts_a_short_time(app, as_role, db):
    sid = add_submission(app, bookable(rf_calf="yes"))
    staff = as_role("clinician")
    time_out(db, staff)
    staff.post(f"/staff/submissions/{sid}/review", {"status": "reviewed", "note": NOTE})
    for row in db.scalars(select(KeptText)):
        row.expires_at -= timedelta(minutes=31)
    db.commit()
    staff.login()
    assert "Spoke to GP" not in staff.get(f"/staff/submissions/{sid}").text


def test_a_post_with_no_session_at_all_keeps_nothing(app, client, db):
    sid = add_submission(app, bookable(rf_calf="yes"))
    staff = Staff(client)
    response = staff.post(f"/staff/submissions/{sid}/review", {"status": "reviewed", "note": NOTE})
    assert response.location.startswith("/staff/login")
    assert db.scalars(select(KeptText)).all() == []
