"""Signing in and out: one answer for every failure, throttling, session rules, audit."""

import re
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from questionnaire.core.models import AuditEvent, StaffSession, User, utcnow
from questionnaire.staff.lockout import FAILURES_BEFORE_LOCK
from questionnaire.staff.passwords import password_problem
from tests.helpers.staff_client import PASSWORD, Staff, make_user


def events(db, action=None):
    query = select(AuditEvent).order_by(AuditEvent.id)
    if action:
        query = query.where(AuditEvent.action == action)
    db.expire_all()
    return db.scalars(query).all()


def visitor(app):
    return Staff(app.test_client())


def test_a_fresh_database_has_no_accounts(app, db):
    assert db.scalars(select(User)).all() == []


def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(app, users):
    wrong = visitor(app).login("clinician@clinic.example", "not the password at all")
    unknown = visitor(app).login("nobody-here@clinic.example", PASSWORD)
    assert wrong.status_code == unknown.status_code == 400
    # The same page but for the values typed in (and the CSRF token).
    assert re.sub(r'value="[^"]*"', "", wrong.text) == re.sub(r'value="[^"]*"', "", unknown.text)


def test_signing_in_goes_to_the_page_asked_for_and_is_audited(app, users, db):
    staff = visitor(app)
    response = staff.login("Clinician@Clinic.Example", query="?next=/staff/submissions/")
    assert response.location == "/staff/submissions/"
    (event,) = events(db, "login")
    assert event.user_email == "clinician@clinic.example"


@pytest.mark.parametrize(
    "query",
    [
        "?next=//evil.example/x",
        "?next=/%09/evil.example",  # browsers drop the tab: //evil.example
        "?next=/%0A/x",  # a line break cannot go in a header at all
        "?next=/%0D/x",
        "?next=/%0D%0ALocation:%20https://evil.example",
        "?next=/%5Cevil.example",  # browsers read a backslash as a slash
        "?next=/%5C/evil.example",
        "?next=https://evil.example/staff/",
        "?next=https:evil.example",
        "?next=%2F%2Fevil.example",
        "?next=%252F%252Fevil.example",
        "?next=/%2F/evil.example",
        "?next=%20//evil.example",
        "?next=javascript:alert(1)",
        "?next=/nowhere",
        "?next=/staff/logout",  # a page that only takes a POST
        "?next=",
    ],
)
def test_next_goes_only_to_a_page_of_this_site(app, users, query):
    response = visitor(app).login("clinician@clinic.example", query=query)
    assert (response.status_code, response.location) == (302, "/staff/")


def test_the_page_asked_for_keeps_its_query_through_sign_in(app, users):
    staff = visitor(app)
    asked = staff.get("/staff/submissions/?tier=flagged&sort=flags")
    query = asked.location.removeprefix("/staff/login")
    assert query.startswith("?next=")
    assert staff.login("clinician@clinic.example", query=query).location == (
        "/staff/submissions/?tier=flagged&sort=flags"
    )


def test_five_failures_lock_the_account_for_fifteen_minutes(app, users, db):
    for _ in range(5):
        assert visitor(app).login("staff@clinic.example", "wrong password!!").status_code == 400
    locked = visitor(app).login("staff@clinic.example", PASSWORD)
    assert locked.status_code == 400  # even the right password, while locked
    assert len(events(db, "lockout")) == 1
    assert [e.details["reason"] for e in events(db, "login_failed")][-1] == "locked"
    user = db.scalars(select(User).where(User.email == "staff@clinic.example")).one()
    user.locked_until -= timedelta(minutes=16)
    db.commit()
    assert visitor(app).login("staff@clinic.example", PASSWORD).status_code == 302


def test_wrong_passwords_sent_at_once_get_exactly_five_checks(app, users, db):
    """Each thread its own client, all posting together: five passwords are checked, the
    fifth failure locks, and every other attempt is refused without a check."""
    tries = 16
    clients = [visitor(app) for _ in range(tries)]
    for staff in clients:
        staff.refresh_csrf()
    together = threading.Barrier(tries)

    def attempt(staff: Staff) -> int:
        together.wait()
        return staff.login("staff@clinic.example", "wrong password!!").status_code

    with ThreadPoolExecutor(tries) as pool:
        assert list(pool.map(attempt, clients)) == [400] * tries
    reasons = Counter(e.details["reason"] for e in events(db, "login_failed"))
    assert reasons == {
        "bad_credentials": FAILURES_BEFORE_LOCK - 1,
        "locked_now": 1,
        "locked": tries - FAILURES_BEFORE_LOCK,  # refused without a password check
    }
    assert len(events(db, "lockout")) == 1


def test_a_good_sign_in_clears_earlier_failures(app, users):
    for _ in range(2):
        for _ in range(4):
            visitor(app).login("staff@clinic.example", "wrong password!!")
        assert visitor(app).login("staff@clinic.example").status_code == 302


