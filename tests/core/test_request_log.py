"""The logs: one line per request from the app (method, route, status, duration), as text
or as JSON, and nothing a patient or a member of staff typed, no submission id, reference,
token or cookie in any line the app, gunicorn or nginx writes."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from questionnaire import create_app
from questionnaire.core.config import ConfigError
from questionnaire.core.models import Submission
from rules import SECTIONS
from tests.conftest import make_app
from tests.helpers.answer_sets import bookable
from tests.helpers.deployed import Client, Deployment, deploy
from tests.helpers.live_server import ROOT, backends, scratch_database
from tests.helpers.patient_client import CSRF_RE, SUBMIT_RE, Patient, form_data
from tests.helpers.staff_client import SECRET_RE, Staff, code_for, make_user

# What a patient and a member of staff type, in words no log line would hold by chance.
CALLER = {
    "name": "Zebedee Quillfeather",
    "phone": "07700 900461",
    "email": "zebedee.quill@example.org",
    "best_time": "evening",
}
NOTE = "Marmaladeflag discussed with Quillfeather"
EMAIL = "lead.clinician@clinic.example"
PASSPHRASE = "a long enough passphrase"
ANSWERS = bookable(blood_thinner="other", duration="3m_12m")
REQUEST_RE = re.compile(
    r"^\S+ INFO questionnaire\.requests: (?P<method>\S+) (?P<route>\S+) (?P<status>\d{3}) "
    r"(?P<duration_ms>\d+\.\d)ms$"
)


def answer_words(answers: dict[str, Any]) -> set[str]:
    """The question ids and answer codes, less the words every page uses anyway."""
    words = set(answers) | {str(v) for v in answers.values() if isinstance(v, str)}
    # The question "duration" shares its name with the JSON field duration_ms.
    return {w for w in words if len(w) >= 5} - {"duration"}


def assert_nothing_private(lines: list[str], private: set[str]) -> None:
    assert lines, "no log lines to check"
    for line in lines:
        lowered = line.lower()
        for item in private:
            assert item.lower() not in lowered, f"{item!r} is in the log line {line!r}"


class RecordingClient(FlaskClient):
    """A test client that notes every request the app answered (redirects followed too)."""

    answered: list[tuple[str, str, int]]

    def run_wsgi_app(self, environ: dict[str, Any], buffered: bool = False) -> Any:
        app_iter, status, headers = super().run_wsgi_app(environ, buffered=buffered)
        self.answered.append(
            (environ["REQUEST_METHOD"], environ["PATH_INFO"], int(status.split()[0]))
        )
        return app_iter, status, headers


@pytest.fixture(params=["text", "json"])
def logged_app(request, app: Flask) -> Iterator[Flask]:
    """The app in one log format on the test's database (the `app` fixture empties it)."""
    logged = make_app(app.config["DATABASE_URL"], LOG_FORMAT=request.param)
    logged.test_client_class = RecordingClient
    RecordingClient.answered = []
    yield logged
    logged.extensions["db_engine"].dispose()


def _route(app: Flask, method: str, path: str) -> str:
    try:
        rule, _ = app.url_map.bind("localhost").match(path, method, return_rule=True)
    except HTTPException:
        return "-"
    return rule.rule


def _journey(app: Flask) -> set[str]:
    """A patient sends answers and asks for a call back; a clinician with the staff role
    signs in, lists, opens, reviews and exports it and reads the codebook. What must never
    be logged."""
    patient = Patient(app.test_client())
    page = patient.complete(ANSWERS)
    call_back = re.search(r'action="(/result/[0-9a-f]+/call-back)"', page.text).group(1)
    assert patient.post(call_back, CALLER).status_code == 302
    patient.get(call_back.rsplit("/", 1)[0])
    patient.post("/step/pain", {"age": "two hundred"})  # a form error: 400
    patient.get("/result/" + "f" * 32)  # someone else's result: 404
    patient.get("/no/such/page/0123456789abcdef")  # no route at all

    make_user(app, EMAIL, ["clinician", "staff"])
    staff = Staff(app.test_client(), EMAIL)
    assert staff.login().status_code == 302
    with app.extensions["db_sessionmaker"]() as db:
        submission = db.scalars(select(Submission)).one()
    detail = f"/staff/submissions/{submission.id}"
    staff.get("/staff/submissions/?tier=none&date_from=2026-01-01")
    staff.get(detail)
    staff.post(detail + "/review", {"status": "reviewed", "note": NOTE})
    exported = staff.post(
        "/staff/export/submissions.csv", {"answers_as": "labels", "contacts": "y"}
    )
    assert exported.status_code == 200 and CALLER["name"] in exported.text
    staff.get("/staff/export/codebook.csv")
    staff.post("/staff/logout")

    cookies = [client.get_cookie("session") for client in (patient.client, staff.client)]
    return {
        *CALLER.values(),
        CALLER["phone"].replace(" ", ""),
        *NOTE.split(),
        *answer_words(ANSWERS),
        submission.id,
        submission.reference,
        submission.submit_token,
        patient.csrf,
        EMAIL,
        "tier=none",
        "2026-01-01",
        *(cookie.value for cookie in cookies if cookie is not None),
    } - {"evening", "reviewed"}


