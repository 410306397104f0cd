"""A patient and the staff, driving a real browser page."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pyotp

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


def past_advice(page: Any) -> bool:
    """After a step's Continue, red-flag advice may come first: carry on past urgent advice;
    stay on emergency advice (True), whose send button `submit` presses."""
    if "/advice" not in page.url:
        return False
    if page.locator("button:has-text('Carry on')").count():
        go(page, "button:has-text('Carry on')")
        return False
    return True


def answer_all(page: Any, answers: dict[str, Any]) -> None:
    """Every step, in order, to the review (or to emergency advice, which ends the asking)."""
    for section in SECTIONS:
        page.wait_for_url(f"**/step/{section.id}")
        fill_step(page, section.id, answers)
        go(page, "button:has-text('Continue')")
        if past_advice(page):
            return
    page.wait_for_url("**/review")


def answer_all_with_detours(page: Any, answers: dict[str, Any]) -> None:
    """Every step, but as people do it: the browser's Back after the pain page, a refresh,
    then at the review a "Change" link back to the pain page."""
    for section in SECTIONS:
        page.wait_for_url(f"**/step/{section.id}")
        fill_step(page, section.id, answers)
        go(page, "button:has-text('Continue')")
        if past_advice(page):
            return
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
    """Send from the review, or from emergency advice ("Send what I have answered")."""
    go(page, "form[action='/submit'] button")
    page.wait_for_url("**/result/**")


@dataclass
class Authenticator:
    """The authenticator app on a person's phone, as the test holds it."""

    secret: str
    recovery_codes: list[str] = field(default_factory=list)
    last_step: int = 0

    def code(self) -> str:
        """A code the server has not seen yet: the current one, or when that was used
        already (two sign-ins in one 30-second step), the next, which the server accepts
        as one step of clock drift."""
        totp = pyotp.TOTP(self.secret)
        step = max(int(time.time()) // totp.interval, self.last_step + 1)
        while step > int(time.time()) // totp.interval + 1:  # never more than one ahead
            time.sleep(0.5)
        self.last_step = step
        return totp.at(step * totp.interval)


# Each person's app, per deployed site (origin, email): set up at their first sign-in.
PHONES: dict[tuple[str, str], Authenticator] = {}


def site_of(page: Any) -> str:
    parts = urlsplit(page.url)
    return f"{parts.scheme}://{parts.netloc}"


def set_up_authenticator(page: Any, email: str) -> Authenticator:
    """On the set-up page: read the key as a person would type it, enter a code, keep the
    recovery codes."""
    phone = Authenticator(page.inner_text("#mfa-secret").replace(" ", ""))
    page.fill("#code", phone.code())
    go(page, "button:has-text('Finish set-up')")
    phone.recovery_codes = page.locator("#recovery-codes code").all_inner_texts()
    PHONES[(site_of(page), email)] = phone
    return phone


def sign_in(page: Any, email: str, *, continue_after_setup: bool = True) -> None:
    """Password, then the code from the person's app (setting the app up the first time)."""
    page.goto("/staff/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    go(page, "button:has-text('Sign in')")
    if "/staff/authenticator/setup" in page.url:
        set_up_authenticator(page, email)
        if continue_after_setup:
            go(page, "a:has-text('Continue')")
    elif "/staff/login/code" in page.url:
        page.fill("#code", PHONES[(site_of(page), email)].code())
        go(page, "#code-form button")


def tab_to(page, selector: str, limit: int = 200) -> None:
    target = page.locator(selector).first.element_handle()
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(el) => document.activeElement === el", target):
            return
    raise AssertionError(f"Tab never reached {selector}")
