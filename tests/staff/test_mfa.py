"""The second factor: setting up an authenticator app, codes at sign-in (once each, one step
either way), recovery codes, resets, secrets encrypted at rest, and the session limits."""

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import select

from questionnaire.core.models import AuditEvent, RecoveryCode, StaffSession, User
from questionnaire.staff import mfa
from questionnaire.staff.sessions import CODE_STEP_TIME, SETUP_STEP_TIME
from tests.helpers.staff_client import (
    CODE_PAGE,
    RECOVERY_CODE_RE,
    SETUP_PAGE,
    TOTP_SECRET,
    Staff,
    away_from_a_step_change,
    code_for,
    forget_last_code,
    make_user,
    secret_of,
    setup_code_for,
)

SETUP_CODE_RE = re.compile(r'id="setup-code">([0-9a-z-]+)<')
TEMPORARY_RE = re.compile(r'id="temporary-password">([^<]+)<')

NEW = "new@clinic.example"


def events(db, action):
    db.expire_all()
    return db.scalars(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    ).all()


def account(db, email="clinician@clinic.example"):
    db.expire_all()
    return db.scalars(select(User).where(User.email == email)).one()


def half_way(app, email="clinician@clinic.example"):
    """A client past the password, at the code page, with the last code forgotten."""
    staff = Staff(app.test_client(), email)
    assert staff.password_only().location.startswith(CODE_PAGE)
    forget_last_code(app, email)
    return staff


def newcomer(app):
    make_user(app, NEW, ["clinician"], authenticator=False)
    staff = Staff(app.test_client(), NEW)
    assert staff.login().location == SETUP_PAGE
    return staff


# --- setting up -------------------------------------------------------------------------


def test_first_sign_in_sets_up_an_app_from_the_key_on_the_page(app, db):
    staff = newcomer(app)
    assert staff.get("/staff/").location == SETUP_PAGE  # nothing else first
    page = staff.get(SETUP_PAGE)
    assert page.status_code == 200
    key = re.search(r'id="mfa-secret">([A-Z2-7 ]+)<', page.text).group(1)
    assert re.fullmatch(r"([A-Z2-7]{4} ){7}[A-Z2-7]{4}", key)  # 160 bits, in groups of 4
    assert f'id="mfa-account">{NEW}<' in page.text
    assert 'id="mfa-issuer">The Prolotherapy Clinic<' in page.text
    assert 'src="data:image/svg+xml' in page.text and 'alt="QR code' in page.text
    assert 'autocomplete="one-time-code"' in page.text and 'inputmode="numeric"' in page.text
    assert staff.get(SETUP_PAGE).text.count(key) == 1  # the same key on a refresh
    secret = key.replace(" ", "")

    setup_code = setup_code_for(app, NEW)
    wrong = staff.post(SETUP_PAGE, {"code": code_for(secret, 3), "setup_code": setup_code})
    assert wrong.status_code == 400 and "That code does not match" in wrong.text
    assert 'class="error-summary"' in wrong.text and account(db, NEW).mfa_enrolled_at is None

    done = staff.post(SETUP_PAGE, {"code": code_for(secret), "setup_code": setup_code})
    assert done.status_code == 200 and "Your authenticator app is set up" in done.text
    codes = RECOVERY_CODE_RE.findall(done.text)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(re.fullmatch(r"([0-9a-z]{4}-){3}[0-9a-z]{4}", c) for c in codes)
    staff._csrf = None
    assert staff.get("/staff/").status_code == 200  # signed in
    assert secret_of(app, NEW) == secret
    (login,) = events(db, "login")
    assert login.details == {"factor": "new_authenticator"}
    (enrolled,) = events(db, "mfa_enrolled")
    assert enrolled.details == {"setup_code_by": "admin@clinic.example"}
    assert account(db, NEW).setup_code_hash is None  # used up


