"""Finish on another device, in a real browser over the deployed site: save on one browser
context, carry on in a second and finish there, while the first loses the answers; axe and
screenshots of the code page and of the resume page with an error; nginx's limit on codes."""

import re

from rules import SECTIONS
from tests.browser.conftest import PHONE, open_context
from tests.browser.journeys import fill_step, go, past_advice, start, submit
from tests.browser.test_accessibility import check
from tests.helpers.answer_sets import bookable

ANSWERS = bookable(site="ankle", giving_way="often")


def test_save_on_one_device_and_finish_on_another(chromium, live):
    first = open_context(chromium, live, viewport=PHONE)
    second = open_context(chromium, live, viewport=PHONE)
    try:
        page = first.new_page()
        start(page)
        fill_step(page, "about", ANSWERS)
        go(page, "button:has-text('Continue')")
        page.wait_for_url("**/step/pain")
        fill_step(page, "pain", ANSWERS)
        go(page, "button:has-text('Save and continue later')")
        assert page.inner_text("h1") == "Your answers are saved"
        code = page.inner_text(".resume-code").strip()
        assert len(code) == 14 and code.count("-") == 2
        assert re.search(r"\d\d:\d\d (GMT|BST) on ", page.inner_text(".resume-code-panel"))
        check(page, "70-resume-code")
        # A refresh, Back and Forward, and a second tab all show the code written down.
        page.reload()
        assert page.inner_text(".resume-code").strip() == code
        page.go_back()
        page.go_forward()
        assert page.inner_text(".resume-code").strip() == code
        tab = first.new_page()
        tab.goto("/saved")
        assert tab.inner_text(".resume-code").strip() == code
        tab.close()

        other = second.new_page()
        other.goto("/resume")
        other.fill("#code", "not-a-code")
        go(other, "button:has-text('Carry on')")
        assert "There is a problem" in other.inner_text(".error-summary")
        assert other.input_value("#code") == "not-a-code"  # kept, to correct
        check(other, "71-resume-error")
        # Typed as people do: lower case, spaces in place of dashes.
        other.fill("#code", code.lower().replace("-", " "))
        go(other, "button:has-text('Carry on')")
        other.wait_for_url("**/step/pattern")
        assert "Welcome back" in other.inner_text("main")
        for section in SECTIONS[2:]:
            other.wait_for_url(f"**/step/{section.id}")
            fill_step(other, section.id, ANSWERS)
            go(other, "button:has-text('Continue')")
            assert not past_advice(other)
        other.wait_for_url("**/review")
        review = other.inner_text("main")
        assert "Ankle" in review or "ankle" in review  # the first device's answers came along
        submit(other)
        assert "/result/" in other.url

        # The first device's draft is gone: its next page starts again.
        with page.expect_navigation():
            page.goto("/step/pattern")
        assert page.url.endswith("/") and "moved to another device" in page.inner_text("main")
        # The code was used up.
        page.goto("/resume")
        page.fill("#code", code)
        go(page, "button:has-text('Carry on')")
        assert "does not match" in page.inner_text(".error-summary")
    finally:
        first.close()
        second.close()


def test_nginx_holds_back_a_flood_of_codes(chromium, live):
    context = open_context(chromium, live)
    try:
        page = context.new_page()
        page.goto("/resume")
        token = page.get_attribute("input[name=csrf_token]", "value")
        answers = [
            context.request.post("/resume", form={"csrf_token": token, "code": "0000-0000-0000"})
            for _ in range(25)
        ]
        statuses = [a.status for a in answers]
        assert statuses[0] == 400 and statuses.count(429) >= 5, statuses
        # The last ones never reached the app: nginx's own page, not the app's form error.
        last = answers[-1].text()
        assert "Too many tries" in last and "Too many codes have been tried" not in last
    finally:
        context.close()
