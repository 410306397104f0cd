"""What production adds: HTTPS behind a proxy, forms without a Referer, the browser's own
word on where a post comes from, NUL refused at the edge, a configuration that fails closed,
and gunicorn's own answers as safe as the app's."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys

import pytest
from flask import Flask
from sqlalchemy import func, select

from questionnaire import create_app
from questionnaire.core.config import ConfigError
from questionnaire.core.models import AuditEvent, Draft, User
from tests.conftest import make_app
from tests.helpers.live_server import GUNICORN_CONFIG, ROOT, serve
from tests.helpers.patient_client import CSRF_RE
from tests.helpers.staff_client import Staff

HTTPS = {"base_url": "https://clinic.example"}


@pytest.fixture
def production_app(app: Flask) -> Flask:
    """The test app in production mode (secure cookies, HSTS), over HTTPS."""
    app.config.update(PRODUCTION=True, SESSION_COOKIE_SECURE=True)
    return app


def _consent_form(client) -> dict[str, str]:
    page = client.get("/consent", **HTTPS)
    return {"csrf_token": CSRF_RE.search(page.text).group(1), "consent": "yes"}


def test_a_form_posted_over_https_without_a_referer_is_accepted(production_app, db):
    client = production_app.test_client()
    response = client.post("/consent", data=_consent_form(client), **HTTPS)
    assert response.status_code == 302 and response.location.endswith("/step/about")
    assert "Secure" in response.headers["Set-Cookie"]
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert db.scalar(select(func.count()).select_from(Draft)) == 1


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "same-origin"},
        {"Sec-Fetch-Site": "none"},
        {"Origin": "https://clinic.example"},
        {"Origin": "https://clinic.example:443"},
    ],
)
def test_a_post_from_this_site_is_accepted(production_app, headers):
    client = production_app.test_client()
    response = client.post("/consent", data=_consent_form(client), headers=headers, **HTTPS)
    assert response.status_code == 302


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Sec-Fetch-Site": "cross-site", "Origin": "https://clinic.example"},
        {"Origin": "https://evil.example"},
        {"Origin": "http://clinic.example"},
        {"Origin": "https://clinic.example:8443"},
        {"Origin": "null"},
        {"Origin": "null", "Host": "clinic.example:bad"},  # neither parses: still refused
    ],
)
def test_a_post_from_another_site_is_refused_even_with_a_token(production_app, db, headers):
    client = production_app.test_client()
    response = client.post("/consent", data=_consent_form(client), headers=headers, **HTTPS)
    assert response.status_code == 400
    assert "Something went wrong with that form" in response.text
    assert db.scalar(select(func.count()).select_from(Draft)) == 0


@pytest.mark.parametrize(
    "url",
    [
        "/step/%00",
        "/result/%00",
        "/staff/submissions/%00",
        "/?x=%00",
        "/about?%00=1",
        "/staff/login?next=/%00",
    ],
)
def test_a_nul_anywhere_in_a_url_is_refused_at_the_edge(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "Something went wrong" in response.text


@pytest.mark.parametrize("field", ["submit_token", "consent", "x\x00"])
def test_a_nul_in_a_form_field_is_refused_at_the_edge(patient, db, field):
    response = patient.post("/consent", {field: "yes\x00"})
    assert response.status_code == 400
    assert db.scalar(select(func.count()).select_from(Draft)) == 0


def test_a_nul_submit_token_is_refused_on_every_backend(patient):
    patient.consent()
    assert patient.post("/submit", {"submit_token": "\x00"}).status_code == 400


@pytest.mark.parametrize("value", ["Production", "prod", "staging", "PRODUCTION "])
def test_an_unknown_app_env_refuses_to_start(monkeypatch, tmp_path, value):
    monkeypatch.setenv("APP_ENV", value)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", secrets.token_urlsafe(48))
    with pytest.raises(ConfigError, match="APP_ENV must be one of development, production"):
        create_app()


@pytest.mark.parametrize(
    "key",
    [
        "k" * 64,  # one character repeated
        "ab" * 32,  # a pattern
        "changeme-changeme-changeme-changeme",
        # 16 bytes of entropy, in 32 characters (a fixed id: every pytest-xdist worker must
        # collect the same test names)
        pytest.param(secrets.token_hex(16), id="hex-16-bytes"),
    ],
)
def test_production_refuses_a_weak_secret_key(monkeypatch, tmp_path, key):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("MFA_ENCRYPTION_KEY", secrets.token_urlsafe(48))
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", key)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()


@pytest.mark.parametrize(
    "key", [secrets.token_urlsafe(32), secrets.token_hex(32)], ids=["urlsafe-32", "hex-32"]
)
def test_production_accepts_a_random_32_byte_key(monkeypatch, tmp_path, key):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("MFA_ENCRYPTION_KEY", secrets.token_urlsafe(48))
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", key)
    app = create_app()
    assert app.config["PRODUCTION"] and app.config["SESSION_COOKIE_SECURE"]
    app.extensions["db_engine"].dispose()


def test_the_proxy_pages_are_written_in_the_sites_own_style(database_url, tmp_path):
    app = make_app(database_url, CLINIC_NAME="Harbour Street Clinic")
    result = app.test_cli_runner().invoke(args=["write-proxy-pages", str(tmp_path / "pages")])
    app.extensions["db_engine"].dispose()
    assert result.exit_code == 0, result.output
    files = list((tmp_path / "pages").iterdir())
    assert all(p.stat().st_mode & 0o777 == 0o644 for p in files)  # nginx's workers read them
    pages = {p.name: p.read_text() for p in files}
    assert set(pages) == {"400.html", "404.html", "413.html", "429.html", "503.html"}
    for page in pages.values():
        assert "Harbour Street Clinic" in page and "/static/site.css" in page
        assert "<style" not in page and "style=" not in page  # the CSP allows no inline style
    assert "not available just now" in pages["503.html"]


def _raw(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(request)
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (b"GET /" + b"a" * 5000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", b"414"),
        (b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 9000 + b"\r\n\r\n", b"431"),
    ],
)
def test_gunicorns_own_errors_carry_the_security_headers(tmp_path, request_bytes, status):
    """The app-only path (gunicorn with deploy/gunicorn.conf.py, no nginx): answers that
    gunicorn makes itself carry the app's headers and never name gunicorn."""
    with serve(f"sqlite:///{tmp_path / 'raw.sqlite3'}", tmp_path, workers=1) as server:
        port = int(server.url.rsplit(":", 1)[1])
        answer = _raw(port, request_bytes).decode("latin-1")
        ok = _raw(port, b"GET /about HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    head = answer.split("\r\n\r\n", 1)[0]
    assert head.split()[1] == status.decode()
    assert "Content-Security-Policy: default-src 'self'" in head
    assert "X-Content-Type-Options: nosniff" in head and "Cache-Control: no-store" in head
    assert "aaaa" not in answer  # nothing of the request echoed back
    assert b"gunicorn" not in ok.lower() and b"Server: prolotherapy" in ok


def test_a_missing_static_file_gets_the_headers_and_is_not_cached(client):
    """The app-only path (`make run`): Flask serves /static itself."""
    response = client.get("/static/no-such-file.css")
    assert response.status_code == 404 and "Page not found" in response.text
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"


def _locked_until(db, email: str):
    db.expire_all()
    return db.scalars(select(User.locked_until).where(User.email == email)).one()


def test_unlock_user_lifts_a_lock_from_the_command_line(app, runner, users, db):
    """For the last admin, locked out by a stranger's wrong passwords."""
    stranger = Staff(app.test_client(), "admin@clinic.example")
    for _ in range(5):
        stranger.login(password="not the password at all")
    assert _locked_until(db, "admin@clinic.example") is not None
    result = runner.invoke(args=["unlock-user", "Admin@clinic.example"])
    assert result.exit_code == 0 and "can sign in again" in result.output
    assert _locked_until(db, "admin@clinic.example") is None
    assert db.scalars(select(AuditEvent).where(AuditEvent.action == "user_unlocked")).one()
    assert Staff(app.test_client(), "admin@clinic.example").login().status_code == 302
    missing = runner.invoke(args=["unlock-user", "nobody-here@clinic.example"])
    assert missing.exit_code != 0 and "No account" in missing.output


def test_a_crafted_long_next_is_dropped(app, users):
    staff = Staff(app.test_client(), "clinician@clinic.example")
    response = staff.login(query="?next=/result/" + "a" * 3500)
    assert response.status_code == 302 and response.location == "/staff/"


def test_in_production_the_cookie_is_host_only_and_secure(monkeypatch, tmp_path):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("MFA_ENCRYPTION_KEY", secrets.token_urlsafe(48))
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", secrets.token_urlsafe(48))
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'c.sqlite3'}"})
    app.test_cli_runner().invoke(args=["db", "upgrade"])
    client = app.test_client()
    response = client.post("/consent", data=_consent_form(client), **HTTPS)
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=") and "Secure" in cookie and "Path=/" in cookie
    assert "Domain" not in cookie
    app.extensions["db_engine"].dispose()


