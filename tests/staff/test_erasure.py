"""A patient's requests (UK GDPR articles 15 and 17): an admin finds their submission by its
reference, with a reason, and gives them a copy of what is held, or erases it with all that
is kept with it, leaving a tombstone and an audit event without health data."""

from __future__ import annotations

import json
import re

import pytest
from markupsafe import escape
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import DBAPIError

from questionnaire.core.models import (
    AuditEvent,
    Base,
    ErasedSubmission,
    Rescreening,
    ReviewNote,
    Submission,
    User,
)
from questionnaire.core.words import answer_words
from questionnaire.patient import submissions
from rules import SECTIONS
from tests.helpers.answer_sets import bookable
from tests.helpers.fhir_helpers import get, make_token, outcome_of
from tests.helpers.staff_client import add_submission

NOTE = "Knee pain since the fall; phone after 5"
PHONE = "07700 900123"
REASON = "Patient asked by phone on 3 March"
TABLES = ("submission", "review_note", "callback_request", "rescreening", "alert_outbox")


@pytest.fixture
def held(app, users, db):
    """A submission with a review note, a call-back request (and its alert) and a
    re-screening: (id, reference)."""
    app.config["ALERT_CALLBACK_TO"] = ("desk@clinic.example",)
    sid = add_submission(app, bookable())
    s = db.get(Submission, sid)
    clinician = db.get(User, users["clinician"])
    with app.app_context():  # the alert's recipients come from the config
        submissions.add_callback(
            db, s, {"name": "Ann Example", "phone": PHONE, "email": None, "best_time": "morning"}
        )
        submissions.add_review(db, s, clinician, "follow_up", NOTE)
    columns = ("booking", "tier", "osteoarthritis", "tendinopathy", "ligament", "neuropathic")
    db.add(
        Rescreening(
            submission_id=sid,
            bank_version=s.bank_version,
            rules_version="0.0-test",
            screening=s.screening,
            **{c: getattr(s, c) for c in columns},
        )
    )
    db.commit()
    return sid, s.reference


def rows(db, sid: str) -> dict[str, int]:
    """How many rows in each table still point at submission `sid`."""
    db.expire_all()
    counts = {}
    for table in Base.metadata.sorted_tables:
        column = "id" if table.name == "submission" else "submission_id"
        if column in table.c and table.name in TABLES:
            count = select(func.count()).select_from(table).where(table.c[column] == sid)
            counts[table.name] = db.scalar(count)
    return counts


def events(db, action: str) -> list[AuditEvent]:
    db.expire_all()
    return db.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def ask(staff, reference: str, what: str, reason: str = REASON):
    return staff.post("/staff/requests/", {"reference": reference, "what": what, "reason": reason})


def test_an_admin_erases_a_submission_with_all_that_is_kept_with_it(app, as_role, db, held):
    sid, reference = held
    assert rows(db, sid) == dict.fromkeys(TABLES, 1)
    admin = as_role("admin")
    typed = reference.lower().replace("-", " ")  # as read out on the phone
    confirm = ask(admin, typed, "erase")
    assert confirm.status_code == 200
    assert f"Erase {reference}?" in confirm.text and "review notes: 1" in confirm.text
    assert "A red flag not yet reviewed" not in confirm.text  # none here, and it was reviewed
    assert rows(db, sid) == dict.fromkeys(TABLES, 1)  # nothing yet

    done = admin.post(
        "/staff/requests/erase", {"reference": reference, "what": "erase", "reason": REASON}
    )
    assert done.status_code == 302 and done.location == "/staff/requests/"
    assert f"{reference} is erased" in admin.get(done.location).text
    assert rows(db, sid) == dict.fromkeys(TABLES, 0)

    tomb = db.get(ErasedSubmission, sid)
    assert (tomb.reference, tomb.erased_by) == (reference, "admin@clinic.example")
    [event] = events(db, "submission_erased")
    assert (event.user_email, event.target) == ("admin@clinic.example", f"submission:{sid}")
    assert event.details == {
        "reference": reference,
        "reason": REASON,
        "erased": {"review_note": 1, "callback_request": 1, "rescreening": 1, "alert_outbox": 1},
    }
    # Nothing of the patient's is left in the audit log: no note, no phone, no answers.
    everything = json.dumps([(e.target, e.details) for e in events(db, "submission_erased")])
    everything += json.dumps([e.details for e in db.scalars(select(AuditEvent))])
    assert NOTE not in everything and PHONE not in everything and "Ann" not in everything
    # The clinician's page for it is gone, the earlier audit events are still there.
    assert as_role("clinician").get(f"/staff/submissions/{sid}").status_code == 404
    assert len(events(db, "submission_reviewed")) == 1


def test_the_record_system_is_told_an_erased_submission_is_gone(app, as_role, client, held):
    sid, reference = held
    token = make_token(app, "responses")
    assert get(client, f"/fhir/QuestionnaireResponse/{sid}", token).status_code == 200
    admin = as_role("admin")
    admin.post("/staff/requests/erase", {"reference": reference, "what": "erase", "reason": REASON})
    response = get(client, f"/fhir/QuestionnaireResponse/{sid}", token)
    assert "erased at the patient's request" in outcome_of(response, 410)
    outcome_of(get(client, f"/fhir/RiskAssessment/{sid}", token), 410)