def _set_up_with(staff, setup_code):
    page = staff.get(SETUP_PAGE)
    secret = re.search(r'id="mfa-secret">([A-Z2-7 ]+)<', page.text).group(1).replace(" ", "")
    return staff.post(SETUP_PAGE, {"code": code_for(secret), "setup_code": setup_code})


def test_a_password_alone_cannot_set_up_an_app(app, db):
    staff = newcomer(app)
    page = staff.get(SETUP_PAGE)
    assert 'for="setup_code"' in page.text
    secret = re.search(r'id="mfa-secret">([A-Z2-7 ]+)<', page.text).group(1).replace(" ", "")
    missing = staff.post(SETUP_PAGE, {"code": code_for(secret)})
    assert missing.status_code == 400
    assert "Enter the set-up code your administrator gave you" in missing.text
    typed = code_for(secret)
    guessed = staff.post(SETUP_PAGE, {"code": typed, "setup_code": "abcd-efgh-jkmn-pqrs"})
    assert guessed.status_code == 400 and "That set-up code is not right" in guessed.text
    assert 'class="error-summary"' in guessed.text
    assert 'value="abcd-efgh-jkmn-pqrs"' in guessed.text  # what was typed is kept
    assert account(db, NEW).mfa_enrolled_at is None
    (refused,) = events(db, "mfa_setup_refused")
    assert refused.details == {"reason": "bad_setup_code"}
    assert account(db, NEW).failed_logins == 1  # counted toward the lock like a code


def test_a_set_up_code_runs_out(app, db):
    staff = newcomer(app)
    code = setup_code_for(app, NEW)
    user = account(db, NEW)
    user.setup_code_until = user.setup_code_until - timedelta(hours=73)
    db.commit()
    refused = _set_up_with(staff, code)
    assert refused.status_code == 400 and "That set-up code has run out" in refused.text
    assert account(db, NEW).mfa_enrolled_at is None
    assert events(db, "mfa_setup_refused")[0].details == {"reason": "setup_code_expired"}


def test_guessing_set_up_codes_locks_the_account(app, db):
    staff = newcomer(app)
    for _ in range(4):
        assert _set_up_with(staff, "abcd-efgh-jkmn-pqrs").status_code == 400
    locked = _set_up_with(staff, "abcd-efgh-jkmn-pqrs")
    assert locked.location == "/staff/login"  # signed out
    assert account(db, NEW).locked_until is not None
    assert len(events(db, "lockout")) == 1


def test_the_otpauth_link_names_the_clinic_and_the_account():
    uri = mfa.setup_uri(TOTP_SECRET, "a.b@clinic.example", "Dr: Smith & Partners")
    assert uri.startswith("otpauth://totp/Dr%20Smith%20%26%20Partners:a.b%40clinic.example?")
    assert f"secret={TOTP_SECRET}" in uri and "issuer=Dr%20Smith%20%26%20Partners" in uri


def test_each_session_is_offered_its_own_key_and_the_first_to_finish_wins(app, db):
    first = newcomer(app)
    second = Staff(app.test_client(), NEW)
    second.login()
    key = re.compile(r'id="mfa-secret">([A-Z2-7 ]+)<')
    seen = key.search(first.get(SETUP_PAGE).text).group(1)
    assert key.search(second.get(SETUP_PAGE).text).group(1) != seen
    assert first.set_up_authenticator()[0] == seen.replace(" ", "")
    # The other session now has an account with an app: it is asked for a code.
    assert second.get("/staff/").location == CODE_PAGE
    assert secret_of(app, NEW) == seen.replace(" ", "")


def test_a_temporary_password_is_changed_before_the_app_is_set_up(app, as_role, db):
    admin = as_role("admin")
    page = admin.post("/staff/admin/users", {"email": NEW, "roles": ["staff"]})
    temp = TEMPORARY_RE.search(page.text).group(1)
    setup_code = SETUP_CODE_RE.search(page.text).group(1)
    staff = Staff(app.test_client(), NEW)
    assert staff.login(password=temp).location == "/staff/password"
    assert staff.get(SETUP_PAGE).location == "/staff/password"
    new = "tulip anchor orbit lantern"
    changed = staff.post("/staff/password", {"current": temp, "new": new, "confirm": new})
    assert changed.location == "/staff/"
    assert staff.get("/staff/").location == SETUP_PAGE
    staff.set_up_authenticator(setup_code)
    assert staff.get("/staff/export/").status_code == 200
    listed = admin.get("/staff/admin/users").text
    assert "with a set-up code from admin@clinic.example" in listed


