"""Admins: accounts and the audit log; the create-user and purge commands."""

import re
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from questionnaire.core import audit, clinic_time
from questionnaire.core.models import AuditEvent, CallbackRequest, ReviewNote, Submission, User
from questionnaire.staff.admin.audit_views import AUDIT_PAGE
from tests.helpers.answer_sets import bookable
from tests.helpers.staff_client import PASSWORD, Staff, add_submission
from tests.staff.test_submissions import page_link


def user(db, email):
    db.expire_all()
    return db.scalars(select(User).where(User.email == email)).one()


def test_an_admin_adds_an_account_with_a_temporary_password(app, as_role, db):
    admin = as_role("admin")
    page = admin.post("/staff/admin/users", {"email": "new@clinic.example", "roles": ["staff"]})
    assert page.status_code == 200
    temp = re.search(r'id="temporary-password">([^<]+)<', page.text).group(1)
    setup_code = re.search(r'id="setup-code">([^<]+)<', page.text).group(1)
    assert user(db, "new@clinic.example").must_change_password
    newcomer = Staff(app.test_client(), "new@clinic.example")
    assert newcomer.login(password=temp).location == "/staff/password"
    assert newcomer.get("/staff/export/").location == "/staff/password"  # must change first
    newcomer.post(
        "/staff/password",
        {"current": temp, "new": "my own long passphrase", "confirm": "my own long passphrase"},
    )
    # then an authenticator app, before anything else
    assert newcomer.get("/staff/export/").location == "/staff/authenticator/setup"
    newcomer.set_up_authenticator(setup_code)
    assert newcomer.get("/staff/export/").status_code == 200
    actions = [e.action for e in db.scalars(select(AuditEvent))]
    assert "user_created" in actions and "password_changed" in actions
    assert "mfa_enrolled" in actions


def test_a_duplicate_or_bad_email_is_refused(as_role):
    admin = as_role("admin")
    page = admin.post("/staff/admin/users", {"email": "staff@clinic.example", "roles": ["staff"]})
    assert page.status_code == 400 and "already exists" in page.text
    page = admin.post("/staff/admin/users", {"email": "not-an-email"})
    assert page.status_code == 400 and "valid email" in page.text


def test_two_adds_of_one_email_at_once_give_the_form_message(as_role, db, monkeypatch, capsys):
    """The race: both requests look the address up before either has stored it. Made
    certain by a lookup that misses, so the second's INSERT meets the unique email."""
    from questionnaire.staff import accounts

    admin = as_role("admin")
    assert admin.post("/staff/admin/users", {"email": "new@clinic.example"}).status_code == 200
    monkeypatch.setattr(accounts, "find_user", lambda _db, _email: None)
    capsys.readouterr()
    page = admin.post("/staff/admin/users", {"email": "New@Clinic.Example", "roles": ["admin"]})
    assert page.status_code == 400
    assert "An account with this email address already exists" in page.text
    assert 'class="error-summary"' in page.text and 'id="temporary-password"' not in page.text
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(User)) == 5  # four personas and one
    assert user(db, "new@clinic.example").roles == []
    refused = db.scalars(select(AuditEvent).where(AuditEvent.action == "user_create_refused"))
    assert [e.details for e in refused] == [
        {"reason": "An account with this email address already exists"}
    ]
    err = capsys.readouterr().err
    assert "new@clinic.example" not in err.lower() and "Traceback" not in err


def test_an_unknown_role_is_a_message_at_the_roles_group(as_role):
    admin = as_role("admin")
    page = admin.post("/staff/admin/users", {"email": "new@clinic.example", "roles": ["owner"]})
    assert page.status_code == 400
    group = page.text.split('aria-describedby="roles-error">', 1)[1].split("</fieldset>", 1)[0]
    assert '<legend class="legend">Roles</legend>' in group
    assert 'id="roles-error"' in group and "not a valid choice" in group


