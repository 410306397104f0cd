"""Patients in a real browser: each booking decision, with Back, refresh and Change on the
way; the whole check by keyboard alone; and with JavaScript switched off."""

import re
from urllib.parse import urlparse

from tests.browser.conftest import PHONE, open_context
from tests.browser.journeys import (
    answer_all,
    answer_all_with_detours,
    fill_step,
    go,
    on_this_page,
    press_and_wait,
    start,
    submit,
    tab_to,
)
from tests.helpers.answer_sets import bookable, complete

BOOKING = re.compile(r"Book (an appointment|an assessment appointment|online)")


def test_a_patient_books_after_back_refresh_and_change(page):
    answers = bookable(nsaids="yes")
    start(page)
    page.wait_for_url("**/step/about")
    fill_step(page, "about", answers)
    go(page, "button:has-text('Continue')")
    page.wait_for_url("**/step/pain")
    fill_step(page, "pain", {**answers, "duration": "6w_3m"})
    go(page, "button:has-text('Continue')")
    page.wait_for_url("**/step/pattern")
    page.go_back()  # the browser's Back: the pain page, answers kept
    page.wait_for_url("**/step/pain")
    assert page.is_checked("input[name=site][value=knee]")
    page.reload()
    assert page.is_checked("input[name=duration][value='6w_3m']")
    go(page, "a.back-link")  # our own Back link
    page.wait_for_url("**/step/about")
    assert page.input_value("#age") == "50"
    go(page, "button:has-text('Continue')")
    page.wait_for_url("**/step/pain")
    go(page, "button:has-text('Continue')")
    for section in ("pattern", "safety", "health"):
        page.wait_for_url(f"**/step/{section}")
        fill_step(page, section, answers)
        go(page, "button:has-text('Continue')")
    page.wait_for_url("**/review")
    assert "6 weeks to 3 months" in page.content()
    go(page, "a[href='/step/pain?from=review']")
    page.wait_for_url("**/step/pain?from=review")
    page.check("input[name=duration][value='gt_1y']")
    go(page, "button:has-text('Continue')")
    page.wait_for_url("**/review")
    assert "More than a year" in page.content()
    submit(page)
    text = page.inner_text("main")
    assert "Prolotherapy may suit you" in text and BOOKING.search(text)
    page.reload()  # a refresh of the result stores nothing more and shows the same
    assert "Prolotherapy may suit you" in page.inner_text("main")


def test_a_caution_leads_to_a_call_back_request(page):
    start(page)
    answer_all_with_detours(page, bookable(blood_thinner="other"))
    submit(page)
    assert "A clinician needs to speak with you first" in page.inner_text("main")
    assert not BOOKING.search(page.inner_text("main"))
    page.fill("#name", "Ann Example")
    page.fill("#phone", "01632 960001")
    go(page, "button:has-text('Ask for a call')")
    assert "We have your request" in page.inner_text("main")


def test_an_emergency_red_flag_shows_advice_first_and_no_booking(page):
    start(page)
    answer_all_with_detours(page, bookable(rf_bladder_bowel="yes"))
    submit(page)
    main = page.inner_text("main")
    assert main.index("Call 999 or go to A&E now") < main.index("Why we are saying this")
    assert not BOOKING.search(main) and "Ask the clinic to call you" not in main
    assert page.locator(".panel-emergency").is_visible()


def test_a_patient_whose_pain_does_not_fit_is_pointed_elsewhere(page):
    start(page)
    answer_all_with_detours(page, complete())
    submit(page)
    main = page.inner_text("main")
    assert "does not look likely to help this pain" in main and not BOOKING.search(main)


def _keyboard_step(page, section_id: str, answers: dict) -> None:
    for q, value in on_this_page(page, section_id, answers):
        if q.kind == "int":
            tab_to(page, f"#{q.id}")
            page.keyboard.type(str(value))
        elif q.kind == "multi":
            for code in value or ["none"]:
                tab_to(page, f"input[name={q.id}][value='{code}']")
                page.keyboard.press("Space")
        else:
            codes = [o.code for o in q.options]
            tab_to(page, f"input[name={q.id}]")  # Tab enters a radio group once
            page.keyboard.press("Space")
            for _ in range(codes.index(value)):
                page.keyboard.press("ArrowDown" if q.kind != "yesno" else "ArrowRight")
            assert page.is_checked(f"input[name={q.id}][value='{value}']"), q.id
    tab_to(page, "button:has-text('Continue')")
    press_and_wait(page, "Enter")


def test_the_whole_check_works_with_the_keyboard_alone(page):
    page.goto("/")
    tab_to(page, "text=Start now")
    press_and_wait(page, "Enter")
    tab_to(page, "#consent")
    page.keyboard.press("Space")
    tab_to(page, "button:has-text('Start the questions')")
    press_and_wait(page, "Enter")
    answers = bookable(nerve_sensations=["burning", "tingling"])
    for section in ("about", "pain", "pattern", "safety", "health"):
        page.wait_for_url(f"**/step/{section}")
        _keyboard_step(page, section, answers)
    page.wait_for_url("**/review")
    tab_to(page, "button:has-text('Send my answers')")
    press_and_wait(page, "Enter")
    page.wait_for_url("**/result/**")
    assert "Prolotherapy may suit you" in page.inner_text("main")