def test_a_temporary_password_works_for_one_sign_in(app, as_role, db):
    page = as_role("admin").post("/staff/admin/users", {"email": NEW, "roles": ["staff"]})
    temp = TEMPORARY_RE.search(page.text).group(1)
    assert "It works for one sign-in, within 72 hours" in page.text
    first = Staff(app.test_client(), NEW)
    assert first.login(password=temp).location == "/staff/password"
    second = Staff(app.test_client(), NEW)
    refused = second.login(password=temp)
    assert refused.status_code == 400
    assert "That temporary password has run out or has been used already" in refused.text
    (failed,) = events(db, "login_failed")
    assert (failed.user_email, failed.details) == (NEW, {"reason": "temporary_expired"})
    assert second.get("/staff/").location.startswith("/staff/login")  # no session


def test_a_temporary_password_runs_out(app, as_role, db):
    app.config["TEMPORARY_PASSWORD_HOURS"] = 1
    page = as_role("admin").post("/staff/admin/users", {"email": NEW, "roles": ["staff"]})
    temp = TEMPORARY_RE.search(page.text).group(1)
    user = account(db, NEW)
    assert user.temporary_password_until - user.created_at < timedelta(hours=1, minutes=1)
    user.temporary_password_until -= timedelta(hours=1)
    db.commit()
    refused = Staff(app.test_client(), NEW).login(password=temp)
    assert refused.status_code == 400 and "has run out" in refused.text
    assert events(db, "login_failed")[0].details["reason"] == "temporary_expired"
    assert [e for e in events(db, "password_accepted") if e.user_email == NEW] == []


# --- codes at sign-in -------------------------------------------------------------------


def test_signing_in_takes_the_password_then_the_code(app, users, db):
    staff = Staff(app.test_client(), "clinician@clinic.example")
    first = staff.password_only()
    assert first.location == CODE_PAGE
    page = staff.get(CODE_PAGE)
    assert 'autocomplete="one-time-code"' in page.text and 'inputmode="numeric"' in page.text
    assert staff.get("/staff/submissions/").location == CODE_PAGE
    forget_last_code(app, "clinician@clinic.example")
    done = staff.enter_code(code_for(TOTP_SECRET))
    assert done.location == "/staff/"
    assert staff.get("/staff/submissions/").status_code == 200
    assert [e.action for e in events(db, "password_accepted")] == ["password_accepted"]
    (login,) = events(db, "login")
    assert login.details == {"factor": "code"}
    assert account(db).last_login_at is not None
    assert staff.get(CODE_PAGE).location == "/staff/"  # done with it


def test_a_new_session_starts_once_the_code_is_given(app, users):
    staff = half_way(app)
    copied = staff.client.get_cookie("session").value
    staff.enter_code(code_for(TOTP_SECRET))
    assert staff.client.get_cookie("session").value != copied
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/staff/").location.startswith("/staff/login")


def test_a_wrong_code_is_refused_and_audited(app, users, db):
    staff = half_way(app)
    wrong = staff.enter_code(code_for(TOTP_SECRET, 5))
    assert wrong.status_code == 400
    assert "That code is not right, or it has been used already" in wrong.text
    assert 'href="#code"' in wrong.text and wrong.text.count("<title>Error: ") == 1
    for junk in ["", "12345", "abcdef", "1234567", "１２３４５６"]:
        page = staff.enter_code(junk)
        assert page.status_code == 400 and 'id="code-error"' in page.text
    assert staff.get("/staff/").location == CODE_PAGE  # still half-way
    (failed,) = events(db, "mfa_failed")  # only a real try is counted and audited
    assert failed.details == {"factor": "code", "reason": "bad_code"}
    assert account(db).failed_logins == 1


