"""The security probe's findings, replayed against the shipped nginx site in front of the app
in production mode: the language switch's redirect, the port in a Host header, TLS (the
Mozilla "intermediate" suites), and nginx's limits keyed on an IPv6 client's /64."""

from __future__ import annotations

import json
import re
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import timedelta

import pytest

from questionnaire.core.models import utcnow
from tests.helpers.deployed import (
    NGINX,
    SITE,
    Client,
    Deployment,
    deploy,
    get,
    main_config,
    require_nginx,
    tls_context,
)
from tests.helpers.live_server import backends, free_port, scratch_database


@pytest.fixture(scope="module", params=backends())
def site(request, tmp_path_factory) -> Iterator[Deployment]:
    tmp = tmp_path_factory.mktemp("probe")
    with scratch_database(request.param, tmp, "test_probe") as url, deploy(url, tmp) as d:
        yield d


@pytest.mark.parametrize("path", ["/%09/evil.example", "/%0D%0A/evil.example"])
@pytest.mark.parametrize("lang", ["cy", "en"])
def test_the_language_switch_does_not_redirect_off_the_site(site, path, lang):
    status, headers, body = get(f"{site.url}{path}?lang={lang}")
    assert status == 404 and "Location" not in headers
    assert "Traceback" not in body


def test_a_port_added_to_the_host_header_is_not_written_into_links(site):
    port = site.url.rsplit(":", 1)[1]
    status, _, body = Client().call(site.url + "/fhir/metadata", Host="localhost:9")
    assert status == 200
    described = json.loads(body)["implementation"]["url"]
    assert described == f"https://localhost:{port}/fhir"


def test_fhir_full_urls_keep_the_port_the_site_is_served_on(site):
    expires = (utcnow() + timedelta(days=5)).date().isoformat()
    made = site.flask("create-api-token", "Probe", "--scope", "definitions", "--expires", expires)
    token = made.stdout.strip().splitlines()[-1]
    status, _, body = Client().call(
        site.url + "/fhir/CodeSystem?_count=1",
        Host="localhost:9",
        Authorization=f"Bearer {token}",
    )
    assert status == 200, body
    bundle = json.loads(body)
    assert bundle["entry"][0]["fullUrl"].startswith(site.url + "/fhir/CodeSystem/")
    (nxt,) = [link["url"] for link in bundle["link"] if link["relation"] == "next"]
    assert nxt.startswith(site.url + "/fhir/CodeSystem?")


def _handshake(site: Deployment, version: ssl.TLSVersion, ciphers: str | None = None) -> str:
    """The suite the site agrees to with a client offering only `ciphers` at `version`."""
    context = tls_context()
    context.minimum_version = context.maximum_version = version
    if ciphers is not None:
        context.set_ciphers(ciphers + ":@SECLEVEL=0")  # let the client offer old suites
    host, port = site.url.removeprefix("https://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname=host) as tls:
            return tls.cipher()[0]


@pytest.mark.parametrize(
    "ciphers",
    [
        "AES128-SHA",  # static RSA key exchange, CBC
        "AES128-GCM-SHA256",  # static RSA key exchange: no forward secrecy
        "ECDHE-RSA-AES128-SHA",  # forward secret, but CBC
        "ECDHE-RSA-AES256-SHA384",
    ],
)
def test_tls_1_2_refuses_suites_without_forward_secrecy_or_aead(site, ciphers):
    with pytest.raises(ssl.SSLError):
        _handshake(site, ssl.TLSVersion.TLSv1_2, ciphers)


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1_1 is deprecated:DeprecationWarning")
def test_tls_1_1_is_refused(site):
    with pytest.raises(ssl.SSLError):
        _handshake(site, ssl.TLSVersion.TLSv1_1, "DEFAULT")


@pytest.mark.parametrize("ciphers", ["ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-CHACHA20-POLY1305"])
def test_tls_1_2_accepts_forward_secret_aead_suites(site, ciphers):
    assert _handshake(site, ssl.TLSVersion.TLSv1_2, ciphers) == ciphers


def test_tls_1_3_is_accepted(site):
    assert _handshake(site, ssl.TLSVersion.TLSv1_3).startswith("TLS_")


@pytest.fixture(scope="module")
def limiter(tmp_path_factory) -> Iterator[str]:
    """A private nginx running the shipped site's client-key maps under a limit of one POST
    a minute, that takes the client's address from X-Forwarded-For (the realip module): one
    machine can then speak from any IPv6 address. Allowed: 405 (a POST to a file)."""
    require_nginx()
    folder = tmp_path_factory.mktemp("limiter")
    shipped = SITE.read_text()
    maps = re.findall(r"^map \$(?:binary_remote_addr|request_method) .*?^}$", shipped, re.M | re.S)
    assert len(maps) == 2, "the shipped site's client-key maps changed"
    (folder / "index.html").write_text("ok")
    port = free_port()
    site = folder / "site.conf"
    site.write_text(
        "\n".join(maps)
        + f"""
limit_req_zone $prolotherapy_post_address zone=probe:1m rate=1r/m;
server {{
    listen 127.0.0.1:{port};
    set_real_ip_from 127.0.0.1;
    real_ip_header X-Forwarded-For;
    location / {{
        limit_req zone=probe;
        limit_req_status 429;
        root {folder};
    }}
}}
"""
    )
    conf = folder / "nginx.conf"
    conf.write_text(main_config(folder, site))
    nginx = subprocess.Popen([NGINX, "-c", str(conf)], start_new_session=True)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline and nginx.poll() is None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/index.html"
    finally:
        nginx.terminate()
        nginx.wait(10)


def _post_from(url: str, address: str) -> int:
    request = urllib.request.Request(url, b"x", headers={"X-Forwarded-For": address})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_nginx_counts_an_ipv6_client_by_its_64(limiter):
    assert _post_from(limiter, "2001:db8:0:7::1") == 405
    assert _post_from(limiter, "2001:db8:0:7:ffff:ffff:ffff:fffe") == 429  # same /64
    assert _post_from(limiter, "2001:db8:0:8::1") == 405  # the next /64
    # IPv4 clients are counted by their whole address, as before.
    assert _post_from(limiter, "192.0.2.1") == 405
    assert _post_from(limiter, "192.0.2.2") == 405
    assert _post_from(limiter, "192.0.2.1") == 429
