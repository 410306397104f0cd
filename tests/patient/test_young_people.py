"""Young people: under GUARDIAN_AGE (16 by default) the call-back asks for a parent's or
guardian's name and phone and says the clinic will speak to them; under 18 the result says a
parent or guardian should come to the appointment; a young person is told why the pregnancy
question is asked. The questions and the rules are the bank's; only the words change."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from questionnaire.core.config import ConfigError, load
from questionnaire.core.models import CallbackRequest, Submission
from tests.helpers.answer_sets import bookable, complete
from tests.helpers.patient_client import Patient

CALL_BACK = re.compile(r'action="(/result/[0-9a-f]+/call-back)"')
WITH_YOU = "a parent or guardian should come to the appointment with you"


def _words(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def sprained_ankle(age: int, **changes) -> dict:
    """An ankle that gives way after sprains: ligament likely at any age."""
    return complete(
        age=age, sex="female", pregnancy="no", site="ankle", giving_way="often",
        sprains="2_plus", **changes,
    )  # fmt: skip


def _result(patient: Patient, age: int, **changes) -> str:
    return patient.complete(sprained_ankle(age, **changes)).text


def test_a_15_year_old_is_asked_for_a_parents_or_guardians_details(patient, db):
    page = _result(patient, 15)
    words = _words(page)
    assert "You are under 16, so the clinic will speak to your parent or guardian" in words
    assert "Your parent's or guardian's name" in words
    assert "Your parent's or guardian's phone number" in words
    assert '<label class="label" for="name">Your name</label>' not in page
    assert WITH_YOU in words
    url = CALL_BACK.search(page).group(1)
    refused = patient.post(url, {"name": "", "phone": "", "best_time": "any"})
    assert refused.status_code == 400
    assert "Enter your parent's or guardian's name" in refused.text
    assert "Enter your parent's or guardian's phone number" in refused.text
    assert db.scalars(select(CallbackRequest)).all() == []
    sent = patient.post(url, {"name": "Sam Jones", "phone": "07700 900456", "best_time": "any"})
    done = _words(patient.get(sent.location).text)
    assert re.search(r"They will call 07700 900456 by the end of [A-Z][a-z]+day \d+ [A-Z]", done)
    assert "They will ask to speak to your parent or guardian" in done
    (callback,) = db.scalars(select(CallbackRequest)).all()
    assert (callback.name, callback.phone) == ("Sam Jones", "07700 900456")


def test_a_17_year_old_gives_their_own_details_and_is_told_to_bring_a_parent(patient):
    words = _words(_result(patient, 17))
    assert "Your name" in words and "parent's or guardian's name" not in words
    assert "the clinic will speak to your parent or guardian" not in words
    assert WITH_YOU in words


def test_an_adult_hears_nothing_of_parents(patient, db):
    words = _words(_result(patient, 30))
    assert "guardian" not in words
    assert db.scalars(select(Submission.booking)).one() == "book"  # the rules are unchanged


def test_the_guardian_age_is_a_setting(app, patient):
    app.config["GUARDIAN_AGE"] = 18
    words = _words(_result(patient, 17))
    assert "You are under 18, so the clinic will speak to your parent or guardian" in words


@pytest.mark.parametrize("value", ["0", "19", "sixteen"])
def test_a_guardian_age_out_of_range_stops_the_app(monkeypatch, tmp_path, value):
    monkeypatch.setenv("GUARDIAN_AGE", value)
    with pytest.raises(ConfigError, match="GUARDIAN_AGE"):
        load(str(tmp_path))


def test_a_young_person_is_told_why_the_pregnancy_question_is_asked(patient):
    answers = bookable(age=14, sex="female")
    patient.consent()
    for section in ("about", "pain", "pattern", "safety"):
        patient.step(section, answers)
    health = patient.get("/step/health").text
    assert "We ask everyone who could be, young people too" in _words(health)
    assert 'name="pregnancy"' in health
    # An adult's page, and a young man's (not asked), have no such words; the page kept for
    # the young woman is not shown to them.
    for other in (bookable(age=30, sex="female"), bookable(age=14, sex="male")):
        someone = Patient(patient.client.application.test_client())
        someone.consent()
        for section in ("about", "pain", "pattern", "safety"):
            someone.step(section, other)
        assert "young people too" not in someone.get("/step/health").text


def test_the_call_back_confirmation_repeats_the_number(patient):
    page = _result(patient, 40, blood_thinner="other")
    url = CALL_BACK.search(page).group(1)
    sent = patient.post(url, {"name": "Ann", "phone": "+44 7700 900123", "best_time": "evening"})
    words = _words(patient.get(sent.location).text)
    assert "The clinic will phone you in the evening." in words
    # By the end of the day the clinic's target (8 opening hours) falls on.
    assert re.search(
        r"They will call \+44 7700 900123 by the end of [A-Z][a-z]+day \d+ [A-Z]", words
    )
    assert "If that number is wrong, phone the clinic on 01632 960 000" in words


def test_the_guardian_form_in_welsh(cy_patient):
    page = cy_patient.complete(sprained_ankle(15)).text
    assert "Enw eich rhiant neu warcheidwad" in page
    assert "dylai rhiant neu warcheidwad ddod i'r apwyntiad gyda chi" in page