def test_a_code_with_spaces_is_accepted(app, users):
    code = code_for(TOTP_SECRET)
    assert half_way(app).enter_code(f" {code[:3]} {code[3:]} ").location == "/staff/"


def test_a_code_is_accepted_once(app, users, db):
    away_from_a_step_change()
    code = code_for(TOTP_SECRET)
    assert half_way(app).enter_code(code).location == "/staff/"
    again = Staff(app.test_client(), "clinician@clinic.example")
    again.password_only()
    replay = again.enter_code(code)  # the same code, in another browser
    assert replay.status_code == 400
    earlier = again.enter_code(code_for(TOTP_SECRET, -1))  # and one of a step before it
    assert earlier.status_code == 400
    reasons = [e.details["reason"] for e in events(db, "mfa_failed")]
    assert reasons == ["replayed", "replayed"]
    assert again.enter_code(code_for(TOTP_SECRET, 1)).location == "/staff/"  # a later one


def test_one_code_sent_twice_at_once_signs_in_once(app, users, db):
    clients = [Staff(app.test_client(), "clinician@clinic.example") for _ in range(2)]
    for staff in clients:
        staff.password_only()
        staff.refresh_csrf()
    forget_last_code(app, "clinician@clinic.example")
    away_from_a_step_change()
    code = code_for(TOTP_SECRET)
    together = threading.Barrier(len(clients))

    def send(staff):
        together.wait()
        return staff.enter_code(code).status_code

    with ThreadPoolExecutor(len(clients)) as pool:
        assert sorted(pool.map(send, clients)) == [302, 400]
    assert [e.details["reason"] for e in events(db, "mfa_failed")] == ["replayed"]


@pytest.mark.parametrize("steps, accepted", [(-1, True), (1, True), (-2, False), (2, False)])
def test_a_code_one_step_either_side_is_accepted_and_two_steps_away_is_not(
    app, users, steps, accepted
):
    staff = half_way(app)
    away_from_a_step_change()
    response = staff.enter_code(code_for(TOTP_SECRET, steps))
    assert (response.status_code == 302) is accepted


def test_a_half_way_session_ends_after_five_minutes(app, users, db):
    staff = half_way(app)
    for row in db.scalars(select(StaffSession)):
        row.created_at -= CODE_STEP_TIME + timedelta(seconds=1)
    db.commit()
    assert staff.get(CODE_PAGE).location.startswith("/staff/login")
    assert db.scalars(select(StaffSession)).all() == []


def test_setting_up_may_take_fifteen_minutes_and_no_more(app, db):
    staff = newcomer(app)
    for row in db.scalars(select(StaffSession)):
        row.created_at -= CODE_STEP_TIME + timedelta(minutes=1)
    db.commit()
    assert staff.get(SETUP_PAGE).status_code == 200
    for row in db.scalars(select(StaffSession)):
        row.created_at -= SETUP_STEP_TIME
    db.commit()
    assert staff.get(SETUP_PAGE).location.startswith("/staff/login")


def test_signing_out_half_way_is_audited(app, users, db):
    staff = half_way(app)
    assert staff.post("/staff/logout").location == "/staff/login"
    assert staff.get(CODE_PAGE).location.startswith("/staff/login")
    assert [e.user_email for e in events(db, "logout")] == ["clinician@clinic.example"]


def test_the_page_asked_for_is_reached_through_the_code_page(app, users):
    staff = Staff(app.test_client(), "clinician@clinic.example")
    asked = staff.get("/staff/submissions/?sort=flags").location.removeprefix("/staff/login")
    assert staff.login(query=asked).location == "/staff/submissions/?sort=flags"


# --- the lock ----------------------------------------------------------------------------


