"""Alerts, composing: the subject and body of a message, from the facts its row holds.
Never answers, names, phone numbers or email addresses of patients.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app

from questionnaire.core import mail
from questionnaire.core.models import Alert
from questionnaire.core.words import BOOKING_WORDS, TIER_WORDS, wait_in_words


def _waited(minutes: int) -> str:
    return wait_in_words(timedelta(minutes=minutes), "minute")


def _link(settings: mail.MailSettings, endpoint: str, **values: Any) -> str:
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return settings.site_url + path


FOOTER = (
    "Answers and contact details stay on the staff page, behind sign-in: they are never\n"
    "sent by email. Sent automatically by the self-assessment of {clinic}."
)


def compose(alert: Alert, settings: mail.MailSettings) -> tuple[str, str]:
    """The subject and body for `alert`, from its facts alone."""
    clinic = current_app.config["CLINIC_NAME"]
    if alert.kind == "digest":
        return _compose_digest(alert.details, settings, clinic)
    if alert.kind == "unit_failed":
        return _compose_unit_failure(alert.details, clinic)
    if alert.kind == "new_device":
        return _compose_new_device(alert, settings, clinic)
    ref = alert.reference
    tier = f" ({TIER_WORDS[alert.tier]})" if alert.tier else ""
    subject, what = {
        "red_flag": (
            f"Red flag{tier}: self-assessment {ref}",
            "A self-assessment was sent with a red flag.",
        ),
        "callback": (
            f"Call-back requested: self-assessment {ref}",
            "A patient asked the clinic to phone them back.",
        ),
        "submission": (f"New self-assessment {ref}{tier}", "A self-assessment was sent."),
    }[alert.kind]
    tier_line = f"Red-flag tier: {TIER_WORDS[alert.tier]}\n" if alert.tier else ""
    link = _link(settings, "clinician.detail", submission_id=alert.submission_id)
    body = (
        f"{what}\n\nReference: {ref}\n{tier_line}"
        f"Open it (staff sign-in needed): {link}\n\n{FOOTER.format(clinic=clinic)}\n"
    )
    return subject, body


def _compose_unit_failure(details: dict[str, Any], clinic: str) -> tuple[str, str]:
    unit = details["unit"]
    body = (
        f"systemd on the self-assessment's server reports that {unit} failed at "
        f"{details['at']} UTC.\n\n"
        "On the server, as root, to see why:\n"
        f"  systemctl status {unit}\n"
        f"  journalctl -u {unit} -n 50\n"
        'What to do for each job is in docs/production.md ("When a job fails"). Until it is '
        "fixed you hear of it at most once an hour.\n\n"
        f"Sent automatically by the self-assessment of {clinic}.\n"
    )
    return f"Failed on the server: {unit}", body


def _compose_new_device(alert: Alert, settings: mail.MailSettings, clinic: str) -> tuple[str, str]:
    body = (
        f"Your staff account {alert.recipient} was signed in to at {alert.details['at']} UTC "
        "from a device or browser it has not used before. Before that, signing in to it had "
        "been paused after wrong passwords or codes.\n\n"
        "If this was you, there is nothing to do.\n\n"
        "If it was not you, tell an administrator now: they can disable the account and "
        "reset its password and authenticator app. Sign in: "
        f"{_link(settings, 'auth.login')}\n\n"
        f"Sent automatically by the self-assessment of {clinic}.\n"
    )
    return "New sign-in to your staff account", body


def _compose_digest(
    counts: dict[str, Any], settings: mail.MailSettings, clinic: str
) -> tuple[str, str]:
    total = sum(counts["by_booking"].values())
    zone = current_app.config["CLINIC_TIMEZONE"].key
    lines = [f"Self-assessments sent on {counts['day']} ({zone} time): {total}"]
    lines += [f"  {BOOKING_WORDS[b]}: {n}" for b, n in counts["by_booking"].items()]
    lines.append("")
    lines.append(f"Red flags not yet reviewed (any day): {counts['red_flags_unreviewed']}")
    waiting = counts["callbacks_waiting"]
    line = f"Call-back requests waiting for a call: {waiting}"
    if counts["oldest_callback_minutes"] is not None:
        line += f"; the oldest has waited {_waited(counts['oldest_callback_minutes'])}"
    lines.append(line)
    # The worklist: red flags, call-backs and follow-ups, the most urgent first.
    work = _link(settings, "clinician.worklist_page")
    lines += ["", f"The worklist (staff sign-in needed): {work}", ""]
    lines.append(FOOTER.format(clinic=clinic))
    return f"Daily summary for {counts['day']}", "\n".join(lines)
