"""Changing SECRET_KEY and MFA_ENCRYPTION_KEY while people are using the site: with the old
values named as the previous ones, nobody is signed out, no draft or open form is lost, and
every authenticator still works; `rotate-mfa-key` moves the stored secrets to the new key."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest
from sqlalchemy import select

from questionnaire import create_app
from questionnaire.core.config import ConfigError
from questionnaire.core.models import AuditEvent, Submission, User
from tests.conftest import SECRET
from tests.helpers.answer_sets import complete
from tests.helpers.live_server import ROOT
from tests.helpers.staff_client import Staff, forget_last_code, make_user

OLD_MFA = "the first key for second-factor secrets, long enough 0123"
NEW_SECRET = "a second secret key for cookies, long enough to sign 4567"
NEW_MFA = "the second key for second-factor secrets, long enough 4567"
EMAIL = "clinician@clinic.example"


def rotate(app, *, keep_previous: bool = True) -> None:
    old_secret, old_mfa = app.config["SECRET_KEY"], app.config["MFA_ENCRYPTION_KEY"]
    app.config.update(
        SECRET_KEY=NEW_SECRET,
        SECRET_KEY_FALLBACKS=[old_secret] if keep_previous else [],
        MFA_ENCRYPTION_KEY=NEW_MFA,
        MFA_ENCRYPTION_KEY_PREVIOUS=old_mfa if keep_previous else "",
    )


def stored_secret(db) -> str:
    db.expire_all()
    return db.scalar(select(User.mfa_secret).where(User.email == EMAIL))


def test_rotating_both_keys_mid_use_signs_nobody_out_and_loses_no_draft(app, db, patient, runner):
    app.config["MFA_ENCRYPTION_KEY"] = OLD_MFA
    make_user(app, EMAIL, ["clinician"])
    answers = complete()
    patient.consent()
    assert patient.step("about", answers).status_code == 302
    staff = Staff(app.test_client(), EMAIL)
    assert staff.login().location == "/staff/"
    staff_form_token = staff.csrf  # a page the clinician has open as the keys change
    sealed_before = stored_secret(db)

    rotate(app)

    # The patient carries on with the form token and cookie of before the change.
    for section in ("pain", "pattern", "safety", "health"):
        assert patient.step(section, answers).status_code == 302, section
    result = patient.get(patient.submit().location)
    assert result.status_code == 200
    assert db.scalar(select(Submission.answers)) == answers
    # The clinician is still signed in, and a new sign-in takes their app's code.
    assert staff.get("/staff/submissions/").status_code == 200
    assert staff._csrf == staff_form_token
    assert staff.post("/staff/logout").location == "/staff/login"
    forget_last_code(app, EMAIL)
    assert Staff(app.test_client(), EMAIL).login().location == "/staff/"

    moved = runner.invoke(args=["rotate-mfa-key"])
    assert moved.exit_code == 0, moved.output
    assert moved.output == "1 authenticator secret(s) encrypted again under MFA_ENCRYPTION_KEY.\n"
    assert stored_secret(db) != sealed_before
    assert runner.invoke(args=["rotate-mfa-key"]).output.startswith("0 authenticator")
    events = db.scalars(select(AuditEvent).where(AuditEvent.action == "mfa_key_rotated")).all()
    assert [(e.user_email, e.details) for e in events] == [("(command line)", {"secrets": 1})]

    # Once the old keys are gone, the authenticator still works: it is under the new one.
    app.config.update(SECRET_KEY_FALLBACKS=[], MFA_ENCRYPTION_KEY_PREVIOUS="")
    forget_last_code(app, EMAIL)
    assert Staff(app.test_client(), EMAIL).login().location == "/staff/"


def test_without_the_previous_key_an_open_form_is_refused(app, patient):
    """The control for the test above: the previous key is what lets the form through."""
    patient.consent()
    rotate(app, keep_previous=False)
    response = patient.step("about", complete())
    assert response.status_code == 400


def test_a_wrong_key_is_one_clear_line_and_changes_nothing(app, db, runner):
    app.config["MFA_ENCRYPTION_KEY"] = OLD_MFA
    make_user(app, EMAIL, ["clinician"])
    sealed = stored_secret(db)
    app.config["MFA_ENCRYPTION_KEY"] = NEW_MFA  # changed, the old one not named
    result = runner.invoke(args=["rotate-mfa-key"])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1
    assert "1 authenticator secret(s) cannot be decrypted with MFA_ENCRYPTION_KEY" in result.output
    assert stored_secret(db) == sealed


def production(monkeypatch, tmp_path, **env: str) -> None:
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", SECRET)
    for name, value in env.items():
        monkeypatch.setenv(name, value)


def test_production_needs_an_mfa_encryption_key_of_its_own(monkeypatch, tmp_path):
    production(monkeypatch, tmp_path)
    monkeypatch.delenv("MFA_ENCRYPTION_KEY", raising=False)
    with pytest.raises(ConfigError, match="MFA_ENCRYPTION_KEY must be set in production"):
        create_app()
    monkeypatch.setenv("MFA_ENCRYPTION_KEY", SECRET)
    with pytest.raises(ConfigError, match="must not be the same as SECRET_KEY"):
        create_app()


@pytest.mark.parametrize("name", ["SECRET_KEY_PREVIOUS", "MFA_ENCRYPTION_KEY_PREVIOUS"])
def test_production_refuses_a_previous_key_that_is_the_current_one_or_weak(
    monkeypatch, tmp_path, name
):
    production(monkeypatch, tmp_path, MFA_ENCRYPTION_KEY=OLD_MFA + "-Zq9")
    current = SECRET if name == "SECRET_KEY_PREVIOUS" else OLD_MFA + "-Zq9"
    monkeypatch.setenv(name, current)
    with pytest.raises(ConfigError, match=f"{name} is the same as the key it replaces"):
        create_app()
    monkeypatch.setenv(name, "k" * 64)
    with pytest.raises(ConfigError, match=name):
        create_app()


def test_production_with_previous_keys_accepts_them(monkeypatch, tmp_path):
    old_secret, old_mfa = secrets.token_urlsafe(48), secrets.token_urlsafe(48)
    production(
        monkeypatch,
        tmp_path,
        MFA_ENCRYPTION_KEY=secrets.token_urlsafe(48),
        SECRET_KEY_PREVIOUS=old_secret,
        MFA_ENCRYPTION_KEY_PREVIOUS=old_mfa,
    )
    app = create_app()
    assert app.config["SECRET_KEY_FALLBACKS"] == [old_secret]
    assert app.config["MFA_ENCRYPTION_KEY_PREVIOUS"] == old_mfa
    app.extensions["db_engine"].dispose()


def test_a_missing_key_at_start_is_one_line(tmp_path):
    """As the service's first step (`flask db upgrade`) and gunicorn load the app."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "APP_", "MFA_"))}
    env.update(APP_ENV="production", SECRET_KEY=SECRET, INSTANCE_PATH=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 4  # wsgi.BAD_SETTINGS
    assert result.stderr.startswith("Configuration error: MFA_ENCRYPTION_KEY must be set")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
