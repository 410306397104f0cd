"""A real browser (Debian's Chromium through Playwright) against a real server.

On CI a missing browser fails the run; on a developer's machine these tests skip and say
how to install it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.deployed import Deployment, deploy
from tests.helpers.live_server import backends, scratch_database

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "a long enough passphrase"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "screenshots"


def _missing(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must have it: .ci/run installs chromium)")
    pytest.skip(f"{reason}: install it with `apt-get install -y chromium` to run browser tests")


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright is not installed")
    if not Path(CHROMIUM).exists():
        _missing(f"Chromium was not found at {CHROMIUM}")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session", params=backends())
def live(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """The app deployed as in production (nginx with TLS, gunicorn, APP_ENV=production) on
    a database of its own, SQLite or PostgreSQL, with one account per role. Welsh is offered
    (test_browser_welsh.py); English stays the default a browser gets. Built once per
    backend for the whole run (for each pytest-xdist worker), not per module: a build takes
    about 20 s, and each journey starts its own patient, so none depends on another's rows."""
    tmp = tmp_path_factory.mktemp("live")
    with (
        scratch_database(request.param, tmp, "test_live") as url,
        deploy(url, tmp, LANGUAGES="en,cy") as site,
    ):
        for email, roles in [
            ("clinician@clinic.example", ["clinician"]),
            ("staff@clinic.example", ["staff"]),
            ("admin@clinic.example", ["admin", "clinician", "staff"]),
        ]:
            role_args = [a for r in roles for a in ("--role", r)]
            site.flask("create-user", email, *role_args, "--password-stdin", stdin=PASSWORD)
        yield site


def open_context(chromium, live: Deployment, **options):
    """A browser context on the deployed site (its certificate is the test's own)."""
    return chromium.new_context(base_url=live.url, ignore_https_errors=True, **options)


@pytest.fixture
def page(chromium, live):
    context = open_context(chromium, live, viewport=PHONE)
    page = context.new_page()
    yield page
    context.close()


def shoot(page, name: str) -> None:
    """Screenshots at phone and desktop size, into screenshots/ (docs/testing.md)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    size = page.viewport_size
    for label, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(viewport)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(size)
