"""Red-flag advice the moment it is known, in a real browser over the deployed site: the
emergency and urgent advice between steps (axe, focus, screenshots at phone and desktop
size), "send what I have" with a double click, carrying on by keyboard, a changed answer,
and all of it again with JavaScript off."""

from sqlalchemy import func, select

from rules import SECTIONS
from tests.browser.conftest import open_context
from tests.browser.journeys import fill_step, go, press_and_wait, start, submit, tab_to
from tests.browser.test_accessibility import check
from tests.helpers.answer_sets import bookable

WEAKNESS = bookable(rf_weakness="yes")  # neuro_deficit: emergency
CALF = bookable(rf_calf="yes")  # dvt: urgent


def steps_to(page, answers, last):
    """Every step in order up to and including `last`, pressing Continue on each."""
    for section in SECTIONS:
        page.wait_for_url(f"**/step/{section.id}")
        fill_step(page, section.id, answers)
        go(page, "button:has-text('Continue')")
        if section.id == last:
            return


def heading_has_focus(page):
    # A selector, not page.evaluate: it also works with JavaScript off.
    return page.locator("h1#advice-title:focus").count() == 1


def submissions_with(live, reference):
    from questionnaire.core.models import Submission
    from tests.conftest import make_app

    app = make_app(live.database_url)
    db = app.extensions["db_sessionmaker"]()
    try:
        query = select(func.count()).where(Submission.reference == reference)
        booking = db.scalars(select(Submission.booking).where(Submission.reference == reference))
        return db.scalar(query), booking.first()
    finally:
        db.close()
        app.extensions["db_engine"].dispose()


def test_emergency_advice_comes_next_and_send_what_i_have_stores_it_once(page, live):
    start(page)
    steps_to(page, WEAKNESS, "safety")
    page.wait_for_url("**/step/safety/advice")
    main = page.inner_text("main")
    assert main.index("Call 999 or go to A&E now") < main.index("Why we are saying this")
    assert "an arm or leg getting weaker" in main and "Carry on" not in main
    assert page.get_attribute("a.call-now", "href") == "tel:999"
    assert heading_has_focus(page)  # the page's heading, with no script needed
    check(page, "50-advice-emergency")
    # A double click on "Send what I have answered" stores one submission.
    with page.expect_navigation(url="**/result/**"):
        page.dblclick("button:has-text('Send what I have answered')")
    main = page.inner_text("main")
    assert "Call 999 or go to A&E now" in main and "an arm or leg getting weaker" in main
    reference = page.inner_text(".reference-code")
    page.reload()  # a refresh of the result sends nothing again
    assert submissions_with(live, reference) == (1, "seek_care")


def test_urgent_advice_and_carry_on_by_keyboard_without_asking_again(page):
    start(page)
    steps_to(page, CALF, "safety")
    page.wait_for_url("**/step/safety/advice")
    main = page.inner_text("main")
    assert "Get medical help today" in main and "a swollen, warm, red or tender calf" in main
    # Urgent, not an emergency: the one button to call dials NHS 111, never 999.
    calls = page.locator("a.call-now")
    assert calls.count() == 1 and calls.get_attribute("href") == "tel:111"
    assert heading_has_focus(page)
    check(page, "51-advice-urgent")
    tab_to(page, "button:has-text('Carry on')")
    press_and_wait(page, "Enter")
    page.wait_for_url("**/step/health")
    # Back to the safety step and Continue unchanged: the same flag does not interrupt again.
    go(page, "a.back-link")
    page.wait_for_url("**/step/safety")
    assert page.is_checked("input[name=rf_calf][value='yes']")
    go(page, "button:has-text('Continue')")
    page.wait_for_url("**/step/health")
    fill_step(page, "health", CALF)
    go(page, "button:has-text('Continue')")
    page.wait_for_url("**/review")
    submit(page)
    main = page.inner_text("main")
    assert "Get medical help today" in main and "Book" not in main


def test_a_changed_answer_clears_the_advice(page):
    start(page)
    steps_to(page, WEAKNESS, "safety")
    page.wait_for_url("**/step/safety/advice")
    go(page, "a:has-text('Change an answer')")
    page.wait_for_url("**/step/safety")
    assert page.is_checked("input[name=rf_weakness][value='yes']")  # the answers stay
    check(page, "52-advice-change-answer")
    page.check("input[name=rf_weakness][value='no']")
    go(page, "button:has-text('Continue')")
    page.wait_for_url("**/step/health")  # no flag: no advice
    page.go_back()  # Back twice, to where the advice was: with no flag it leads on
    page.wait_for_url("**/step/safety")
    page.go_back()
    page.wait_for_url("**/step/health")
    fill_step(page, "health", WEAKNESS)
    go(page, "button:has-text('Continue')")
    page.wait_for_url("**/review")
    submit(page)
    assert "Prolotherapy may suit you" in page.inner_text("main")


def test_the_advice_works_without_javascript(chromium, live):
    # axe needs script, so this run checks behaviour alone; the runs above check with axe.
    context = open_context(chromium, live, java_script_enabled=False)
    page = context.new_page()
    try:
        start(page)
        steps_to(page, WEAKNESS, "safety")
        page.wait_for_url("**/step/safety/advice")
        assert heading_has_focus(page)  # autofocus: no script needed
        go(page, "a:has-text('Change an answer')")
        page.wait_for_url("**/step/safety")
        page.check("input[name=rf_weakness][value='no']")
        page.check("input[name=rf_calf][value='yes']")  # urgent now, in place of emergency
        go(page, "button:has-text('Continue')")
        page.wait_for_url("**/step/safety/advice")
        assert "Get medical help today" in page.inner_text("main")
        go(page, "button:has-text('Carry on')")
        page.wait_for_url("**/step/health")
        fill_step(page, "health", CALF)
        go(page, "button:has-text('Continue')")
        page.wait_for_url("**/review")
        submit(page)
        assert "Get medical help today" in page.inner_text("main")
    finally:
        context.close()
