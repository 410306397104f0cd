"""Configuration from the environment, and the flask commands."""

import difflib
import re
import secrets
import subprocess
import sys
from datetime import timedelta
from itertools import islice

import pytest
from sqlalchemy import func, select

from questionnaire import create_app
from questionnaire.core import config
from questionnaire.core.config import ConfigError
from questionnaire.core.models import Draft


def test_production_refuses_to_start_without_a_real_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("MFA_ENCRYPTION_KEY", secrets.token_urlsafe(48))
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()
    monkeypatch.setenv("SECRET_KEY", "short")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()


def test_production_with_a_key_starts_with_secure_cookies(monkeypatch, tmp_path):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("MFA_ENCRYPTION_KEY", secrets.token_urlsafe(48))
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", secrets.token_urlsafe(48))
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SECRET_KEY_GENERATED"] is False
    app.extensions["db_engine"].dispose()


def test_development_generates_a_key_and_says_so(monkeypatch, tmp_path, caplog):
    monkeypatch.delenv("APP_ENV", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    app = create_app()
    assert len(app.config["SECRET_KEY"]) >= 32
    assert "SECRET_KEY is not set" in caplog.text
    assert app.config["DATABASE_URL"].startswith("sqlite:///" + str(tmp_path))
    app.extensions["db_engine"].dispose()


@pytest.mark.parametrize("value", ["", "  "])
def test_an_empty_app_env_refuses_to_start_rather_than_meaning_development(
    monkeypatch, tmp_path, value
):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("APP_ENV", value)
    with pytest.raises(ConfigError, match="APP_ENV is set but empty"):
        create_app()


@pytest.mark.parametrize(
    ("name", "value"), [("DRAFT_LIFETIME_HOURS", "soon"), ("DRAFT_LIFETIME_HOURS", "0")]
)
def test_bad_settings_fail_at_start_naming_the_variable(monkeypatch, tmp_path, name, value):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=name):
        create_app()


def test_clinic_details_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("CLINIC_NAME", "Harbour Street Clinic")
    monkeypatch.setenv("CLINIC_PHONE", "01632 960 123")
    app = create_app({"TESTING": True})
    page = app.test_client().get("/")
    assert "Harbour Street Clinic" in page.text and "01632 960 123" in page.text
    app.extensions["db_engine"].dispose()


def test_purge_drafts_deletes_only_expired_ones(patient, app, db, runner):
    patient.consent()
    from tests.helpers.patient_client import Patient

    other = Patient(app.test_client())
    other.consent()
    first = db.scalars(select(Draft)).first()
    first.expires_at -= timedelta(days=3)
    db.commit()
    result = runner.invoke(args=["purge-drafts"])
    assert "Deleted 1 expired draft(s)." in result.output
    assert db.scalar(select(func.count()).select_from(Draft)) == 1
    assert "Deleted 0" in runner.invoke(args=["purge-drafts"]).output


# --- Settings declared once: docs/configuration.md and the example env file come from SETTINGS


@pytest.mark.parametrize(
    ("path", "render"), [(config.DOC, config.render_doc), (config.ENV_EXAMPLE, config.render_env)]
)
def test_the_checked_in_settings_files_are_what_the_table_writes(path, render):
    checked_in = path.read_text(encoding="utf-8") if path.exists() else ""
    written = render()
    if checked_in != written:
        diff = difflib.unified_diff(
            checked_in.splitlines(keepends=True), written.splitlines(keepends=True)
        )
        pytest.fail(
            f"{path.relative_to(config.REPO)} differs from the settings table in "
            f"questionnaire/core/config.py: run `{config.REGENERATE}` and commit the result.\n"
            + "".join(islice(diff, 60)),
            pytrace=False,
        )