def test_roles_can_be_changed_and_take_effect_at_next_sign_in(app, as_role, users, db):
    nobody = as_role("nobody")
    admin = as_role("admin")
    admin.post(f"/staff/admin/users/{users['nobody']}/roles", {"roles": ["clinician"]})
    assert user(db, "nobody@clinic.example").roles == ["clinician"]
    assert nobody.get("/staff/submissions/").location.startswith("/staff/login")
    nobody.login()
    assert nobody.get("/staff/submissions/").status_code == 200
    (event,) = db.scalars(select(AuditEvent).where(AuditEvent.action == "user_roles_changed"))
    assert event.details == {"before": [], "after": ["clinician"]}


def test_an_admin_cannot_lock_themselves_out(as_role, users, db):
    admin = as_role("admin")
    admin.post(f"/staff/admin/users/{users['admin']}/roles", {"roles": ["staff"]})
    admin.post(f"/staff/admin/users/{users['admin']}/disable")
    me = user(db, "admin@clinic.example")
    assert me.roles == ["admin"] and me.active


def test_disable_and_re_enable(app, as_role, users, db):
    admin = as_role("admin")
    admin.post(f"/staff/admin/users/{users['staff']}/disable")
    assert not user(db, "staff@clinic.example").active
    assert Staff(app.test_client(), "staff@clinic.example").login().status_code == 400
    admin.post(f"/staff/admin/users/{users['staff']}/enable")
    assert Staff(app.test_client(), "staff@clinic.example").login().status_code == 302
    actions = [e.action for e in db.scalars(select(AuditEvent))]
    assert "user_disabled" in actions and "user_enabled" in actions


def test_an_admin_sees_a_locked_account_and_unlocks_it(app, as_role, users, db):
    for _ in range(5):
        Staff(app.test_client()).login("staff@clinic.example", "wrong password!!")
    admin = as_role("admin")
    until = user(db, "staff@clinic.example").locked_until
    page = admin.get("/staff/admin/users")
    assert f"Locked until {clinic_time.shown(until, ZoneInfo('Europe/London'))}" in page.text
    assert page.text.count(">Unlock<") == 1
    url = f"/staff/admin/users/{users['staff']}/unlock"
    assert admin.client.post(url).status_code == 400  # no CSRF token
    assert admin.post(url).location == "/staff/admin/users"
    assert "Locked until" not in admin.get("/staff/admin/users").text
    assert Staff(app.test_client(), "staff@clinic.example").login().status_code == 302
    (event,) = db.scalars(select(AuditEvent).where(AuditEvent.action == "user_unlocked"))
    assert (event.user_email, event.target) == ("admin@clinic.example", f"user:{users['staff']}")


def test_the_audit_log_filters_by_user_action_and_date(app, as_role):
    sid = add_submission(app, bookable())
    as_role("clinician").get(f"/staff/submissions/{sid}")
    admin = as_role("admin")
    page = admin.get("/staff/admin/audit?action=submission_viewed")
    assert f"submission:{sid}" in page.text and "<strong>1</strong> event." in page.text
    page = admin.get("/staff/admin/audit?user=clinician@clinic.example")
    assert "submission_viewed" in page.text and "<td>login</td>" in page.text
    assert "admin@clinic.example</td>" not in page.text
    page = admin.get("/staff/admin/audit?date_from=2000-01-01&date_to=2000-01-02")
    assert "<strong>0</strong> events." in page.text


@pytest.mark.parametrize("junk", ["_method=POST", "_external=1", "_anchor=x", "endpoint=x", "z=1"])
def test_audit_log_page_links_carry_only_its_own_filters(app, as_role, db, junk):
    for _ in range(AUDIT_PAGE):
        audit.record(db, "login", email="someone@clinic.example")
    db.commit()
    page = as_role("admin").get(f"/staff/admin/audit?action=login&{junk}")
    assert page.status_code == 200
    assert page_link(page, "Older") == "/staff/admin/audit?page=2&action=login"


