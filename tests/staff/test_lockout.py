"""Pauses that grow with each run of failures on one account, and go back to the first
only after a week without one (the arithmetic is in docs/security.md)."""

from datetime import timedelta

from sqlalchemy import select

from questionnaire.core.mail import MailSettings
from questionnaire.core.models import Alert, AuditEvent, User, utcnow
from questionnaire.staff.alerts.outbox import compose
from questionnaire.staff.lockout import FAILURES_BEFORE_LOCK
from tests.helpers.staff_client import PASSWORD, Staff, forget_last_code

EMAIL = "staff@clinic.example"


def account(db):
    db.expire_all()
    return db.scalars(select(User).where(User.email == EMAIL)).one()


def fail_a_run(app):
    for _ in range(FAILURES_BEFORE_LOCK):
        assert Staff(app.test_client()).login(EMAIL, "wrong password!!").status_code == 400


def pause_length(db) -> timedelta:
    user = account(db)
    return user.locked_until - user.lock_level_at


def let_the_pause_end(db, days_since=0.0):
    user = account(db)
    user.locked_until = utcnow() - timedelta(seconds=1)
    user.lock_level_at -= timedelta(days=days_since)
    db.commit()


def test_each_run_of_failures_pauses_longer(app, users, db):
    minutes = []
    for _ in range(5):
        fail_a_run(app)
        minutes.append(pause_length(db) // timedelta(minutes=1))
        let_the_pause_end(db)
    assert minutes == [15, 60, 240, 1440, 1440]
    audited = db.scalars(select(AuditEvent).where(AuditEvent.action == "lockout")).all()
    assert [e.details["minutes"] for e in audited] == minutes


def test_signing_in_between_runs_does_not_shorten_the_next_pause(app, users, db):
    fail_a_run(app)
    let_the_pause_end(db)
    assert Staff(app.test_client()).login(EMAIL, PASSWORD).status_code == 302
    fail_a_run(app)
    assert pause_length(db) == timedelta(hours=1)


def test_a_week_without_a_pause_starts_again_at_the_first(app, users, db):
    fail_a_run(app)
    let_the_pause_end(db)
    fail_a_run(app)
    let_the_pause_end(db, days_since=7)
    fail_a_run(app)
    assert pause_length(db) == timedelta(minutes=15)


def test_an_admins_unlock_starts_the_pauses_again(app, as_role, users, db):
    for _ in range(2):
        fail_a_run(app)
        let_the_pause_end(db)
    fail_a_run(app)
    assert pause_length(db) == timedelta(hours=4)
    admin = as_role("admin")
    assert admin.post(f"/staff/admin/users/{users['staff']}/unlock").status_code == 302
    assert (account(db).lock_level, account(db).locked_until) == (0, None)
    fail_a_run(app)
    assert pause_length(db) == timedelta(minutes=15)


def test_the_sign_in_page_says_the_pause_grows(app, users):
    page = Staff(app.test_client()).login(EMAIL, "wrong password!!")
    assert "for 15 minutes the first time, then longer each time after, up to a day" in page.text


# --- a sign-in from a new device after a pause ---------------------------------------------


def alerts_to(db, email):
    db.expire_all()
    return db.scalars(select(Alert).where(Alert.recipient == email)).all()


def test_a_new_device_after_a_pause_is_told_by_email(app, users, db):
    usual = Staff(app.test_client(), EMAIL)
    assert usual.login().status_code == 302  # the person's own browser, before any pause
    assert alerts_to(db, EMAIL) == []
    fail_a_run(app)
    let_the_pause_end(db)

    stranger = Staff(app.test_client(), EMAIL)
    assert stranger.login().status_code == 302
    (alert,) = alerts_to(db, EMAIL)
    assert alert.kind == "new_device" and alert.submission_id is None
    with app.test_request_context():
        subject, body = compose(alert, MailSettings.from_config(app.config))
    assert subject == "New sign-in to your staff account"
    assert "has not used before" in body and "tell an administrator now" in body
    assert "Reference" not in body and "self-assessment " not in subject
    told = db.scalars(select(AuditEvent).where(AuditEvent.action == "new_device_told")).all()
    assert [e.user_email for e in told] == [EMAIL]

    # Once told, and from a device it knows, no more.
    fail_a_run(app)
    let_the_pause_end(db)
    forget_last_code(app, EMAIL)
    assert usual.login().status_code == 302
    assert len(alerts_to(db, EMAIL)) == 1


def test_a_new_device_without_a_pause_is_not_an_alarm(app, users, db):
    for _ in range(2):
        assert Staff(app.test_client(), EMAIL).login().status_code == 302
        forget_last_code(app, EMAIL)
    assert alerts_to(db, EMAIL) == []