def _request_lines(err: str, log_format: str) -> list[dict[str, Any]]:
    """Every line the app wrote, parsed; the request lines among them."""
    lines = [line for line in err.splitlines() if line.strip()]
    if log_format == "json":
        parsed = [json.loads(line) for line in lines]  # every line is one JSON object
        requests = [p for p in parsed if p["logger"] == "questionnaire.requests"]
        for p in requests:
            assert p["message"] == (
                f"{p['method']} {p['route']} {p['status']} {p['duration_ms']}ms"
            )
        return requests
    found = [REQUEST_RE.match(line) for line in lines if "questionnaire.requests" in line]
    assert all(found), lines
    return [{**m.groupdict(), "status": int(m["status"])} for m in found if m]


def test_every_request_has_one_line_with_its_route_and_nothing_private(logged_app, capsys):
    capsys.readouterr()
    private = _journey(logged_app)
    err = capsys.readouterr().err
    log_format = logged_app.config["LOG_FORMAT"]
    requests = _request_lines(err, log_format)
    answered = RecordingClient.answered
    assert len(requests) == len(answered) > 20
    for line, (method, path, status) in zip(requests, answered, strict=True):
        assert (line["method"], line["route"], line["status"]) == (
            method,
            _route(logged_app, method, path),
            status,
        )
        assert float(line["duration_ms"]) >= 0
    routes = {line["route"] for line in requests}
    assert {"/result/<submission_id>", "/staff/submissions/<submission_id>", "-"} <= routes
    assert_nothing_private(err.splitlines(), private)


def test_log_format_is_text_or_json_and_nothing_else(monkeypatch, tmp_path):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("LOG_FORMAT", "JSON-lines")
    with pytest.raises(ConfigError, match="LOG_FORMAT must be one of text, json, not 'JSON-lines'"):
        create_app()
    env = {"INSTANCE_PATH": str(tmp_path), "LOG_FORMAT": "yaml", "PATH": "/usr/bin:/bin"}
    run = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode != 0
    assert "LOG_FORMAT must be one of text, json, not 'yaml'" in run.stderr


# Through the shipped nginx and gunicorn in production mode, logging JSON.


@pytest.fixture(scope="module", params=backends())
def site(request, tmp_path_factory) -> Iterator[Deployment]:
    tmp: Path = tmp_path_factory.mktemp("logs")
    with (
        scratch_database(request.param, tmp, "test_request_log") as url,
        deploy(url, tmp, LOG_FORMAT="json") as d,
    ):
        roles = ["--role", "clinician", "--role", "staff"]
        d.flask("create-user", EMAIL, *roles, "--password-stdin", stdin=PASSPHRASE)
        yield d


def _https_journey(site: Deployment) -> tuple[set[str], int]:
    """The same journey over HTTPS: what must never be logged, and how many requests
    reached the app."""
    calls = 0
    patient = Client("127.0.9.1")

    def call(client: Client, path: str, data: dict[str, Any] | None = None) -> tuple[int, str]:
        nonlocal calls
        calls += 1
        status, headers, page = client.call(site.url + path, data)
        return status, headers.get("Location", page)

    _, page = call(patient, "/consent")
    csrf = CSRF_RE.search(page).group(1)
    call(patient, "/consent", {"csrf_token": csrf, "consent": "yes"})
    for section in SECTIONS:
        step = {"csrf_token": csrf, **form_data(ANSWERS, section.id)}
        assert call(patient, f"/step/{section.id}", step)[0] == 302
    _, page = call(patient, "/review")
    submit = SUBMIT_RE.search(page).group(1)
    status, result = call(patient, "/submit", {"csrf_token": csrf, "submit_token": submit})
    assert status == 302 and "/result/" in result
    result = result.replace(site.url, "")
    _, page = call(patient, result)
    reference = re.search(r'class="reference-code">([^<]+)<', page).group(1)
    assert call(patient, result + "/call-back", {"csrf_token": csrf, **CALLER})[0] == 302

    staff = Client("127.0.9.2")
    _, page = call(staff, "/staff/login")
    login = {"csrf_token": CSRF_RE.search(page).group(1), "email": EMAIL, "password": PASSPHRASE}
    status, where = call(staff, "/staff/login", login)
    assert status == 302 and where.endswith("/staff/authenticator/setup"), where
    _, page = call(staff, "/staff/authenticator/setup")
    secret = SECRET_RE.search(page).group(1).replace(" ", "")
    staff_csrf = CSRF_RE.search(page).group(1)
    status, _ = call(
        staff, "/staff/authenticator/setup", {"csrf_token": staff_csrf, "code": code_for(secret)}
    )
    assert status == 200
    submission_id = result.rsplit("/", 1)[1]
    call(staff, "/staff/submissions/?tier=none&date_from=2026-01-01")
    _, page = call(staff, f"/staff/submissions/{submission_id}")
    staff_csrf = CSRF_RE.search(page).group(1)
    review = {"csrf_token": staff_csrf, "status": "reviewed", "note": NOTE}
    assert call(staff, f"/staff/submissions/{submission_id}/review", review)[0] == 302
    export = {"csrf_token": staff_csrf, "answers_as": "codes", "contacts": "y"}
    status, csv = call(staff, "/staff/export/submissions.csv", export)
    assert status == 200 and CALLER["phone"] in csv
    call(staff, f"/staff/admin/users/{987654}/disable", {"csrf_token": staff_csrf})  # 403
    private = {
        *CALLER.values(),
        *NOTE.split(),
        *answer_words(ANSWERS),
        submission_id,
        reference,
        submit,
        csrf,
        staff_csrf,
        secret,
        EMAIL,
        "987654",
        "tier=none",
    } - {"evening", "reviewed"}
    return private, calls


