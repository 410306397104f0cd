"""axe-core over every kind of page (WCAG 2.0, 2.1 and 2.2, A and AA), with screenshots of
each at phone and desktop size in screenshots/."""

import re
from datetime import date, timedelta

import pytest

from tests.browser.conftest import shoot
from tests.browser.journeys import answer_all, fill_step, go, sign_in, start, submit, tab_to
from tests.helpers.answer_sets import bookable, complete

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def check(page, name):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": TAGS}})
    shoot(page, name)
    violations = results.response["violations"]
    assert not violations, f"{name}: " + "; ".join(
        f"{v['id']} ({len(v['nodes'])}): {v['help']} e.g. {v['nodes'][0]['html'][:200]}"
        for v in violations
    )


def test_the_patient_pages(page):
    page.goto("/")
    check(page, "01-start")
    page.goto("/about")
    check(page, "02-about")
    page.goto("/consent")
    go(page, "button:has-text('Start the questions')")
    check(page, "03-consent-error")
    page.check("#consent")
    go(page, "button:has-text('Start the questions')")
    answers = bookable(sex="female", age=34, pregnancy="no", site="ankle", giving_way="often")
    for number, section in enumerate(["about", "pain", "pattern", "safety", "health"], 4):
        go(page, "button:has-text('Continue')")  # first with nothing: errors showing
        check(page, f"{number:02d}-step-{section}-errors")
        fill_step(page, section, answers)
        check(page, f"{number:02d}-step-{section}")
        go(page, "button:has-text('Continue')")
    check(page, "09-review")
    submit(page)
    check(page, "10-result-book")


@pytest.mark.parametrize(
    ("name", "answers"),
    [
        ("11-result-call-back", bookable(implant_site="yes")),
        ("12-result-emergency", bookable(rf_saddle="yes")),
        ("13-result-urgent", bookable(rf_calf="yes")),
        ("14-result-not-suitable", complete()),
        ("15-result-widespread", bookable(areas="7_plus")),
    ],
)
def test_each_result(page, name, answers):
    start(page)
    answer_all(page, answers)
    submit(page)
    check(page, name)


def test_the_call_back_form_with_errors(page):
    start(page)
    answer_all(page, bookable(implant_site="yes"))
    submit(page)
    go(page, "button:has-text('Ask for a call')")
    assert page.locator(".error-summary").is_visible()
    check(page, "16-call-back-errors")


def test_the_staff_pages(page, live):
    patient_page = page.context.new_page()
    start(patient_page)
    answer_all(patient_page, bookable(rf_calf="yes"))
    submit(patient_page)
    page.goto("/staff/login")
    check(page, "20-login")
    page.fill("#email", "admin@clinic.example")
    page.fill("#password", "wrong password here")
    go(page, "button:has-text('Sign in')")
    check(page, "21-login-error")
    sign_in(page, "admin@clinic.example")
    check(page, "22-staff-home")
    page.goto("/staff/submissions/?sort=flags")
    check(page, "23-submissions")
    go(page, "table a >> nth=0")
    check(page, "24-submission")
    page.goto("/staff/export/")
    check(page, "25-export")
    page.goto("/staff/admin/users")
    check(page, "26-accounts")
    page.goto("/staff/admin/audit")
    check(page, "27-audit")
    page.goto("/staff/password")
    check(page, "28-password")
    _seed_alerts(live.database_url)
    page.goto("/staff/admin/alerts")
    assert page.get_by_role("heading", name="Mail is off").is_visible()
    assert page.locator("text=550 mailbox unavailable").is_visible()
    check(page, "29-alerts")
    page.goto("/staff/api-tokens/")
    page.fill("#name", "Practice records")
    go(page, "button:has-text('Make token')")
    assert page.locator(".error-summary").is_visible()
    check(page, "30-api-tokens-errors")
    page.check("input[name=scope] >> nth=0")
    page.fill("#expires", (date.today() + timedelta(days=90)).isoformat())
    go(page, "button:has-text('Make token')")
    assert page.locator(".error-summary").count() == 0
    check(page, "31-api-token-made")


