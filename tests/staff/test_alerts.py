"""Email alerts: written with the event, sent after it through a real SMTP server (aiosmtpd
on a loopback port), retried when the server is down, each at most once with several
senders, a refused address failing alone, the daily digest, the settings, the admin page."""

from __future__ import annotations

import re
import secrets
import ssl
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
from sqlalchemy import func, inspect, select, text, update

from questionnaire import create_app
from questionnaire.core.config import ConfigError
from questionnaire.core.migrate import downgrade, upgrade
from questionnaire.core.models import Alert, AuditEvent, CallbackRequest, Submission, utcnow
from questionnaire.core.words import answer_words
from questionnaire.staff.admin.alerts_views import ALERT_PAGE
from questionnaire.staff.alerts import outbox, sending
from rules import SECTIONS
from tests.conftest import SECRET
from tests.helpers.answer_sets import bookable
from tests.helpers.deployed import Client, deploy, make_certificate
from tests.helpers.live_server import ROOT, app_env, backends, free_port, scratch_database
from tests.helpers.patient_client import CSRF_RE, SUBMIT_RE, form_data
from tests.helpers.smtp_server import Inbox, Passwords, smtp_server
from tests.helpers.staff_client import Staff, add_submission, make_user

SITE = "https://selfcheck.clinic.example"
FROM = "alerts@clinic.example"
# An urgent DVT flag. Ages of 60 and over: no clock time in a Date header can look like one.
RED_FLAG = bookable(rf_calf="yes", age=67)
NAME, PHONE, EMAIL = "Zebedee Quartermaine", "07700 900456", "zebedee.q@example.net"


def mail_on(app, port: int, **extra) -> None:
    app.config.update(
        {
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": port,
            "SMTP_TIMEOUT": 5,
            "ALERT_FROM": FROM,
            "SITE_URL": SITE,
            "ALERT_RED_FLAG_TO": ("lead@clinic.example",),
            "ALERT_CALLBACK_TO": ("desk@clinic.example",),
            **extra,
        }
    )


def body_of(received) -> str:
    return received.message.get_content().replace("\r\n", "\n")


def outbox_rows(db) -> list[Alert]:
    db.expire_all()
    return list(db.scalars(select(Alert).order_by(Alert.id)))


def call_back(patient, page):
    url = re.search(r'action="(/result/[0-9a-f]+/call-back)"', page.text).group(1)
    return patient.post(url, {"name": NAME, "phone": PHONE, "email": EMAIL, "best_time": "morning"})


def a_minute_passes(db) -> None:
    """The time a retry waits for (a minute at first) has passed."""
    db.execute(update(Alert).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    db.commit()


def answered_words(answers: dict) -> set[str]:
    """Every answer as the patient saw it (option labels) and as stored (codes)."""
    words = set()
    for section in SECTIONS:
        for q in section.questions:
            if q.id in answers:
                value = answers[q.id]
                words.add(answer_words(q, value))
                words.update(value if isinstance(value, list) else [str(value)])
    return words


# Written with the event ---------------------------------------------------------------------


def test_a_red_flag_and_a_call_back_are_emailed_with_no_health_data(app, patient, db, runner):
    with smtp_server() as server:
        mail_on(app, server.port, ALERT_EVERY_SUBMISSION_TO=("lead@clinic.example", "gp@x.org"))
        flagged = patient.complete(RED_FLAG)
        assert flagged.status_code == 200
        other = type(patient)(app.test_client())
        page = other.complete(bookable(blood_thinner="other", age=71))
        assert call_back(other, page).status_code == 302
        result = runner.invoke(args=["send-alerts"])
        assert result.exit_code == 0, result.output
        assert "Sent 5 alert(s); 0 failed for good; 0 will be tried again." in result.output
        received = server.inbox.received

    red, book = db.scalars(select(Submission).order_by(Submission.booking.desc())).all()
    assert (red.booking, red.tier, book.booking) == ("seek_care", "urgent", "call_back")
    # The red flag to its list; "every submission" to the others (the lead hears once).
    by_subject = sorted((r.rcpt_tos[0], r.message["Subject"]) for r in received)
    clinic = app.config["CLINIC_NAME"]
    assert by_subject == sorted(
        [
            (
                "lead@clinic.example",
                f"Red flag (Urgent): self-assessment {red.reference}",
            ),
            ("gp@x.org", f"New self-assessment {red.reference} (Urgent)"),
            ("lead@clinic.example", f"New self-assessment {book.reference}"),
            ("gp@x.org", f"New self-assessment {book.reference}"),
            (
                "desk@clinic.example",
                f"Call-back requested: self-assessment {book.reference}",
            ),
        ]
    )
    for r in received:
        msg = r.message
        assert r.mail_from == FROM and msg["To"] == r.rcpt_tos[0]
        assert msg["From"] == f"{clinic} self-assessment <{FROM}>"
        assert len(r.rcpt_tos) == 1
        assert abs(parsedate_to_datetime(msg["Date"]) - datetime.now(UTC)) < timedelta(minutes=1)
        assert re.fullmatch(r"<[^@<>\s]+@clinic\.example>", msg["Message-ID"])
        assert msg["Auto-Submitted"] == "auto-generated"
        body = body_of(r)
        sid = red.id if red.reference in msg["Subject"] else book.id
        assert f"Open it (staff sign-in needed): {SITE}/staff/submissions/{sid}\n" in body
    lead = body_of(next(r for r in received if "Red flag" in r.message["Subject"]))
    assert f"Reference: {red.reference}\nRed-flag tier: Urgent\n" in lead
    desk = body_of(next(r for r in received if "Call-back" in r.message["Subject"]))
    assert "A patient asked the clinic to phone them back." in desk

    # No health data: nothing the patients answered or typed, in any part of any message.
    forbidden = answered_words(RED_FLAG) | answered_words(book.answers) | {NAME, PHONE, EMAIL}
    forbidden |= {"Zebedee", "Quartermaine", "900456", "zebedee", "morning", "calf", "DVT"}
    for r in received:
        text = r.raw.decode("utf-8", "replace") + body_of(r)
        for word in forbidden:
            assert not re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text), (word, text)


