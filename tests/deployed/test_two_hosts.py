"""More than one app host behind the shipped nginx, on one PostgreSQL: two gunicorns on two
loopback addresses stand in for two machines, each with an instance folder of its own and
the same settings and keys (docs/production.md, "More than one server").

The tests share one pair of hosts and run in this file's order: the last one kills a host.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select

from questionnaire.core.models import Alert, AuditEvent, Submission, User
from tests.helpers.answer_sets import bookable
from tests.helpers.deployed import Deployment, deploy
from tests.helpers.live_server import ROOT, Server, scratch_database, serve
from tests.helpers.load_patients import many_patients
from tests.helpers.patient_client import CSRF_RE
from tests.helpers.smtp_server import Inbox, SmtpServer, smtp_server

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"),
    reason="several hosts share one PostgreSQL server: set TEST_DATABASE_URL",
)

PATIENTS = 200
SECOND_HOST = "127.0.0.3"  # the first is deploy()'s, 127.0.0.1
EMAIL, PASSWORD = "admin@clinic.example", "correct horse battery staple"
SITE = "https://localhost"


@dataclass
class Hosts:
    site: Deployment  # nginx, and the first host behind it
    second: Server
    mail: SmtpServer

    @property
    def both(self) -> tuple[Server, Server]:
        return self.site.app, self.second


@pytest.fixture(scope="module")
def hosts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hosts]:
    folder = tmp_path_factory.mktemp("two-hosts")
    first, second = folder / "host-a", folder / "host-b"
    first.mkdir()
    second.mkdir()
    with smtp_server(Inbox(delay=0.02)) as mail:
        shared = {  # one settings file, copied to every host
            "APP_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "MFA_ENCRYPTION_KEY": secrets.token_urlsafe(48),
            "MFA_REQUIRED": "true",
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(mail.port),
            "ALERT_FROM": "alerts@clinic.example",
            "ALERT_RED_FLAG_TO": "lead@clinic.example",
            "SITE_URL": SITE,
        }
        with (
            scratch_database("postgresql", folder, "two_hosts") as url,
            serve(url, second, host=SECOND_HOST, **shared) as other,
            deploy(url, first, upstreams=(other.url.removeprefix("http://"),), **shared) as site,
        ):
            site.flask("create-user", EMAIL, "--role", "admin", "--password-stdin", stdin=PASSWORD)
            yield Hosts(site, other, mail)


class Direct:
    """A browser's requests sent straight to one host or the other, as nginx would pass
    them on (its Host, X-Forwarded-For and -Proto), carrying one cookie jar between hosts."""

    def __init__(self, address: str = "203.0.113.7") -> None:
        self.address = address
        self.cookies: dict[str, str] = {}

    def call(
        self, server: Server, path: str, data: dict[str, Any] | None = None
    ) -> tuple[int, str]:
        parts = urllib.parse.urlsplit(server.url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        headers = {
            "Host": "localhost",
            "X-Forwarded-For": self.address,
            "X-Forwarded-Proto": "https",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request("POST" if data is not None else "GET", path, body, headers)
        response = conn.getresponse()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        page = response.read().decode()
        conn.close()
        return response.status, page

    def csrf(self, server: Server, path: str) -> str:
        status, page = self.call(server, path)
        assert status == 200, (path, status)
        return CSRF_RE.search(page).group(1)  # type: ignore[union-attr]


def scalar(url: str, query: Any) -> Any:
    engine = create_engine(url)
    with engine.connect() as conn:
        value = conn.scalar(query)
    engine.dispose()
    return value


def test_a_lockout_counts_wrong_passwords_on_every_host(hosts):
    """Five wrong passwords spread over both hosts pause the account on both: the count is
    in the database, not in a host's memory."""
    browser = Direct()
    a, b = hosts.both
    for attempt in range(5):
        host = (a, b)[attempt % 2]
        token = browser.csrf(host, "/staff/login")
        status, _ = browser.call(
            (b, a)[attempt % 2],  # the form from one host, the post to the other
            "/staff/login",
            {"csrf_token": token, "email": EMAIL, "password": f"wrong {attempt}"},
        )
        assert status == 400
    for host in (a, b):
        token = browser.csrf(host, "/staff/login")
        status, page = browser.call(
            host, "/staff/login", {"csrf_token": token, "email": EMAIL, "password": PASSWORD}
        )
        assert status == 400 and "is not right" in page  # the right password, refused
    url = hosts.site.database_url
    assert scalar(url, select(User.failed_logins).where(User.email == EMAIL)) >= 5
    lockouts = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "lockout")
    assert scalar(url, lockouts) == 1