@pytest.mark.deployed
def test_deployed_logs_hold_one_json_line_per_request_and_nothing_private(site):
    before = site.app.log.read_text().splitlines()
    private, calls = _https_journey(site)
    lines = site.access_log(until=lambda lines: sum("/staff/admin/users/" in x for x in lines))
    app_lines = site.app.log.read_text().splitlines()[len(before) :]
    requests = [json.loads(x) for x in app_lines if x.startswith("{")]
    assert len(requests) == calls  # one each, and no second line from gunicorn
    assert all(r["logger"] == "questionnaire.requests" for r in requests)
    assert "/result/<submission_id>/call-back" in {r["route"] for r in requests}
    assert_nothing_private(app_lines, private)
    assert_nothing_private(lines, private)
    assert '"POST /result/<submission_id>/call-back HTTP/1.1" 302' in "\n".join(lines)
    assert '"POST /staff/admin/users/<user_id>/disable HTTP/1.1" 403' in "\n".join(lines)


@pytest.mark.deployed
def test_nginx_logs_no_id_or_token_from_any_route_of_the_app(site):
    """Every route of the app with a variable part, with a distinctive value in it."""
    app = make_app("sqlite://")
    paths = []
    for n, rule in enumerate(r for r in app.url_map.iter_rules() if r.arguments):
        value = "7" * 6 + str(n) if "int:" in rule.rule else f"tok{n}" + "e" * 29
        paths.append((re.sub(r"<[^>]+>", value, rule.rule), value))
    client = Client("127.0.9.3")
    for path, _ in paths:
        client.call(site.url + path)
    lines = site.access_log(until=lambda lines: sum("127.0.9.3" in x for x in lines) >= len(paths))
    mine = [x for x in lines if "127.0.9.3" in x]
    assert len(mine) == len(paths)
    assert_nothing_private(mine, {value for _, value in paths})


def test_a_database_error_is_logged_without_the_rows_values(logged_app, capsys):
    """A unique email broken on purpose, raised where no view catches it: PostgreSQL's
    DETAIL line ("Key (email)=(...) already exists") would put the address in the log."""
    from questionnaire.core.models import User

    @logged_app.get("/break-a-constraint")
    def _break() -> str:
        from questionnaire.core.db import session

        db = session()
        for _ in range(2):
            db.add(User(email=EMAIL, password_hash="x", roles=[]))
        db.flush()  # raises: the second row's email is the first's
        return "not reached"

    capsys.readouterr()
    response = logged_app.test_client().get("/break-a-constraint")
    assert response.status_code == 500 and EMAIL not in response.text
    err = capsys.readouterr().err
    assert "IntegrityError" in err  # the error is logged, with its traceback
    assert EMAIL not in err
    if logged_app.config["DATABASE_URL"].startswith("postgresql"):
        assert "DETAIL: (not logged: it can quote values from the row)" in err


def test_a_detail_line_anywhere_in_a_logged_message_is_scrubbed(logged_app, capsys):
    capsys.readouterr()
    with logged_app.app_context():
        try:
            raise RuntimeError(f"refused\nDETAIL:  Failing row contains (1, {EMAIL}).")
        except RuntimeError:
            logged_app.logger.exception("while doing it: %s", f"x\nDETAIL: {EMAIL}")
    err = capsys.readouterr().err
    assert "RuntimeError" in err and EMAIL not in err