def test_an_alert_is_stored_in_the_same_transaction_as_its_submission(
    app, patient, db, monkeypatch
):
    app.config.update(ALERT_RED_FLAG_TO=("lead@clinic.example", "deputy@clinic.example"))
    patient.answer_all(RED_FLAG)
    token = patient.submit_token()

    def broken(*_args):
        raise RuntimeError("disk fell off")

    monkeypatch.setattr("questionnaire.patient.submissions.consume_draft", broken)
    assert patient.submit(token).status_code == 500
    assert outbox_rows(db) == [] and db.scalar(select(func.count()).select_from(Submission)) == 0
    monkeypatch.undo()
    assert patient.submit(token).status_code == 302
    rows = outbox_rows(db)
    (submission,) = db.scalars(select(Submission))
    assert [(a.kind, a.recipient, a.status) for a in rows] == [
        ("red_flag", "lead@clinic.example", "pending"),
        ("red_flag", "deputy@clinic.example", "pending"),
    ]
    assert {(a.submission_id, a.reference, a.tier) for a in rows} == {
        (submission.id, submission.reference, "urgent")
    }


def test_a_call_back_alert_goes_with_its_request_or_not_at_all(app, patient, db, monkeypatch):
    app.config.update(ALERT_CALLBACK_TO=("desk@clinic.example",))
    page = patient.complete(bookable())
    queue = outbox.on_callback

    def queued_then_broken(*args):
        queue(*args)
        raise RuntimeError("disk fell off")

    monkeypatch.setattr(outbox, "on_callback", queued_then_broken)
    assert call_back(patient, page).status_code == 500
    assert outbox_rows(db) == [] and db.scalars(select(CallbackRequest)).all() == []
    monkeypatch.undo()
    assert call_back(patient, page).status_code == 302
    assert [(a.kind, a.recipient) for a in outbox_rows(db)] == [("callback", "desk@clinic.example")]
    assert len(db.scalars(select(CallbackRequest)).all()) == 1


def test_with_no_addresses_set_nothing_is_queued(app, patient, db):
    page = patient.complete(bookable())
    call_back(patient, page)
    assert outbox_rows(db) == []


# A mail server that is down, slow, or says no ----------------------------------------------


def test_a_server_that_is_down_delays_the_alert_and_loses_nothing(app, patient, db, runner):
    port = free_port()  # nothing listens here yet
    mail_on(app, port)
    started = time.monotonic()
    page = patient.complete(RED_FLAG)
    assert page.status_code == 200 and "get medical help today" in page.text
    assert time.monotonic() - started < 5  # the patient never waits for the mail server

    result = runner.invoke(args=["send-alerts"])
    assert result.exit_code == 1
    assert f"Could not use the mail server 127.0.0.1:{port}" in result.output
    assert "the alerts are kept and tried again" in result.output
    (alert,) = outbox_rows(db)
    # An unreachable server spends none of the alert's tries: it is not the message's fault.
    assert (alert.status, alert.attempts, alert.claimed_by) == ("pending", 0, None)
    assert "ConnectionRefusedError" in alert.last_error
    assert alert.next_attempt_at > utcnow() + timedelta(seconds=50)  # a minute's backoff

    assert "Sent 0 alert(s)" in runner.invoke(args=["send-alerts"]).output  # not due yet
    with smtp_server(port=port) as server:
        a_minute_passes(db)
        result = runner.invoke(args=["send-alerts"])
        assert result.exit_code == 0 and "Sent 1 alert(s)" in result.output
        assert "Sent 0 alert(s)" in runner.invoke(args=["send-alerts"]).output
        assert len(server.inbox.received) == 1
    (alert,) = outbox_rows(db)
    assert (alert.status, alert.attempts, alert.last_error) == ("sent", 1, None)
    assert alert.message_id == server.inbox.received[0].message["Message-ID"]


def test_a_slow_server_holds_the_sender_only_for_its_timeout(app, patient, db, runner):
    with smtp_server(Inbox(delay=4)) as server:
        mail_on(app, server.port, SMTP_TIMEOUT=1)
        patient.complete(RED_FLAG)
        started = time.monotonic()
        result = runner.invoke(args=["send-alerts"])
        assert time.monotonic() - started < 3.5
    assert result.exit_code == 1
    assert f"The conversation with the mail server 127.0.0.1:{server.port} ended" in result.output
    (alert,) = outbox_rows(db)
    assert (alert.status, alert.attempts) == ("pending", 0) and "timed out" in alert.last_error


def wait_out(db, wait: timedelta) -> None:
    """`wait` has passed since the last try: the alert was queued that much earlier."""
    for alert in outbox_rows(db):
        alert.created_at -= wait
    db.commit()


@dataclass
class Busy(Inbox):
    """A server that answers each recipient "try again later" (4xx) while `busy`."""

    busy: bool = True

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        if self.busy:
            return "451 4.3.0 Mailbox busy, try again later"
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)


