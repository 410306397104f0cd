"""More than one app host behind the shipped nginx, on one PostgreSQL: two gunicorns on two
loopback addresses stand in for two machines, each with an instance folder of its own and
the same settings and keys (docs/production.md, "More than one server").

The first four tests share one pair of hosts behind nginx and run in this file's order (the
fourth kills a host); the last restarts hosts of its own, one by one, with changed keys.
"""

from __future__ import annotations

import contextlib
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
from rules import SECTIONS
from tests.helpers.answer_sets import bookable
from tests.helpers.deployed import Deployment, deploy
from tests.helpers.live_server import ROOT, Server, scratch_database, serve
from tests.helpers.load_patients import many_patients
from tests.helpers.patient_client import CSRF_RE, SUBMIT_RE, form_data
from tests.helpers.smtp_server import Inbox, SmtpServer, smtp_server
from tests.helpers.staff_client import SECRET_RE, code_for

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
    # stored): only patients with one there at that moment may see an error, so at most the
    # 32 at a time (about half on an idle machine; a loaded one piles more up at the slower
    # host). Everyone else carried on through the other host.
    assert len(failed) <= 32, [o.errors for o in failed]
    assert len(acknowledged) >= PATIENTS - 32 and len(acknowledged) > killed_at + 100
    # nginx tries a failed host again after fail_timeout (10 s): then too, patients' requests
    # go on to the host that is up instead of ending on an error page.
    time.sleep(max(0.0, killed + 11 - time.monotonic()))
    later = many_patients(hosts.site.url, [bookable()] * 6, threads=2)
    assert [e for o in later for e in o.errors] == []
    assert "Traceback" not in hosts.second.log.read_text()


# Changing the keys host by host -------------------------------------------------------------


def _keys(secret: str, mfa: str, secret_other: str = "", mfa_other: str = "") -> dict[str, str]:
    """The settings for one step of a rolling change: the key in use, and the other one
    accepted beside it (the next one in step 1, the one before in step 2)."""
    return {
        "SECRET_KEY": secret,
        "SECRET_KEY_PREVIOUS": secret_other,
        "MFA_ENCRYPTION_KEY": mfa,
        "MFA_ENCRYPTION_KEY_PREVIOUS": mfa_other,
    }


def _post_form(browser: Direct, shown_by: Server, posted_to: Server, path: str, data: dict) -> int:
    """The form at `path` as one host drew it (its CSRF token signed with that host's key),
    posted to the other, as nginx may send the two requests."""
    token = browser.csrf(shown_by, path)
    return browser.call(posted_to, path, {"csrf_token": token, **data})[0]


def _sign_in(browser: Direct, a: Server, b: Server, secret: str | None) -> str:
    """Password and authenticator code, each page from `a` and each post to `b`, setting
    the authenticator up first when `secret` is None; returns the secret."""
    login = {"email": EMAIL, "password": PASSWORD}
    assert _post_form(browser, a, b, "/staff/login", login) == 302
    path = "/staff/authenticator/setup" if secret is None else "/staff/login/code"
    status, page = browser.call(a, path)
    assert status == 200, (path, status)
    if secret is None:
        secret = SECRET_RE.search(page).group(1).replace(" ", "")  # type: ignore[union-attr]
    token = CSRF_RE.search(page).group(1)  # type: ignore[union-attr]
    browser.call(b, path, {"csrf_token": token, "code": code_for(secret)})
    assert browser.call(a, "/staff/requests/")[0] == 200
    return secret


def test_both_keys_changed_host_by_host_sign_nobody_out(tmp_path):
    """The guide's rolling change in three steps, each host restarted in turn, while a
    patient is half-way through and a member of staff is signed in with an authenticator:
    after every restart each form is drawn by one host and posted to the other, both ways,
    and the staff pages open on both."""
    old = (secrets.token_urlsafe(48), secrets.token_urlsafe(48))  # SECRET_KEY, MFA key
    new = (secrets.token_urlsafe(48), secrets.token_urlsafe(48))
    steps = [_keys(*old, *new), _keys(*new, *old)]  # 1: accept the new; 2: use it
    answers = bookable()
    settings = {"APP_ENV": "production", "MFA_REQUIRED": "true"}
    with contextlib.ExitStack() as running:
        url = running.enter_context(scratch_database("postgresql", tmp_path, "rolling"))
        count = iter(range(100))

        def start(host: str, keys: dict[str, str]) -> Server:
            folder = tmp_path / f"{host}-{next(count)}"
            folder.mkdir()
            return running.enter_context(serve(url, folder, host=host, **settings, **keys))

        hosts = {h: start(h, _keys(*old)) for h in ("127.0.0.2", SECOND_HOST)}
        a, b = hosts.values()
        a.flask("create-user", EMAIL, "--role", "admin", "--password-stdin", stdin=PASSWORD)
        staff, patient = Direct(), Direct("198.51.100.20")
        secret = _sign_in(staff, a, b, None)
        assert _post_form(patient, a, b, "/consent", {"consent": "yes"}) == 302
        sections = iter(s.id for s in SECTIONS)

        for keys in steps:
            for host in list(hosts):
                hosts[host].kill()
                hosts[host] = start(host, keys)
                if host == "127.0.0.2" and keys["SECRET_KEY"] == new[0]:
                    hosts[host].flask("rotate-mfa-key")  # the unit's ExecStartPre
                a, b = hosts.values()
                section = next(sections)
                data = form_data(answers, section)
                for shown_by, posted_to in ((a, b), (b, a)):
                    status = _post_form(patient, shown_by, posted_to, f"/step/{section}", data)
                    assert status == 302, (keys, host, section, status)
                    assert staff.call(shown_by, "/staff/requests/")[0] == 200, (keys, host)
        for section in sections:
            assert _post_form(patient, a, b, f"/step/{section}", form_data(answers, section)) == 302
        status, review = patient.call(a, "/review")
        form = {"submit_token": SUBMIT_RE.search(review).group(1)}  # type: ignore[union-attr]
        form["csrf_token"] = CSRF_RE.search(review).group(1)  # type: ignore[union-attr]
        assert patient.call(b, "/submit", form)[0] == 302
        assert scalar(url, select(func.count()).select_from(Submission)) == 1

        # Step 3, the old keys gone from both: the authenticator works under the new key.
        for host in list(hosts):
            hosts[host].kill()
            hosts[host] = start(host, _keys(*new))
        step = int(time.time() // 30)
        while int(time.time() // 30) == step:  # each code is accepted once: the next one
            time.sleep(0.5)
        assert _sign_in(Direct(), *hosts.values(), secret) == secret
