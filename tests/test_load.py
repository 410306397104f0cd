"""Many patients at once through a real multi-worker server, on SQLite (WAL, busy timeout)
and on PostgreSQL; and a server killed in the middle of a load run."""

from __future__ import annotations

import os
import sqlite3
import threading
import time

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from questionnaire.models import Submission
from tests.answer_sets import bookable
from tests.live_server import serve
from tests.load_patients import many_patients

PATIENTS = 200


def _variety(n: int) -> list[dict]:
    kinds = [
        bookable(),
        bookable(rf_calf="yes"),
        bookable(implant_site="yes"),
        bookable(areas="7_plus"),
        bookable(nerve_sensations=["burning", "tingling"]),
    ]
    return [kinds[i % len(kinds)] for i in range(n)]


def _stored(url: str) -> set[str]:
    engine = create_engine(url)
    with engine.connect() as conn:
        ids = set(conn.scalars(select(Submission.id)))
    engine.dispose()
    return ids


def _check_run(server, outcomes):
    errors = [e for o in outcomes for e in o.errors]
    assert errors == []
    acknowledged = {o.submission_id for o in outcomes}
    assert len(acknowledged) == PATIENTS
    assert _stored(server.database_url) == acknowledged
    log = server.log.read_text()
    assert "database is locked" not in log and "Traceback" not in log


def test_200_patients_at_once_on_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path / 'load.sqlite3'}"
    with serve(url, tmp_path, workers=4) as server:
        outcomes = many_patients(server.url, _variety(PATIENTS))
        _check_run(server, outcomes)


@pytest.fixture
def postgres_load_url():
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        pytest.skip("TEST_DATABASE_URL is not set: the PostgreSQL load test needs a server")
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS test_load WITH (FORCE)"))
        conn.execute(text("CREATE DATABASE test_load"))
    yield make_url(base).set(database="test_load").render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS test_load WITH (FORCE)"))
    admin.dispose()


def test_200_patients_at_once_on_postgresql(tmp_path, postgres_load_url):
    with serve(postgres_load_url, tmp_path, workers=4) as server:
        outcomes = many_patients(server.url, _variety(PATIENTS))
        _check_run(server, outcomes)


def test_a_server_killed_mid_run_loses_no_acknowledged_submission(tmp_path):
    path = tmp_path / "kill.sqlite3"
    url = f"sqlite:///{path}"
    with serve(url, tmp_path, workers=4) as server:
        outcomes: list = []
        runner = threading.Thread(
            target=lambda: outcomes.extend(many_patients(server.url, _variety(150), threads=24))
        )
        runner.start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(_stored(url)) < 20:
            time.sleep(0.05)
        server.kill()
        runner.join(120)
    acknowledged = {o.submission_id for o in outcomes if o.submission_id}
    assert acknowledged, "the kill came before any submission was acknowledged"
    assert any(o.errors for o in outcomes), "the kill came after the run had finished"
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    stored = {row[0] for row in conn.execute("SELECT id FROM submission")}
    conn.close()
    assert acknowledged <= stored