def test_a_long_outage_delays_alerts_hourly_and_never_fails_them(app, patient, db, runner):
    mail_on(app, free_port())  # nothing listens: a day of outage
    patient.complete(RED_FLAG)
    waits = []
    for _ in range(30):  # 30 tries: past the 12 a message may use, about a day of waiting
        a_minute_passes(db)
        wait_out(db, timedelta(minutes=waits[-1] if waits else 0))
        before = utcnow()
        assert runner.invoke(args=["send-alerts"]).exit_code == 1
        (alert,) = outbox_rows(db)
        waits.append(round((alert.next_attempt_at - before).total_seconds() / 60))
    assert (alert.status, alert.attempts, alert.claimed_by) == ("pending", 0, None)
    assert waits[-1] == 60 and max(waits) == 60  # at most an hour between tries
    with smtp_server(port=app.config["SMTP_PORT"]) as server:
        a_minute_passes(db)
        assert "Sent 1 alert(s)" in runner.invoke(args=["send-alerts"]).output
        assert len(server.inbox.received) == 1


def test_outage_retries_back_off_from_a_minute_to_an_hour(app, patient, db, runner):
    mail_on(app, free_port())
    patient.complete(RED_FLAG)
    waits = []
    for _ in range(8):
        a_minute_passes(db)
        wait_out(db, timedelta(minutes=waits[-1] if waits else 0))
        before = utcnow()
        runner.invoke(args=["send-alerts"])
        (alert,) = outbox_rows(db)
        waits.append(round((alert.next_attempt_at - before).total_seconds() / 60))
    assert waits == [1, 1, 2, 4, 8, 16, 32, 60]  # each wait as long as the time waited so far


def test_a_message_put_off_too_often_fails_and_an_admin_can_send_again(
    app, patient, db, runner, as_role
):
    with smtp_server(Busy()) as server:
        mail_on(app, server.port)
        patient.complete(RED_FLAG)
        waits = []
        for _ in range(12):
            a_minute_passes(db)
            before = utcnow()
            assert runner.invoke(args=["send-alerts"]).exit_code == 0
            (alert,) = outbox_rows(db)
            waits.append(round((alert.next_attempt_at - before).total_seconds() / 60))
        assert waits[:7] == [1, 2, 4, 8, 16, 32, 60]
        assert (alert.status, alert.attempts) == ("failed", 12)
        assert (
            alert.last_error == "Gave up after 12 attempts. 451 4.3.0 Mailbox busy, try again later"
        )

        admin = as_role("admin")
        page = admin.get("/staff/admin/alerts?status=failed")
        assert "Gave up after 12 attempts" in page.text and "Send again" in page.text
        response = admin.post("/staff/admin/alerts/retry", {"alert_id": alert.id})
        assert response.status_code == 302
        page = admin.get(response.location)
        assert "The alert to lead@clinic.example will be sent again within a minute." in page.text
        assert "No alerts failed." in admin.get("/staff/admin/alerts?status=failed").text
        (alert,) = outbox_rows(db)
        assert (alert.status, alert.attempts) == ("pending", 0)
        (event,) = db.scalars(select(AuditEvent).where(AuditEvent.action == "alert_retried"))
        assert event.target == f"alert:{alert.id}" and event.details["attempts"] == 12
        server.inbox.busy = False
        assert "Sent 1 alert(s)" in runner.invoke(args=["send-alerts"]).output
        assert len(server.inbox.received) == 1


def test_an_admin_can_send_every_failed_alert_again_at_once(app, db, runner, as_role):
    queue_many(app, db, 3)  # 6 alerts
    rows = outbox_rows(db)
    for a in rows[:4]:
        a.status, a.attempts, a.last_error = "failed", 12, "Gave up after 12 attempts."
    db.commit()
    admin = as_role("admin")
    page = admin.get("/staff/admin/alerts")
    assert "Send all 4 failed alerts again" in page.text
    no_token = admin.client.post("/staff/admin/alerts/retry-all")
    assert no_token.status_code == 400
    assert as_role("clinician").post("/staff/admin/alerts/retry-all", {}).status_code == 403
    assert [a.status for a in outbox_rows(db)].count("failed") == 4
    response = admin.post("/staff/admin/alerts/retry-all", {})
    assert response.status_code == 302
    assert (
        "4 failed alerts will be sent again within a minute." in admin.get(response.location).text
    )
    assert {(a.status, a.attempts) for a in outbox_rows(db)} == {("pending", 0)}
    (event,) = db.scalars(select(AuditEvent).where(AuditEvent.action == "alerts_all_retried"))
    assert event.details["count"] == 4
    assert "Send all" not in admin.get("/staff/admin/alerts").text  # none failed now
    response = admin.post("/staff/admin/alerts/retry-all", {})
    assert "No alert has failed" in admin.get(response.location).text


def test_a_refused_recipient_fails_with_the_reason_and_the_others_are_sent(
    app, patient, db, runner, as_role
):
    with smtp_server(Inbox(refuse={"gone@clinic.example"})) as server:
        mail_on(
            app,
            server.port,
            ALERT_RED_FLAG_TO=("lead@clinic.example", "gone@clinic.example", "gp@clinic.example"),
        )
        patient.complete(RED_FLAG)
        result = runner.invoke(args=["send-alerts"])
        assert result.exit_code == 0, result.output
        assert "Sent 2 alert(s); 1 failed for good" in result.output
        assert sorted(r.rcpt_tos[0] for r in server.inbox.received) == [
            "gp@clinic.example",
            "lead@clinic.example",
        ]
    states = {a.recipient: (a.status, a.attempts, a.last_error) for a in outbox_rows(db)}
    assert states == {
        "lead@clinic.example": ("sent", 1, None),
        "gp@clinic.example": ("sent", 1, None),
        "gone@clinic.example": (
            "failed",
            1,
            "550 5.1.1 <gone@clinic.example>: no such mailbox here",
        ),
    }
    page = as_role("admin").get("/staff/admin/alerts")
    assert "550 5.1.1 &lt;gone@clinic.example&gt;: no such mailbox here" in page.text


