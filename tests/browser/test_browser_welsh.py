"""The whole check in Welsh in a real browser over the deployed site, axe-clean throughout.

The deployed site offers Welsh (tests/browser/conftest.py sets LANGUAGES=en,cy). Buttons are
found by what they are (the form they send), never by English words."""

from __future__ import annotations

import pytest
from babel.messages.mofile import write_mo

from rules import SECTION_BY_ID
from tests.browser.journeys import fill_step, go, submit
from tests.browser.test_accessibility import check
from tests.helpers.answer_sets import bookable
from tests.patient.test_languages import TRANSLATIONS, _catalog

CONTINUE = "form[action^='/step/'] button[type=submit]:not([name=action])"


@pytest.fixture(scope="module", autouse=True)
def compiled_catalogs() -> None:
    """The .mo the deployed site reads, as `make catalogs` builds it (tests run without make
    too); before the site starts."""
    with open(TRANSLATIONS / "cy" / "LC_MESSAGES" / "messages.mo", "wb") as f:
        write_mo(f, _catalog("cy"))


def welsh(page) -> None:
    assert page.get_attribute("html", "lang") == "cy"


def test_the_whole_check_in_welsh(page):
    page.goto("/")
    assert page.get_attribute("html", "lang") == "en-GB"
    go(page, "a[hreflang=cy]")  # the switch: a plain link
    welsh(page)
    assert page.inner_text("h1") == "A allai prolotherapi eich helpu?"
    assert page.get_attribute("a[hreflang=en]", "lang") == "en"
    check(page, "cy-01-start")
    go(page, "a.button-start")
    go(page, "form[action='/consent'] button")  # the box not ticked
    welsh(page)
    assert "Ticiwch y blwch" in page.inner_text(".error-summary")
    check(page, "cy-02-consent-error")
    page.check("#consent")
    go(page, "form[action='/consent'] button")
    answers = bookable()
    for number, section in enumerate(["about", "pain", "pattern", "safety", "health"], 3):
        page.wait_for_url(f"**/step/{section}")
        welsh(page)
        check(page, f"cy-{number:02d}-step-{section}")
        if any(q.required for q in SECTION_BY_ID[section].questions):
            go(page, CONTINUE)  # nothing chosen: the errors, in Welsh
            assert "Mae problem" in page.inner_text(".error-summary")
            check(page, f"cy-{number:02d}-step-{section}-errors")
        fill_step(page, section, answers)
        go(page, CONTINUE)
    page.wait_for_url("**/review")
    welsh(page)
    assert page.inner_text("h1") == "Gwiriwch eich atebion"
    check(page, "cy-08-review")
    submit(page)
    welsh(page)
    assert page.inner_text("h1") == "Eich canlyniad"
    assert "Gallai prolotherapi fod yn addas i chi" in page.inner_text("main")
    check(page, "cy-09-result")
    go(page, "a[hreflang=en]")  # and back to English, on the same page
    assert page.get_attribute("html", "lang") == "en-GB"
    assert page.inner_text("h1") == "Your result"


def test_red_flag_advice_in_welsh(page):
    page.goto("/?lang=cy")
    welsh(page)
    go(page, "a.button-start")
    page.check("#consent")
    go(page, "form[action='/consent'] button")
    answers = bookable(rf_calf="yes")
    for section in ["about", "pain", "pattern", "safety"]:
        page.wait_for_url(f"**/step/{section}")
        fill_step(page, section, answers)
        go(page, CONTINUE)
    page.wait_for_url("**/advice**")
    welsh(page)
    assert page.inner_text("h1") == "Cewch help meddygol heddiw"
    check(page, "cy-10-advice-urgent")