@pytest.mark.parametrize(
    "query", ["date_to=9999-12-31", "date_from=1999-12-31", "date_from=9999-12-31"]
)
def test_audit_log_dates_out_of_range_are_a_message_at_the_field(as_role, query):
    page = as_role("admin").get(f"/staff/admin/audit?{query}")
    assert page.status_code == 400
    assert f'id="{query.split("=")[0]}-error"' in page.text


def test_an_unknown_action_is_a_message_not_a_filter(as_role):
    page = as_role("admin").get("/staff/admin/audit?action=zzz")
    assert page.status_code == 400 and 'id="action-error"' in page.text


def test_the_audit_log_is_append_only(app, as_role, db):
    import pytest

    as_role("clinician")
    event = db.scalars(select(AuditEvent)).first()
    db.delete(event)
    with pytest.raises(PermissionError):
        db.commit()


def test_create_user_asks_for_the_password_twice(app, runner, db):
    result = runner.invoke(
        args=["create-user", "lead@clinic.example", "--role", "admin", "--role", "clinician"],
        input="a long enough passphrase\na long enough passphrase\n",
    )
    assert result.exit_code == 0, result.output
    assert user(db, "lead@clinic.example").roles == ["clinician", "admin"]
    lead = Staff(app.test_client(), "lead@clinic.example")
    assert lead.login(password="a long enough passphrase").status_code == 302


def test_create_user_reads_stdin_and_refuses_weak_passwords(runner, db):
    ok = runner.invoke(
        args=["create-user", "ops@clinic.example", "--role", "staff", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert ok.exit_code == 0, ok.output
    weak = runner.invoke(
        args=["create-user", "weak@clinic.example", "--role", "staff", "--password-stdin"],
        input="password1234\n",
    )
    assert weak.exit_code == 1 and "too easy to guess" in weak.output
    short = runner.invoke(
        args=["create-user", "short@clinic.example", "--role", "staff", "--password-stdin"],
        input="short\n",
    )
    assert short.exit_code == 1 and "at least 12" in short.output
    bad_role = runner.invoke(
        args=["create-user", "x@clinic.example", "--role", "root", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert bad_role.exit_code == 2
    assert db.scalar(select(func.count()).select_from(User)) == 1


def test_purge_submissions_deletes_old_ones_with_their_notes_and_runs_twice_safely(app, runner, db):
    old = add_submission(app, bookable(), days_ago=400)
    keep = add_submission(app, bookable(), days_ago=10)
    db.add(CallbackRequest(submission_id=old, name="A", phone="01632960001", best_time="any"))
    db.add(ReviewNote(submission_id=old, author_email="x@clinic.example", status="reviewed"))
    db.add(ReviewNote(submission_id=keep, author_email="x@clinic.example", status="reviewed"))
    db.commit()
    first = runner.invoke(args=["purge-submissions", "--days", "365"])
    assert first.exit_code == 0 and "Deleted 1 submission(s)" in first.output
    second = runner.invoke(args=["purge-submissions", "--days", "365"])
    assert "Deleted 0 submission(s)" in second.output
    db.expire_all()
    assert [s.id for s in db.scalars(select(Submission))] == [keep]
    assert db.scalar(select(func.count()).select_from(CallbackRequest)) == 0
    assert [n.submission_id for n in db.scalars(select(ReviewNote))] == [keep]
    purged = db.scalars(select(AuditEvent).where(AuditEvent.action == "submissions_purged"))
    assert [e.details["rows"] for e in purged] == [1, 0]


def test_giving_yourself_a_role_says_you_are_signed_out(as_role, users, db):
    admin = as_role("admin")
    saved = admin.post(f"/staff/admin/users/{users['admin']}/roles", {"roles": ["admin", "staff"]})
    assert saved.status_code == 302
    page = admin.get(saved.location)
    while page.status_code == 302:
        page = admin.get(page.location)
    assert "Your roles are saved. You are signed out: sign in again to use them." in page.text
    assert "Sign in" in page.text
    assert user(db, "admin@clinic.example").roles == ["staff", "admin"]