def test_a_refused_sender_address_is_a_setting_to_fix_not_an_alert_to_drop(
    app, patient, db, runner
):
    with smtp_server(Inbox(refuse={FROM})) as server:
        mail_on(app, server.port, ALERT_RED_FLAG_TO=("lead@clinic.example", "gp@clinic.example"))
        patient.complete(RED_FLAG)
        result = runner.invoke(args=["send-alerts"])
        assert result.exit_code == 1 and f"553 5.7.1 <{FROM}>: not allowed" in result.output
        assert server.inbox.received == []
        states = [(a.status, a.attempts, bool(a.last_error)) for a in outbox_rows(db)]
        assert states == [("pending", 0, True), ("pending", 0, False)]  # the second untried
        server.inbox.refuse.clear()  # the admin fixes ALERT_FROM, or the server's rules
        a_minute_passes(db)
        assert "Sent 2 alert(s)" in runner.invoke(args=["send-alerts"]).output


def test_mail_that_is_off_keeps_the_alerts_and_says_so(app, patient, db, runner, as_role):
    app.config.update(ALERT_RED_FLAG_TO=("lead@clinic.example",))
    patient.complete(RED_FLAG)
    result = runner.invoke(args=["send-alerts"])
    assert result.exit_code == 0
    assert "Mail is off (no SMTP_HOST): 1 alert(s) wait in the outbox." in result.output
    page = as_role("admin").get("/staff/admin/alerts")
    assert "Mail is off" in page.text and "No mail server is set" in page.text
    assert "Waiting to be sent: <strong>1</strong>" in page.text
    assert [a.status for a in outbox_rows(db)] == ["pending"]


def test_the_sender_signs_in_to_the_server(app, patient, db, runner):
    options = {"authenticator": Passwords("prolo", "s3cret pass"), "auth_require_tls": False}
    with smtp_server(**options) as server:
        mail_on(app, server.port, SMTP_USERNAME="prolo", SMTP_PASSWORD="wrong")
        patient.complete(RED_FLAG)
        result = runner.invoke(args=["send-alerts"])
        assert result.exit_code == 1 and "535" in result.output
        app.config["SMTP_PASSWORD"] = "s3cret pass"
        a_minute_passes(db)
        assert "Sent 1 alert(s)" in runner.invoke(args=["send-alerts"]).output
        assert len(server.inbox.received) == 1


def test_starttls_checks_the_certificate_before_the_password_is_sent(
    app, patient, db, runner, tmp_path, monkeypatch
):
    cert, key = make_certificate(tmp_path)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    options = {
        "tls_context": server_tls,
        "require_starttls": True,
        "authenticator": Passwords("prolo", "s3cret pass"),
    }
    with smtp_server(**options) as server:
        mail_on(
            app, server.port, SMTP_STARTTLS=True, SMTP_USERNAME="prolo", SMTP_PASSWORD="s3cret pass"
        )
        patient.complete(RED_FLAG)
        untrusted = runner.invoke(args=["send-alerts"])
        assert untrusted.exit_code == 1 and "CERTIFICATE_VERIFY_FAILED" in untrusted.output
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # as a clinic's own authority would be
        a_minute_passes(db)
        assert "Sent 1 alert(s)" in runner.invoke(args=["send-alerts"]).output
        assert len(server.inbox.received) == 1


def test_the_timers_run_commands_that_exist(app):
    for unit in ("prolotherapy-alerts.service", "prolotherapy-digest.service"):
        text = (ROOT / "deploy" / "systemd" / unit).read_text()
        (command,) = re.findall(r"^ExecStart=\S+/flask --app wsgi (\S+)$", text, re.M)
        assert command in app.cli.commands, unit
    timer = (ROOT / "deploy" / "systemd" / "prolotherapy-alerts.timer").read_text()
    assert "OnCalendar=*-*-* *:*:00" in timer  # every minute


def test_a_test_email_checks_the_settings_end_to_end(app, runner, db):
    assert "Mail is off" in runner.invoke(args=["send-test-email", "it@clinic.example"]).output
    port = free_port()
    mail_on(app, port)
    down = runner.invoke(args=["send-test-email", "it@clinic.example"])
    assert down.exit_code == 1 and f"Could not use the mail server 127.0.0.1:{port}" in down.output
    bad = runner.invoke(args=["send-test-email", "it at clinic"])
    assert bad.exit_code == 2 and "'it at clinic' is not an email address" in bad.output
    with smtp_server(port=port) as server:
        result = runner.invoke(args=["send-test-email", "it@clinic.example"])
        assert result.exit_code == 0, result.output
        assert f"Sent a test email to it@clinic.example through 127.0.0.1:{port}." in result.output
        (received,) = server.inbox.received
    assert (
        received.rcpt_tos == ["it@clinic.example"] and received.message["Subject"] == "Test email"
    )
    assert f"Their links start with {SITE}" in body_of(received)
    assert outbox_rows(db) == []  # straight to the server, not through the outbox
    (event,) = db.scalars(select(AuditEvent).where(AuditEvent.action == "test_email_sent"))
    assert event.details == {"to": "it@clinic.example"}


# At most once with several senders -----------------------------------------------------------


def queue_many(app, db, count: int) -> None:
    """`count` red-flag submissions, each alerting two addresses, as create() would."""
    app.config.update(ALERT_RED_FLAG_TO=("lead@clinic.example", "deputy@clinic.example"))
    ids = [add_submission(app, RED_FLAG) for _ in range(count)]
    with app.app_context():
        for sid in ids:
            outbox.on_submission(db, db.get(Submission, sid))
        db.commit()


