"""The review form's submit token makes sending idempotent for the browser that holds the
draft, and is worth nothing to any other browser."""

from __future__ import annotations

from sqlalchemy import func, select

from questionnaire.core.models import Draft, Submission
from tests.helpers.answer_sets import bookable
from tests.helpers.patient_client import Patient


def count(db, model):
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model))


def test_a_stolen_token_of_a_sent_form_shows_another_browser_nothing(patient, app, db):
    patient.answer_all(bookable())
    token = patient.submit_token()
    sent = patient.submit(token)
    assert sent.location.startswith("/result/")
    thief = Patient(app.test_client())  # its own session and CSRF token, no draft
    response = thief.submit(token)
    assert response.location == "/"
    assert "That form was out of date" in thief.get("/").text
    assert "See your result" not in thief.get("/").text
    assert thief.get(sent.location).status_code == 404
    assert count(db, Submission) == 1


def test_a_stolen_token_is_out_of_date_for_a_browser_with_a_draft_of_its_own(patient, app, db):
    patient.answer_all(bookable())
    token = patient.submit_token()
    thief = Patient(app.test_client())
    thief.answer_all(bookable(site="hip_groin"))
    before = thief.submit(token)  # the owner has not sent it yet
    assert before.location == "/review"
    sent = patient.submit(token)
    after = thief.submit(token)  # the owner has sent it now
    assert after.location == "/review"
    assert "That form was out of date" in thief.get("/review").text
    assert thief.get(sent.location).status_code == 404
    assert count(db, Submission) == 1 and count(db, Draft) == 1  # the thief's draft, unsent
    assert patient.get(sent.location).status_code == 200


def test_a_double_click_still_carrying_the_draft_cookie_lands_on_the_same_result(patient, app, db):
    patient.answer_all(bookable())
    token = patient.submit_token()
    cookie = patient.client.get_cookie("session").value  # as the browser sent both clicks
    first = patient.submit(token)
    second_click = app.test_client()
    second_click.set_cookie("session", cookie)
    second = second_click.post("/submit", data={"csrf_token": patient.csrf, "submit_token": token})
    assert second.location == first.location
    assert count(db, Submission) == 1 and count(db, Draft) == 0
    assert second_click.get(second.location).status_code == 200


def test_sending_an_old_form_again_shows_its_result_and_keeps_a_newer_draft(patient, db):
    patient.answer_all(bookable())
    token = patient.submit_token()
    first = patient.submit(token)
    patient.consent()  # a second check on the same browser
    patient.step("about", {"age": 61})
    again = patient.submit(token)  # the first review page, sent once more
    assert again.location == first.location
    assert count(db, Submission) == 1 and count(db, Draft) == 1
    assert patient.get("/consent").location == "/step/pain"  # the new draft carries on
