"""The clinician's day on a phone (390 px): the worklist home page, the list and a
submission in full, each readable without sideways scrolling, with tap targets of at least
24 px and no axe violations; a waiting call-back's number is one tap from the home page."""

from tests.browser.journeys import go, sign_in
from tests.browser.test_accessibility import _no_sideways_scroll, check
from tests.helpers.answer_sets import bookable

TAPPED = ".phone-link, .card-title a, table.stack a, main button"


def _seed(database_url: str) -> None:
    from questionnaire.core.models import CallbackRequest
    from tests.conftest import make_app
    from tests.helpers.staff_client import add_submission

    app = make_app(database_url)
    add_submission(app, bookable(rf_calf="yes"), days_ago=0.3)
    waiting = add_submission(app, bookable(implant_site="yes"), days_ago=2)
    db = app.extensions["db_sessionmaker"]()
    db.add(
        CallbackRequest(
            submission_id=waiting, name="Ann Example", phone="01632 960001", best_time="morning"
        )
    )
    db.commit()
    db.close()
    app.extensions["db_engine"].dispose()


def _small_targets(page) -> list[str]:
    return page.evaluate(
        """(s) => [...document.querySelectorAll(s)]
            .filter(e => { const r = e.getBoundingClientRect();
                           return r.height < 24 || r.width < 24; })
            .map(e => e.outerHTML.slice(0, 120))""",
        TAPPED,
    )


def test_the_clinician_s_pages_on_a_phone(page, live):
    _seed(live.database_url)
    sign_in(page, "clinician@clinic.example")
    page.goto("/staff/")
    # The waiting call-back's number (the deployment's database may hold earlier ones too).
    call = page.locator("a.phone-link[href='tel:01632960001']").first
    assert call.is_visible()
    for name, url in [
        ("50-worklist", "/staff/"),
        ("51-worklist-call-backs", "/staff/submissions/worklist?kind=callback"),
        ("52-submissions-phone", "/staff/submissions/?sort=flags"),
    ]:
        page.goto(url)
        assert _no_sideways_scroll(page), name
        assert _small_targets(page) == [], name
        check(page, name)
    go(page, "table a >> nth=0")
    assert _no_sideways_scroll(page)
    assert _small_targets(page) == []
    check(page, "53-submission-phone")


def test_the_detail_page_warns_before_the_idle_timeout(page, live):
    _seed(live.database_url)
    sign_in(page, "clinician@clinic.example")
    page.clock.install()
    page.goto("/staff/submissions/?sort=flags")
    go(page, "table a >> nth=0")
    warning = page.locator("[data-idle-warning]")
    assert not warning.is_visible()
    page.clock.fast_forward("27:00")
    assert not warning.is_visible()
    page.clock.fast_forward("01:30")  # 28.5 minutes of the 30
    assert warning.is_visible() and "In 2 minutes you will be signed out" in warning.inner_text()
    check(page, "54-submission-idle-warning")


def test_a_call_back_from_the_worklist_to_booked_on_a_phone(page, live):
    """The clinician's morning: from the worklist, one tap to the waiting call-back, its
    number a tel: link, "No answer" keeps it there with its attempt, "Booked" takes it off;
    each step in the audit log."""
    from sqlalchemy import create_engine, select

    from questionnaire.core.models import AuditEvent, CallbackRequest
    from tests.conftest import make_app
    from tests.helpers.staff_client import add_submission

    app = make_app(live.database_url)
    waiting = add_submission(app, bookable(implant_site="yes"), days_ago=1)
    db = app.extensions["db_sessionmaker"]()
    db.add(
        CallbackRequest(
            submission_id=waiting, name="Bo Example", phone="01632 960077", best_time="any"
        )
    )
    db.commit()
    db.close()
    app.extensions["db_engine"].dispose()
    card = f"a[href='/staff/submissions/{waiting}']"

    sign_in(page, "clinician@clinic.example")
    page.goto("/staff/submissions/worklist?kind=callback")
    go(page, card)  # one tap
    assert page.locator("a[href='tel:01632960077']").first.is_visible()
    page.get_by_label("No answer", exact=True).check()
    go(page, "button:has-text('Save contact attempt')")
    assert "No answer (1 attempt)" in page.inner_text("main")
    page.goto("/staff/submissions/worklist?kind=callback")
    assert page.locator(card).count() == 1  # still waiting, with its attempt
    go(page, card)
    page.get_by_label("Booked", exact=True).check()
    go(page, "button:has-text('Save contact attempt')")
    assert "Booked (2 attempts)" in page.inner_text("main")
    page.goto("/staff/submissions/worklist?kind=callback")
    assert page.locator(card).count() == 0  # off the worklist
    engine = create_engine(live.database_url)
    with engine.connect() as conn:
        target = f"submission:{waiting}"
        actions = conn.scalars(
            select(AuditEvent.action).where(AuditEvent.target == target).order_by(AuditEvent.id)
        ).all()
    engine.dispose()
    assert actions.count("contact_recorded") == 2
    assert "submission_viewed" in actions