def test_failures_spread_over_more_than_fifteen_minutes_do_not_lock(app, users, db):
    for _ in range(4):
        visitor(app).login("staff@clinic.example", "wrong password!!")
    user = db.scalars(select(User).where(User.email == "staff@clinic.example")).one()
    user.first_failed_at -= timedelta(minutes=20)
    db.commit()
    visitor(app).login("staff@clinic.example", "wrong password!!")
    assert visitor(app).login("staff@clinic.example", PASSWORD).status_code == 302


def test_signing_in_starts_a_new_session(app, users):
    staff = visitor(app)
    staff.client.get("/staff/login")
    before = staff.client.get_cookie("session").value
    staff.login("clinician@clinic.example")
    assert staff.client.get_cookie("session").value != before


def test_logout_is_a_post_and_a_copied_cookie_dies_with_it(app, as_role, db):
    staff = as_role("clinician")
    copied = staff.client.get_cookie("session").value
    assert staff.get("/staff/logout").status_code == 405
    assert staff.post("/staff/logout").location == "/staff/login"
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/staff/submissions/").location.startswith("/staff/login")
    assert len(events(db, "logout")) == 1


def test_an_idle_session_times_out(app, as_role, db):
    staff = as_role("clinician")
    assert staff.get("/staff/submissions/").status_code == 200
    for row in db.scalars(select(StaffSession)):
        row.last_seen_at -= timedelta(minutes=31)
    db.commit()
    assert staff.get("/staff/submissions/").location.startswith("/staff/login")


def test_disabling_an_account_ends_its_sessions_at_once(app, as_role, users):
    clinician = as_role("clinician")
    admin = as_role("admin")
    admin.post(f"/staff/admin/users/{users['clinician']}/disable")
    assert clinician.get("/staff/submissions/").location.startswith("/staff/login")
    assert visitor(app).login("clinician@clinic.example").status_code == 400


def test_changing_a_password_ends_other_sessions(app, as_role, db):
    laptop = as_role("clinician")
    phone = as_role("clinician")
    response = laptop.post(
        "/staff/password",
        {"current": PASSWORD, "new": "a new long passphrase", "confirm": "a new long passphrase"},
    )
    assert response.location == "/staff/"
    assert laptop.get("/staff/submissions/").status_code == 200  # this one carries on
    assert phone.get("/staff/submissions/").location.startswith("/staff/login")
    assert (
        visitor(app).login("clinician@clinic.example", "a new long passphrase").status_code == 302
    )
    assert len(events(db, "password_changed")) == 1


WRONG_CURRENT = {
    "current": "not my password!",
    "new": "a new long passphrase",
    "confirm": "a new long passphrase",
}


def test_a_wrong_current_password_counts_toward_the_lock_and_the_fifth_signs_out(app, as_role, db):
    staff = as_role("clinician")
    for _ in range(2):
        visitor(app).login("clinician@clinic.example", "wrong password!!")
    for _ in range(2):
        page = staff.post("/staff/password", WRONG_CURRENT)
        assert page.status_code == 400 and "current password is not right" in page.text
    response = staff.post("/staff/password", WRONG_CURRENT)  # the fifth failure in all
    assert response.location == "/staff/login"
    assert "you have been signed out" in staff.get("/staff/login").text
    assert staff.get("/staff/").location.startswith("/staff/login")
    assert visitor(app).login("clinician@clinic.example").status_code == 400  # locked
    failed = events(db, "password_change_failed")
    assert [(e.user_email, e.details["reason"]) for e in failed] == [
        ("clinician@clinic.example", "bad_credentials"),
        ("clinician@clinic.example", "bad_credentials"),
        ("clinician@clinic.example", "locked_now"),
    ]
    assert len(events(db, "lockout")) == 1


def test_while_the_account_is_locked_no_current_password_is_checked(app, as_role, db):
    staff = as_role("clinician")
    for _ in range(5):
        visitor(app).login("clinician@clinic.example", "wrong password!!")
    right = {
        "current": PASSWORD,
        "new": "a new long passphrase",
        "confirm": "a new long passphrase",
    }
    page = staff.post("/staff/password", right)
    assert page.status_code == 400 and "paused after too many wrong passwords" in page.text
    assert staff.get("/staff/").status_code == 200  # a stranger's failures sign nobody out
    (failed,) = events(db, "password_change_failed")
    assert failed.details["reason"] == "locked"


def test_the_right_current_password_clears_earlier_failures(app, as_role):
    staff = as_role("clinician")
    for _ in range(4):
        staff.post("/staff/password", WRONG_CURRENT)
    weak = {"current": PASSWORD, "new": "short", "confirm": "short"}
    assert staff.post("/staff/password", weak).status_code == 400
    for _ in range(4):
        staff.post("/staff/password", WRONG_CURRENT)
    assert staff.get("/staff/").status_code == 200  # still signed in: not locked


def test_a_weak_new_password_is_refused_with_a_reason(as_role):
    staff = as_role("clinician")
    for weak, reason in [
        ("short", "at least 12"),
        ("password1234", "too easy to guess. This is a very common password."),
        ("clinician-secret-1", "email address"),
    ]:
        page = staff.post("/staff/password", {"current": PASSWORD, "new": weak, "confirm": weak})
        assert page.status_code == 400 and reason in page.text


