"""Staff personas signing in through the login page and the code page, as a browser and a
person with an authenticator app would."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from typing import Any

import pyotp
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from questionnaire.core.models import Submission, utcnow
from questionnaire.patient import submissions
from questionnaire.staff import accounts, mfa, passwords
from rules import evaluate
from tests.helpers.patient_client import CSRF_RE

PASSWORD = "correct horse battery staple"
PERSONAS = {
    "clinician": ["clinician"],
    "staff": ["staff"],
    "admin": ["admin"],
    "nobody": [],
}


# Every account made by make_user has this authenticator secret unless told otherwise.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
CODE_PAGE = "/staff/login/code"
SETUP_PAGE = "/staff/authenticator/setup"
SECRET_RE = re.compile(r'id="mfa-secret">([A-Z2-7 ]+)<')
RECOVERY_CODE_RE = re.compile(r'<li><code class="reference-code">([0-9a-z-]+)</code></li>')


def make_user(
    app: Flask,
    email: str,
    roles: list[str],
    password: str = PASSWORD,
    *,
    authenticator: bool = True,
    **kw: Any,
):
    """An account, with an authenticator app already set up unless `authenticator` is
    False (then it is set up at the first sign-in)."""
    with app.app_context():
        db = app.extensions["db_sessionmaker"]()
        user = accounts.create_user(db, email, password, roles, **kw)
        if authenticator:
            user.mfa_secret = mfa.seal(TOTP_SECRET)
            user.mfa_enrolled_at = utcnow()
        db.commit()
        user_id = user.id
        db.close()
    return user_id


def code_for(secret: str, steps: int = 0) -> str:
    """The code an app shows now, or `steps` time steps (30 s each) from now."""
    totp = pyotp.TOTP(secret)
    return totp.at(time.time(), counter_offset=steps)


def away_from_a_step_change(margin: float = 3.0) -> None:
    """Wait, if need be, until the 30-second step is not about to change: a code made just
    before a change and checked just after would be one step off."""
    into_step = time.time() % 30
    if into_step > 30 - margin:
        time.sleep(30 - into_step + 0.1)


def forget_last_code(app: Flask, email: str) -> None:
    """The suite signs one person in many times within a 30-second step, which a person
    with one phone cannot: without this, each sign-in's code would be refused as a replay
    of the one before (the replay tests leave it alone)."""
    with app.app_context():
        db = app.extensions["db_sessionmaker"]()
        user = accounts.find_user(db, email)
        if user is not None:
            user.mfa_last_step = None
            db.commit()
        db.close()


def setup_code_for(app: Flask, email: str) -> str:
    """A set-up code for the account, as an admin's reset would hand over."""
    with app.app_context():
        db = app.extensions["db_sessionmaker"]()
        user = accounts.find_user(db, email)
        assert user is not None, email
        code = accounts.issue_setup_code(user, "admin@clinic.example")
        db.commit()
        db.close()
    return code


def secret_of(app: Flask, email: str) -> str:
    with app.app_context():
        db = app.extensions["db_sessionmaker"]()
        user = accounts.find_user(db, email)
        assert user is not None and user.mfa_secret is not None, email
        secret = mfa.unseal(user.mfa_secret)
        db.close()
    return secret


def add_submission(app: Flask, answers: dict[str, Any], *, days_ago: float = 0, **extra: Any):
    """Store a submission as the patient side would, for staff tests that need many."""
    db = app.extensions["db_sessionmaker"]()
    s = Submission(
        submit_token=passwords.temporary_password() + str(id(answers)),
        answers=answers,
        consent_version="1.0",
        consented_at=utcnow() - timedelta(days=days_ago),
        created_at=utcnow() - timedelta(days=days_ago),
        **submissions.outcome_columns(evaluate(answers)),
        **extra,
    )
    db.add(s)
    db.commit()
    sid = s.id
    db.close()
    return sid


class Staff:
    def __init__(self, client: FlaskClient, email: str | None = None) -> None:
        self.client = client
        self.email = email
        self._csrf: str | None = None

    @property
    def csrf(self) -> str:
        if self._csrf is None:
            self.refresh_csrf()
        assert self._csrf is not None
        return self._csrf

    def refresh_csrf(self) -> None:
        page = self.client.get("/staff/login")
        self._csrf = CSRF_RE.search(page.text).group(1)  # type: ignore[union-attr]

    def login(self, email: str | None = None, password: str = PASSWORD, **kw: Any) -> TestResponse:
        """The password, then, where the code page follows, the code the person's app shows:
        the answer to the last step taken."""
        email = email or self.email
        response = self.client.post(
            "/staff/login" + kw.pop("query", ""),
            data={"csrf_token": self.csrf, "email": email, "password": password},
        )
        self._csrf = None  # a new session on sign-in: a new CSRF token
        if response.status_code == 302 and response.location.startswith(CODE_PAGE):
            assert email is not None
            app = self.client.application
            forget_last_code(app, email)
            response = self.enter_code(code_for(secret_of(app, email)), response.location)
        return response

    def password_only(self, email: str | None = None, password: str = PASSWORD) -> TestResponse:
        """Half-way: the password given, the code not yet."""
        response = self.client.post(
            "/staff/login",
            data={"csrf_token": self.csrf, "email": email or self.email, "password": password},
        )
        self._csrf = None
        return response

    def set_up_authenticator(self, setup_code: str | None = None) -> tuple[str, TestResponse]:
        """Type the key the set-up page shows into an "app" and enter its code, with an
        admin's set-up code (a new one unless given): the key, and the page that shows
        the recovery codes."""
        page = self.get(SETUP_PAGE)
        secret = SECRET_RE.search(page.text).group(1).replace(" ", "")  # type: ignore[union-attr]
        if setup_code is None:
            assert self.email is not None
            setup_code = setup_code_for(self.client.application, self.email)
        response = self.post(SETUP_PAGE, {"code": code_for(secret), "setup_code": setup_code})
        self._csrf = None  # set-up completes the sign-in: another session
        return secret, response

    def enter_code(self, code: str, url: str = CODE_PAGE, field: str = "code") -> TestResponse:
        response = self.client.post(url, data={"csrf_token": self.csrf, field: code})
        self._csrf = None  # a complete sign-in starts another session
        return response

    def get(self, url: str, **kw: Any) -> TestResponse:
        return self.client.get(url, **kw)

    def post(self, url: str, data: dict[str, Any] | None = None, **kw: Any) -> TestResponse:
        return self.client.post(url, data={"csrf_token": self.csrf, **(data or {})}, **kw)