def test_wrong_codes_count_toward_the_lock_however_often_the_password_is_typed(app, users, db):
    for _ in range(4):
        staff = half_way(app)
        assert staff.enter_code(code_for(TOTP_SECRET, 5)).status_code == 400
    staff = half_way(app)
    locked = staff.enter_code(code_for(TOTP_SECRET, 5))  # the fifth wrong code
    assert locked.location == "/staff/login"
    assert "paused, for 15 minutes the first time" in staff.get("/staff/login").text
    assert staff.get(CODE_PAGE).location.startswith("/staff/login")  # signed out
    assert Staff(app.test_client(), "clinician@clinic.example").login().status_code == 400
    reasons = [e.details["reason"] for e in events(db, "mfa_failed")]
    assert reasons == ["bad_code"] * 4 + ["locked_now"]
    assert len(events(db, "lockout")) == 1


def test_wrong_passwords_and_codes_share_one_count(app, users, db):
    for _ in range(2):
        Staff(app.test_client()).login("clinician@clinic.example", "wrong password!!")
    for _ in range(2):
        half_way(app).enter_code(code_for(TOTP_SECRET, 5))
    staff = half_way(app)
    assert staff.enter_code(code_for(TOTP_SECRET, 5)).location == "/staff/login"
    assert account(db).locked_until is not None


def test_a_right_code_clears_earlier_failures(app, users, db):
    for _ in range(2):
        Staff(app.test_client()).login("clinician@clinic.example", "wrong password!!")
    half_way(app).enter_code(code_for(TOTP_SECRET, 5))
    assert account(db).failed_logins == 3
    assert half_way(app).enter_code(code_for(TOTP_SECRET)).location == "/staff/"
    assert account(db).failed_logins == 0


def test_four_wrong_passwords_then_the_right_one_and_its_code_still_sign_in(app, users, db):
    for _ in range(4):
        Staff(app.test_client()).login("clinician@clinic.example", "wrong password!!")
    staff = half_way(app)  # the fifth attempt: its lock is lifted, its failures kept
    assert account(db).failed_logins == 4 and account(db).locked_until is None
    assert staff.enter_code(code_for(TOTP_SECRET)).location == "/staff/"


class CountingHasher:
    """The app's password hasher, counting argon2 verifications."""

    def __init__(self, hasher):
        self.hasher, self.verifies = hasher, 0

    def verify(self, *args):
        self.verifies += 1
        return self.hasher.verify(*args)

    def __getattr__(self, name):
        return getattr(self.hasher, name)


def test_an_unknown_email_a_wrong_password_and_a_locked_account_cost_one_hash_each(app, users):
    counting = app.extensions["password_hasher"] = CountingHasher(app.extensions["password_hasher"])
    cases = [
        ("nobody-here@clinic.example", "correct horse battery staple"),
        ("clinician@clinic.example", "wrong password!!"),
        ("staff@clinic.example", "wrong password!!"),
    ]
    for _ in range(5):  # lock staff@
        Staff(app.test_client()).login("staff@clinic.example", "wrong password!!")
    work = []
    for email, password in cases:
        before = counting.verifies
        assert Staff(app.test_client()).login(email, password).status_code == 400
        work.append(counting.verifies - before)
    assert work == [1, 1, 1]
    before = counting.verifies
    half_way(app, "admin@clinic.example")  # a right password: one check, like the rest
    assert counting.verifies - before == 1


# --- recovery codes ----------------------------------------------------------------------


def _recovery_codes(app):
    staff = newcomer(app)
    _secret, page = staff.set_up_authenticator()
    return RECOVERY_CODE_RE.findall(page.text)