def test_two_sender_processes_at_once_send_each_alert_exactly_once(app, db, database_url, tmp_path):
    queue_many(app, db, 60)  # 120 alerts: several seconds of sending, longer than a start-up
    with smtp_server(Inbox(delay=0.05)) as server:
        env = app_env(  # as the systemd unit runs it: production settings from the environment
            database_url,
            tmp_path,
            APP_ENV="production",
            SECRET_KEY=secrets.token_urlsafe(48),
            MFA_ENCRYPTION_KEY=secrets.token_urlsafe(48),
            SMTP_HOST="127.0.0.1",
            SMTP_PORT=str(server.port),
            ALERT_FROM=FROM,
            SITE_URL=SITE,
        )
        command = [sys.executable, "-m", "flask", "--app", "wsgi", "send-alerts"]
        senders = [
            subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
            for _ in range(3)
        ]
        outputs = [p.communicate(timeout=120)[0] for p in senders]
        assert all(p.returncode == 0 for p in senders), outputs
        received = [(r.rcpt_tos[0], r.message["Subject"]) for r in server.inbox.received]
    sent = [int(re.search(r"Sent (\d+) alert", out).group(1)) for out in outputs]
    assert sum(sent) == 120 and len(received) == 120 and len(set(received)) == 120
    assert len([n for n in sent if n]) >= 2, sent  # the senders did overlap
    assert {a.status for a in outbox_rows(db)} == {"sent"}


def test_a_claim_takes_a_batch_and_the_next_claim_the_rest(app, db):
    queue_many(app, db, 6)  # 12 alerts
    with app.app_context(), app.extensions["db_sessionmaker"]() as other:
        first = outbox.claim(db, "sender-a", utcnow(), limit=10)
        second = outbox.claim(other, "sender-b", utcnow())
    assert len(first) == 10 and len(second) == 2 and not set(first) & set(second)
    assert {a.claimed_by for a in outbox_rows(db)} == {"sender-a", "sender-b"}


def test_a_claim_left_by_a_sender_that_died_is_taken_over_later(app, db, runner):
    queue_many(app, db, 1)
    lost, fresh = outbox_rows(db)
    lost.claimed_by, lost.claimed_at = "dead-host:1:aa", utcnow() - timedelta(minutes=20)
    fresh.claimed_by, fresh.claimed_at = "busy-host:2:bb", utcnow() - timedelta(minutes=1)
    db.commit()
    with smtp_server() as server:
        mail_on(app, server.port)
        assert "Sent 1 alert(s)" in runner.invoke(args=["send-alerts"]).output
        assert server.inbox.received[0].rcpt_tos == [lost.recipient]
    states = {a.id: (a.status, a.claimed_by) for a in outbox_rows(db)}
    assert states == {lost.id: ("sent", None), fresh.id: ("pending", "busy-host:2:bb")}


@pytest.mark.deployed
@pytest.mark.parametrize("backend", backends())
def test_as_deployed_a_red_flag_sent_through_nginx_reaches_the_clinic(backend, tmp_path):
    """The shipped nginx site and gunicorn in production mode, and the command the timer
    runs: the patient's submit never waits for the mail server, which is down until after."""
    port = free_port()
    settings = {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(port),
        "ALERT_FROM": FROM,
        "SITE_URL": SITE,
        "ALERT_RED_FLAG_TO": "lead@clinic.example",
    }
    with (
        scratch_database(backend, tmp_path, "test_alerts_site") as url,
        deploy(url, tmp_path, **settings) as site,
    ):
        patient = Client()
        csrf = CSRF_RE.search(patient.call(site.url + "/consent")[2]).group(1)
        patient.call(site.url + "/consent", {"csrf_token": csrf, "consent": "yes"})
        for section in SECTIONS:
            step = {"csrf_token": csrf, **form_data(RED_FLAG, section.id)}
            assert patient.call(f"{site.url}/step/{section.id}", step)[0] == 302, section.id
        token = SUBMIT_RE.search(patient.call(site.url + "/review")[2]).group(1)
        started = time.monotonic()
        status, headers, _ = patient.call(
            site.url + "/submit", {"csrf_token": csrf, "submit_token": token}
        )
        assert status == 302 and "/result/" in headers["Location"]
        assert time.monotonic() - started < 2
        sid = headers["Location"].rsplit("/", 1)[1]
        with smtp_server(port=port) as server:
            result = site.flask("send-alerts")
            assert "Sent 1 alert(s)" in result.stdout
            (received,) = server.inbox.received
    assert received.rcpt_tos == ["lead@clinic.example"]
    assert received.message["Subject"].startswith("Red flag (Urgent): self-assessment ")
    assert f"{SITE}/staff/submissions/{sid}\n" in body_of(received)


# The daily digest ---------------------------------------------------------------------------


