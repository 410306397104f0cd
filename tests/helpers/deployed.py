"""The app as the production guide deploys it: the shipped nginx site (deploy/nginx/) with a
certificate made here, in front of gunicorn with the shipped config, `APP_ENV=production`
and a real SECRET_KEY, on SQLite or on PostgreSQL.

Only what must differ on a test machine is replaced in the shipped file: ports, file paths
and the host name. Each replacement must find its text, so a change to the shipped file that
the tests no longer cover fails loudly instead of testing something else.
"""

from __future__ import annotations

import functools
import http.client
import http.cookiejar
import os
import re
import secrets
import shutil
import signal
import ssl
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.live_server import ROOT, Server, free_port, serve

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SITE = ROOT / "deploy" / "nginx" / "prolotherapy.conf"
PROXY_SNIPPET = ROOT / "deploy" / "nginx" / "prolotherapy-proxy.conf"
HOST = "localhost"


@dataclass
class Deployment:
    url: str  # https://localhost:PORT
    http_url: str  # the plain-HTTP port, which only redirects
    app: Server
    nginx: subprocess.Popen[bytes]
    folder: Path

    @property
    def database_url(self) -> str:
        return self.app.database_url

    def flask(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return self.app.flask(*args, stdin=stdin)

    def nginx_log(self) -> str:
        return (self.folder / "nginx-error.log").read_text()

    def access_log(self, until: Callable[[list[str]], bool] = bool) -> list[str]:
        """nginx's access log lines, in the shipped site's format (`referer:-` when none
        came). nginx writes a line after it has answered, so a caller who has just had its
        answer waits (up to 10 s) until `until(lines)` holds."""
        deadline = time.monotonic() + 10
        while True:
            lines = (self.folder / "nginx-access.log").read_text().splitlines()
            if until(lines) or time.monotonic() > deadline:
                return lines
            time.sleep(0.05)


def require_nginx() -> None:
    if Path(NGINX).exists():
        return
    if os.environ.get("CI"):
        pytest.fail("nginx is not installed (CI must have it: .ci/run installs nginx)")
    pytest.skip("nginx is not installed: `apt-get install -y nginx` to run the HTTPS tests")


def tls_context() -> ssl.SSLContext:
    """A client context that accepts the test's self-signed certificate."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def make_certificate(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        "openssl req -x509 -newkey rsa:2048 -nodes -days 2".split()
        + ["-subj", f"/CN={HOST}", "-addext", f"subjectAltName=DNS:{HOST},IP:127.0.0.1"]
        + ["-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    return cert, key


def site_config(
    *,
    https_port: int,
    http_port: int,
    app_port: int,
    cert: Path,
    key: Path,
    folder: Path,
    root: Path = ROOT,
) -> str:
    text = SITE.read_text()
    replacements = [
        ("/etc/letsencrypt/live/clinic.example/fullchain.pem", str(cert)),
        ("/etc/letsencrypt/live/clinic.example/privkey.pem", str(key)),
        ("server_name clinic.example;", f"server_name {HOST};"),
        ("https://clinic.example$request_uri", f"https://{HOST}:{https_port}$request_uri"),
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{app_port};"),
        ("/srv/prolotherapy/proxy-pages/", f"{folder / 'proxy-pages'}/"),
        ("/var/log/nginx/prolotherapy.access.log", str(folder / "nginx-access.log")),
        ("/srv/prolotherapy/app/static/", f"{root / 'static'}/"),
        ("/etc/nginx/snippets/prolotherapy-proxy.conf", str(PROXY_SNIPPET)),
    ]
    for old, new in replacements:
        assert old in text, (
            f"{SITE.name} no longer contains {old!r}: update tests/helpers/deployed.py"
        )
        text = text.replace(old, new)
    # Loopback ports of our own instead of 80 and 443 (IPv6 lines dropped: not every test
    # machine has it).
    text = re.sub(r"^\s*listen \[::\]:.*$\n", "", text, flags=re.M)
    text, plain = re.subn(r"listen 80;", f"listen 127.0.0.1:{http_port};", text)
    text, tls = re.subn(r"listen 443 ssl", f"listen 127.0.0.1:{https_port} ssl", text)
    assert plain == 1 and tls == 2, "the shipped site's listen lines changed"
    return text


def with_upstreams(site: str, upstreams: tuple[str, ...]) -> str:
    """The site's upstream with a `server` line for each of `upstreams` after its own, as
    docs/production.md ("More than one server") has the operator add them."""
    own = re.search(r"^(\s*)server 127\.0\.0\.1:\d+;.*$", site, flags=re.M)
    assert own is not None, "the shipped site's upstream server line changed"
    extra = "".join(f"\n{own.group(1)}server {u};" for u in upstreams)
    return site[: own.end()] + extra + site[own.end() :]


def main_config(folder: Path, site: Path) -> str:
    """The part of nginx.conf that Debian's package provides, for a private nginx."""
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = "\n".join(
        f"    {kind}_temp_path {folder / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""{user}daemon off;
worker_processes 1;
pid {folder / "nginx.pid"};
error_log {folder / "nginx-error.log"} warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
{temp}
    include {site};
}}
"""


@contextmanager
def deploy(
    database_url: str,
    folder: Path,
    *,
    workers: int = 2,
    root: Path = ROOT,
    upstreams: tuple[str, ...] = (),
    **extra: str,
) -> Iterator[Deployment]:
    """`extra`: more of the app's environment (settings such as LOG_FORMAT); `root`: the
    checkout to serve (tests/deployed/test_install.py: one deploy/install set up);
    `upstreams`: the host:port of more app hosts already serving, for nginx's upstream
    beside this one."""
    require_nginx()
    key = secrets.token_urlsafe(48)
    env = {
        "APP_ENV": "production",
        "SECRET_KEY": key,
        "MFA_ENCRYPTION_KEY": secrets.token_urlsafe(48),
        **extra,
    }
    with serve(database_url, folder, workers=workers, root=root, **env) as app:
        pages = folder / "proxy-pages"
        app.flask("write-proxy-pages", str(pages))
        cert, cert_key = make_certificate(folder)
        https_port, http_port = free_port(), free_port()
        site = folder / "site.conf"
        site.write_text(
            site_config(
                https_port=https_port,
                http_port=http_port,
                app_port=int(app.url.rsplit(":", 1)[1]),
                cert=cert,
                key=cert_key,
                folder=folder,
                root=root,
            )
        )
        if upstreams:
            site.write_text(with_upstreams(site.read_text(), upstreams))
        conf = folder / "nginx.conf"
        conf.write_text(main_config(folder, site))
        subprocess.run([NGINX, "-t", "-c", str(conf)], check=True, capture_output=True)
        nginx = subprocess.Popen(
            [NGINX, "-c", str(conf)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deployment = Deployment(
            f"https://{HOST}:{https_port}", f"http://{HOST}:{http_port}", app, nginx, folder
        )
        try:
            _wait_until_up(deployment)
            yield deployment
        finally:
            nginx.send_signal(signal.SIGQUIT)  # finish what is in flight, then stop
            try:
                nginx.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(nginx.pid, signal.SIGKILL)
                nginx.wait(5)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class _FromAddress(urllib.request.HTTPSHandler):
    """HTTPS from a loopback address of the caller's choice (127.0.0.N), so that nginx's
    per-address limits see many people, as they would a waiting room's worth of phones."""

    def __init__(self, address: str) -> None:
        self.context = tls_context()
        super().__init__(context=self.context)
        self.address = address

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        connection = functools.partial(
            http.client.HTTPSConnection, source_address=(self.address, 0)
        )
        return self.do_open(connection, req, context=self.context)


class Client:
    """An HTTPS client with cookies of its own, from one loopback address, that shows each
    redirect instead of following it and sends no Referer."""

    def __init__(self, address: str = "127.0.0.1", timeout: float = 60) -> None:
        self.timeout = timeout
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
            _NoRedirect,
            _FromAddress(address),
        )

    def call(
        self, url: str, data: dict[str, Any] | None = None, **headers: str
    ) -> tuple[int, dict[str, str], str]:
        """GET, or POST `data` as a form: the status, the headers and the body."""
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(url, body, headers=headers)
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode(errors="replace")


def get(url: str, **headers: str) -> tuple[int, dict[str, str], str]:
    return Client().call(url, None, **headers)


def _wait_until_up(deployment: Deployment) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if deployment.nginx.poll() is not None:
            raise RuntimeError("nginx exited:\n" + deployment.nginx_log())
        try:
            if get(deployment.url + "/")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("nginx did not answer in 30 s:\n" + deployment.nginx_log())
