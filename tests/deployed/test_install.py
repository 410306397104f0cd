"""The guide is the test: deploy/install, the script docs/production.md runs on the server,
set up a fresh checkout (git's files only: no compiled catalogs, no instance folder), and the
result, served through the shipped nginx site in production mode, speaks Welsh. A step
missing from the script fails here."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from questionnaire.core import migrate
from tests.helpers.deployed import deploy, get
from tests.helpers.live_server import ROOT, SECRET, backends, scratch_database

WELSH_START = "A allai prolotherapi eich helpu?"


def fresh_checkout(into: Path) -> Path:
    """The repository's files as `git clone` gives them (as they are in the work tree)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():  # a file deleted in the work tree but not yet in git
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, into / name)
    return into


@pytest.mark.parametrize("backend", backends())
def test_the_install_script_sets_up_a_checkout_that_serves_welsh(tmp_path, backend):
    app = fresh_checkout(tmp_path / "app")
    catalog = app / "translations" / "cy" / "LC_MESSAGES" / "messages.mo"
    assert not catalog.exists()  # git has the .po only
    pages, instance = tmp_path / "proxy-pages", tmp_path / "instance"
    instance.mkdir()
    settings = {
        "APP_ENV": "production",
        "SECRET_KEY": SECRET,
        "MFA_ENCRYPTION_KEY": secrets.token_urlsafe(48),
        "LANGUAGES": "en,cy",
    }
    with scratch_database(backend, tmp_path, "install") as database_url:
        env = {
            "PATH": os.environ["PATH"],
            # The test's own venv stands for the server's; everything the lock names is in
            # it already, so pip must find nothing to fetch (and may not try).
            "VENV": str(Path(sys.executable).parent.parent),
            "PIP_NO_INDEX": "1",
            "PROXY_PAGES": str(pages),
            "FLASK": f"{sys.executable} -m flask --app wsgi",
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": str(instance),
            **settings,
        }
        run = subprocess.run(
            [str(app / "deploy" / "install")], env=env, capture_output=True, text=True
        )
        assert run.returncode == 0, run.stdout + run.stderr
        steps = [line for line in run.stdout.splitlines() if line.startswith("install: ")]
        assert [s.split()[1] for s in steps[:5]] == ["1/5", "2/5", "3/5", "4/5", "5/5"]
        assert f"Applied {migrate.head()} " in run.stdout
        assert catalog.exists() and (pages / "503.html").exists()

        # As the service runs it: gunicorn in the installed checkout, nginx in front.
        with deploy(database_url, tmp_path / "site", root=app, **settings) as site:
            status, _headers, page = get(site.url + "/", **{"Accept-Language": "cy"})
    assert status == 200
    assert '<html lang="cy">' in page and WELSH_START in page


def test_a_failing_step_stops_the_script_naming_it(tmp_path):
    app = fresh_checkout(tmp_path / "app")
    env = {
        "PATH": os.environ["PATH"],
        "VENV": str(Path(sys.executable).parent.parent),
        "PIP_NO_INDEX": "1",
        "PROXY_PAGES": str(tmp_path / "pages"),
        "FLASK": f"{sys.executable} -m flask --app wsgi",
        "INSTANCE_PATH": str(tmp_path),
        "DATABASE_URL": "sqlite:///" + str(tmp_path / "db.sqlite3"),
        "APP_ENV": "production",  # and no SECRET_KEY: the app refuses to start
    }
    run = subprocess.run([str(app / "deploy" / "install")], env=env, capture_output=True, text=True)
    assert run.returncode == 1
    assert run.stderr.splitlines()[-1] == ("install: db upgrade failed (the lines above say why)")
    assert "SECRET_KEY" in run.stderr
