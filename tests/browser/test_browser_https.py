"""What only shows over HTTPS, in production mode, behind nginx: secure cookies, HSTS, and
staff signing in and out. (Forms without a Referer: tests/deployed/test_load.py sends 200 patients
through nginx with none.)"""

from tests.browser.conftest import open_context
from tests.browser.journeys import go, sign_in, start


def test_cookies_are_secure_and_every_page_sends_hsts(page):
    response = page.goto("/")
    assert response.headers["strict-transport-security"].startswith("max-age=31536000")
    start(page)
    cookies = page.context.cookies()
    assert cookies and all(c["secure"] and c["httpOnly"] for c in cookies), cookies
    assert all(c["expires"] == -1 for c in cookies), "the patient's cookie ends with the browser"


def test_staff_sign_in_and_sign_out(chromium, live):
    page = open_context(chromium, live).new_page()
    sign_in(page, "clinician@clinic.example")
    assert "/staff/" in page.url
    assert all(c["secure"] for c in page.context.cookies())
    go(page, "button:has-text('Sign out')")
    assert "You have signed out" in page.inner_text("main")
    page.goto("/staff/submissions/")
    assert "/staff/login" in page.url
