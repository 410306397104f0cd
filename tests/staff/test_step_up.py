"""Step-up: actions that widen access ask for a current code from the app once the
session's last one is STEP_UP_MINUTES old; a wrong one changes nothing and is audited."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from questionnaire.core.models import ApiToken, AuditEvent, StaffSession, User
from tests.helpers.staff_client import TOTP_SECRET, code_for, forget_last_code

NEW = "new@clinic.example"
HIDDEN_RE = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def events(db, action):
    db.expire_all()
    return db.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def age_codes(app, db, minutes=6):
    """As if the admin's last code was given `minutes` ago."""
    for row in db.scalars(select(StaffSession)):
        row.code_at = row.code_at and row.code_at - timedelta(minutes=minutes)
    db.commit()
    forget_last_code(app, "admin@clinic.example")


def carried(page):
    return [(k, v) for k, v in HIDDEN_RE.findall(page.text) if k != "csrf_token"]


def test_a_recent_code_needs_no_step_up(as_role, db):
    page = as_role("admin").post("/staff/admin/users", {"email": NEW, "roles": ["staff"]})
    assert page.status_code == 200 and 'id="temporary-password"' in page.text
    assert events(db, "step_up_passed") == []


def test_an_old_code_is_asked_again_and_the_typed_values_are_kept(app, as_role, db):
    admin = as_role("admin")
    age_codes(app, db)
    form = {"email": NEW, "roles": ["staff", "clinician"]}
    asked = admin.post("/staff/admin/users", form)
    assert asked.status_code == 200 and "Enter a code to add an account" in asked.text
    assert 'autocomplete="one-time-code"' in asked.text
    assert carried(asked) == [("email", NEW), ("roles", "staff"), ("roles", "clinician")]
    assert db.scalars(select(User).where(User.email == NEW)).first() is None

    done = admin.post("/staff/admin/users", {**form, "step-up-code": code_for(TOTP_SECRET)})
    assert done.status_code == 200 and 'id="temporary-password"' in done.text
    db.expire_all()
    assert db.scalars(select(User.roles).where(User.email == NEW)).one() == ["clinician", "staff"]
    assert [e.details for e in events(db, "step_up_passed")] == [{"endpoint": "admin.add_user"}]
    # The code just given counts as recent: the next action asks nothing.
    again = admin.post("/staff/admin/users", {"email": "other@clinic.example"})
    assert 'id="temporary-password"' in again.text


def test_a_wrong_step_up_code_changes_nothing_and_is_audited(app, as_role, db):
    admin = as_role("admin")
    age_codes(app, db)
    form = {"email": NEW, "roles": ["admin"], "step-up-code": code_for(TOTP_SECRET, 5)}
    refused = admin.post("/staff/admin/users", form)
    assert refused.status_code == 400 and "That code is not right" in refused.text
    assert 'class="error-summary"' in refused.text and 'href="#step-up-code"' in refused.text
    assert "Nothing has been changed" in refused.text
    assert carried(refused) == [("email", NEW), ("roles", "admin")]  # ready to try again
    assert db.scalars(select(User).where(User.email == NEW)).first() is None
    (failed,) = events(db, "step_up_failed")
    assert failed.details == {"endpoint": "admin.add_user", "reason": "bad_code"}
    assert events(db, "user_created") == []
    junk = admin.post("/staff/admin/users", {**form, "step-up-code": "12ab"})
    assert junk.status_code == 400 and 'class="error-summary"' in junk.text


@pytest.mark.parametrize(
    ("path", "action", "words"),
    [
        ("roles", "user_roles_changed", "change roles"),
        ("enable", "user_enabled", "re-enable an account"),
        ("reset-mfa", "mfa_reset", "reset an authenticator app"),
        ("reset-password", "password_reset", "reset a password"),
    ],
)
def test_every_action_that_widens_access_steps_up(app, as_role, users, db, path, action, words):
    admin = as_role("admin")
    age_codes(app, db)
    url = f"/staff/admin/users/{users['staff']}/{path}"
    asked = admin.post(url, {"roles": ["admin"]})
    assert asked.status_code == 200 and f"Enter a code to {words}" in asked.text
    assert f'action="{url}"' in asked.text
    assert events(db, action) == []
    db.expire_all()
    assert db.get(User, users["staff"]).roles == ["staff"]
    done = admin.post(url, {"roles": ["admin"], "step-up-code": code_for(TOTP_SECRET)})
    assert done.status_code in (200, 302) and "Enter a code" not in done.text
    assert len(events(db, action)) == 1


def test_narrowing_access_needs_no_step_up(app, as_role, users, db):
    admin = as_role("admin")
    age_codes(app, db)
    assert admin.post(f"/staff/admin/users/{users['staff']}/disable").status_code == 302
    assert len(events(db, "user_disabled")) == 1


def test_five_wrong_step_up_codes_sign_the_session_out(app, as_role, db):
    admin = as_role("admin")
    age_codes(app, db)
    for _ in range(4):
        wrong = {"email": NEW, "step-up-code": code_for(TOTP_SECRET, 5)}
        assert admin.post("/staff/admin/users", wrong).status_code == 400
    last = admin.post("/staff/admin/users", {"email": NEW, "step-up-code": "000000"})
    assert last.location == "/staff/login"
    assert admin.get("/staff/admin/users").location.startswith("/staff/login")
    assert len(events(db, "lockout")) == 1
    assert db.scalars(select(User).where(User.email == NEW)).first() is None


def test_a_right_code_counts_even_when_the_form_itself_is_refused(app, as_role, db):
    admin = as_role("admin")
    age_codes(app, db)
    bad = admin.post(
        "/staff/admin/users", {"email": "not-an-email", "step-up-code": code_for(TOTP_SECRET)}
    )
    assert bad.status_code == 400 and "valid email" in bad.text  # the form's own message
    assert len(events(db, "step_up_passed")) == 1
    fixed = admin.post("/staff/admin/users", {"email": NEW})
    assert fixed.status_code == 200 and 'id="temporary-password"' in fixed.text


def test_an_api_token_asks_for_a_fresh_code_first(app, as_role, db):
    admin = as_role("admin")
    age_codes(app, db)
    last_day = (datetime.now(UTC) + timedelta(days=30)).date().isoformat()
    form = {"name": "Records system", "scope": "responses", "expires": last_day}
    asked = admin.post("/staff/api-tokens/", form)
    assert asked.status_code == 200 and "Enter a code to create an API token" in asked.text
    assert db.scalars(select(ApiToken)).first() is None and events(db, "api_token_created") == []
    done = admin.post("/staff/api-tokens/", {**form, "step-up-code": code_for(TOTP_SECRET)})
    assert "Enter a code" not in done.text
    assert [t.name for t in db.scalars(select(ApiToken))] == ["Records system"]


def test_erasing_a_submission_asks_for_a_fresh_code_first(app, as_role, patient, db):
    from questionnaire.core.models import Submission
    from tests.helpers.answer_sets import bookable

    patient.complete(bookable())
    reference = db.scalars(select(Submission.reference)).one()
    admin = as_role("admin")
    age_codes(app, db)
    form = {"reference": reference, "what": "erase", "reason": "Asked by phone, 8 Dec"}
    asked = admin.post("/staff/requests/erase", form)
    assert asked.status_code == 200 and "Enter a code to erase a submission" in asked.text
    db.expire_all()
    assert db.scalars(select(Submission)).first() is not None
    done = admin.post("/staff/requests/erase", {**form, "step-up-code": code_for(TOTP_SECRET)})
    assert done.status_code == 302
    db.expire_all()
    assert db.scalars(select(Submission)).first() is None
