"""The security probe's findings, replayed against the shipped nginx site in front of the app
in production mode: the language switch's redirect, the port in a Host header, and TLS."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest

from questionnaire.core.models import utcnow
from tests.helpers.deployed import Client, Deployment, deploy, get
from tests.helpers.live_server import backends, scratch_database


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
