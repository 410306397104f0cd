"""Configuration: defaults in code, overrides from the environment through typed helpers.

Bad values fail at start-up with a message naming the variable, never at a patient's request.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any


class ConfigError(RuntimeError):
    pass


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default).strip() or default


def env_int(name: str, default: int, *, low: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None
    if value < low:
        raise ConfigError(f"{name} must be at least {low}, not {value}")
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be true or false, not {raw!r}")


def secret_key(production: bool) -> tuple[str, bool]:
    """The key, and whether it was generated for this process only."""
    key = os.environ.get("SECRET_KEY", "")
    if len(key) >= 32:
        return key, False
    if production:
        raise ConfigError(
            "SECRET_KEY must be set to a random value of at least 32 characters in production "
            '(python -c "import secrets; print(secrets.token_urlsafe(48))")'
        )
    return secrets.token_urlsafe(48), True


def load(instance_path: str) -> dict[str, Any]:
    production = env_str("APP_ENV", "development") == "production"
    key, generated = secret_key(production)
    default_db = "sqlite:///" + str(Path(instance_path) / "questionnaire.sqlite3")
    return {
        "PRODUCTION": production,
        "SECRET_KEY": key,
        "SECRET_KEY_GENERATED": generated,
        "DATABASE_URL": env_str("DATABASE_URL", default_db),
        "CLINIC_NAME": env_str("CLINIC_NAME", "The Prolotherapy Clinic"),
        "CLINIC_PHONE": env_str("CLINIC_PHONE", "01632 960 000"),
        "BOOKING_URL": os.environ.get("BOOKING_URL", "").strip(),
        "EMERGENCY_NUMBER": env_str("EMERGENCY_NUMBER", "999"),
        "DRAFT_LIFETIME_HOURS": env_int("DRAFT_LIFETIME_HOURS", 24, low=1),
        "STAFF_IDLE_MINUTES": env_int("STAFF_IDLE_MINUTES", 30, low=1),
        "RETENTION_DAYS": env_int("RETENTION_DAYS", 365 * 8, low=1),
        "MAX_CONTENT_LENGTH": env_int("MAX_CONTENT_LENGTH", 64 * 1024, low=1024),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env_bool("SESSION_COOKIE_SECURE", production),
        # Re-signing the cookie on every page view cost a step page about a tenth of its
        # time; the patient side refreshes it when a step is saved instead.
        "SESSION_REFRESH_EACH_REQUEST": False,
        # The CSRF token lives as long as the session: a patient who pauses on a page for an
        # hour must not lose the page to an expired token.
        "WTF_CSRF_TIME_LIMIT": None,
    }