def test_the_second_factor_can_be_turned_off_only_outside_production(monkeypatch, tmp_path, caplog):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", secrets.token_urlsafe(48))
    monkeypatch.setenv("MFA_REQUIRED", "false")
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("MFA_ENCRYPTION_KEY", secrets.token_urlsafe(48))
    with pytest.raises(ConfigError, match="MFA_REQUIRED"):
        create_app()
    monkeypatch.setenv("APP_ENV", "development")
    app = create_app()
    assert app.config["MFA_REQUIRED"] is False
    assert "MFA_REQUIRED is off" in caplog.text
    app.extensions["db_engine"].dispose()


@pytest.mark.parametrize("key", ["m" * 48, secrets.token_hex(16)], ids=["repeated", "hex-16"])
def test_production_refuses_a_weak_mfa_encryption_key(monkeypatch, tmp_path, key):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("MFA_ENCRYPTION_KEY", secrets.token_urlsafe(48))
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", secrets.token_urlsafe(48))
    monkeypatch.setenv("MFA_ENCRYPTION_KEY", key)
    with pytest.raises(ConfigError, match="MFA_ENCRYPTION_KEY"):
        create_app()


@pytest.mark.parametrize("workers", ["many", "0"])
def test_gunicorn_refuses_a_bad_worker_count_in_one_line(workers):
    env = {"PATH": os.environ["PATH"], "GUNICORN_WORKERS": workers}
    run = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--config", str(GUNICORN_CONFIG), "--check-config"]
        + ["wsgi:app"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 1
    assert run.stderr.startswith("Error: GUNICORN_WORKERS must be")
    assert run.stderr.count("\n") == 1
