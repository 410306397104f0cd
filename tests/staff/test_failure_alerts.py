"""Operations that tell: a systemd unit that fails (a nightly backup, a timer's job, the
service) emails the admins through the app's own mail settings, at most once an hour per
unit; every unit names the notifier in OnFailure=."""

from __future__ import annotations

import configparser
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from questionnaire.core.models import Alert, User
from tests.helpers.smtp_server import smtp_server
from tests.helpers.staff_client import make_user

SYSTEMD = Path(__file__).resolve().parents[2] / "deploy" / "systemd"
NOTIFIER = "prolotherapy-notify-failure@.service"
MAIL = {"SMTP_HOST": "127.0.0.1", "SMTP_TIMEOUT": 5}
MAIL |= {"ALERT_FROM": "alerts@clinic.example", "SITE_URL": "https://selfcheck.clinic.example"}


def unit(path: Path) -> configparser.ConfigParser:
    parsed = configparser.ConfigParser(strict=False, interpolation=None)
    parsed.optionxform = str  # systemd's keys are case-sensitive
    parsed.read_string(path.read_text())
    return parsed


def test_a_failed_backup_is_emailed_to_every_active_admin_once_an_hour(app, runner, users, db):
    make_user(app, "second-admin@clinic.example", ["admin", "staff"])
    gone = make_user(app, "gone-admin@clinic.example", ["admin"])
    db.get(User, gone).active = False
    db.commit()
    with smtp_server() as server:
        app.config.update(MAIL, SMTP_PORT=server.port)
        result = runner.invoke(args=["notify-failure", "prolotherapy-backup.service"])
        assert result.exit_code == 0, result.output
        assert "Queued an alert that prolotherapy-backup.service failed to 2 admin(s)." in (
            result.output
        )
        told = sorted(r for m in server.inbox.received for r in m.rcpt_tos)
        assert told == ["admin@clinic.example", "second-admin@clinic.example"]
        message = server.inbox.received[0].message
        assert message["Subject"] == "Failed on the server: prolotherapy-backup.service"
        body = message.get_content()
        assert "journalctl -u prolotherapy-backup.service -n 50" in body
        # The timer fails again a minute later: nobody is told twice within the hour.
        again = runner.invoke(args=["notify-failure", "prolotherapy-backup.service"])
        assert again.exit_code == 0 and "nothing queued" in again.output
        assert len(server.inbox.received) == 2
        other = runner.invoke(args=["notify-failure", "prolotherapy-alerts.service"])
        assert other.exit_code == 0 and len(server.inbox.received) == 4


def test_with_mail_off_the_alert_waits_in_the_outbox(app, runner, users, db):
    result = runner.invoke(args=["notify-failure", "prolotherapy-maintenance.service"])
    assert result.exit_code == 0
    assert "Mail is off (no SMTP_HOST): 1 alert(s) wait in the outbox." in result.output
    (alert,) = db.scalars(select(Alert)).all()
    assert (alert.kind, alert.recipient) == ("unit_failed", "admin@clinic.example")


@pytest.mark.parametrize(
    "name", ["", "backup", "prolotherapy-backup.service\nBcc: x@evil.example", "a b.service"]
)
def test_a_name_that_is_not_a_unit_is_one_line_and_status_2(app, runner, users, db, name):
    result = runner.invoke(args=["notify-failure", name])
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert db.scalar(select(func.count()).select_from(Alert)) == 0


def test_no_admin_to_tell_is_a_failure(app, runner, db):
    result = runner.invoke(args=["notify-failure", "prolotherapy-backup.service"])
    assert result.exit_code == 1 and "No active admin account" in result.output


def test_every_unit_tells_the_admins_when_it_fails():
    services = sorted(p for p in SYSTEMD.glob("*.service") if p.name != NOTIFIER)
    assert len(services) >= 5
    for path in services:
        on_failure = unit(path)["Unit"].get("OnFailure")
        assert on_failure == "prolotherapy-notify-failure@%n.service", path.name
    notifier = unit(SYSTEMD / NOTIFIER)["Service"]
    assert notifier["ExecStart"].endswith("flask --app wsgi notify-failure %i")
    assert notifier["User"] == "prolotherapy"
    assert notifier["EnvironmentFile"] == "/etc/prolotherapy/env"


def test_the_guide_s_restore_stops_and_starts_every_timer():
    guide = (SYSTEMD.parents[1] / "docs" / "production.md").read_text()
    restore = guide[guide.index("**A real restore**") :]
    restore = restore[: restore.index("```\n", restore.index("```sh") + 5)]
    timers = {p.name for p in SYSTEMD.glob("*.timer")}
    commands = " ".join(restore.replace("\\\n", " ").splitlines())
    stopped = set(re.findall(r"systemctl stop ([^;&|]*?)(?=runuser|systemctl|$)", commands))
    started = set(re.findall(r"systemctl start ([^;&|]*?)(?=runuser|systemctl|$)", commands))
    assert stopped and started
    for words, what in ((stopped, "stops"), (started, "starts")):
        named = {w for line in words for w in line.split()}
        assert timers | {"prolotherapy"} <= named, f"the restore {what} only {sorted(named)}"
