"""A patient driving the test client through the public pages, as a browser would."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from rules import SECTIONS

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
SUBMIT_RE = re.compile(r'name="submit_token" value="([^"]+)"')


def form_data(answers: dict[str, Any], section_id: str) -> dict[str, Any]:
    """One section's answers as a browser would post them."""
    section = next(s for s in SECTIONS if s.id == section_id)
    data: dict[str, Any] = {}
    for q in section.questions:
        if q.id not in answers or answers[q.id] is None:
            continue
        value = answers[q.id]
        if q.kind == "multi":
            data[q.id] = value or ["none"]
        else:
            data[q.id] = str(value)
    return data


class Patient:
    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self._csrf: str | None = None

    @property
    def csrf(self) -> str:
        if self._csrf is None:
            page = self.client.get("/consent", follow_redirects=True)
            self._csrf = CSRF_RE.search(page.text).group(1)  # type: ignore[union-attr]
        return self._csrf

    def get(self, url: str, **kw: Any) -> TestResponse:
        return self.client.get(url, **kw)

    def post(self, url: str, data: dict[str, Any] | None = None, **kw: Any) -> TestResponse:
        return self.client.post(url, data={"csrf_token": self.csrf, **(data or {})}, **kw)

    def consent(self) -> TestResponse:
        return self.post("/consent", {"consent": "yes"})

    def step(self, section_id: str, answers: dict[str, Any], **kw: Any) -> TestResponse:
        return self.post(f"/step/{section_id}", form_data(answers, section_id), **kw)

    def answer_all(self, answers: dict[str, Any]) -> TestResponse:
        """Consent, then every step in order; returns the last step's response."""
        self.consent()
        response = None
        for section in SECTIONS:
            response = self.step(section.id, answers)
            assert response.status_code == 302, (section.id, response.text[:2000])
        assert response is not None
        return response

    def submit_token(self) -> str:
        page = self.get("/review")
        return SUBMIT_RE.search(page.text).group(1)  # type: ignore[union-attr]

    def submit(self, token: str | None = None) -> TestResponse:
        return self.post("/submit", {"submit_token": token or self.submit_token()})

    def complete(self, answers: dict[str, Any]) -> TestResponse:
        """The whole check; returns the result page."""
        self.answer_all(answers)
        sent = self.submit()
        assert sent.status_code == 302, sent.text[:2000]
        return self.get(sent.location)
