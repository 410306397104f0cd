"""A copy to keep: the result with the clinic's name and phone, when it was sent, the
reference, the reasons, what happens next and the answers in words, on a page reached by a
plain link (no JavaScript), and shown to no one but the browser that sent it."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from sqlalchemy import select

from questionnaire.core.models import Submission
from tests.helpers.answer_sets import bookable
from tests.helpers.patient_client import Patient

COPY_LINK = re.compile(r'<a href="(/result/[0-9a-f]{32}/copy)">([^<]+)</a>')


def _copy_of(patient: Patient, answers: dict) -> tuple[str, str]:
    result = patient.complete(answers)
    link = COPY_LINK.search(result.text)
    assert link, result.text[-3000:]
    assert link.group(2) == "A copy of your result and answers to print or keep"
    return link.group(1), patient.get(link.group(1)).text


def _words(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_copy_has_the_clinic_the_time_the_reference_the_result_and_the_answers(patient, db):
    url, page = _copy_of(patient, bookable())
    s = db.scalars(select(Submission)).one()
    words = _words(page)
    assert "The Prolotherapy Clinic Phone 01632 960 000" in words
    assert '<a class="tel" href="tel:01632960000">01632 960 000</a>' in page
    at = s.created_at.astimezone(ZoneInfo("Europe/London"))  # the clinic's clock, named
    sent = f"{at:%H:%M} {at.tzname()} on {at:%A} {at.day} {at:%B %Y}"
    assert f"Sent: {sent}" in words
    assert f"Your reference: {s.reference}" in words
    assert "Prolotherapy may suit you" in words
    assert "Why: You said you have pain in the knee joint. You said it hurts when" in words
    assert "What happens next" in words and f"quote your reference {s.reference}" in words
    # The answers in words, question by question, under one heading level below the page's.
    assert "How long have you had it? More than a year" in words
    assert '<h3 id="review-pain">Your pain</h3>' in page
    assert "<form" not in page.split('<main id="main"')[1]  # nothing to send from a copy
    assert "Ask the clinic to call you" not in page


def test_a_call_back_copy_says_what_happens_next_and_the_number_given(patient):
    result = patient.complete(bookable(blood_thinner="other"))
    url = re.search(r'action="(/result/[0-9a-f]+/call-back)"', result.text).group(1)
    patient.post(url, {"name": "Ann", "phone": "07700 900123", "best_time": "any"})
    page = _words(patient.get(url.replace("/call-back", "/copy")).text)
    assert "A clinician will talk with you before anything is booked" in page
    assert "You asked the clinic to phone you on 07700 900123" in page
    assert "Leave your details below" not in page


def test_a_red_flag_copy_keeps_the_advice_first(patient):
    _, page = _copy_of(patient, bookable(rf_calf="yes"))
    words = _words(page)
    assert words.index("Get medical help today") < words.index("What happens next")
    assert "Get the medical help described above first" in words
    assert '<a class="call-now" href="tel:111">Call NHS 111</a>' in page


def test_someone_elses_copy_is_refused_plainly(app, patient, db):
    url, _ = _copy_of(patient, bookable())
    reference = db.scalars(select(Submission.reference)).one()
    other = Patient(app.test_client())
    other.complete(bookable(site="ankle"))  # a result of their own does not open another
    for visitor in (Patient(app.test_client()), other):
        refused = visitor.get(url)
        assert refused.status_code == 404
        assert "Results can only be seen in the browser that sent" in refused.text
        assert reference not in refused.text and "Knee joint" not in refused.text


def test_the_copy_is_gone_once_the_patient_starts_again(patient):
    url, _ = _copy_of(patient, bookable())
    patient.post("/start-again")
    assert patient.get(url).status_code == 404


def test_the_copy_is_never_cached(patient):
    url, _ = _copy_of(patient, bookable())
    assert patient.get(url).headers["Cache-Control"] == "no-store"


def test_the_copy_in_welsh(cy_patient):
    result = cy_patient.complete(bookable())
    url = re.search(r'href="(/result/[0-9a-f]{32}/copy)"', result.text).group(1)
    page = cy_patient.get(url).text
    assert '<html lang="cy">' in page
    assert "Eich cyfeirnod:" in page and "Beth sy'n digwydd nesaf" in page
