"""The body diagram in a real browser, as deployed: a tap on a region picks its option and
marks it, a picked option marks its region, the step works with JavaScript off, the review
and a clinician's page mark the answer; axe at 320 px and desktop size, with screenshots."""

from __future__ import annotations

from typing import Any

import pytest

from rules import QUESTIONS
from tests.browser.conftest import DESKTOP, PHONE, SCREENSHOTS, open_context
from tests.browser.journeys import fill_step, go, sign_in, start
from tests.helpers.answer_sets import bookable

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
NARROW = {"width": 320, "height": 720}
SITE = QUESTIONS["site"]
# Regions on each view, one of them a small one, and the two pictured apart from the body.
TAPPED = ["knee_tendon", "low_back", "skin_patch", "shoulder", "widespread", "heel_arch"]


def to_pain_step(page: Any) -> None:
    start(page)
    fill_step(page, "about", bookable())
    go(page, "button:has-text('Continue')")
    page.wait_for_url("**/step/pain")


def marked(page: Any) -> list[str]:
    return page.eval_on_selector_all(
        ".body-diagram .bd-region.is-chosen", "els => els.map(e => e.getAttribute('data-site'))"
    )


def checked(page: Any) -> str | None:
    return page.evaluate(
        "() => { const r = document.querySelector('input[name=site]:checked');"
        " return r && r.value; }"
    )


def tap(page: Any, code: str) -> None:
    """A tap on the drawn shape itself (its first), or on the picture of a place apart."""
    region = page.locator(f".body-diagram [data-site={code}]")
    shapes = region.locator(":scope > ellipse, :scope > circle:not(.bd-marker)")
    (shapes.first if shapes.count() else region).click()


def assert_accessible(page: Any, name: str) -> None:
    """axe-core, and a screenshot, at 320 px and at desktop size; nothing wider than the
    window at 320 px."""
    from axe_playwright_python.sync_playwright import Axe

    SCREENSHOTS.mkdir(exist_ok=True)
    size = page.viewport_size
    for label, viewport in (("320", NARROW), ("desktop", DESKTOP)):
        page.set_viewport_size(viewport)
        violations = Axe().run(page, options={"runOnly": {"type": "tag", "values": TAGS}})
        found = violations.response["violations"]
        assert not found, f"{name} at {label}: " + "; ".join(
            f"{v['id']}: {v['help']} e.g. {v['nodes'][0]['html'][:200]}" for v in found
        )
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{label}.png"), full_page=True)
        if viewport is NARROW:
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            right = page.evaluate(
                "Math.max(...[...document.querySelectorAll('.body-diagram, .body-diagram *')]"
                ".map(e => e.getBoundingClientRect().right))"
            )
            assert right <= NARROW["width"], f"{name}: the diagram overflows ({right} px)"
    page.set_viewport_size(size)


def test_a_tap_on_a_region_checks_its_option_and_marks_it_alone(page):
    refused = []  # what the Content-Security-Policy blocked (inline styles, scripts)
    page.on("console", lambda m: "Content Security Policy" in m.text and refused.append(m.text))
    to_pain_step(page)
    assert marked(page) == [] and checked(page) is None
    assert page.locator("[data-bd-tap]").is_visible()  # the script says taps work
    page.evaluate(
        "() => { window.heard = []; document.querySelectorAll('input[name=site]').forEach("
        "r => r.addEventListener('change', e => window.heard.push(e.target.value))); }"
    )
    for code in TAPPED:
        tap(page, code)
        assert checked(page) == code
        assert marked(page) == [code]
    assert page.evaluate("window.heard") == TAPPED  # each pick fired the input's change
    # The mark is not colour alone: a hatch, a thick solid outline and a filled marker.
    page.locator(".body-diagram [data-site=knee] [data-marker]").click()  # its number
    style = page.evaluate(
        "() => { const g = document.querySelector('.body-diagram [data-site=knee]');"
        " const shape = getComputedStyle(g.querySelector('circle:not(.bd-marker)'));"
        " const marker = getComputedStyle(g.querySelector('.bd-marker'));"
        " return [shape.fill, shape.strokeWidth, shape.strokeDasharray, marker.fill]; }"
    )
    assert style == ['url("#bd-hatch")', "3px", "none", "rgb(11, 12, 12)"]
    page.check("input[name=duration][value=gt_1y]")
    go(page, "button:has-text('Continue')")
    page.wait_for_url("**/step/pattern")
    page.go_back()
    page.wait_for_url("**/step/pain")
    assert checked(page) == "knee" and marked(page) == ["knee"]
    assert refused == []