def test_resume_codes_are_limited_per_client_across_hosts(hosts):
    """Ten codes per client per window, whichever host each try reaches: the eleventh is
    refused, and so is a twelfth on the other host."""
    browser = Direct("198.51.100.9")
    a, b = hosts.both
    statuses = []
    for attempt in range(12):
        host = (a, b)[attempt % 2]
        token = browser.csrf(host, "/resume")
        statuses.append(
            browser.call(host, "/resume", {"csrf_token": token, "code": "AAAA-BBBB-CCCC"})[0]
        )
    assert statuses == [400] * 10 + [429, 429]


def _send_alerts(server: Server) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "send-alerts"]
    return subprocess.Popen(command, cwd=ROOT, env=server.env, stdout=subprocess.PIPE, text=True)


def test_send_alerts_on_both_hosts_at_once_sends_each_alert_once(hosts):
    outcomes = many_patients(hosts.site.url, [bookable(rf_calf="yes")] * 40, threads=8)
    assert [e for o in outcomes for e in o.errors] == []
    url = hosts.site.database_url
    queued = scalar(url, select(func.count()).select_from(Alert))
    assert queued == 40
    senders = [_send_alerts(server) for server in hosts.both for _ in range(2)]
    outputs = [p.communicate(timeout=120)[0] for p in senders]
    assert all(p.returncode == 0 for p in senders), outputs
    sent = [int(re.search(r"Sent (\d+) alert", out).group(1)) for out in outputs]
    subjects = [r.message["Subject"] for r in hosts.mail.inbox.received]  # each names its reference
    assert sum(sent) == 40 and len(subjects) == 40 and len(set(subjects)) == 40, subjects
    assert len([n for n in sent if n]) >= 2, sent  # the senders did overlap
    pending = select(func.count()).select_from(Alert).where(Alert.status != "sent")
    assert scalar(url, pending) == 0


def _stored(url: str) -> set[str]:
    engine = create_engine(url)
    with engine.connect() as conn:
        ids = set(conn.scalars(select(Submission.id)))
    engine.dispose()
    return ids


def test_200_patients_at_once_and_a_host_killed_midway_lose_nothing(hosts):
    url = hosts.site.database_url
    before = _stored(url)
    kinds = [bookable(), bookable(implant_site="yes"), bookable(areas="7_plus")]
    outcomes: list = []
    runner = threading.Thread(
        target=lambda: outcomes.extend(
            many_patients(hosts.site.url, [kinds[i % 3] for i in range(PATIENTS)], threads=32)
        )
    )
    runner.start()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(_stored(url) - before) < 30:
        time.sleep(0.05)
    hosts.site.app.kill()  # the first host, as a power cut would
    killed = time.monotonic()
    killed_at = len(_stored(url) - before)
    runner.join(300)
    assert not runner.is_alive()

    acknowledged = {o.submission_id for o in outcomes if o.submission_id}
    stored = _stored(url) - before
    assert acknowledged <= stored  # nothing the site said it stored is lost
    failed = [o for o in outcomes if o.errors]
    # A request already sent to the killed host is never sent again (it may have been
    # stored): only patients with one there at that moment may see an error, at most half
    # of the 32 at a time. Everyone else carried on through the other host.
    assert len(failed) <= 16, [o.errors for o in failed]
    assert len(acknowledged) >= PATIENTS - 16 and len(acknowledged) > killed_at + 100
    # nginx tries a failed host again after fail_timeout (10 s): then too, patients' requests
    # go on to the host that is up instead of ending on an error page.
    time.sleep(max(0.0, killed + 11 - time.monotonic()))
    later = many_patients(hosts.site.url, [bookable()] * 6, threads=2)
    assert [e for o in later for e in o.errors] == []
    assert "Traceback" not in hosts.second.log.read_text()
