"""Configuration: defaults in code, overrides from the environment through typed helpers.

Bad values fail at start-up with a message naming the variable, never at a patient's request.
"""

from __future__ import annotations

import math
import os
import re
import secrets
import string
from pathlib import Path
from typing import Any

from questionnaire.core import clinic_time


class ConfigError(RuntimeError):
    pass


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default).strip() or default


def env_int(name: str, default: int, *, low: int = 0, high: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None
    if value < low:
        raise ConfigError(f"{name} must be at least {low}, not {value}")
    if high is not None and value > high:
        raise ConfigError(f"{name} must be at most {high}, not {value}")
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


ENVIRONMENTS = ("development", "production")
MIN_KEY_BITS = 256
# The character classes a key draws on, for a simple upper bound on its entropy.
KEY_ALPHABETS = (string.digits, string.ascii_lowercase, string.ascii_uppercase)
OTHER_CHARACTERS = 33  # printable ASCII punctuation and space


def app_env() -> str:
    """`development` or `production`, nothing else: a typo such as `Production` or `prod`
    must not quietly start a development server with development defaults."""
    value = os.environ.get("APP_ENV", "").strip() or "development"
    if value not in ENVIRONMENTS:
        raise ConfigError(f"APP_ENV must be one of {', '.join(ENVIRONMENTS)}, not {value!r}")
    return value


def key_bits(key: str) -> float:
    """At most how many bits of entropy `key` holds: its length times the bits of the
    character classes it uses. Generous, so a refusal means a key is certainly weak."""
    pool = sum(len(a) for a in KEY_ALPHABETS if any(c in a for c in key))
    if any(not any(c in a for a in KEY_ALPHABETS) for c in key):
        pool += OTHER_CHARACTERS
    return len(key) * math.log2(pool) if pool > 1 else 0.0


HOW_TO_MAKE_A_KEY = 'python -c "import secrets; print(secrets.token_urlsafe(48))"'


def check_key(name: str, key: str) -> None:
    """A production key must be long and random: refuse one a guesser would try."""
    if len(key) < 32:
        raise ConfigError(
            f"{name} must be a random value of at least 32 characters in production "
            f"({HOW_TO_MAKE_A_KEY})"
        )
    if len(set(key)) < 8 or key_bits(key) < MIN_KEY_BITS:
        raise ConfigError(f"{name} is too easy to guess; make a random one ({HOW_TO_MAKE_A_KEY})")


def secret_key(production: bool) -> tuple[str, bool]:
    """The key, and whether it was generated for this process only."""
    key = os.environ.get("SECRET_KEY", "")
    if production:
        check_key("SECRET_KEY", key)
        return key, False
    if len(key) >= 32:
        return key, False
    return secrets.token_urlsafe(48), True


def mfa_encryption_key(production: bool) -> str:
    """Empty: the key that encrypts second-factor secrets is derived from SECRET_KEY."""
    key = os.environ.get("MFA_ENCRYPTION_KEY", "").strip()
    if key and production:
        check_key("MFA_ENCRYPTION_KEY", key)
    return key


def mfa_required(production: bool) -> bool:
    """Staff need a second factor; only a developer's machine may turn that off."""
    required = env_bool("MFA_REQUIRED", True)
    if production and not required:
        raise ConfigError("MFA_REQUIRED cannot be turned off in production")
    return required


# Mail and alerts (questionnaire.staff.alerts.outbox, questionnaire.core.mail). Each
# ALERT_*_TO variable is a comma-separated list of the addresses that hear of one kind of event.
ALERT_ROUTES = {
    "callback": "ALERT_CALLBACK_TO",
    "red_flag": "ALERT_RED_FLAG_TO",
    "submission": "ALERT_EVERY_SUBMISSION_TO",
    "digest": "ALERT_DIGEST_TO",
}
# A plain address only: no display name, and nothing (a line break, a comma, angle brackets)
# that could end up as a second recipient or a header of its own.
ADDRESS_RE = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")


# RFC 5321's limits, and the outbox's column (Alert.recipient): a longer address would make
# every patient's submit fail on PostgreSQL, so it is refused at start instead.
MAX_ADDRESS, MAX_LOCAL_PART = 254, 64


def env_address(name: str, value: str) -> str:
    if not ADDRESS_RE.fullmatch(value):
        raise ConfigError(f"{name}: {value!r} is not an email address like alerts@clinic.example")
    if len(value) > MAX_ADDRESS:
        raise ConfigError(
            f"{name}: an address may be at most {MAX_ADDRESS} characters, not {len(value)}"
        )
    if len(value.rpartition("@")[0]) > MAX_LOCAL_PART:
        raise ConfigError(
            f"{name}: the part before the @ may be at most {MAX_LOCAL_PART} characters"
        )
    return value


def env_addresses(name: str) -> tuple[str, ...]:
    parts = [p.strip() for p in os.environ.get(name, "").split(",")]
    return tuple(dict.fromkeys(env_address(name, p) for p in parts if p))  # in order, once


def smtp_timeout() -> int:
    """Seconds per step of a conversation with the mail server. At most a minute, so a
    sender's claim on its alerts (alerts.CLAIM_TIMEOUT) always outlasts one message."""
    seconds = env_int("SMTP_TIMEOUT", 10, low=1)
    if seconds > 60:
        raise ConfigError(f"SMTP_TIMEOUT must be at most 60 seconds, not {seconds}")
    return seconds


def mail_config(production: bool) -> dict[str, Any]:
    """SMTP and alert routing. No SMTP_HOST: mail is off, and alerts wait in the outbox."""
    host = os.environ.get("SMTP_HOST", "").strip()
    starttls = env_bool("SMTP_STARTTLS", False)
    ssl = env_bool("SMTP_SSL", False)
    if starttls and ssl:
        raise ConfigError(
            "SMTP_STARTTLS and SMTP_SSL are both on: choose one (SMTP_SSL for port 465, "
            "SMTP_STARTTLS for port 587)"
        )
    username = os.environ.get("SMTP_USERNAME", "").strip()
    sender = os.environ.get("ALERT_FROM", "").strip()
    site_url = os.environ.get("SITE_URL", "").strip().rstrip("/")
    if host:
        if not sender:
            raise ConfigError("ALERT_FROM must be set when SMTP_HOST is (the alerts' From)")
        env_address("ALERT_FROM", sender)
        if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", site_url):
            raise ConfigError(
                "SITE_URL must be the site's address, like https://selfcheck.clinic.example, "
                "when SMTP_HOST is set (alerts link to the staff pages)"
            )
        if production and not site_url.startswith("https://"):
            raise ConfigError("SITE_URL must start with https:// in production")
        if production and username and not (starttls or ssl):
            raise ConfigError(
                "SMTP_USERNAME needs SMTP_STARTTLS or SMTP_SSL in production: the password "
                "must not cross the network in the clear"
            )
    elif sender:
        env_address("ALERT_FROM", sender)
    return {
        "SMTP_HOST": host,
        "SMTP_PORT": env_int(
            "SMTP_PORT", 465 if ssl else 587 if starttls else 25, low=1, high=65535
        ),
        "SMTP_USERNAME": username,
        "SMTP_PASSWORD": os.environ.get("SMTP_PASSWORD", ""),
        "SMTP_STARTTLS": starttls,
        "SMTP_SSL": ssl,
        "SMTP_TIMEOUT": smtp_timeout(),
        "ALERT_FROM": sender,
        "SITE_URL": site_url,
        **{var: env_addresses(var) for var in ALERT_ROUTES.values()},
    }


LOG_FORMATS = ("text", "json")


def log_format() -> str:
    """How the app's log lines are written (questionnaire.core.request_log): `text`, or `json`
    for a log collector, one object per line."""
    value = os.environ.get("LOG_FORMAT", "").strip() or "text"
    if value not in LOG_FORMATS:
        raise ConfigError(f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, not {value!r}")
    return value


# The languages a catalog exists for under translations/, English (the source) first.
KNOWN_LANGUAGES = ("en", "cy")


def languages() -> tuple[str, ...]:
    """The languages patients may choose, from LANGUAGES (comma-separated codes). English
    always comes first: it is the source every translation is made from, and the fallback."""
    codes = tuple(c.strip() for c in os.environ.get("LANGUAGES", "").split(",") if c.strip())
    codes = codes or ("en",)
    unknown = [c for c in codes if c not in KNOWN_LANGUAGES]
    if unknown:
        raise ConfigError(
            f"LANGUAGES: {', '.join(unknown)} not known; choose from {', '.join(KNOWN_LANGUAGES)}"
        )
    if codes[0] != "en" or len(set(codes)) != len(codes):
        raise ConfigError(f"LANGUAGES must start with en and name each language once, not {codes}")
    return codes


def clinic_name() -> str:
    """The clinic's name goes into email headers (an alert's From): a line break or other
    control character there would break every message, or add a header of its own."""
    name = env_str("CLINIC_NAME", "The Prolotherapy Clinic")
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise ConfigError("CLINIC_NAME must be one line of text, without control characters")
    return name


def clinic_clock() -> dict[str, Any]:
    """The clinic's time zone and opening hours (questionnaire.core.clinic_time), checked
    here so a zone or hours the server cannot read stop it at start-up."""
    name = env_str("CLINIC_TIMEZONE", clinic_time.DEFAULT_ZONE)
    days = env_str("CLINIC_OPEN_DAYS", "mon,tue,wed,thu,fri")
    hours = env_str("CLINIC_OPEN_HOURS", "09:00-17:00")
    try:
        return {
            # IANA name; every time shown to staff, and each day and week counted, is in it.
            "CLINIC_TIMEZONE": clinic_time.zone(name),
            # When the phones are answered: targets "in working hours" count only these.
            "CLINIC_OPENING_HOURS": clinic_time.opening_hours(days, hours),
        }
    except clinic_time.ClockError as exc:
        var = "CLINIC_TIMEZONE" if "zone" in str(exc) else "CLINIC_OPEN_DAYS or CLINIC_OPEN_HOURS"
        raise ConfigError(f"{var}: {exc}") from None


def load(instance_path: str) -> dict[str, Any]:
    production = app_env() == "production"
    key, generated = secret_key(production)
    secure = env_bool("SESSION_COOKIE_SECURE", production)
    default_db = "sqlite:///" + str(Path(instance_path) / "questionnaire.sqlite3")
    return {
        "PRODUCTION": production,
        "SECRET_KEY": key,
        "SECRET_KEY_GENERATED": generated,
        "DATABASE_URL": env_str("DATABASE_URL", default_db),
        "CLINIC_NAME": clinic_name(),
        "CLINIC_PHONE": env_str("CLINIC_PHONE", "01632 960 000"),
        "BOOKING_URL": os.environ.get("BOOKING_URL", "").strip(),
        "EMERGENCY_NUMBER": env_str("EMERGENCY_NUMBER", "999"),
        "DRAFT_LIFETIME_HOURS": env_int("DRAFT_LIFETIME_HOURS", 24, low=1),
        "STAFF_IDLE_MINUTES": env_int("STAFF_IDLE_MINUTES", 30, low=1),
        "RETENTION_DAYS": env_int("RETENTION_DAYS", 365 * 8, low=1),
        # Requests each FHIR API token may make per window, counted across every worker.
        "FHIR_RATE_LIMIT": env_int("FHIR_RATE_LIMIT", 600, low=1),
        "FHIR_RATE_WINDOW_SECONDS": env_int("FHIR_RATE_WINDOW_SECONDS", 60, low=1),
        "MAX_CONTENT_LENGTH": env_int("MAX_CONTENT_LENGTH", 64 * 1024, low=1024),
        "LOG_FORMAT": log_format(),
        "LANGUAGES": languages(),
        "STAFF_SESSION_HOURS": env_int("STAFF_SESSION_HOURS", 12, low=1),
        "MFA_REQUIRED": mfa_required(production),
        "MFA_ENCRYPTION_KEY": mfa_encryption_key(production),
        **mail_config(production),
        **clinic_clock(),
        # The worklist's targets (questionnaire.staff.submissions.worklist): past them an
        # item is marked overdue. Emergency and urgent red flags in clock hours (4: the
        # same morning or afternoon); GP-soon red flags, call-backs and follow-ups in the
        # clinic's opening hours (8: one working day).
        "WORKLIST_RED_FLAG_HOURS": env_int("WORKLIST_RED_FLAG_HOURS", 4, low=1),
        "WORKLIST_GP_SOON_OPEN_HOURS": env_int("WORKLIST_GP_SOON_OPEN_HOURS", 8, low=1),
        "WORKLIST_CALLBACK_OPEN_HOURS": env_int("WORKLIST_CALLBACK_OPEN_HOURS", 8, low=1),
        "WORKLIST_FOLLOW_UP_OPEN_HOURS": env_int("WORKLIST_FOLLOW_UP_OPEN_HOURS", 16, low=1),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure,
        # `__Host-`: the browser keeps the cookie only if it is Secure, for Path=/ and for
        # this exact host (no Domain), so no sibling subdomain can set or overwrite it.
        "SESSION_COOKIE_NAME": "__Host-session" if secure else "session",
        # The cookie ends with the browser and has no expiry to refresh; the lifetimes live
        # on the server (the draft's, the staff session's). Re-signing it on every page view
        # cost a step page about a tenth of its time.
        "SESSION_REFRESH_EACH_REQUEST": False,
        # The CSRF token lives as long as the session: a patient who pauses on a page for an
        # hour must not lose the page to an expired token.
        "WTF_CSRF_TIME_LIMIT": None,
    }
