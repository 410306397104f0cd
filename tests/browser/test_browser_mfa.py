"""Staff with a second factor in a real browser, over HTTPS: set up the app, sign in with a
code, a wrong code, a used code, a recovery code, an admin's reset; axe on the new pages."""

import time

import pyotp

from tests.browser.conftest import PASSWORD, open_context
from tests.browser.journeys import PHONES, go, sign_in, site_of
from tests.browser.test_accessibility import check


def _password_step(page, email: str) -> None:
    page.goto("/staff/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    go(page, "button:has-text('Sign in')")


def _sign_out(page) -> None:
    go(page, "button:has-text('Sign out')")
    assert "You have signed out" in page.inner_text("main")


def test_a_person_sets_up_the_app_and_signs_in_with_codes(chromium, live):
    email = "newcomer@clinic.example"
    live.flask("create-user", email, "--role", "clinician", "--password-stdin", stdin=PASSWORD)
    page = open_context(chromium, live).new_page()

    _password_step(page, email)
    assert "/staff/authenticator/setup" in page.url
    assert page.locator("#mfa-qr").get_attribute("src").startswith("data:image/svg+xml")
    check(page, "40-authenticator-setup")
    page.goto("/staff/submissions/")  # nothing else opens until the app is set up
    assert "/staff/authenticator/setup" in page.url
    page.fill("#code", "000000")
    go(page, "button:has-text('Finish set-up')")
    assert page.locator(".error-summary").is_visible()
    check(page, "41-authenticator-setup-error")
    app = pyotp.TOTP(page.inner_text("#mfa-secret").replace(" ", ""))
    used = app.now()
    page.fill("#code", used)
    go(page, "button:has-text('Finish set-up')")
    codes = page.locator("#recovery-codes code").all_inner_texts()
    assert len(codes) == 10 and len(set(codes)) == 10
    check(page, "42-recovery-codes")
    go(page, "a:has-text('Continue')")
    _sign_out(page)

    # A code used once is refused the next time; a new one works.
    _password_step(page, email)
    assert "/staff/login/code" in page.url
    check(page, "43-sign-in-code")
    page.fill("#code", used)
    go(page, "#code-form button")
    assert "has been used already" in page.inner_text(".error-summary")
    check(page, "44-sign-in-code-error")
    page.fill("#code", app.at(time.time() + app.interval))  # the next step: not used yet
    go(page, "#code-form button")
    assert page.url.endswith("/staff/")
    _sign_out(page)

    # Without the phone: a recovery code, once.
    _password_step(page, email)
    page.click("#recovery summary")
    page.fill("#recovery_code", codes[0])
    go(page, "button:has-text('Sign in with a recovery code')")
    assert "You have 9 left" in page.inner_text("main")
    _sign_out(page)
    _password_step(page, email)
    page.click("#recovery summary")
    page.fill("#recovery_code", codes[0])
    go(page, "button:has-text('Sign in with a recovery code')")
    assert "/staff/login/code" in page.url and page.locator(".error-summary").is_visible()

    # An admin resets the app: the person sets it up again at the next sign-in.
    admin = open_context(chromium, live).new_page()
    sign_in(admin, "admin@clinic.example")
    admin.goto("/staff/admin/users")
    go(admin, f"button:has-text('Reset authenticator app for {email}')")
    assert "sign" in admin.inner_text("main").lower()
    _password_step(page, email)
    assert "/staff/authenticator/setup" in page.url
    assert page.inner_text("#mfa-secret").replace(" ", "") != app.secret
    assert (site_of(admin), "admin@clinic.example") in PHONES
