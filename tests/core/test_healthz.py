"""`/healthz`: 200 and `{"status": "ok"}` when the database answers, 503 and
`{"status": "unavailable"}` when it does not (refused, missing, or hanging), and nothing
else: no cookie, no form, no access-log line in nginx per poll."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from questionnaire.core.health import CHECK_TIMEOUT
from tests.conftest import make_app
from tests.helpers.deployed import Client, Deployment, deploy
from tests.helpers.live_server import backends, free_port, scratch_database


def test_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.get_json() == {"status": "ok"}
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_poll_writes_no_log_line_but_a_page_does(client, capsys):
    capsys.readouterr()
    client.get("/healthz")
    client.get("/about")
    lines = capsys.readouterr().err.splitlines()
    assert [x for x in lines if "/healthz" in x] == []
    assert len([x for x in lines if "GET /about 200" in x]) == 1


def test_head_answers_too_and_nothing_else_does(client):
    head = client.head("/healthz")
    assert head.status_code == 200 and head.data == b""
    for method in ("POST", "PUT", "DELETE"):
        response = client.open("/healthz", method=method)
        assert response.status_code == 405, method
        assert "Set-Cookie" not in response.headers


def _unavailable(app) -> None:
    started = time.monotonic()
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable"}
    assert response.mimetype == "application/json"
    assert time.monotonic() - started < CHECK_TIMEOUT + 1


def test_unavailable_when_the_database_refuses_connections():
    app = make_app(f"postgresql+psycopg://prolo:secret@127.0.0.1:{free_port()}/prolo")
    _unavailable(app)
    body = app.test_client().get("/healthz").text
    assert "secret" not in body and "127.0.0.1" not in body and "prolo" not in body


def test_unavailable_until_the_database_is_there_and_each_change_is_logged(tmp_path, caplog):
    folder = tmp_path / "not-yet"
    app = make_app(f"sqlite:///{folder / 'db.sqlite3'}")
    caplog.set_level(logging.WARNING, logger="questionnaire.core.health")
    _unavailable(app)
    _unavailable(app)
    assert caplog.text.count("does not answer (OperationalError)") == 1  # once, not per poll
    folder.mkdir()
    assert app.test_client().get("/healthz").get_json() == {"status": "ok"}
    assert "answers again" in caplog.text


@pytest.fixture
def hung_database() -> Iterator[str]:
    """A PostgreSQL address that takes the connection and never says a word, like a server
    that has frozen: the driver would wait for ever."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        port = listener.getsockname()[1]
        yield f"postgresql+psycopg://prolo@127.0.0.1:{port}/prolo"


def _healthz_threads() -> int:
    return sum(t.name == "healthz" and t.is_alive() for t in threading.enumerate())


def test_a_hung_database_gives_503_quickly_and_polls_do_not_pile_up(hung_database):
    app = make_app(hung_database)
    before = _healthz_threads()
    _unavailable(app)
    _unavailable(app)  # waits on the same check, still hanging
    _unavailable(app)
    assert _healthz_threads() - before == 1


# Through the shipped nginx and gunicorn in production mode.


@pytest.fixture(scope="module", params=backends())
def site(request, tmp_path_factory) -> Iterator[Deployment]:
    tmp: Path = tmp_path_factory.mktemp("healthz")
    with scratch_database(request.param, tmp, "test_healthz") as url, deploy(url, tmp) as d:
        yield d


@pytest.mark.deployed
def test_nginx_passes_healthz_through_without_a_log_line_or_a_limit(site):
    client = Client("127.0.7.70")
    for _ in range(60):  # a poll a second for a minute, all at once
        status, headers, body = client.call(site.url + "/healthz")
        assert status == 200 and json.loads(body) == {"status": "ok"}
        assert headers["Content-Type"] == "application/json"
        assert "Set-Cookie" not in headers
        assert "max-age=31536000" in headers["Strict-Transport-Security"]
    client.call(site.url + "/about")  # logged, and written after every poll before it
    lines = site.access_log(until=lambda lines: any("/about" in x for x in lines))
    assert [x for x in lines if "127.0.7.70" in x and "/healthz" in x] == []
    assert any("127.0.7.70" in x and "/about" in x for x in lines)
    app_log = site.app.log.read_text()
    assert "GET /about 200" in app_log and "/healthz" not in app_log