@pytest.mark.parametrize(
    ("reference", "reason", "field", "message"),
    [
        ("ZZZZ-ZZZZ", REASON, "reference", "No submission has the reference ZZZZ-ZZZZ"),
        ("AB12", REASON, "reference", "A reference is 8 letters and numbers"),
        ("", REASON, "reference", "Enter the reference from the patient"),
        (None, "   ", "reason", "Say why"),
        (None, "x" * 501, "reason", "Keep the reason to 500 characters or fewer"),
        (None, "asked\x1b[2J", "reason", "characters that cannot be shown"),
    ],
)
def test_bad_input_is_said_at_the_field_and_changes_nothing(
    app, as_role, db, held, reference, reason, field, message
):
    sid, real = held
    admin = as_role("admin")
    before = db.scalar(select(func.count()).select_from(AuditEvent))
    for url in ("/staff/requests/", "/staff/requests/erase"):
        data = {"reference": real if reference is None else reference, "reason": reason}
        response = admin.post(url, {**data, "what": "erase"})
        assert response.status_code == 400
        # In the summary, linked to the field, and at the field itself.
        assert re.search(rf'<a href="#{field}">[^<]*{re.escape(message)}', response.text)
        assert f'id="{field}-error"' in response.text
    assert rows(db, sid) == dict.fromkeys(TABLES, 1)
    assert db.scalar(select(func.count()).select_from(AuditEvent)) == before


def test_an_erased_reference_says_when_and_by_whom(app, as_role, db, held):
    _, reference = held
    admin = as_role("admin")
    erase = {"reference": reference, "what": "erase", "reason": REASON}
    assert admin.post("/staff/requests/erase", erase).status_code == 302
    again = admin.post("/staff/requests/erase", erase)
    assert again.status_code == 400
    assert f"{reference} was already erased on " in again.text
    assert "by admin@clinic.example" in again.text
    assert len(events(db, "submission_erased")) == 1


def test_a_copy_shows_the_answers_and_result_in_words_and_is_audited(app, as_role, db, held):
    sid, reference = held
    page = ask(as_role("admin"), reference, "copy")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert "What The Prolotherapy Clinic holds about you" in page.text
    assert reference in page.text and "Ann Example" in page.text and PHONE in page.text
    assert NOTE in page.text and "Morning (9am to 12pm)" in page.text
    assert "<strong>Book</strong>" in page.text  # the outcome the patient was shown
    answers = db.get(Submission, sid).answers
    for q in SECTIONS[0].questions:
        if q.id in answers:
            assert escape(q.text) in page.text
            assert escape(answer_words(q, answers[q.id])) in page.text
    [event] = events(db, "submission_copy_given")
    assert event.details == {"reference": reference, "reason": REASON}
    assert rows(db, sid) == dict.fromkeys(TABLES, 1)  # a copy erases nothing


def test_the_command_line_erases_and_refuses_in_one_line_with_status_2(app, runner, db, held):
    sid, reference = held
    for args, said in [
        (["ZZZZ-ZZZZ", "--reason", REASON], "Error: No submission has the reference ZZZZ-ZZZZ\n"),
        ([reference], "Error: Say why, e.g. \u201cpatient asked by phone on 3 March\u201d\n"),
    ]:
        result = runner.invoke(args=["erase-submission", *args])
        assert (result.exit_code, result.output) == (2, said)
    assert rows(db, sid) == dict.fromkeys(TABLES, 1)

    result = runner.invoke(args=["erase-submission", reference, "--reason", REASON])
    assert result.exit_code == 0, result.output
    assert result.output == (
        f"Erased {reference} with alert_outbox: 1, callback_request: 1, rescreening: 1, "
        "review_note: 1.\n"
    )
    assert rows(db, sid) == dict.fromkeys(TABLES, 0)
    assert [e.user_email for e in events(db, "submission_erased")] == ["(command line)"]
    again = runner.invoke(args=["erase-submission", reference, "--reason", REASON])
    assert again.exit_code == 2 and "was already erased on" in again.output


def test_every_table_that_points_at_a_submission_is_erased_with_it(app):
    """Erasure is one DELETE of the submission and relies on the database's cascade: a
    table added later with a foreign key to it (a contact log, say) must cascade too, or
    this fails. Read from the live schema, as the migrations made it."""
    with app.extensions["db_engine"].connect() as conn:
        schema = inspect(conn)
        pointing = [
            (table, fk)
            for table in schema.get_table_names()
            for fk in schema.get_foreign_keys(table)
            if fk["referred_table"] == "submission"
        ]
    assert {t for t, _ in pointing} >= set(TABLES) - {"submission"}
    for table, fk in pointing:
        assert (fk.get("options") or {}).get("ondelete", "").upper() == "CASCADE", table


def test_a_note_still_cannot_be_deleted_while_its_submission_is_kept(app, db, held):
    """The append-only triggers let notes go only with their submission: erasure's path."""
    note = db.scalars(select(ReviewNote)).one()
    db.delete(note)
    with pytest.raises(DBAPIError, match="append-only"):
        db.commit()
    db.rollback()


def test_erasing_an_unreviewed_red_flag_warns_first(app, as_role, db):
    reference = db.get(Submission, add_submission(app, bookable(rf_calf="yes"))).reference
    page = ask(as_role("admin"), reference, "erase")
    assert page.status_code == 200 and "A red flag not yet reviewed" in page.text


def test_an_erasure_posted_without_choosing_erasure_erases_nothing(app, as_role, db, held):
    sid, reference = held
    response = as_role("admin").post(
        "/staff/requests/erase", {"reference": reference, "what": "copy", "reason": REASON}
    )
    assert response.status_code == 400 and "Choose erasure, then confirm it" in response.text
    assert rows(db, sid) == dict.fromkeys(TABLES, 1)