def test_long_and_unicode_passwords_work_as_typed(app):
    password = "Ünïcödé pässwörd ☃ " * 5
    make_user(app, "uni@clinic.example", ["clinician"], password=password)
    assert visitor(app).login("uni@clinic.example", password).status_code == 302
    assert visitor(app).login("uni@clinic.example", password.strip()).status_code == 400


def test_passwords_are_stored_as_argon2id_hashes(app, users, db):
    user = db.scalars(select(User).where(User.email == "clinician@clinic.example")).one()
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash


@pytest.mark.parametrize(
    "typed, kept",
    [
        ("Someone@Clinic.Example", "someone@clinic.example"),
        ("my secret passphrase", None),  # a password typed into the email box
        ("hunter2hunter2", None),
        ("two@signs@clinic.example", None),
        ("no-dot@clinic", None),
        ("space in@clinic.example", None),
    ],
)
def test_a_failed_sign_in_keeps_the_typed_email_only_if_it_looks_like_one(
    app, users, db, typed, kept
):
    visitor(app).login(typed, "wrong password!!")
    (event,) = events(db, "login_failed")
    assert (event.user_id, event.user_email) == (None, kept)


def test_audit_entries_hold_no_passwords(app, users, db):
    visitor(app).login("staff@clinic.example", "my secret guess 123")
    assert "my secret guess" not in str([(e.details, e.target) for e in events(db)])


def test_control_characters_in_sign_in_and_filters_are_refused_cleanly(app, as_role):
    response = visitor(app).login("clinician\x00@clinic.example", PASSWORD)
    assert response.status_code == 400
    page = as_role("admin").get("/staff/admin/audit?user=a%01b@clinic.example")
    assert page.status_code == 400 and 'class="error-summary"' in page.text


def test_purge_sessions_deletes_only_idle_ones(app, as_role, db, runner):
    as_role("clinician")
    as_role("staff")
    first = db.scalars(select(StaffSession)).first()
    first.last_seen_at -= timedelta(minutes=45)
    db.commit()
    assert "Deleted 1 idle staff session(s)." in runner.invoke(args=["purge-sessions"]).output
    assert len(db.scalars(select(StaffSession)).all()) == 1


@pytest.mark.parametrize(
    "weak, advice",
    [
        ("Clinic123456", "Do not use your email address or the clinic&#39;s name"),
        ("Summer2024!!", "too easy to guess. Add another word or two: a few unrelated words"),
        ("Aa123456789!", "too easy to guess. Add another word or two. Uncommon words are better."),
        ("password1234", "too easy to guess. This is a very common password."),
    ],
)
def test_guessable_passwords_are_refused_with_advice(as_role, weak, advice):
    page = as_role("clinician").post(
        "/staff/password",
        {"current": "correct horse battery staple", "new": weak, "confirm": weak},
    )
    assert page.status_code == 400 and 'id="new-error"' in page.text and advice in page.text


@pytest.mark.parametrize(
    "strong",
    [
        "tulip anchor orbit lantern",
        "Ünïcödé pässwörd ☃ mit Grüßen",
        ("tulip anchor orbit lantern " * 38)[:1024],
    ],
)
def test_passphrases_and_unicode_are_accepted_as_typed(app, strong):
    make_user(app, "strong@clinic.example", ["clinician"], password=strong)
    assert Staff(app.test_client(), "strong@clinic.example").login(password=strong).location == (
        "/staff/"
    )


def test_only_the_start_of_a_long_password_is_scored(app, monkeypatch):
    """zxcvbn's time grows fast with length (look-alike characters worst): no password may
    tie up a worker, so only its first characters are scored."""
    import zxcvbn

    scored: list[int] = []
    real = zxcvbn.zxcvbn

    def spy(password, *args, **kwargs):
        scored.append(len(password))
        return real(password, *args, **kwargs)

    monkeypatch.setattr(zxcvbn, "zxcvbn", spy)
    with app.app_context():
        assert password_problem("correct horse battery staple " * 35, "x@clinic.example") is None
        password_problem("P@$$w0rd!4@1" * 85, "x@clinic.example")
    assert scored and max(scored) <= 32


def test_changing_the_password_does_not_renew_the_session_limit(app, as_role, db):
    staff = as_role("clinician")
    started = utcnow() - timedelta(hours=11, minutes=59)
    db.execute(update(StaffSession).values(created_at=started))
    db.commit()
    new = "a new long passphrase"
    response = staff.post("/staff/password", {"current": PASSWORD, "new": new, "confirm": new})
    assert response.location == "/staff/"
    db.expire_all()
    row = db.scalars(select(StaffSession)).one()
    assert abs(row.created_at - started) < timedelta(seconds=1) and row.mfa_passed_at


def test_signing_in_again_ends_the_earlier_session_in_that_browser(app, users, db):
    staff = visitor(app)
    assert staff.login("clinician@clinic.example").status_code == 302
    assert staff.login("clinician@clinic.example").status_code == 302
    assert db.scalar(select(func.count()).select_from(StaffSession)) == 1
