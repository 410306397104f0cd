"""Password checks run only PASSWORD_CHECKS_AT_ONCE at a time on a host: the rest are told
to try again in a moment, and nothing is looked up, counted or changed for them. (The
flood through the deployed site: tests/deployed/test_sign_in_flood.py.)"""

import fcntl
import os
from contextlib import contextmanager

from sqlalchemy import select

from questionnaire.core.models import AuditEvent, User
from tests.helpers.staff_client import PASSWORD, Staff

EMAIL = "staff@clinic.example"
BUSY = "Many sign-ins are being checked right now. Wait a moment and try again."


@contextmanager
def every_slot_taken(app):
    """Another worker's check holds the host's one slot."""
    app.config["PASSWORD_CHECKS_AT_ONCE"] = 1
    fd = os.open(os.path.join(app.instance_path, "password-check-0.lock"), os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        yield
    finally:
        os.close(fd)


def account(db):
    db.expire_all()
    return db.scalars(select(User).where(User.email == EMAIL)).one()


def test_a_sign_in_with_no_check_free_is_told_to_try_again_and_nothing_is_counted(app, users, db):
    with every_slot_taken(app):
        busy = Staff(app.test_client()).login(EMAIL, "wrong password!!")
    assert busy.status_code == 503 and busy.headers["Retry-After"] == "2"
    assert BUSY in busy.text and 'value="staff@clinic.example"' in busy.text  # kept
    assert account(db).failed_logins == 0
    (failed,) = db.scalars(select(AuditEvent).where(AuditEvent.action == "login_failed"))
    assert (failed.user_email, failed.details) == (EMAIL, {"reason": "busy"})
    # The slot free again: the same sign-in goes through.
    assert Staff(app.test_client()).login(EMAIL, PASSWORD).status_code == 302


def test_one_slot_is_enough_for_one_sign_in(app, users):
    app.config["PASSWORD_CHECKS_AT_ONCE"] = 1
    assert Staff(app.test_client()).login(EMAIL, PASSWORD).status_code == 302


def test_a_password_change_with_no_check_free_changes_nothing(app, as_role, db):
    staff = as_role("staff")
    before = account(db).password_hash
    new = "tulip anchor orbit lantern"
    with every_slot_taken(app):
        busy = staff.post("/staff/password", {"current": PASSWORD, "new": new, "confirm": new})
    assert busy.status_code == 503 and BUSY in busy.text
    assert account(db).password_hash == before and account(db).failed_logins == 0


def test_an_admins_password_reset_with_no_check_free_changes_nothing(app, as_role, users, db):
    admin = as_role("admin")
    before = account(db).password_hash
    with every_slot_taken(app):
        refused = admin.post(f"/staff/admin/users/{users['staff']}/reset-password")
    assert refused.location == "/staff/admin/users"
    assert BUSY in admin.get("/staff/admin/users").text
    assert account(db).password_hash == before and not account(db).must_change_password
    assert not db.scalars(select(AuditEvent).where(AuditEvent.action == "password_reset")).all()