def test_the_daily_digest_counts_yesterday_and_what_waits_and_is_sent_once(app, db, runner):
    yesterday = dict(days_ago=1)
    for answers in (RED_FLAG, RED_FLAG, bookable(), bookable(blood_thinner="other")):
        add_submission(app, answers, **yesterday)
    add_submission(app, bookable(), days_ago=3)  # not yesterday's
    old_flag = add_submission(app, bookable(rf_weakness="yes"), days_ago=5)
    # Reviewed and its call made: neither a red flag nor a call-back is waiting on it.
    reviewed = add_submission(
        app, RED_FLAG, days_ago=4, review_status="reviewed", contact_outcome="booked"
    )
    waiting = add_submission(app, bookable(), days_ago=2)
    db.add(
        CallbackRequest(
            submission_id=waiting,
            name=NAME,
            phone=PHONE,
            best_time="any",
            created_at=utcnow() - timedelta(days=2, hours=3, minutes=5),
        )
    )
    db.add(CallbackRequest(submission_id=reviewed, name=NAME, phone=PHONE, best_time="any"))
    db.commit()
    assert old_flag
    with smtp_server() as server:
        mail_on(app, server.port, ALERT_DIGEST_TO=("lead@clinic.example", "owner@clinic.example"))
        first = runner.invoke(args=["send-digest"])
        assert first.exit_code == 0, first.output
        today = utcnow().date()
        assert f"Queued the digest for {today} to 2 address(es)." in first.output
        again = runner.invoke(args=["send-digest"])
        assert f"The digest for {today} was already queued" in again.output
        assert len(server.inbox.received) == 2
        (owner,) = server.inbox.to("owner@clinic.example")
    day = (today - timedelta(days=1)).isoformat()
    assert owner.message["Subject"] == f"Daily summary for {day}"
    body = body_of(owner)
    assert f"Self-assessments sent on {day} (Europe/London time): 4\n" in body
    assert f"The worklist (staff sign-in needed): {SITE}/staff/submissions/worklist\n" in body
    assert "  Seek care (red flag): 2\n" in body and "  Book: 1\n" in body
    assert "  Call back first: 1\n" in body and "  Not suitable: 0\n" in body
    assert "Red flags not yet reviewed (any day): 3\n" in body  # two yesterday, one older
    assert "Call-back requests waiting for a call: 1; the oldest has waited 2 days 3 hours" in body
    assert NAME not in body and PHONE not in body
    assert len([a for a in outbox_rows(db) if a.kind == "digest"]) == 2


def test_with_no_digest_addresses_no_digest_is_queued(app, db, runner):
    result = runner.invoke(args=["send-digest"])
    assert result.exit_code == 0 and "ALERT_DIGEST_TO is empty" in result.output
    assert outbox_rows(db) == []


# Settings ----------------------------------------------------------------------------------


MAIL_ENV = {"SMTP_HOST": "mail.clinic.example", "ALERT_FROM": FROM, "SITE_URL": SITE}


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"ALERT_RED_FLAG_TO": "lead@clinic.example, lead at clinic"},
            "ALERT_RED_FLAG_TO: 'lead at clinic'",
        ),
        ({"ALERT_CALLBACK_TO": "desk@clinic.example\nBcc: x@evil.example"}, "ALERT_CALLBACK_TO"),
        ({"ALERT_DIGEST_TO": "Lead <lead@clinic.example>"}, "ALERT_DIGEST_TO"),
        ({"ALERT_FROM": "alerts"}, "ALERT_FROM: 'alerts' is not an email address"),
        ({"SMTP_STARTTLS": "true", "SMTP_SSL": "true"}, "SMTP_STARTTLS and SMTP_SSL are both on"),
        ({"SMTP_SSL": "maybe"}, "SMTP_SSL must be true or false"),
        ({"SMTP_PORT": "smtp"}, "SMTP_PORT must be a whole number"),
        ({"SMTP_PORT": "70000"}, "SMTP_PORT must be at most 65535, not 70000"),
        ({"SMTP_PORT": "0"}, "SMTP_PORT must be at least 1, not 0"),
        (
            {"ALERT_RED_FLAG_TO": "lead@" + "a" * 250 + ".example"},
            "ALERT_RED_FLAG_TO: an address may be at most 254 characters",
        ),
        (
            {"ALERT_DIGEST_TO": "l" * 65 + "@clinic.example"},
            "ALERT_DIGEST_TO: the part before the @ may be at most 64 characters",
        ),
        ({"CLINIC_NAME": "Clinic\nBcc: x@evil.example"}, "CLINIC_NAME must be one line"),
        ({"SMTP_TIMEOUT": "600"}, "SMTP_TIMEOUT must be at most 60 seconds, not 600"),
        ({"SITE_URL": ""}, "SITE_URL must be the site's address"),
        ({"ALERT_FROM": ""}, "ALERT_FROM must be set when SMTP_HOST is"),
    ],
)
def test_bad_mail_settings_refuse_to_start_naming_the_variable(monkeypatch, tmp_path, env, message):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    for name, value in {**MAIL_ENV, **env}.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=re.escape(message)):
        create_app()


def test_production_needs_https_links_and_an_encrypted_password(monkeypatch, tmp_path):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("MFA_ENCRYPTION_KEY", secrets.token_urlsafe(48))
    monkeypatch.setenv("SECRET_KEY", SECRET + "-and-then-some-more-random-looking-AbC")
    for name, value in {**MAIL_ENV, "SITE_URL": "http://selfcheck.clinic.example"}.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match="SITE_URL must start with https://"):
        create_app()
    monkeypatch.setenv("SITE_URL", SITE)
    monkeypatch.setenv("SMTP_USERNAME", "prolo")
    with pytest.raises(ConfigError, match="SMTP_USERNAME needs SMTP_STARTTLS or SMTP_SSL"):
        create_app()
    monkeypatch.setenv("SMTP_STARTTLS", "true")
    app = create_app()
    assert (app.config["SMTP_PORT"], app.config["SMTP_STARTTLS"]) == (587, True)
    app.extensions["db_engine"].dispose()


def test_addresses_are_read_as_a_list(monkeypatch, tmp_path):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv(
        "ALERT_RED_FLAG_TO", " a@clinic.example ,b@clinic.example,, a@clinic.example"
    )
    app = create_app()
    assert app.config["ALERT_RED_FLAG_TO"] == ("a@clinic.example", "b@clinic.example")
    assert app.config["SMTP_HOST"] == "" and app.config["ALERT_CALLBACK_TO"] == ()
    app.extensions["db_engine"].dispose()