def _seed_alerts(database_url: str) -> None:
    """An alert in each state the admin page shows: waiting, sent, and failed with the
    server's reason (the live site has no mail server, so none gets there by itself)."""
    from questionnaire.core.models import Alert, utcnow
    from tests.conftest import make_app

    app = make_app(database_url)
    db = app.extensions["db_sessionmaker"]()
    for status, error in [("pending", None), ("sent", None), ("failed", "550 mailbox unavailable")]:
        sent = utcnow() if status == "sent" else None
        db.add(
            Alert(
                kind="red_flag",
                recipient="clinic@clinic.example",
                reference="ABCD-2345",
                tier="urgent",
                status=status,
                attempts=1,
                last_error=error,
                sent_at=sent,
            )
        )
    db.commit()
    db.close()
    app.extensions["db_engine"].dispose()


def test_the_dashboard(page, live):
    """With something in every chart: outcomes over several weeks, red flags of each tier
    waiting for review, a call-back waiting; then with a backwards date range."""
    from questionnaire.core.models import CallbackRequest
    from tests.conftest import make_app
    from tests.helpers.staff_client import add_submission

    app = make_app(live.database_url)
    for days_ago, answers in [
        (0.2, bookable(rf_saddle="yes")),
        (1.5, bookable(rf_calf="yes")),
        (4, bookable(rf_weight_loss="yes")),
        (9, bookable()),
        (20, complete()),
        (45, bookable(implant_site="yes")),
        (120, bookable(site="ankle", giving_way="often")),
    ]:
        sid = add_submission(app, answers, days_ago=days_ago)
    db = app.extensions["db_sessionmaker"]()
    db.add(CallbackRequest(submission_id=sid, name="A", phone="0", best_time="any"))
    db.commit()
    db.close()
    app.extensions["db_engine"].dispose()
    sign_in(page, "admin@clinic.example")
    page.goto("/staff/dashboard")
    assert page.locator("svg[role=img]").count() == 4
    check(page, "40-dashboard")
    page.goto("/staff/dashboard?date_from=2026-03-10&date_to=2026-03-01")
    assert page.locator(".error-summary").is_visible()
    check(page, "41-dashboard-errors")


def test_the_error_pages(page, live):
    response = page.goto("/no-such-page")
    assert response.status == 404
    check(page, "30-404")
    # A real 500 page, rendered by the app for a failure we cause, served at a URL of the
    # live server so its stylesheet and headers apply.
    from tests.conftest import make_app

    app = make_app(live.database_url)
    app.view_functions["patient.about"] = lambda: 1 / 0
    html = app.test_client().get("/about").text
    app.extensions["db_engine"].dispose()
    assert "something went wrong on our side" in html
    page.route(
        re.compile(r".*/__error500$"),
        lambda route: route.fulfill(status=500, body=html, content_type="text/html"),
    )
    page.goto("/__error500")
    check(page, "31-500")


def _no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("width", [320, 640])  # 320 px reflow; 640 px is 1280 px at 200% zoom
def test_patient_pages_reflow_without_sideways_scrolling(page, width):
    page.set_viewport_size({"width": width, "height": 800})
    page.goto("/")
    assert _no_sideways_scroll(page)
    start(page)
    answers = bookable(site="ankle", giving_way="often")
    for section in ["about", "pain", "pattern", "safety", "health"]:
        page.wait_for_url(f"**/step/{section}")
        assert _no_sideways_scroll(page), section
        fill_step(page, section, answers)
        go(page, "button:has-text('Continue')")
    page.wait_for_url("**/review")
    assert _no_sideways_scroll(page)
    submit(page)
    assert _no_sideways_scroll(page)


def test_every_page_title_names_the_page(page):
    start(page)
    assert page.title().startswith("Step 1 of 6: About you")
    go(page, "button:has-text('Continue')")
    assert page.title().startswith("Error: Step 1 of 6: About you")


def test_focus_is_visible_on_links_inputs_and_buttons(page):
    page.goto("/consent")
    for selector in ["a.back-link", "#consent", "button[type=submit]"]:
        tab_to(page, selector)
        style = page.evaluate(
            "(s) => { const c = getComputedStyle(document.querySelector(s));"
            " return [c.outlineStyle, c.outlineWidth, c.backgroundColor, c.boxShadow]; }",
            selector,
        )
        outline, width, background, shadow = style
        visible = (
            (outline != "none" and width != "0px")
            or shadow != "none"
            or background == "rgb(255, 221, 0)"
        )
        assert visible, (selector, style)