def test_a_recovery_code_signs_in_once_and_says_how_many_are_left(app, db):
    codes = _recovery_codes(app)
    staff = Staff(app.test_client(), NEW)
    staff.password_only()
    used = staff.enter_code(codes[0].upper().replace("-", " "), field="recovery_code")
    assert used.location == "/staff/"
    assert "You signed in with a recovery code. You have 9 left." in staff.get("/staff/").text
    (event,) = events(db, "mfa_recovery_used")
    assert event.details == {"left": 9} and event.user_email == NEW
    assert events(db, "login")[-1].details == {"factor": "recovery_code"}

    again = Staff(app.test_client(), NEW)
    again.password_only()
    refused = again.enter_code(codes[0], field="recovery_code")
    assert refused.status_code == 400
    assert "That recovery code is not right, or it has been used already" in refused.text
    assert '<details class="details" id="recovery" open>' in refused.text
    assert events(db, "mfa_failed")[-1].details == {
        "factor": "recovery_code",
        "reason": "bad_code",
    }
    assert again.enter_code(codes[1], field="recovery_code").location == "/staff/"


def test_recovery_codes_are_stored_as_digests_only(app, db):
    codes = _recovery_codes(app)
    stored = db.scalars(select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10
    assert sorted(stored) == sorted(mfa.recovery_digest(c) for c in codes)
    assert not any(c.replace("-", "") in "".join(stored) for c in codes)


def test_new_recovery_codes_need_a_current_code_and_replace_the_old(app, db):
    old = _recovery_codes(app)
    staff = Staff(app.test_client(), NEW)
    staff.login()
    page = staff.get("/staff/authenticator/recovery-codes")
    assert 'id="recovery-codes-left">You have <strong>10</strong>' in page.text
    secret = secret_of(app, NEW)
    refused = staff.post("/staff/authenticator/recovery-codes", {"code": code_for(secret, 5)})
    assert refused.status_code == 400 and "That code is not right" in refused.text
    assert events(db, "mfa_failed")[-1].details == {"factor": "code", "reason": "bad_code"}
    forget_last_code(app, NEW)
    made = staff.post("/staff/authenticator/recovery-codes", {"code": code_for(secret)})
    assert made.status_code == 200 and "your old codes no longer work" in made.text
    new = RECOVERY_CODE_RE.findall(made.text)
    assert len(new) == 10 and not set(new) & set(old)
    assert len(events(db, "mfa_recovery_regenerated")) == 1
    other = Staff(app.test_client(), NEW)
    other.password_only()
    assert other.enter_code(old[1], field="recovery_code").status_code == 400
    assert other.enter_code(new[1], field="recovery_code").location == "/staff/"


# --- resets ------------------------------------------------------------------------------


def test_an_admin_resets_someones_app_and_they_set_it_up_again(app, as_role, users, db):
    clinician = as_role("clinician")
    admin = as_role("admin")
    url = f"/staff/admin/users/{users['clinician']}/reset-mfa"
    assert admin.client.post(url).status_code == 400  # no CSRF token
    page = admin.post(url)
    assert page.status_code == 200 and "Set-up code for their authenticator app" in page.text
    setup_code = SETUP_CODE_RE.search(page.text).group(1)
    assert setup_code not in admin.get("/staff/admin/users").text  # shown once
    assert clinician.get("/staff/").location.startswith("/staff/login")  # signed out
    user = account(db)
    assert (user.mfa_secret, user.mfa_enrolled_at, user.mfa_last_step) == (None, None, None)
    assert db.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)).all() == []
    (event,) = events(db, "mfa_reset")
    assert (event.user_email, event.target) == ("admin@clinic.example", f"user:{user.id}")
    again = Staff(app.test_client(), "clinician@clinic.example")
    assert again.login().location == SETUP_PAGE
    assert "No authenticator app yet" in admin.get("/staff/admin/users").text
    # The password alone does not enrol a new app: the code from the admin does.
    assert _set_up_with(again, "abcd-efgh-jkmn-pqrs").status_code == 400
    assert _set_up_with(again, setup_code).status_code == 200
    assert account(db).mfa_enrolled_code_by == "admin@clinic.example"


