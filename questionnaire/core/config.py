"""Configuration: every setting declared once, in SETTINGS (name, type, default, meaning, the
production rule and the typed reader that checks it); `load()` reads them all.

Bad values fail at start-up with a message naming the variable, never at a patient's request.
docs/configuration.md and deploy/prolotherapy.env.example are written from SETTINGS
(`python questionnaire/core/config.py`). Only the standard library: gunicorn's configuration
runs this file by its path.
"""

from __future__ import annotations

import math
import os
import re
import secrets
import string
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


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
    must not quietly start a development server with development defaults, nor an APP_ENV
    left empty by a template (`APP_ENV=`): only an unset one means development."""
    value = os.environ.get("APP_ENV", "development").strip()
    if not value:
        raise ConfigError("APP_ENV is set but empty: set it to production, or unset it")
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


def mfa_encryption_key(production: bool, secret: str) -> str:
    """Empty (development only): the key that encrypts second-factor secrets is derived from
    SECRET_KEY. Production needs a key of its own, so that changing SECRET_KEY (which a leak
    forces) cannot make every staff authenticator unreadable."""
    key = os.environ.get("MFA_ENCRYPTION_KEY", "").strip()
    if production:
        if not key:
            raise ConfigError(
                "MFA_ENCRYPTION_KEY must be set in production, a random value of its own "
                f"({HOW_TO_MAKE_A_KEY}); see 'Changing the keys' in docs/production.md"
            )
        check_key("MFA_ENCRYPTION_KEY", key)
        if key == secret:
            raise ConfigError("MFA_ENCRYPTION_KEY must not be the same as SECRET_KEY")
    return key


def previous_key(name: str, current: str, production: bool) -> str:
    """The key `name` replaces during a rotation (docs/production.md, 'Changing the keys'):
    still accepted, never used to sign or encrypt. Empty: none."""
    key = os.environ.get(name, "").strip()
    if not key:
        return key
    if production:
        check_key(name, key)
    if key == current:
        raise ConfigError(f"{name} is the same as the key it replaces: set it to the old value")
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


def check_mail(values: dict[str, Any], production: bool) -> None:
    """The mail settings that only make sense together. No SMTP_HOST: mail is off, and
    alerts wait in the outbox."""
    if values["SMTP_STARTTLS"] and values["SMTP_SSL"]:
        raise ConfigError(
            "SMTP_STARTTLS and SMTP_SSL are both on: choose one (SMTP_SSL for port 465, "
            "SMTP_STARTTLS for port 587)"
        )
    sender, site_url = values["ALERT_FROM"], values["SITE_URL"]
    if sender:
        env_address("ALERT_FROM", sender)
    if not values["SMTP_HOST"]:
        return
    if not sender:
        raise ConfigError("ALERT_FROM must be set when SMTP_HOST is (the alerts' From)")
    if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", site_url):
        raise ConfigError(
            "SITE_URL must be the site's address, like https://selfcheck.clinic.example, "
            "when SMTP_HOST is set (alerts link to the staff pages)"
        )
    if production and not site_url.startswith("https://"):
        raise ConfigError("SITE_URL must start with https:// in production")
    if (
        production
        and values["SMTP_USERNAME"]
        and not (values["SMTP_STARTTLS"] or values["SMTP_SSL"])
    ):
        raise ConfigError(
            "SMTP_USERNAME needs SMTP_STARTTLS or SMTP_SSL in production: the password "
            "must not cross the network in the clear"
        )


LOG_FORMATS = ("text", "json")


def log_format() -> str:
    """How the app's log lines are written (questionnaire.core.request_log): `text`, or `json`
    for a log collector, one object per line."""
    value = os.environ.get("LOG_FORMAT", "").strip() or "text"
    if value not in LOG_FORMATS:
        raise ConfigError(f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, not {value!r}")
    return value


# Every language a catalog exists for under translations/, English (the source) first: its
# name in English (staff pages, the CSV codebook), in itself (the patient's language switch,
# so a reader who cannot read the page can still find theirs), and its <html lang>.
LANGUAGE_TABLE = {
    "en": ("English", "English", "en-GB"),  # British English, as the source is written
    "cy": ("Welsh", "Cymraeg", "cy"),
}
KNOWN_LANGUAGES = tuple(LANGUAGE_TABLE)


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


@dataclass(frozen=True)
class Reading:
    """What a setting's reader may look at: the environment's kind, the instance folder, and
    the settings read before it (the table's order)."""

    production: bool
    instance_path: str
    values: dict[str, Any]


Reader = Callable[["Setting", Reading], Any]


@dataclass(frozen=True)
class Setting:
    """One environment variable: what it is, its default, what it means and what production
    asks of it. `read` turns the environment into the app's value (app.config[name]), raising
    ConfigError for a bad one; None: read outside the app's config (by gunicorn, or before
    the config is loaded), and declared here so the guide and the example list it."""

    name: str
    kind: str
    default: str
    meaning: str
    production: str
    read: Reader | None
    section: str
    # How the default reads in the guide when it is not one literal value.
    default_words: str = ""
    # The example file's value, when it differs from the default, and whether its line is
    # set (an operator must decide it) or commented out (the default is right for most).
    example: str | None = None
    active: bool = False


def _text(s: Setting, _r: Reading) -> str:
    return env_str(s.name, s.default)


def _stripped(s: Setting, _r: Reading) -> str:
    return os.environ.get(s.name, "").strip()


def _flag(s: Setting, _r: Reading) -> bool:
    return env_bool(s.name, s.default == "true")


def _whole(low: int) -> Reader:
    return lambda s, _r: env_int(s.name, int(s.default), low=low)


def _between(low: int, high: int) -> Reader:
    return lambda s, _r: env_int(s.name, int(s.default), low=low, high=high)


def _clinic_zone(s: Setting, _r: Reading) -> Any:
    """The zone itself (a ZoneInfo), so that a name the server cannot read stops it here.
    Imported here, not at the top: gunicorn's master reads this file by path, without the
    app's packages."""
    from questionnaire.core import clinic_time

    try:
        return clinic_time.zone(env_str(s.name, s.default))
    except clinic_time.ClockError as exc:
        raise ConfigError(f"{s.name}: {exc}") from None


def _opening_hours(values: dict[str, Any]) -> Any:
    """CLINIC_OPEN_DAYS and CLINIC_OPEN_HOURS as one OpeningHours, checked at start."""
    from questionnaire.core import clinic_time

    try:
        return clinic_time.opening_hours(values["CLINIC_OPEN_DAYS"], values["CLINIC_OPEN_HOURS"])
    except clinic_time.ClockError as exc:
        raise ConfigError(f"CLINIC_OPEN_DAYS or CLINIC_OPEN_HOURS: {exc}") from None


def _smtp_timeout(s: Setting, _r: Reading) -> int:
    """At most a minute, so a sender's claim on its alerts (alerts.CLAIM_TIMEOUT) always
    outlasts one message."""
    seconds = env_int(s.name, int(s.default), low=1)
    if seconds > 60:
        raise ConfigError(f"{s.name} must be at most 60 seconds, not {seconds}")
    return seconds


def _smtp_port(s: Setting, r: Reading) -> int:
    default = 465 if r.values["SMTP_SSL"] else 587 if r.values["SMTP_STARTTLS"] else 25
    return env_int(s.name, default, low=1, high=65535)


def _database_url(s: Setting, r: Reading) -> str:
    return env_str(s.name, "sqlite:///" + str(Path(r.instance_path) / "questionnaire.sqlite3"))


SITE, MAIL, SERVER = "The site", "Mail and alerts", "The server"
SECTIONS = (SITE, MAIL, SERVER)
ANY = "any"

SETTINGS: tuple[Setting, ...] = (
    Setting(
        "APP_ENV",
        kind="development or production",
        default="development",
        meaning=(
            "Which kind of site this is. Anything else (a typo such as Production or prod) "
            "stops the app at start."
        ),
        production='exactly "production": a real SECRET_KEY, Secure cookies, HSTS',
        read=lambda _s, _r: app_env(),
        section=SITE,
        example="production",
        active=True,
    ),
    Setting(
        "SECRET_KEY",
        kind="secret",
        default="",
        meaning=(
            "Signs the cookies and form tokens; every worker and host must share it. To change "
            "it without signing anyone out, put the old value in SECRET_KEY_PREVIOUS for a "
            "day (docs/production.md, 'Changing the keys'). Make one with: python3 -c "
            "'import secrets; print(secrets.token_urlsafe(48))'."
        ),
        production=("required: at least 32 random characters (a short or repeated one is refused)"),
        read=lambda _s, r: secret_key(r.production)[0],
        section=SITE,
        default_words=(
            "none: in development a random key for each process (drafts end when it stops)"
        ),
        example="CHANGE-ME-run-the-command-above",
        active=True,
    ),
    Setting(
        "MFA_REQUIRED",
        kind="true/false",
        default="true",
        meaning=(
            "Staff need a second factor (an authenticator app). False only on a developer's "
            "machine; the app warns at start."
        ),
        production="must be true",
        read=lambda _s, r: mfa_required(r.production),
        section=SITE,
    ),
    Setting(
        "MFA_ENCRYPTION_KEY",
        kind="secret",
        default="",
        meaning=(
            "Encrypts staff authenticator app secrets in the database, made like SECRET_KEY "
            "and different from it. To change it, put the old value in "
            "MFA_ENCRYPTION_KEY_PREVIOUS and run rotate-mfa-key (the service does at start). "
            "Empty (development only): a key derived from SECRET_KEY."
        ),
        production="required: at least 32 random characters, not the same as SECRET_KEY",
        read=lambda _s, r: mfa_encryption_key(r.production, r.values["SECRET_KEY"]),
        section=SITE,
        example="CHANGE-ME-another-key-made-the-same-way",
        active=True,
    ),
    Setting(
        "SECRET_KEY_PREVIOUS",
        kind="secret",
        default="",
        meaning=(
            "The SECRET_KEY being replaced: cookies and form tokens it signed are still "
            "accepted (Flask's SECRET_KEY_FALLBACKS), so a change signs nobody out. Remove "
            "it a day after the change."
        ),
        production="empty, or at least 32 random characters, not SECRET_KEY itself",
        read=lambda s, r: previous_key(s.name, r.values["SECRET_KEY"], r.production),
        section=SITE,
    ),
    Setting(
        "MFA_ENCRYPTION_KEY_PREVIOUS",
        kind="secret",
        default="",
        meaning=(
            "The MFA_ENCRYPTION_KEY being replaced: secrets it encrypted are still read, "
            "and rotate-mfa-key encrypts them again under the new key. Remove it once that "
            "has run on every host."
        ),
        production="empty, or at least 32 random characters, not MFA_ENCRYPTION_KEY itself",
        read=lambda s, r: previous_key(s.name, r.values["MFA_ENCRYPTION_KEY"], r.production),
        section=SITE,
    ),
    Setting(
        "DATABASE_URL",
        kind="SQLAlchemy URL",
        default="",
        meaning=(
            "The database. Local PostgreSQL with peer login needs no password "
            "(docs/production.md); for SQLite (one machine only) remove the line."
        ),
        production="PostgreSQL, or SQLite on one machine",
        read=_database_url,
        section=SITE,
        default_words="a SQLite file, questionnaire.sqlite3, in the instance folder",
        example=("postgresql+psycopg://prolotherapy@/prolotherapy?host=/var/run/postgresql"),
        active=True,
    ),
    Setting(
        "CLINIC_NAME",
        kind="one line of text",
        default="The Prolotherapy Clinic",
        meaning="The clinic's name, on every page and result and in the alerts' From.",
        production="the clinic's real name",
        read=lambda _s, _r: clinic_name(),
        section=SITE,
        example="Example Prolotherapy Clinic",
        active=True,
    ),
    Setting(
        "CLINIC_PHONE",
        kind="text",
        default="01632 960 000",
        meaning=("The clinic's phone number, on every page and result (and nginx's error pages)."),
        production="the clinic's real number",
        read=_text,
        section=SITE,
        active=True,
    ),
    Setting(
        "BOOKING_URL",
        kind="URL",
        default="",
        meaning=(
            'The "Book online" link on a "book" result; empty: the result gives the phone number.'
        ),
        production=ANY,
        read=_stripped,
        section=SITE,
        active=True,
    ),
    Setting(
        "EMERGENCY_NUMBER",
        kind="text",
        default="999",
        meaning="The number shown with emergency advice.",
        production=ANY,
        read=_text,
        section=SITE,
        active=True,
    ),
    Setting(
        "LANGUAGES",
        kind="comma-separated codes",
        default="en",
        meaning=(
            "The languages patients may choose, English first: en,cy adds Welsh "
            "(docs/languages.md: a clinical translator reviews it first)."
        ),
        production=ANY,
        read=lambda _s, _r: languages(),
        section=SITE,
    ),
    Setting(
        "GUARDIAN_AGE",
        kind="whole number, 1 to 18",
        default="16",
        meaning=(
            "Patients younger than this are asked for a parent's or guardian's name and phone "
            "to be called back, and told the clinic will speak to them (the clinic's "
            "safeguarding policy decides it; the rules treat every under-18 as a child)."
        ),
        production=ANY,
        read=_between(1, 18),
        section=SITE,
    ),
    Setting(
        "CLINIC_TIMEZONE",
        kind="time zone (IANA name)",
        default="Europe/London",
        meaning=(
            "The clinic's clock: every time shown to staff and patients, and each day and "
            "week counted (dashboard, digest, date filters), is in it; storage stays UTC. A "
            "name the server does not know stops it at start."
        ),
        production=ANY,
        read=_clinic_zone,
        section=SITE,
    ),
    Setting(
        "CLINIC_OPEN_DAYS",
        kind="comma-separated days (mon to sun)",
        default="mon,tue,wed,thu,fri",
        meaning=(
            "The days the clinic's phones are answered: the worklist's targets in working "
            "hours count only these."
        ),
        production=ANY,
        read=_text,
        section=SITE,
    ),
    Setting(
        "CLINIC_OPEN_HOURS",
        kind="HH:MM-HH:MM",
        default="09:00-17:00",
        meaning="The clinic's opening hours on those days, in its own time zone.",
        production=ANY,
        read=_text,
        section=SITE,
    ),
    Setting(
        "WORKLIST_RED_FLAG_HOURS",
        kind="whole number, at least 1",
        default="4",
        meaning=(
            "The worklist marks an emergency or urgent red flag overdue after this many "
            "hours of the clock (4: the same morning or afternoon)."
        ),
        production=ANY,
        read=_whole(1),
        section=SITE,
    ),
    Setting(
        "WORKLIST_GP_SOON_OPEN_HOURS",
        kind="whole number, at least 1",
        default="8",
        meaning="A see-your-GP-soon red flag is overdue after this many opening hours.",
        production=ANY,
        read=_whole(1),
        section=SITE,
    ),
    Setting(
        "WORKLIST_CALLBACK_OPEN_HOURS",
        kind="whole number, at least 1",
        default="8",
        meaning="A call-back request is overdue after this many opening hours (one working day).",
        production=ANY,
        read=_whole(1),
        section=SITE,
    ),
    Setting(
        "WORKLIST_FOLLOW_UP_OPEN_HOURS",
        kind="whole number, at least 1",
        default="16",
        meaning="A submission marked for follow-up is overdue after this many opening hours.",
        production=ANY,
        read=_whole(1),
        section=SITE,
    ),
    Setting(
        "DRAFT_LIFETIME_HOURS",
        kind="whole number, at least 1",
        default="24",
        meaning="Hours that unsent answers are kept after their last change.",
        production=ANY,
        read=_whole(1),
        section=SITE,
        active=True,
    ),
    Setting(
        "STAFF_IDLE_MINUTES",
        kind="whole number, at least 1",
        default="30",
        meaning="Staff are signed out after this many minutes without a request.",
        production=ANY,
        read=_whole(1),
        section=SITE,
        active=True,
    ),
    Setting(
        "STAFF_SESSION_HOURS",
        kind="whole number, at least 1",
        default="12",
        meaning="Staff are signed out this many hours after signing in, however busy.",
        production=ANY,
        read=_whole(1),
        section=SITE,
        active=True,
    ),
    Setting(
        "RETENTION_DAYS",
        kind="whole number, at least 1",
        default="2920",
        meaning=(
            "purge-submissions (the daily timer) deletes submissions older than this (8 years)."
        ),
        production="the clinic's records policy",
        read=_whole(1),
        section=SITE,
        active=True,
    ),
    Setting(
        "FHIR_RATE_LIMIT",
        kind="whole number, at least 1",
        default="600",
        meaning=("Requests each FHIR API token may make per window, counted across every worker."),
        production=ANY,
        read=_whole(1),
        section=SITE,
    ),
    Setting(
        "FHIR_RATE_WINDOW_SECONDS",
        kind="whole number, at least 1",
        default="60",
        meaning="The FHIR API's rate window, in seconds.",
        production=ANY,
        read=_whole(1),
        section=SITE,
    ),
    Setting(
        "API_CONTACT_TOKEN_MAX_DAYS",
        kind="whole number, 1 to 732",
        default="90",
        meaning=(
            "The longest an API token that reads contact details may live, in days: a leaked "
            "one exposes patients' phone numbers, so it is renewed, and re-thought, more often "
            "than the 732 days other tokens may run."
        ),
        production=ANY,
        read=_between(1, 732),
        section=SITE,
    ),
    Setting(
        "TEMPORARY_PASSWORD_HOURS",
        kind="whole number, 1 to 336",
        default="72",
        meaning=(
            "How long an admin's temporary password (a new account's, or after a reset) works, "
            "for one sign-in only: time to hand it over, not to leave it lying."
        ),
        production="keep it at 72 or less",
        read=_between(1, 24 * 14),
        section=SITE,
    ),
    Setting(
        "SETUP_CODE_HOURS",
        kind="whole number, 1 to 336",
        default="72",
        meaning=(
            "How long the one-time set-up code an admin hands over works: setting up an "
            "authenticator app needs it, not the password alone."
        ),
        production="keep it at 72 or less",
        read=_between(1, 24 * 14),
        section=SITE,
    ),
    Setting(
        "STEP_UP_MINUTES",
        kind="whole number, 1 to 60",
        default="5",
        meaning=(
            "After this many minutes since the session's last code from the app, an action "
            "that widens access (accounts, roles, resets, API tokens) asks for a current code."
        ),
        production=ANY,
        read=_between(1, 60),
        section=SITE,
    ),
    Setting(
        "PASSWORD_CHECKS_AT_ONCE",
        kind="whole number, 1 to 64",
        default="1",
        meaning=(
            "Password checks (argon2id) that may run at once on this host, across every "
            "worker: fewer than the workers, so one is always free for patients."
        ),
        production="below GUNICORN_WORKERS",
        read=_between(1, 64),
        section=SERVER,
    ),
    Setting(
        "MAX_CONTENT_LENGTH",
        kind="whole number, at least 1024",
        default="65536",
        meaning=(
            "Largest request body in bytes (larger gets 413). Must match client_max_body_size"
            " 64k in the nginx site: change both together."
        ),
        production="as nginx's client_max_body_size",
        read=_whole(1024),
        section=SITE,
        active=True,
    ),
    Setting(
        "SESSION_COOKIE_SECURE",
        kind="true/false",
        default="",
        meaning="Send cookies over HTTPS only (and name the cookie __Host-session).",
        production="must be true",
        read=lambda s, r: env_bool(s.name, r.production),
        section=SITE,
        default_words="true in production, else false",
        example="true",
        active=True,
    ),
    Setting(
        "SMTP_HOST",
        kind="host name",
        default="",
        meaning=(
            "The clinic's mail server. Empty: mail is off, alerts wait in the outbox and the "
            "admins' Alerts page says so. The timers read this file at each run."
        ),
        production=ANY,
        read=_stripped,
        section=MAIL,
        example="mail.yourclinic.example",
    ),
    Setting(
        "SMTP_STARTTLS",
        kind="true/false",
        default="false",
        meaning=(
            "STARTTLS on port 587. The server's certificate is checked against the system's "
            "certificate authorities."
        ),
        production=ANY,
        read=_flag,
        section=MAIL,
        example="true",
    ),
    Setting(
        "SMTP_SSL",
        kind="true/false",
        default="false",
        meaning="TLS from the start, port 465; not together with SMTP_STARTTLS.",
        production=ANY,
        read=_flag,
        section=MAIL,
    ),
    Setting(
        "SMTP_PORT",
        kind="port number",
        default="25",
        meaning="The mail server's port.",
        production=ANY,
        read=_smtp_port,
        section=MAIL,
        default_words="587 with SMTP_STARTTLS, 465 with SMTP_SSL, else 25",
        example="587",
    ),
    Setting(
        "SMTP_USERNAME",
        kind="text",
        default="",
        meaning="Sign-in to the mail server, if it asks for one.",
        production="needs SMTP_STARTTLS or SMTP_SSL",
        read=_stripped,
        section=MAIL,
        example="selfcheck@yourclinic.example",
    ),
    Setting(
        "SMTP_PASSWORD",
        kind="secret",
        default="",
        meaning="The mail server's password.",
        production=ANY,
        read=lambda s, _r: os.environ.get(s.name, ""),
        section=MAIL,
        example="CHANGE-ME",
    ),
    Setting(
        "SMTP_TIMEOUT",
        kind="seconds, 1 to 60",
        default="10",
        meaning=(
            "Seconds to wait for each step of a conversation with the mail server. At most a "
            "minute, so a sender's claim on its alerts always outlasts one message."
        ),
        production=ANY,
        read=_smtp_timeout,
        section=MAIL,
    ),
    Setting(
        "ALERT_FROM",
        kind="email address",
        default="",
        meaning="The alerts' From address.",
        production="required when SMTP_HOST is set",
        read=_stripped,
        section=MAIL,
        example="selfcheck@yourclinic.example",
    ),
    Setting(
        "SITE_URL",
        kind="URL",
        default="",
        meaning=(
            "The site's public address, for the links in alerts (required when SMTP_HOST is set)."
        ),
        production="starts with https://",
        read=lambda s, _r: os.environ.get(s.name, "").strip().rstrip("/"),
        section=MAIL,
        example="https://selfcheck.yourclinic.example",
    ),
    *(
        Setting(
            variable,
            kind="comma-separated email addresses",
            default="",
            meaning=f"Who hears of {about}; empty: nobody. An address that is not one (a typo, a "
            "display name) stops the app at start, naming the variable.",
            production=ANY,
            read=lambda s, _r: env_addresses(s.name),
            section=MAIL,
            example=example,
        )
        for variable, about, example in (
            ("ALERT_RED_FLAG_TO", "each red flag", "clinical-lead@yourclinic.example"),
            ("ALERT_CALLBACK_TO", "each call-back request", "reception@yourclinic.example"),
            ("ALERT_EVERY_SUBMISSION_TO", "every submission", ""),
            (
                "ALERT_DIGEST_TO",
                "the daily summary",
                "clinical-lead@yourclinic.example, practice-manager@yourclinic.example",
            ),
        )
    ),
    Setting(
        "LOG_FORMAT",
        kind="text or json",
        default="text",
        meaning=(
            "The app writes one line per request (method, route, status, time; never a path, "
            "id or answer) to the journal: text, or json for a log collector."
        ),
        production=ANY,
        read=lambda _s, _r: log_format(),
        section=SERVER,
    ),
    Setting(
        "GUNICORN_WORKERS",
        kind="whole number, at least 1",
        default="2",
        meaning="gunicorn worker processes, about 2 per CPU core. Restart to apply.",
        production=ANY,
        read=None,
        section=SERVER,
        active=True,
    ),
    Setting(
        "GUNICORN_BIND",
        kind="host:port",
        default="127.0.0.1:8000",
        meaning=(
            "Where gunicorn listens. The nginx site's upstream expects exactly this: change "
            "both or neither."
        ),
        production=ANY,
        read=None,
        section=SERVER,
    ),
    Setting(
        "FORWARDED_ALLOW_IPS",
        kind="comma-separated addresses",
        default="127.0.0.1,::1",
        meaning=(
            "The addresses gunicorn trusts for X-Forwarded-Proto and -For: nginx's. With "
            "nginx on another machine (docs/production.md, 'More than one server'), name its "
            "address here."
        ),
        production=ANY,
        read=None,
        section=SERVER,
    ),
    Setting(
        "INSTANCE_PATH",
        kind="folder",
        default="",
        meaning=(
            "The app's instance folder (the SQLite file lives here). The units already set it."
        ),
        production=ANY,
        read=None,
        section=SERVER,
        default_words="instance/ in the app's folder",
        example="/srv/prolotherapy/instance",
    ),
)
BY_NAME = {s.name: s for s in SETTINGS}


def server_settings() -> dict[str, Any]:
    """gunicorn's two settings, for deploy/gunicorn.conf.py (which runs this file by its
    path, so the master process never loads the app)."""
    return {
        "bind": env_str("GUNICORN_BIND", BY_NAME["GUNICORN_BIND"].default),
        "workers": env_int("GUNICORN_WORKERS", int(BY_NAME["GUNICORN_WORKERS"].default), low=1),
        "forwarded_allow_ips": env_str(
            "FORWARDED_ALLOW_IPS", BY_NAME["FORWARDED_ALLOW_IPS"].default
        ),
    }


def load(instance_path: str) -> dict[str, Any]:
    """app.config from the environment: every setting in SETTINGS, in order, then what
    follows from them."""
    reading = Reading(app_env() == "production", instance_path, {})
    for setting in SETTINGS:
        if setting.read is not None:
            reading.values[setting.name] = setting.read(setting, reading)
    values = reading.values
    check_mail(values, reading.production)
    values["CLINIC_OPENING_HOURS"] = _opening_hours(values)
    secure = values["SESSION_COOKIE_SECURE"]
    return {
        **values,
        "PRODUCTION": reading.production,
        # secret_key() made one up for this process (development only).
        "SECRET_KEY_GENERATED": values["SECRET_KEY"] != os.environ.get("SECRET_KEY", ""),
        # Flask's list of keys it still accepts: the one being replaced, during a rotation.
        "SECRET_KEY_FALLBACKS": [values["SECRET_KEY_PREVIOUS"]]
        if values["SECRET_KEY_PREVIOUS"]
        else [],
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
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


# --- The guide and the example, written from SETTINGS (python questionnaire/core/config.py) ---

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "configuration.md"
ENV_EXAMPLE = REPO / "deploy" / "prolotherapy.env.example"
REGENERATE = ".venv/bin/python questionnaire/core/config.py"

ENV_HEADER = """\
# /etc/prolotherapy/env: the self-assessment's settings, read by systemd for the service and
# its timers, and by prolotherapy-flask for commands run by hand. Every setting is in
# docs/configuration.md. (Written by `python questionnaire/core/config.py`: edit the table
# there, not this file.)
#
# Install, then edit (it holds the SECRET_KEY, and a database password if DATABASE_URL has one):
#   install -m 0600 -o root -g prolotherapy deploy/prolotherapy.env.example /etc/prolotherapy/env
#
# Rules, so that systemd and the shell read every line the same way:
#   - one NAME="value" per line, the value in double quotes;
#   - no $, `, \\ or " inside a value;
#   - comments on lines of their own (a # after a value becomes part of it).
# After a change: systemctl restart prolotherapy (a reload does not read this file again).
# Lines starting #NAME= show the default (or an example); remove the # to set one.
"""


def _default_words(s: Setting) -> str:
    return s.default_words or (f"`{s.default}`" if s.default else "empty")


def render_doc() -> str:
    lines = [
        "# Configuration",
        "",
        "Every setting the app reads from the environment (in production, `/etc/prolotherapy/env`,",
        "which starts as `deploy/prolotherapy.env.example`). A bad value stops the app at start",
        "with one line naming the variable, never at a patient's request.",
        "",
        "This page and the example file are written from the table in",
        f"`questionnaire/core/config.py` by `{REGENERATE}`; a test fails when",
        "either is out of date.",
    ]
    for section in SECTIONS:
        lines += ["", f"## {section}", ""]
        lines += ["| Setting | Type | Default | Meaning | In production |", "|---|---|---|---|---|"]
        for s in SETTINGS:
            if s.section == section:
                lines.append(
                    f"| `{s.name}` | {s.kind} | {_default_words(s)} | {s.meaning} "
                    f"| {s.production} |"
                )
    return "\n".join(lines) + "\n"


def render_env() -> str:
    out = [ENV_HEADER]
    for section in SECTIONS:
        out.append(f"\n# --- {section} ---\n")
        for s in SETTINGS:
            if s.section != section:
                continue
            words = f"{s.meaning} Default: {_default_words(s).replace('`', '')}."
            if s.production != ANY:
                words += f" In production: {s.production}."
            out.append("\n" + textwrap.fill(words, 92, initial_indent="# ", subsequent_indent="# "))
            value = s.default if s.example is None else s.example
            out.append(f'\n{"" if s.active else "#"}{s.name}="{value}"\n')
    return "".join(out)


def main(argv: list[str]) -> int:
    """Write docs/configuration.md and deploy/prolotherapy.env.example; `--check`: only say
    whether they are up to date (exit status 1 if not)."""
    if argv not in ([], ["--check"]):
        print(f"usage: {REGENERATE} [--check]", file=sys.stderr)
        return 2
    stale = [
        p
        for p, text in ((DOC, render_doc()), (ENV_EXAMPLE, render_env()))
        if not p.exists() or p.read_text(encoding="utf-8") != text
    ]
    if argv:
        for path in stale:
            print(f"{path.relative_to(REPO)} is out of date: run {REGENERATE}", file=sys.stderr)
        return 1 if stale else 0
    for path, text in ((DOC, render_doc()), (ENV_EXAMPLE, render_env())):
        path.write_text(text, encoding="utf-8")
        print(f"Wrote {path.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