# The admin page ----------------------------------------------------------------------------


def test_the_admin_page_shows_the_settings_and_every_state_without_the_password(
    app, patient, db, runner, as_role
):
    with smtp_server(Inbox(refuse={"gone@clinic.example"})) as server:
        mail_on(
            app,
            server.port,
            SMTP_USERNAME="prolo",
            SMTP_PASSWORD="hunter2-never-shown",
            ALERT_RED_FLAG_TO=("lead@clinic.example", "gone@clinic.example"),
        )
        patient.complete(RED_FLAG)
        with pytest.MonkeyPatch.context() as mp:  # the server asks for no password
            mp.setitem(app.config, "SMTP_USERNAME", "")
            runner.invoke(args=["send-alerts"])
    app.config["ALERT_CALLBACK_TO"] = ("desk@clinic.example",)
    other = type(patient)(app.test_client())
    call_back(other, other.complete(bookable()))
    admin = as_role("admin")
    page = admin.get("/staff/admin/alerts")
    assert page.status_code == 200
    text = page.text
    assert "Mail is on" in text and f"127.0.0.1, port {server.port}" in text
    assert "as prolo (password set: yes)" in text and "hunter2" not in text
    assert "Sent: <strong>1</strong>" in text and "Failed: <strong>1</strong>" in text
    assert "Waiting to be sent: <strong>1</strong>" in text
    assert "<code>ALERT_RED_FLAG_TO</code>" in text and "desk@clinic.example" in text
    assert text.count('name="alert_id"') == 1  # "Send again" for the failed one only
    assert NAME not in text and PHONE not in text
    failed = admin.get("/staff/admin/alerts?status=failed")
    assert "1 alert (failed)" in failed.text and "lead@clinic.example</td>" not in failed.text
    bogus = admin.get("/staff/admin/alerts?status=bogus")
    assert (
        bogus.status_code == 400
        and '<a href="#status">Status – Choose one of the options' in bogus.text
    )
    viewed = db.scalars(select(AuditEvent).where(AuditEvent.action == "alerts_viewed")).all()
    assert [e.details["status"] for e in viewed] == ["any", "failed", "any"]


def test_the_alerts_list_is_paged_newest_first(app, as_role, db):
    queue_many(app, db, 30)  # 60 alerts
    admin = as_role("admin")
    first = admin.get("/staff/admin/alerts")
    assert first.text.count("<tr>\n      <td>") == ALERT_PAGE and "Page 1 of 2" in first.text
    older = re.search(r'href="([^"]+)">Older</a>', first.text).group(1)
    second = admin.get(older.replace("&amp;", "&"))
    assert second.text.count("<tr>\n      <td>") == 60 - ALERT_PAGE and "Page 2 of 2" in second.text
    rows = outbox_rows(db)
    top_row = first.text.split("<tbody>")[-1].split("</tr>")[0]
    bottom_row = second.text.split("</tbody>")[-2].rsplit("<tr>", 1)[1]
    assert rows[-1].reference in top_row and rows[-1].recipient in top_row
    assert rows[0].reference in bottom_row and rows[0].recipient in bottom_row


def test_only_admins_see_or_retry_alerts(as_role, db):
    for persona in ("clinician", "staff", "nobody"):
        staff = as_role(persona)
        assert staff.get("/staff/admin/alerts").status_code == 403
        assert staff.post("/staff/admin/alerts/retry", {"alert_id": "1"}).status_code == 403
    admin = as_role("admin")
    assert "Alerts</a>" in admin.get("/staff/").text
    assert "Alerts</a>" not in as_role("clinician").get("/staff/").text


def test_sending_again_needs_a_failed_alert_and_the_form_token(app, as_role, db):
    queue_many(app, db, 1)
    (first, _second) = outbox_rows(db)
    admin = as_role("admin")
    response = admin.post("/staff/admin/alerts/retry", {"alert_id": first.id})
    assert response.status_code == 302
    assert "has not failed" in admin.get(response.location).text
    assert admin.post("/staff/admin/alerts/retry", {"alert_id": "x"}).status_code == 302
    no_token = admin.client.post("/staff/admin/alerts/retry", data={"alert_id": first.id})
    assert no_token.status_code == 400
    assert not db.scalars(select(AuditEvent).where(AuditEvent.action == "alert_retried")).all()


# The migration -------------------------------------------------------------------------------


def test_the_outbox_migration_goes_up_and_down_keeping_other_data(engine):
    upgrade(engine, "4afb4e0097f6")
    now = datetime.now(UTC).replace(tzinfo=None)
    submission = text(
        "INSERT INTO submission (id, reference, submit_token, created_at, bank_version,"
        " rules_version, answers, screening, booking, osteoarthritis, tendinopathy, ligament,"
        " neuropathic, consent_version, consented_at, review_status, tier_rank) VALUES ('s1',"
        " 'ABCD-2345', 't1', :now, '1', '1', '{}', '{}', 'book', 'likely', 'unlikely',"
        " 'unlikely', 'unlikely', '1.0', :now, 'new', 9)"
    )
    with engine.begin() as conn:
        conn.execute(submission, {"now": now})
    upgrade(engine, "6a1e7c0b5e11")
    assert "alert_outbox" in inspect(engine).get_table_names()
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO alert_outbox (kind, recipient, submission_id, reference, details,"
                " created_at, status, attempts, next_attempt_at) VALUES ('red_flag',"
                " 'lead@clinic.example', 's1', 'ABCD-2345', '{}', :now, 'pending', 0, :now)"
            ),
            {"now": now},
        )
        assert conn.scalar(text("SELECT reference FROM alert_outbox")) == "ABCD-2345"
    downgrade(engine, "4afb4e0097f6")
    assert "alert_outbox" not in inspect(engine).get_table_names()
    with engine.begin() as conn:
        kept = conn.execute(text("SELECT id, reference, review_status FROM submission")).all()
    assert [tuple(r) for r in kept] == [("s1", "ABCD-2345", "new")]
    upgrade(engine, "6a1e7c0b5e11")  # and up again, onto the kept data
    assert "alert_outbox" in inspect(engine).get_table_names()