def test_the_command_checks_the_files_and_refuses_a_bad_argument():
    script = str(config.REPO / "questionnaire" / "core" / "config.py")
    check = subprocess.run([sys.executable, script, "--check"], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    bad = subprocess.run([sys.executable, script, "--frobnicate"], capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "usage" in bad.stderr


# Every way the code reads a variable: os.environ.get("X"), os.environ["X"], env_int("X", ...).
READS = re.compile(r"""(?:environ(?:\.get)?\(|environ\[|env_\w+\()\s*["']([A-Z][A-Z0-9_]+)["']""")
NOT_SETTINGS = {"PATH", "CI", "TEST_DATABASE_URL"}  # the test harness's, not the app's


def test_every_variable_the_code_reads_is_declared_in_the_table():
    sources = [*(config.REPO / "questionnaire").rglob("*.py"), config.REPO / "wsgi.py"]
    sources += [*(config.REPO / "deploy").rglob("*.py")]
    read = {m for p in sources for m in READS.findall(p.read_text(encoding="utf-8"))}
    assert read - NOT_SETTINGS - set(config.BY_NAME) == set()
    # ...and every declared setting is read somewhere (by the table's reader or by name).
    unread = {s.name for s in config.SETTINGS if s.read is None} - read
    assert unread == set()


def _env_file(text: str) -> dict[str, str]:
    """The example read as systemd's EnvironmentFile= reads it: NAME="value" lines."""
    pairs = re.findall(r'^([A-Z][A-Z0-9_]*)="([^"$`\\]*)"$', text, re.MULTILINE)
    setting_lines = [ln for ln in text.splitlines() if ln and not ln.startswith("#")]
    assert len(pairs) == len(setting_lines), "a line systemd and the shell may read apart"
    return dict(pairs)


def test_the_example_env_file_starts_a_production_app_once_its_keys_are_set(monkeypatch, tmp_path):
    values = _env_file(config.ENV_EXAMPLE.read_text(encoding="utf-8"))
    assert values["APP_ENV"] == "production"
    for name in config.BY_NAME:
        monkeypatch.delenv(name, raising=False)
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("DATABASE_URL", "sqlite:///" + str(tmp_path / "db.sqlite3"))
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    with pytest.raises(ConfigError, match="SECRET_KEY"):  # the placeholder is refused
        create_app()
    monkeypatch.setenv("SECRET_KEY", secrets.token_urlsafe(48))
    with pytest.raises(ConfigError, match="MFA_ENCRYPTION_KEY"):  # its placeholder too
        create_app()
    monkeypatch.setenv("MFA_ENCRYPTION_KEY", secrets.token_urlsafe(48))
    app = create_app()
    assert app.config["PRODUCTION"] and app.config["SESSION_COOKIE_SECURE"]
    assert app.config["CLINIC_NAME"] == values["CLINIC_NAME"]
    app.extensions["db_engine"].dispose()


def test_every_commented_out_example_line_is_a_value_the_app_accepts(monkeypatch, tmp_path):
    text = config.ENV_EXAMPLE.read_text(encoding="utf-8")
    commented = dict(re.findall(r'^#([A-Z][A-Z0-9_]*)="([^"]*)"$', text, re.MULTILINE))
    assert set(commented) | set(_env_file(text)) == set(config.BY_NAME)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    for name, value in commented.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("SMTP_HOST", "")  # the mail lines are examples of one setup
    app = create_app({"TESTING": True})
    assert app.config["LANGUAGES"] == ("en",)
    app.extensions["db_engine"].dispose()


def test_gunicorn_reads_its_settings_from_the_same_table(monkeypatch):
    monkeypatch.setenv("GUNICORN_WORKERS", "3")
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "10.0.0.5")
    assert config.server_settings() == {
        "bind": "127.0.0.1:8000",
        "workers": 3,
        "forwarded_allow_ips": "10.0.0.5",
    }
    monkeypatch.setenv("GUNICORN_WORKERS", "many")
    with pytest.raises(ConfigError, match="GUNICORN_WORKERS"):
        config.server_settings()
