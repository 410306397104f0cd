"""Static files fingerprinted by the app: every URL it makes carries a hash of the file's
content, and that URL is served with a year's `immutable` caching in one Cache-Control
header; any other URL for the file must be checked again (no-cache)."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest

from questionnaire import ROOT, create_app
from tests.conftest import SECRET

ASSET = re.compile(r'(?:href|src)="(/static/([\w.-]+)\?v=([0-9a-f]+))"')


def _assets(page: str) -> list[tuple[str, str, str]]:
    return ASSET.findall(page)


def _fetch(client, url: str) -> tuple[int, list[str]]:
    """The status and every Cache-Control header (the file itself is closed after)."""
    response = client.get(url)
    try:
        return response.status_code, response.headers.getlist("Cache-Control")
    finally:
        response.close()


def test_every_page_links_its_files_by_a_hash_of_their_content(client):
    assets = _assets(client.get("/about").text)
    assert {name for _, name, _ in assets} == {"site.css", "app.js"}
    for _, name, digest in assets:
        content = (ROOT / "static" / name).read_bytes()
        assert digest == hashlib.sha256(content).hexdigest()[:12]


def test_a_fingerprinted_file_is_kept_for_a_year_with_one_header(client):
    for url, _, _ in _assets(client.get("/").text):
        assert _fetch(client, url) == (200, ["public, max-age=31536000, immutable"])


@pytest.mark.parametrize("query", ["", "?v=000000000000"])
def test_a_plain_or_stale_url_must_be_checked_again(client, query):
    assert _fetch(client, "/static/site.css" + query) == (200, ["no-cache"])


def test_a_missing_file_is_not_cached(client):
    assert _fetch(client, "/static/no-such-file.css?v=000000000000") == (404, ["no-store"])


def test_the_body_diagram_script_is_fingerprinted_too(patient):
    patient.consent()
    patient.step("about", {"age": 40, "sex": "female"})
    names = {name for _, name, _ in _assets(patient.get("/step/pain").text)}
    assert "body-diagram.js" in names


def test_a_changed_file_gets_a_new_url_and_the_old_one_is_checked_again(
    tmp_path: Path, database_url: str
):
    static = tmp_path / "static"
    shutil.copytree(ROOT / "static", static)
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": SECRET})
    app.static_folder = str(static)  # the app's own files, in a folder this test may change
    client = app.test_client()
    try:
        (old, _, _), *_ = _assets(client.get("/about").text)
        (static / "site.css").write_text("body { color: black; }\n")
        (new, _, _), *_ = _assets(client.get("/about").text)
        assert new != old and new.startswith("/static/site.css?v=")
        assert _fetch(client, new) == (200, ["public, max-age=31536000, immutable"])
        assert _fetch(client, old) == (200, ["no-cache"])
    finally:
        app.extensions["db_engine"].dispose()