def test_errors_take_focus_and_the_check_works_without_javascript(chromium, live):
    context = open_context(chromium, live, viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    start(page)
    go(page, "button:has-text('Continue')")  # nothing answered
    assert page.locator(".error-summary").is_visible()
    assert "Enter your age" in page.inner_text(".error-summary")
    answer_all(page, bookable(hypermobility=[]))
    submit(page)
    assert "Prolotherapy may suit you" in page.inner_text("main")
    context.close()


def test_with_javascript_the_error_summary_takes_focus(page):
    start(page)
    go(page, "button:has-text('Continue')")
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    page.click(".error-summary a >> nth=0")
    assert page.evaluate("document.activeElement.id") == "age"


def test_back_after_sending_leads_back_to_the_same_result(page):
    start(page)
    answer_all(page, bookable())
    submit(page)
    first = page.url
    page.go_back()  # the review is gone with the draft (pages are never cached)...
    assert urlparse(page.url).path == "/"
    go(page, "text=See your result")  # ...and the start page leads back to the result
    page.wait_for_url("**/result/**")
    assert page.url == first


# --- Issue 22: a result the patient can act on and keep ------------------------------------

SPRAINED_ANKLE = complete(
    sex="female", pregnancy="no", site="ankle", giving_way="often", sprains="2_plus"
)


def _tel_links_are_big_enough(page) -> list[str]:
    """Each tel: link's size, where one is under 24 by 24 px."""
    small = []
    for link in page.locator("a[href^='tel:']").all():
        box = link.bounding_box()
        assert box is not None
        if box["width"] < 24 or box["height"] < 24:
            small.append(f"{link.get_attribute('href')} {box['width']:.0f}x{box['height']:.0f}")
    return small


def test_every_phone_number_is_a_link_big_enough_to_tap(page):
    from tests.browser.conftest import DESKTOP

    start(page)
    answer_all(page, bookable(blood_thinner="other"))  # call_back: the clinic's number twice
    submit(page)
    for viewport in (PHONE, DESKTOP):
        page.set_viewport_size(viewport)
        for url in (page.url, "/about"):
            if url == "/about":
                page.goto(url)
            numbers = page.locator("a[href^='tel:']")
            assert numbers.count() >= 3  # the clinic's, the footer's 999 and the clinic's again
            assert _tel_links_are_big_enough(page) == [], (viewport, url)
            page.go_back() if url == "/about" else None


def test_start_again_asks_first_without_javascript(chromium, live):
    from tests.browser.test_accessibility import check

    context = open_context(chromium, live, viewport=PHONE, java_script_enabled=False)
    try:
        page = context.new_page()
        start(page)
        fill_step(page, "about", bookable())
        go(page, "button:has-text('Continue')")
        page.wait_for_url("**/step/pain")
        go(page, "text=Start again and clear my answers")
        assert page.inner_text("h1") == "Clear your answers from this device?"
        go(page, "text=No, keep my answers")
        assert urlparse(page.url).path == "/step/pain"  # nothing was cleared
        go(page, "text=Start again and clear my answers")
        go(page, "button:has-text('Yes, clear my answers')")
        assert "cleared from this device" in page.inner_text("main")
        page.goto("/step/pain")
        assert urlparse(page.url).path == "/"
    finally:
        context.close()
    js = open_context(chromium, live, viewport=PHONE)
    try:
        page = js.new_page()
        start(page)
        go(page, "text=Start again and clear my answers")
        check(page, "80-start-again-confirm")
    finally:
        js.close()


def _pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


def test_a_copy_to_keep_prints_on_at_most_two_a4_pages(page):
    from tests.browser.test_accessibility import check

    start(page)
    answer_all(page, SPRAINED_ANKLE | {"age": 15, "blood_thinner": "other"})
    submit(page)
    # A 15-year-old: the call-back asks for a parent's or guardian's details.
    assert "parent or guardian should come to the appointment" in page.inner_text("main")
    assert page.locator("label:has-text(\"Your parent's or guardian's name\")").count() == 1
    check(page, "81-result-young-person")
    page.fill("#name", "Sam Jones")
    page.fill("#phone", "07700 900456")
    go(page, "button:has-text('Ask for a call')")
    assert re.search(r"They will call 07700 900456 by the end of \w+day", page.inner_text("main"))
    go(page, "text=A copy of your result and answers to print or keep")
    main = page.inner_text("main")
    assert re.search(r"Sent:\s+\d\d:\d\d (GMT|BST) on ", main), main  # the clinic's clock
    for words in ("Your prolotherapy self-check result", "Your reference:",
                  "What happens next", "Your answers", "How long have you had it?",
                  "You asked the clinic to phone you on 07700 900456"):  # fmt: skip
        assert words in main, words
    check(page, "82-copy-to-keep")
    page.emulate_media(media="print")
    assert page.locator(".print-clinic").is_visible()
    assert not page.locator(".site-header").is_visible()
    assert not page.locator(".print-actions").is_visible()
    pages = _pdf_pages(page.pdf(format="A4"))
    assert 1 <= pages <= 2, pages
    page.emulate_media(media="screen")


def test_a_second_page_costs_one_request(page, live):
    """Counted where it costs, at nginx: the files the first page fetched are kept, not asked
    for again (no 304s), so the next page is one request."""
    page.goto("/")
    page.wait_for_timeout(500)  # the first page's own requests all logged
    before = len(live.access_log())
    go(page, "a[href='/about']")
    live.access_log(until=lambda lines: any("GET /about " in x for x in lines[before:]))
    page.wait_for_timeout(500)  # and any late one for the second page's files
    # The browser's own favicon request is not the page's (the site has none to offer).
    lines = [x for x in live.access_log()[before:] if "/favicon.ico" not in x]
    assert len(lines) == 1 and "GET /about " in lines[0], lines
