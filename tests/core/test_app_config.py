"""Configuration from the environment, and the flask commands."""

import secrets
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from questionnaire import create_app
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


def test_db_upgrade_migrates_a_fresh_database(monkeypatch, tmp_path):
    url = "sqlite:///" + str(tmp_path / "fresh.sqlite3")
    app = create_app({"TESTING": True, "DATABASE_URL": url})
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output
    again = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert again.exit_code == 0
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
