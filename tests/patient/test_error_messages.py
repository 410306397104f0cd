"""Every error message on a step names its question in the question's own words (the bank's),
next to the field and, the same words, in the summary at the top."""

from __future__ import annotations

import html
import re

import pytest

from rules import SECTIONS
from tests.helpers.answer_sets import bookable
from tests.helpers.patient_client import Patient

FIELD_ERROR = re.compile(r'<p class="field-error" id="([\w-]+)-error">.*?</span>\s*(.*?)</p>', re.S)
SUMMARY = re.compile(r'<li><a href="#([\w-]+)">(.*?)</a></li>', re.S)


def _first_sentence(text: str) -> str:
    end = text.find("? ")
    return text[: end + 1] if end >= 0 else text


def _errors(page: str) -> tuple[dict[str, str], dict[str, str]]:
    fields = {f: html.unescape(m) for f, m in FIELD_ERROR.findall(page)}
    summary = {a.removesuffix("-0"): html.unescape(m) for a, m in SUMMARY.findall(page)}
    return fields, summary


def _on(patient: Patient, section_id: str) -> None:
    patient.consent()
    for section in SECTIONS:
        if section.id == section_id:
            return
        assert patient.step(section.id, bookable()).status_code == 302


@pytest.mark.parametrize("section", [s for s in SECTIONS if any(q.required for q in s.questions)])
def test_each_required_question_left_empty_is_named_in_its_message(patient, section):
    _on(patient, section.id)
    page = patient.post(f"/step/{section.id}", {})
    assert page.status_code == 400
    fields, summary = _errors(page.text)
    shown = {q.id: q for q in section.questions if q.required and q.id in fields}
    assert shown, "no required question refused"
    for qid, q in shown.items():
        if q.kind == "int":
            assert fields[qid] == "Enter your age"
        else:
            assert fields[qid] == f"Choose an answer to “{_first_sentence(q.text)}”"
        assert summary[qid] == fields[qid]  # the summary says the same, once
    assert "this question" not in page.text


def test_the_pain_page_names_where_and_how_long(patient):
    _on(patient, "pain")
    fields, _ = _errors(patient.post("/step/pain", {}).text)
    assert fields["site"] == "Choose an answer to “Where is the pain you want help with?”"
    assert fields["duration"] == "Choose an answer to “How long have you had it?”"


def test_an_answer_not_offered_is_named_too(patient):
    _on(patient, "pain")
    fields, summary = _errors(patient.post("/step/pain", {"site": "elbow", "duration": "x"}).text)
    assert fields["duration"] == ("Choose one of the answers shown for “How long have you had it?”")
    assert summary["duration"] == fields["duration"]


def test_none_of_these_with_another_answer_is_named(patient):
    _on(patient, "pattern")
    answers = bookable(site="ankle")
    patient.step("pain", answers)
    page = patient.post("/step/pattern", {"hypermobility": ["none", "splits"]}).text
    fields, _ = _errors(page)
    assert fields["hypermobility"] == (
        "For “Which of these are true for you?”, choose 'None of these' or some of the"
        " answers, not both"
    )


def test_welsh_messages_name_the_question_in_welsh(cy_patient):
    _on(cy_patient, "pain")
    fields, summary = _errors(cy_patient.post("/step/pain", {}).text)
    assert fields["duration"] == "Dewiswch ateb i “Ers faint ydych chi wedi'i chael?”"
    assert summary["duration"] == fields["duration"]
