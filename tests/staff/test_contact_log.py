"""The contact log: each try at reaching a patient about a call-back request or a red flag,
kept with who and when, append-only, audited, and refused cleanly when it cannot be kept."""

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from questionnaire.core.models import AuditEvent, CallbackRequest, ContactAttempt, Submission
from tests.helpers.answer_sets import bookable
from tests.helpers.staff_client import add_submission


def with_callback(app, db, days_ago: float = 0, **answers) -> str:
    sid = add_submission(app, bookable(**answers), days_ago=days_ago)
    db.add(
        CallbackRequest(
            submission_id=sid, name="Ann Example", phone="+44 1632 960001", best_time="morning"
        )
    )
    db.commit()
    return sid


def attempts(db, sid: str) -> list[tuple[str, str, str]]:
    db.expire_all()
    rows = db.scalars(select(ContactAttempt).where(ContactAttempt.submission_id == sid))
    return [(a.outcome, a.note, a.author_email) for a in rows]


def log(staff, sid: str, outcome: str, note: str = ""):
    return staff.post(
        f"/staff/submissions/{sid}/contact", {"contact-outcome": outcome, "contact-note": note}
    )


def test_each_attempt_is_kept_in_words_with_who_and_when_and_audited(app, as_role, db):
    sid = with_callback(app, db)
    staff = as_role("clinician")
    first = log(staff, sid, "no_answer")
    assert first.status_code == 302 and first.location.endswith(f"{sid}#contact")
    log(staff, sid, "booked", "Booked for Tuesday <b>9am</b>")
    assert attempts(db, sid) == [
        ("no_answer", "", "clinician@clinic.example"),
        ("booked", "Booked for Tuesday <b>9am</b>", "clinician@clinic.example"),
    ]
    page = staff.get(f"/staff/submissions/{sid}")
    assert "<strong>No answer</strong> by clinician@clinic.example" in page.text
    assert "Booked for Tuesday &lt;b&gt;9am&lt;/b&gt;" in page.text
    assert "Booked (2 attempts)" in page.text
    events = db.scalars(select(AuditEvent).where(AuditEvent.action == "contact_recorded")).all()
    assert [(e.target, e.details) for e in events] == [
        (f"submission:{sid}", {"outcome": "no_answer", "attempt": 1}),
        (f"submission:{sid}", {"outcome": "booked", "attempt": 2}),
    ]
    assert "Tuesday" not in str([e.details for e in events])  # never the note


def test_a_red_flag_without_a_call_back_can_be_logged_too(app, as_role, db):
    sid = add_submission(app, bookable(rf_calf="yes"))
    assert log(as_role("clinician"), sid, "other_care").status_code == 302
    assert attempts(db, sid) == [("other_care", "", "clinician@clinic.example")]


@pytest.mark.parametrize(
    ("outcome", "note", "message"),
    [
        ("rang_twice", "", "How did it go? – Choose how the call went"),
        ("", "", "How did it go? – Choose how the call went"),
        ("spoke", "x" * 2001, "Note (optional) – Keep the note to 2,000 characters or fewer"),
        ("spoke", "bell\x07here", "Note (optional) – Remove the special characters from the note"),
    ],
)
def test_bad_input_is_named_at_the_field_and_in_the_summary_and_stores_nothing(
    app, as_role, db, outcome, note, message
):
    sid = with_callback(app, db)
    page = log(as_role("clinician"), sid, outcome, note)
    assert page.status_code == 400
    assert message.replace("'", "&#39;") in page.text  # the summary
    assert 'class="field-error" id="contact-' in page.text  # at the field
    assert attempts(db, sid) == []
    assert db.get(Submission, sid).contact_attempts == 0


def test_a_submission_with_nothing_to_call_about_is_refused(app, as_role, db):
    sid = add_submission(app, bookable())
    page = log(as_role("clinician"), sid, "spoke")
    assert page.status_code == 400
    assert "no call-back request or red flag to contact the patient about" in page.text
    assert attempts(db, sid) == []


def test_an_attempt_for_a_purged_submission_says_so_and_stores_nothing(app, as_role, db, runner):
    sid = with_callback(app, db, days_ago=3)
    staff = as_role("clinician")
    assert "Deleted 1 submission" in runner.invoke(args=["purge-submissions", "--days", "1"]).output
    page = log(staff, sid, "spoke", "too late")
    assert page.status_code == 410
    assert "deleted when its retention period ended, so nothing was saved" in page.text
    assert db.scalar(select(ContactAttempt.id)) is None
    assert log(staff, "0" * 32, "spoke").status_code == 404


@pytest.mark.parametrize(
    "statement", ["UPDATE contact_attempt SET note = 'rewritten'", "DELETE FROM contact_attempt"]
)
def test_attempts_refuse_change_in_plain_sql_but_go_with_their_submission(
    app, as_role, db, statement
):
    sid = with_callback(app, db)
    log(as_role("clinician"), sid, "left_message", "kept")
    with pytest.raises(IntegrityError, match="append-only"):
        db.execute(text(statement))
        db.commit()
    db.rollback()
    assert attempts(db, sid) == [("left_message", "kept", "clinician@clinic.example")]
    db.execute(text("DELETE FROM submission WHERE id = :id"), {"id": sid})
    db.commit()
    assert db.scalar(select(ContactAttempt.id)) is None


def test_a_role_without_clinician_cannot_log(app, as_role, db):
    sid = with_callback(app, db)
    assert log(as_role("staff"), sid, "spoke").status_code == 403
    assert attempts(db, sid) == []