def test_nobody_resets_their_own_app_from_the_accounts_page(as_role, users, db):
    admin = as_role("admin")
    page = admin.get("/staff/admin/users")
    assert f"/staff/admin/users/{users['admin']}/reset-mfa" not in page.text
    assert f"/staff/admin/users/{users['staff']}/reset-mfa" in page.text
    response = admin.post(f"/staff/admin/users/{users['admin']}/reset-mfa")
    assert response.location == "/staff/admin/users"
    assert "You cannot reset your own authenticator app here" in admin.get(response.location).text
    assert account(db, "admin@clinic.example").mfa_enrolled_at is not None
    assert events(db, "mfa_reset") == []


def test_reset_mfa_command_for_the_last_admin(app, runner, users, db):
    result = runner.invoke(args=["reset-mfa", "Admin@Clinic.Example"])
    assert result.exit_code == 0 and "will set up an authenticator app again" in result.output
    setup_code = re.search(r"([0-9a-z]{4}-){3}[0-9a-z]{4}", result.output).group(0)
    assert account(db, "admin@clinic.example").setup_code_hash == mfa.recovery_digest(setup_code)
    assert account(db, "admin@clinic.example").setup_code_by == "(command line)"
    assert account(db, "admin@clinic.example").mfa_secret is None
    (event,) = events(db, "mfa_reset")
    assert (event.user_email, event.target) == ("(command line)", f"user:{users['admin']}")
    missing = runner.invoke(args=["reset-mfa", "nobody-here@clinic.example"])
    assert missing.exit_code != 0 and "No account" in missing.output


# --- configuration and secrets at rest ---------------------------------------------------


def test_with_mfa_not_required_a_password_alone_signs_in(app, users, db):
    app.config["MFA_REQUIRED"] = False
    make_user(app, NEW, ["clinician"], authenticator=False)
    for email in ("clinician@clinic.example", NEW):
        response = Staff(app.test_client(), email).password_only()
        assert response.location == "/staff/"
    assert [e.details for e in events(db, "login")] == [{"factor": "none"}] * 2
    assert events(db, "password_accepted") == []


def test_secrets_are_encrypted_at_rest(app, users, db):
    stored = account(db).mfa_secret
    assert TOTP_SECRET not in stored and TOTP_SECRET.lower() not in stored.lower()
    assert stored.startswith("gAAAAA")  # a Fernet token
    with app.app_context():
        assert mfa.unseal(stored) == TOTP_SECRET
        app.config["MFA_ENCRYPTION_KEY"] = "a separate key for second-factor secrets 0123"
        with pytest.raises(mfa.SecretUnreadable):
            mfa.unseal(stored)
        sealed = mfa.seal(TOTP_SECRET)
        app.config["SECRET_KEY"] = "another secret key, long enough to sign cookies 0123"
        assert mfa.unseal(sealed) == TOTP_SECRET  # the separate key is all it needs


def test_a_changed_key_refuses_codes_and_says_why_in_the_log(app, users, db, caplog):
    app.config["MFA_ENCRYPTION_KEY"] = "not the key the secrets were sealed with 0123"
    staff = half_way(app)
    assert staff.enter_code(code_for(TOTP_SECRET)).status_code == 400
    assert "cannot be decrypted" in caplog.text and "reset-mfa" in caplog.text
    assert events(db, "mfa_failed")[-1].details["reason"] == "secret_unreadable"


# --- session lifetime and passwords ------------------------------------------------------


def test_a_busy_session_still_ends_after_twelve_hours(app, as_role, db):
    staff = as_role("clinician")
    for row in db.scalars(select(StaffSession)):
        row.created_at -= timedelta(hours=12, minutes=1)
    db.commit()
    assert staff.get("/staff/submissions/").location.startswith("/staff/login")


def test_the_session_lifetime_comes_from_the_configuration(app, as_role, db):
    app.config["STAFF_SESSION_HOURS"] = 1
    staff = as_role("clinician")
    for row in db.scalars(select(StaffSession)):
        row.created_at -= timedelta(minutes=59)
    db.commit()
    assert staff.get("/staff/submissions/").status_code == 200
    for row in db.scalars(select(StaffSession)):
        row.created_at -= timedelta(minutes=2)
    db.commit()
    assert staff.get("/staff/submissions/").location.startswith("/staff/login")
