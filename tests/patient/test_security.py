"""docs/security.md items for the public side: CSRF, 405, 413, headers, escaping, bad input."""

import logging

import pytest
from sqlalchemy import func, select

from questionnaire.core.models import CallbackRequest, Draft, Submission
from rules import SECTIONS
from tests.helpers.answer_sets import bookable

HOSTILE = [
    "<script>alert(1)</script>",
    "{{7*7}}",
    '=HYPERLINK("http://evil")',
    "yes\x00",
    "\x00",
    "'; DROP TABLE submission; --",
    "x" * 5000,
    "é\u202e\U0001f600",
    "line\nbreak",
]
POST_ONLY = ["/submit", "/saved/new-code", "/result/0123456789abcdef0123456789abcdef/call-back"]


def count(db, model):
    return db.scalar(select(func.count()).select_from(model))


def test_a_post_without_a_csrf_token_is_refused_and_stores_nothing(client, db):
    response = client.post("/consent", data={"consent": "yes"})
    assert response.status_code == 400
    assert "Something went wrong with that form" in response.text
    assert count(db, Draft) == 0


def test_a_submit_without_a_csrf_token_stores_nothing(patient, db):
    patient.answer_all(bookable())
    token = patient.submit_token()
    response = patient.client.post("/submit", data={"submit_token": token})
    assert response.status_code == 400
    assert count(db, Submission) == 0 and count(db, Draft) == 1


@pytest.mark.parametrize("path", POST_ONLY)
def test_get_on_a_state_changing_route_is_405(client, path):
    response = client.get(path)
    assert response.status_code == 405
    assert "That did not work" in response.text


def test_an_oversized_body_gets_413_in_our_own_page(patient):
    patient.consent()
    response = patient.post("/step/about", {"age": "1" * 200_000})
    assert response.status_code == 413
    assert "too much to send" in response.text


@pytest.mark.parametrize("path", ["/", "/about", "/nope", "/submit"])
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    for part in [
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]:
        assert part in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"


def test_the_session_cookie_is_http_only_and_lax(patient):
    response = patient.consent()
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_static_files_may_be_cached(client):
    response = client.get("/static/site.css")
    assert response.status_code == 200
    assert response.headers.get("Cache-Control") != "no-store"
    response.close()


def _walk_to(patient, section_id):
    patient.consent()
    for section in SECTIONS:
        if section.id == section_id:
            return
        assert patient.step(section.id, bookable()).status_code == 302


@pytest.mark.parametrize("section", SECTIONS, ids=lambda s: s.id)
def test_hostile_input_on_every_field_is_refused_cleanly_and_saves_nothing(patient, db, section):
    _walk_to(patient, section.id)
    db.expire_all()
    before = db.scalars(select(Draft)).one().answers
    for q in section.questions:
        shown = q.is_shown(bookable())
        for value in HOSTILE:
            data = {k: v for k, v in _valid(section).items() if k != q.id}
            data[q.id] = [value, "burning"] if q.kind == "multi" else value
            response = patient.post(f"/step/{section.id}", data)
            if "\x00" in value:  # refused at the edge, whatever the field
                assert response.status_code == 400, (q.id, value)
                assert "Something went wrong with that form" in response.text
                continue
            if not shown:  # not on this page: the value is ignored, the rest is saved
                assert response.status_code == 302, (q.id, value)
                continue
            assert response.status_code == 400, (q.id, value)
            assert 'class="error-summary"' in response.text
            assert f'id="{q.id}-error"' in response.text
            assert "<script>alert(1)" not in response.text
            assert "\x00" not in response.text
    db.expire_all()
    after = db.scalars(select(Draft)).one().answers
    assert before.items() <= after.items()
    assert all(value == bookable()[key] for key, value in after.items())  # nothing hostile


def _valid(section):
    from tests.helpers.patient_client import form_data

    return form_data(bookable(), section.id)


def test_extra_fields_are_ignored(patient, db):
    patient.consent()
    patient.post("/step/about", {"age": "50", "is_admin": "1", "rf_calf": "yes"})
    answers = db.scalars(select(Draft)).one().answers
    assert answers == {"age": 50}


def test_call_back_text_is_escaped_and_nul_refused(patient, db):
    import re

    page = patient.complete(bookable(blood_thinner="other"))
    url = re.search(r'action="(/result/[0-9a-f]+/call-back)"', page.text).group(1)
    response = patient.post(url, {"name": "Ann", "phone": "0\x001632960001", "best_time": "any"})
    assert response.status_code == 400  # refused at the edge, before the form
    assert count(db, CallbackRequest) == 0
    response = patient.post(
        url, {"name": "<script>alert(1)</script>", "phone": "no digits", "best_time": "any"}
    )
    assert response.status_code == 400
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    assert "<script>alert(1)" not in response.text
    assert count(db, CallbackRequest) == 0
    response = patient.post(
        url, {"name": "{{7*7}} <b>", "phone": "01632 960001", "best_time": "any"}
    )
    assert response.status_code == 302
    assert db.scalars(select(CallbackRequest)).one().name == "{{7*7}} <b>"


def test_health_answers_never_reach_the_logs(patient, caplog):
    caplog.set_level(logging.DEBUG)
    patient.complete(bookable(rf_cancer="yes", site="hip_groin"))
    assert "rf_cancer" not in caplog.text and "hip_groin" not in caplog.text


def test_a_database_error_logs_no_answers(app, patient, db, caplog, monkeypatch):
    patient.complete(bookable(site="hip_groin"))
    taken = db.scalars(select(Submission)).one().reference
    monkeypatch.setattr("questionnaire.patient.submissions.new_reference", lambda: taken)
    other = type(patient)(app.test_client())
    other.answer_all(bookable(site="hip_groin", rf_cancer="yes"))
    caplog.set_level(logging.DEBUG)
    page = other.submit()
    assert page.status_code == 500  # a reference clash: the insert fails for real
    assert "IntegrityError" in caplog.text or "UNIQUE" in caplog.text.upper()
    assert "hip_groin" not in caplog.text and "rf_cancer" not in caplog.text
