"""Every phone number a patient reads can be tapped to call: the clinic's, NHS 111 and the
emergency number, on the result, the advice between steps, the footer and the about page."""

from __future__ import annotations

import re

import pytest

from tests.helpers.answer_sets import bookable, complete

CLINIC = '<a class="tel" href="tel:01632960000">01632 960 000</a>'
EMERGENCY = '<a class="tel" href="tel:999">999</a>'


def _plain_numbers(html: str) -> list[str]:
    """Phone numbers shown outside a tel: link. The red-flag advice's own words are left
    out: their number has the call button just below (test_urgent_advice_...)."""
    text = re.sub(r'<a class="(?:tel|call-now)" href="tel:[^"]+">[^<]*</a>', "", html)
    text = re.sub(r'<p class="advice">.*?</p>', "", text, flags=re.S)
    return re.findall(r"01632 960 000|\b999\b|NHS 111", text)


@pytest.mark.parametrize("path", ["/", "/about", "/resume"])
def test_the_footer_and_the_about_page_link_every_number(patient, path):
    page = patient.get(path)
    assert page.text.count(CLINIC) >= 1
    assert EMERGENCY in page.text
    assert _plain_numbers(page.text) == []


def test_the_about_page_links_the_clinic_for_accessibility_help(patient):
    about = patient.get("/about").text
    section = about[about.index('id="accessibility"') :]
    assert CLINIC in section


@pytest.mark.parametrize(
    "answers",
    [bookable(), bookable(blood_thinner="other"), complete(), bookable(rf_calf="yes")],
    ids=["book", "call_back", "not_suitable", "urgent"],
)
def test_a_result_links_every_number_it_shows(patient, answers):
    page = patient.complete(answers)
    assert page.status_code == 200
    assert _plain_numbers(page.text) == []


def test_urgent_advice_can_call_nhs_111_and_emergency_advice_999(patient):
    patient.answer_all(bookable(rf_calf="yes"))  # dvt: urgent
    urgent = patient.get("/step/safety/advice")
    assert '<a class="call-now" href="tel:111">Call NHS 111</a>' in urgent.text
    assert _plain_numbers(urgent.text) == []
    emergency = patient.complete(bookable(rf_weakness="yes"))
    assert '<a class="call-now" href="tel:999">Call 999</a>' in emergency.text
    assert "tel:111" not in emergency.text


def test_a_configured_number_dials_its_digits(patient, app):
    app.config["CLINIC_PHONE"] = "+44 (0)1632 960 111"
    page = patient.get("/about")
    assert '<a class="tel" href="tel:+4401632960111">+44 (0)1632 960 111</a>' in page.text