# Review findings ---------------------------------------------------------------------------


def test_the_digest_counts_a_call_back_whose_submission_needs_follow_up(app, db, runner):
    follow_up = add_submission(app, bookable(), days_ago=1, review_status="follow_up")
    asked = utcnow() - timedelta(hours=5)
    db.add(
        CallbackRequest(
            submission_id=follow_up, name=NAME, phone=PHONE, best_time="any", created_at=asked
        )
    )
    db.commit()
    with smtp_server() as server:
        mail_on(app, server.port, ALERT_DIGEST_TO=("lead@clinic.example",))
        assert runner.invoke(args=["send-digest"]).exit_code == 0
        (digest,) = server.inbox.received
    assert "Call-back requests waiting for a call: 1; the oldest has waited 5 hours" in body_of(
        digest
    )


def test_a_message_that_cannot_be_written_fails_alone_and_holds_nothing(app, db, runner):
    queue_many(app, db, 2)  # 4 alerts
    broken = outbox_rows(db)[1]
    broken.reference = "AB\nBcc:x"  # a header EmailMessage refuses to write
    db.commit()
    with smtp_server() as server:
        mail_on(app, server.port)
        result = runner.invoke(args=["send-alerts"])
        assert result.exit_code == 0, result.output
        assert "Sent 3 alert(s); 1 failed for good" in result.output
        assert len(server.inbox.received) == 3
    rows = {a.id: (a.status, a.last_error, a.claimed_by) for a in outbox_rows(db)}
    assert rows[broken.id] == ("failed", "Could not write the message: ValueError", None)
    assert [v[0] for k, v in rows.items() if k != broken.id] == ["sent"] * 3
    assert all(v[2] is None for v in rows.values())
    assert "Bcc" not in rows[broken.id][1]  # the class name only, never the text


def test_a_clinic_name_that_breaks_every_message_fails_them_and_releases_the_claims(
    app, db, runner
):
    queue_many(app, db, 1)
    with smtp_server() as server:
        mail_on(app, server.port, CLINIC_NAME="Clinic\r\nBcc: x@evil.example")
        result = runner.invoke(args=["send-alerts"])
        assert result.exit_code == 0, result.output
        assert server.inbox.received == []
    assert {(a.status, a.claimed_by) for a in outbox_rows(db)} == {("failed", None)}
    assert "Sent 0 alert(s); 2 failed for good" in result.output


def test_a_claim_is_let_go_whatever_stops_the_sender(app, db, monkeypatch):
    queue_many(app, db, 1)
    mail_on(app, free_port())

    def stops(*_args, **_kwargs):
        raise KeyboardInterrupt  # an operator's Ctrl-C, a systemd stop

    with smtp_server(port=app.config["SMTP_PORT"]), app.app_context():
        monkeypatch.setattr(sending, "_hold", stops)
        with pytest.raises(KeyboardInterrupt):
            outbox.send_due(db, outbox.mail.MailSettings.from_config(app.config))
    assert {(a.status, a.claimed_by) for a in outbox_rows(db)} == {("pending", None)}


def test_a_time_budget_stops_claiming_more_batches(app, db):
    queue_many(app, db, 8)  # 16 alerts: two batches
    with smtp_server(Inbox(delay=0.05)) as server, app.app_context():
        mail_on(app, server.port)
        settings = outbox.mail.MailSettings.from_config(app.config)
        out = outbox.send_due(db, settings, budget=timedelta(milliseconds=1))
        assert (out.sent, out.out_of_time) == (outbox.BATCH, True)
        assert len(server.inbox.received) == outbox.BATCH
        rows = outbox_rows(db)
        assert [a.status for a in rows].count("pending") == 16 - outbox.BATCH
        assert {a.claimed_by for a in rows} == {None}
        out = outbox.send_due(db, settings)  # the next run sends the rest
        assert (out.sent, out.out_of_time) == (16 - outbox.BATCH, False)


def test_the_timer_gives_the_sender_longer_than_its_time_budget():
    unit = (ROOT / "deploy/systemd/prolotherapy-alerts.service").read_text()
    limit = re.search(r"^TimeoutStartSec=(\d+)min$", unit, re.M)
    # Room for the last batch, begun just before the budget ran out, to finish.
    assert limit and timedelta(minutes=int(limit.group(1))) >= outbox.SEND_BUDGET + timedelta(
        minutes=2
    )


def test_a_huge_alert_number_is_a_form_error_not_a_crash(as_role):
    admin = as_role("admin")
    response = admin.post("/staff/admin/alerts/retry", {"alert_id": "99999999999999999999"})
    assert response.status_code == 302
    assert "has not failed" in admin.get(response.location).text


def test_the_alert_list_links_to_a_submission_only_for_clinicians(app, db, as_role):
    queue_many(app, db, 1)
    (alert, _other) = outbox_rows(db)
    link = f'href="/staff/submissions/{alert.submission_id}"'
    page = as_role("admin").get("/staff/admin/alerts").text
    assert link not in page and f"<td>{alert.reference}</td>" in page
    make_user(app, "both@clinic.example", ["admin", "clinician"])
    both = Staff(app.test_client(), "both@clinic.example")
    assert both.login().status_code == 302
    assert link in both.get("/staff/admin/alerts").text