def test_choosing_an_option_marks_its_region(page):
    to_pain_step(page)
    page.check("input[name=site][value=ankle]")
    assert marked(page) == ["ankle"]
    # By keyboard: the arrow keys move the choice through the radio group, and the mark.
    page.focus("input[name=site][value=ankle]")
    page.keyboard.press("ArrowDown")
    following = SITE.options[[o.code for o in SITE.options].index("ankle") + 1].code
    assert checked(page) == following and marked(page) == [following]
    page.click("label[for=site-18]")  # "Many places or all over", by its label
    assert marked(page) == ["widespread"]


def test_without_javascript_the_diagram_shows_the_numbers_and_the_radios_answer(chromium, live):
    context = open_context(chromium, live, viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    to_pain_step(page)
    assert page.locator(".body-diagram .bd-figure").is_visible()
    assert not page.locator("[data-bd-tap]").is_visible()  # no promise of taps
    for i, option in enumerate(SITE.options, 1):
        marker = page.locator(f".body-diagram [data-site={option.code}] [data-marker]")
        assert marker.text_content() == str(i)
        assert page.locator(f"label[for=site-{i - 1}] .option-marker").text_content() == str(i)
    fill_step(page, "pain", bookable(site="hip_side"))
    assert marked(page) == []  # nothing drawn that the radios could contradict
    go(page, "button:has-text('Continue')")
    page.wait_for_url("**/step/pattern")
    page.goto("/step/pain")
    assert checked(page) == "hip_side"
    context.close()


@pytest.mark.parametrize("code", ["elbow_inner", "skin_patch"])
def test_the_review_marks_the_answer_on_the_drawing(page, code):
    to_pain_step(page)
    tap(page, code)
    fill_step(page, "pain", {"duration": "gt_1y"})
    go(page, "button:has-text('Continue')")
    for section in ["pattern", "safety", "health"]:
        page.wait_for_url(f"**/step/{section}")
        fill_step(page, section, bookable(site=code))
        go(page, "button:has-text('Continue')")
    page.wait_for_url("**/review")
    assert marked(page) == [code]
    assert SITE.label_for(code) in page.inner_text(".bd-chosen")
    assert_accessible(page, f"60-review-body-diagram-{code}")


def test_the_step_is_accessible_at_320_px_and_on_a_desktop(page):
    to_pain_step(page)
    assert_accessible(page, "61-step-pain-body-diagram")
    tap(page, "upper_back")
    assert_accessible(page, "62-step-pain-body-diagram-chosen")
    go(page, "button:has-text('Continue')")  # duration missing: errors beside the diagram
    assert page.locator(".error-summary").is_visible() and marked(page) == ["upper_back"]
    assert_accessible(page, "63-step-pain-body-diagram-errors")


def test_a_clinician_sees_the_answer_on_the_drawing(page, live):
    from tests.conftest import make_app
    from tests.helpers.staff_client import add_submission

    app = make_app(live.database_url)
    sid = add_submission(app, bookable(site="achilles"))
    app.extensions["db_engine"].dispose()
    sign_in(page, "clinician@clinic.example")
    page.goto(f"/staff/submissions/{sid}")
    assert marked(page) == ["achilles"]
    assert SITE.label_for("achilles") in page.inner_text(".bd-chosen")
    assert_accessible(page, "64-staff-submission-body-diagram")
