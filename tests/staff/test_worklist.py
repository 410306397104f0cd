"""The clinicians' worklist: what needs a person now, most urgent first, on their home page."""

import re

from sqlalchemy import select

from questionnaire.core.models import AuditEvent, CallbackRequest
from tests.helpers.answer_sets import bookable
from tests.helpers.staff_client import add_submission

CARD_RE = re.compile(r'<li class="card[^"]*">.*?/staff/submissions/([0-9a-f]{32})"', re.S)


def callback(db, sid: str, phone: str = "01632 960001") -> str:
    db.add(CallbackRequest(submission_id=sid, name="Ann Example", phone=phone, best_time="evening"))
    db.commit()
    return sid


def cards(page) -> list[str]:
    return CARD_RE.findall(page.text)


def test_the_most_urgent_come_first_and_closed_items_leave(app, as_role, db):
    gp_soon = add_submission(app, bookable(rf_weight_loss="yes"), days_ago=3)
    urgent = add_submission(app, bookable(rf_calf="yes"), days_ago=1)
    emergency = add_submission(app, bookable(rf_saddle="yes"), days_ago=0.1)
    add_submission(app, bookable(rf_calf="yes"), review_status="reviewed")  # dealt with
    old_call = callback(db, add_submission(app, bookable(), days_ago=2))
    new_call = callback(db, add_submission(app, bookable(), days_ago=0.5))
    booked = callback(db, add_submission(app, bookable(), days_ago=4))
    follow_up = add_submission(app, bookable(), days_ago=1, review_status="follow_up")
    add_submission(app, bookable())  # nothing to do
    staff = as_role("clinician")
    for sid, outcome in ((old_call, "no_answer"), (booked, "booked"), (gp_soon, "other_care")):
        staff.post(f"/staff/submissions/{sid}/contact", {"contact-outcome": outcome})
    home = staff.get("/staff/")
    assert cards(home) == [emergency, urgent, old_call, new_call, follow_up]
    assert "Red flags not yet dealt with: 2" in home.text
    assert "No answer (1 attempt)" in home.text  # still waiting, with its count


def test_a_waiting_call_back_is_one_tap_away_and_its_view_is_audited(app, as_role, db):
    sid = callback(db, add_submission(app, bookable()), phone="+44 (0)1632 960-001")
    page = as_role("clinician").get("/staff/submissions/worklist?kind=callback")
    assert '<a class="phone-link" href="tel:+4401632960001">Call +44 (0)1632 960-001</a>' in (
        page.text
    )
    assert "best time: Early evening (5pm to 7pm)" in page.text
    (event,) = db.scalars(select(AuditEvent).where(AuditEvent.action == "worklist_viewed"))
    assert (event.user_email, event.details) == (
        "clinician@clinic.example",
        {"kind": "callback", "contacts_shown": [sid]},
    )


def test_other_roles_see_no_worklist_and_no_contact_details(app, as_role, db):
    callback(db, add_submission(app, bookable()))
    home = as_role("staff").get("/staff/")
    assert "Ann Example" not in home.text and "Worklist" not in home.text
    assert as_role("staff").get("/staff/submissions/worklist").status_code == 403


def test_items_past_their_target_are_marked_overdue(app, as_role, db):
    late = add_submission(app, bookable(rf_calf="yes"), days_ago=5 / 24)  # 4-hour target
    fresh = add_submission(app, bookable(rf_calf="yes"), days_ago=1 / 24)
    old_call = callback(db, add_submission(app, bookable(), days_ago=5))  # days of open hours
    page = as_role("clinician").get("/staff/submissions/worklist")
    overdue = re.findall(
        r'<li class="card card-overdue[^"]*">.*?/submissions/([0-9a-f]{32})"', page.text, re.S
    )
    assert overdue == [late, old_call]
    assert fresh in cards(page)
    assert "Red flags not yet dealt with: 2" in page.text


def test_an_unknown_part_of_the_worklist_is_named_and_the_whole_one_shown(as_role):
    page = as_role("clinician").get("/staff/submissions/worklist?kind=everything")
    assert page.status_code == 400
    assert "There is no such part of the worklist" in page.text
    assert "Call-back requests: 0" in page.text


def test_a_call_back_asked_for_by_a_patient_reaches_the_worklist(patient, as_role):
    page = patient.complete(bookable(blood_thinner="other"))
    url = re.search(r'action="(/result/[0-9a-f]+/call-back)"', page.text).group(1)
    patient.post(url, {"name": "Ann O'Neil", "phone": "07700 900123", "best_time": "any"})
    worklist = as_role("clinician").get("/staff/submissions/worklist?kind=callback")
    assert len(cards(worklist)) == 1
    assert 'href="tel:07700900123"' in worklist.text
