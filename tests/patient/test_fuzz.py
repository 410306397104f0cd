"""Hypothesis-generated form posts for every patient endpoint: never a 5xx, and a
submission appears exactly when the response says one was stored. Like every app test, these
run on SQLite and, when TEST_DATABASE_URL is set, on PostgreSQL (the `app` fixture)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from questionnaire.core.models import CallbackRequest, Submission
from rules import QUESTIONS, SECTIONS
from tests.helpers.answer_sets import bookable
from tests.helpers.patient_client import Patient

FIELDS = [
    *QUESTIONS,
    "consent",
    "submit_token",
    "from",
    "name",
    "phone",
    "email",
    "best_time",
    "csrf_token",
    "x" * 300,
]
CODES = sorted({o.code for q in QUESTIONS.values() for o in q.options})
values = st.one_of(
    st.sampled_from(CODES),
    st.text(max_size=50),
    st.text(
        alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=("Cs",)),
        max_size=30,
    ),
    st.sampled_from(
        [
            "",
            "\x00",
            "yes\x00",
            "-1",
            "121",
            "1e3",
            "99999999999999999999",
            "<script>alert(1)</script>",
            "{{7*7}}",
            "=1+1",
            "x" * 20_000,
        ]
    ),
)
forms = st.dictionaries(
    st.sampled_from(FIELDS), st.one_of(values, st.lists(values, max_size=3)), max_size=8
)
ENDPOINTS = ["/consent", *[f"/step/{s.id}" for s in SECTIONS], "/submit", "/start-again"]
SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _count(db, model) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model)) or 0


def _has_nul(form) -> bool:
    """A NUL anywhere in a form is refused with a 400 before any view runs."""
    values = (v for value in form.values() for v in (value if isinstance(value, list) else [value]))
    return any("\x00" in v for v in values)


@SETTINGS
@given(endpoint=st.sampled_from(ENDPOINTS), form=forms, consented=st.booleans())
def test_any_post_to_a_patient_page_is_answered_without_a_server_error(
    app, db, endpoint, form, consented
):
    patient = Patient(app.test_client())
    if consented:
        patient.consent()
    before = _count(db, Submission)
    response = patient.client.post(endpoint, data={"csrf_token": patient.csrf, **form})
    assert response.status_code < 500, response.text[:500]
    stored = _count(db, Submission) - before
    said_stored = response.status_code == 302 and "/result/" in response.location
    assert stored == int(said_stored)


@SETTINGS
@given(form=forms, use_real_token=st.booleans())
def test_a_submit_stores_a_row_exactly_when_it_says_so(app, db, form, use_real_token):
    patient = Patient(app.test_client())
    patient.answer_all(bookable())
    token = patient.submit_token()
    if use_real_token:
        form = {**form, "submit_token": token}
    before = _count(db, Submission)
    response = patient.client.post("/submit", data={**form, "csrf_token": patient.csrf})
    assert response.status_code < 500
    said_stored = response.status_code == 302 and "/result/" in response.location
    assert _count(db, Submission) - before == int(said_stored)
    # A NUL byte is refused (400), and so is a body over MAX_CONTENT_LENGTH (413): hypothesis
    # found a 65 kB answer with the real token, rightly not stored.
    refused = (_has_nul(form) and response.status_code == 400) or response.status_code == 413
    assert said_stored == (form.get("submit_token") == token and not refused)


@SETTINGS
@given(form=forms)
def test_a_call_back_post_stores_a_request_only_when_it_says_thank_you(app, db, form):
    patient = Patient(app.test_client())
    patient.answer_all(bookable(implant_site="yes"))
    result = patient.submit()
    url = result.location + "/call-back"
    before = _count(db, CallbackRequest)
    response = patient.client.post(url, data={**form, "csrf_token": patient.csrf})
    assert response.status_code < 500
    assert _count(db, CallbackRequest) - before == int(response.status_code == 302)
