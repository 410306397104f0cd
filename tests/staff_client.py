"""Staff personas signing in through the login page, as a browser would."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from questionnaire import accounts, submissions
from questionnaire.models import Submission, utcnow
from rules import evaluate
from tests.patient_client import CSRF_RE

PASSWORD = "correct horse battery staple"
PERSONAS = {
    "clinician": ["clinician"],
    "staff": ["staff"],
    "admin": ["admin"],
    "nobody": [],
}


def make_user(app: Flask, email: str, roles: list[str], password: str = PASSWORD, **kw: Any):
    with app.app_context():
        db = app.extensions["db_sessionmaker"]()
        user = accounts.create_user(db, email, password, roles, **kw)
        db.commit()
        user_id = user.id
        db.close()
    return user_id


def add_submission(app: Flask, answers: dict[str, Any], *, days_ago: float = 0, **extra: Any):
    """Store a submission as the patient side would, for staff tests that need many."""
    db = app.extensions["db_sessionmaker"]()
    s = Submission(
        submit_token=accounts.temporary_password() + str(id(answers)),
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
        response = self.client.post(
            "/staff/login" + kw.pop("query", ""),
            data={"csrf_token": self.csrf, "email": email or self.email, "password": password},
        )
        self._csrf = None  # a new session on sign-in: a new CSRF token
        return response

    def get(self, url: str, **kw: Any) -> TestResponse:
        return self.client.get(url, **kw)

    def post(self, url: str, data: dict[str, Any] | None = None, **kw: Any) -> TestResponse:
        return self.client.post(url, data={"csrf_token": self.csrf, **(data or {})}, **kw)
