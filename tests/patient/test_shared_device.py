"""A shared device: the patient's cookie ends with the browser, a sent result is shown for a
bounded time only, and "Start again" leaves nothing of the last person behind."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from questionnaire.core.models import Draft, Submission
from tests.helpers.answer_sets import bookable
from tests.helpers.patient_client import Patient
from tests.helpers.staff_client import PASSWORD, Staff

# The link to "Start again", which asks first; its page's button clears.
CLEAR_LINK = re.compile(r'<a class="[^"]*" href="(/start-again\?back=[^"]+)">([^<]+)</a>')
CLEAR_FORM = re.compile(
    r'<form method="post" action="/start-again"[^>]*>\s*'
    r'<input type="hidden" name="csrf_token" value="([^"]+)">\s*'
    r'<button class="[^"]*" type="submit">([^<]+)</button>'
)


def count(db, model):
    return db.scalar(select(func.count()).select_from(model))


def session_cookie(response) -> str:
    (cookie,) = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    return cookie


def test_the_patient_cookie_ends_with_the_browser(patient):
    consent = patient.consent()
    patient.answer_all(bookable())
    for response in (consent, patient.submit()):
        cookie = session_cookie(response).lower()
        assert "expires=" not in cookie and "max-age=" not in cookie, cookie
    assert patient.client.get_cookie("session").expires is None


def test_a_cookie_made_to_last_by_an_earlier_version_ends_with_the_browser_from_now(patient):
    patient.consent()
    with patient.client.session_transaction() as old:
        old.permanent = True  # as consent used to make it: 31 days
    assert patient.client.get_cookie("session").expires is not None
    response = patient.get("/step/about")
    assert response.status_code == 200
    cookie = session_cookie(response).lower()
    assert "expires=" not in cookie and "max-age=" not in cookie, cookie
    assert patient.client.get_cookie("session").expires is None


def test_the_start_page_offers_to_clear_a_draft_or_a_result(patient):
    assert not CLEAR_LINK.search(patient.get("/").text)
    patient.consent()
    link = CLEAR_LINK.search(patient.get("/").text)
    assert link and link.group(2) == "Start again and clear my answers"
    patient.complete(bookable())
    link = CLEAR_LINK.search(patient.get("/").text)
    assert link and link.group(2) == "Clear my answers from this device"


def test_start_again_asks_first_and_no_keeps_everything(patient, db):
    patient.consent()
    patient.step("about", {"age": 40})
    step = patient.get("/step/pain").text
    link = CLEAR_LINK.search(step)
    assert link and link.group(1) == "/start-again?back=/step/pain"
    ask = patient.get(link.group(1))
    assert ask.status_code == 200 and count(db, Draft) == 1  # asking deletes nothing
    assert "<h1>Clear your answers from this device?</h1>" in ask.text
    assert "any resume code for them will" in ask.text
    assert CLEAR_FORM.search(ask.text).group(2) == "Yes, clear my answers"
    assert '<a href="/step/pain">No, keep my answers</a>' in ask.text
    assert patient.get("/step/pain").status_code == 200  # "No" goes back to the answers


@pytest.mark.parametrize("back", ["https://evil.example/", "//evil.example/", "/\\evil.example"])
def test_the_way_back_from_start_again_stays_on_this_site(patient, back):
    page = patient.get("/start-again", query_string={"back": back}).text
    assert "evil.example" not in page
    assert '<a href="/">No, keep my answers</a>' in page


def test_clear_my_answers_on_the_result_page_forgets_the_result_without_javascript(patient, db):
    result = patient.complete(bookable())
    url = re.search(r'action="(/result/[0-9a-f]+)/call-back"', result.text).group(1)
    link = CLEAR_LINK.search(result.text)
    assert link and link.group(2) == "Clear my answers from this device"
    assert "See your result" in patient.get("/").text
    ask = patient.get(link.group(1))
    reference = db.scalars(select(Submission.reference)).one()
    assert (
        f'Note your reference first:\n    <strong class="reference-code">{reference}</strong>'
        in (ask.text)
    )
    assert "The clinic keeps the answers you sent" in ask.text
    # Posted as a browser without JavaScript would: the form's own CSRF token, nothing else.
    form = CLEAR_FORM.search(ask.text)
    cleared = patient.client.post("/start-again", data={"csrf_token": form.group(1)})
    assert cleared.location == "/"
    start = patient.get("/")
    assert "cleared from this device" in start.text and "The clinic keeps" in start.text
    assert "See your result" not in start.text and url not in start.text
    assert not CLEAR_LINK.search(start.text)
    gone = patient.get(url)
    assert (
        gone.status_code == 404 and "Results can only be seen in the browser that sent" in gone.text
    )
    assert reference not in gone.text
    assert (
        patient.post(f"{url}/call-back", {"name": "A", "phone": "01632960001"}).status_code == 404
    )
    assert count(db, Submission) == 1  # the clinic keeps what was sent


def test_a_cookie_copied_before_start_again_no_longer_opens_the_result(app, patient, db):
    patient.complete(bookable())
    url = "/result/" + db.scalars(select(Submission.id)).one()
    copied = patient.client.get_cookie("session").value
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get(url).status_code == 200  # the copy works while the result is shown
    assert patient.post("/start-again").location == "/"
    refused = thief.get(url)
    assert (
        refused.status_code == 404
        and "Results can only be seen in the browser that sent" in refused.text
    )
    assert db.scalars(select(Submission.result_forgotten_at)).one() is not None


def test_start_again_forgets_both_a_result_and_a_new_draft(patient, db):
    patient.complete(bookable())
    url = "/result/" + db.scalars(select(Submission.id)).one()
    patient.consent()
    patient.step("about", {"age": 40})
    assert patient.post("/start-again").location == "/"
    assert count(db, Draft) == 0
    assert patient.get(url).status_code == 404
    assert patient.get("/step/about").location == "/"


def test_a_remembered_result_is_not_shown_past_its_lifetime(patient, app, db):
    patient.complete(bookable())
    url = "/result/" + db.scalars(select(Submission.id)).one()
    assert patient.get(url).status_code == 200
    app.config["DRAFT_LIFETIME_HOURS"] = 0  # every result sent is now past its lifetime
    assert patient.get(url).status_code == 404
    start = patient.get("/")
    assert "See your result" not in start.text and not CLEAR_LINK.search(start.text)


def test_a_staff_sign_in_on_the_same_browser_still_works(app, users):
    patient = Patient(app.test_client())
    patient.complete(bookable())
    signed_in = Staff(patient.client).login("clinician@clinic.example", PASSWORD)
    assert signed_in.status_code == 302
    assert patient.get("/staff/").status_code == 200


def test_the_question_before_clearing_in_welsh(cy_patient):
    cy_patient.consent()
    page = cy_patient.get("/start-again?back=/step/about").text
    assert '<html lang="cy">' in page
    assert "Clirio eich atebion o'r ddyfais hon?" in page and "Ie, clirio fy atebion" in page
