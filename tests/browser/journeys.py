"""A patient and the staff, driving a real browser page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rules import SECTION_BY_ID, SECTIONS, Question
from tests.browser.conftest import PASSWORD


def go(page: Any, selector: str) -> None:
    """Click something that loads a new page (a link or a form's button) and wait until the
    new page has loaded: checks made straight after a bare click can read the old page."""
    with page.expect_navigation():
        page.click(selector)


def press_and_wait(page: Any, key: str) -> None:
    """Press a key that follows a link or sends a form, and wait for the new page."""
    with page.expect_navigation():
        page.keyboard.press(key)


def on_this_page(
    page: Any, section_id: str, answers: dict[str, Any]
) -> Iterator[tuple[Question, Any]]:
    """The questions of a section that the page shows and the answers give a value for."""
    for q in SECTION_BY_ID[section_id].questions:
        if q.id in answers and page.locator(f"[name={q.id}]").count() > 0:
            yield q, answers[q.id]


def fill_step(page: Any, section_id: str, answers: dict[str, Any]) -> None:
    for q, value in on_this_page(page, section_id, answers):
        if q.kind == "int":
            page.fill(f"#{q.id}", str(value))
        elif q.kind == "multi":
            for code in value or ["none"]:
                page.check(f"input[name={q.id}][value='{code}']")
        else:
            page.check(f"input[name={q.id}][value='{value}']")


def start(page: Any) -> None:
    page.goto("/")
    go(page, "text=Start now")
    page.check("#consent")
    go(page, "button:has-text('Start the questions')")
    page.wait_for_url("**/step/about")


def answer_all(page: Any, answers: dict[str, Any]) -> None:
    for section in SECTIONS:
        page.wait_for_url(f"**/step/{section.id}")
        fill_step(page, section.id, answers)
        go(page, "button:has-text('Continue')")
    page.wait_for_url("**/review")


def answer_all_with_detours(page: Any, answers: dict[str, Any]) -> None:
    """Every step, but as people do it: the browser's Back after the pain page, a refresh,
    then at the review a "Change" link back to the pain page."""
    for section in SECTIONS:
        page.wait_for_url(f"**/step/{section.id}")
        fill_step(page, section.id, answers)
        go(page, "button:has-text('Continue')")
        if section.id == "pain":
            page.wait_for_url("**/step/pattern")
            page.go_back()
            page.wait_for_url("**/step/pain")
            page.reload()
            assert page.is_checked(f"input[name=site][value='{answers['site']}']")
            go(page, "button:has-text('Continue')")
    page.wait_for_url("**/review")
    go(page, "a[href='/step/pain?from=review']")
    page.wait_for_url("**/step/pain?from=review")
    assert page.is_checked(f"input[name=duration][value='{answers['duration']}']")
    go(page, "button:has-text('Continue')")
    page.wait_for_url("**/review")


def submit(page: Any) -> None:
    go(page, "button:has-text('Send my answers')")
    page.wait_for_url("**/result/**")


def sign_in(page: Any, email: str) -> None:
    page.goto("/staff/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    go(page, "button:has-text('Sign in')")


def tab_to(page, selector: str, limit: int = 200) -> None:
    target = page.locator(selector).first.element_handle()
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(el) => document.activeElement === el", target):
            return
    raise AssertionError(f"Tab never reached {selector}")
