"""Many patients at once through the production deployment (nginx with TLS in front of a
multi-worker gunicorn), on SQLite (WAL, busy timeout) and on PostgreSQL; and the app killed
behind nginx in the middle of a load run."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from sqlalchemy import create_engine, select

from questionnaire.core.models import Submission
from tests.helpers.answer_sets import bookable
from tests.helpers.deployed import deploy, get
from tests.helpers.live_server import backends, scratch_database
from tests.helpers.load_patients import many_patients

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


def _posts(lines: list[str]) -> int:
    return sum('"POST ' in line for line in lines)


def _check_run(site, outcomes):
    errors = [e for o in outcomes for e in o.errors]
    assert errors == []
    acknowledged = {o.submission_id for o in outcomes}
    assert len(acknowledged) == PATIENTS
    assert _stored(site.database_url) == acknowledged
    log = site.app.log.read_text()
    assert "database is locked" not in log and "Traceback" not in log
    # No form post carried a Referer, and none was refused.
    lines = site.access_log(until=lambda lines: _posts(lines) >= PATIENTS * 7)
    posts = [line for line in lines if '"POST ' in line]
    assert len(posts) >= PATIENTS * 7 and all(" referer:- " in line for line in posts)


@pytest.mark.parametrize("backend", backends())
def test_200_patients_at_once_through_nginx(tmp_path, backend):
    with (
        scratch_database(backend, tmp_path, "test_load") as url,
        deploy(url, tmp_path, workers=4) as site,
    ):
        outcomes = many_patients(site.url, _variety(PATIENTS))
        _check_run(site, outcomes)


def test_the_app_killed_behind_nginx_loses_no_acknowledged_submission(tmp_path):
    path = tmp_path / "kill.sqlite3"
    url = f"sqlite:///{path}"
    with deploy(url, tmp_path, workers=4) as site:
        outcomes: list = []
        runner = threading.Thread(
            target=lambda: outcomes.extend(many_patients(site.url, _variety(150), threads=24))
        )
        runner.start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(_stored(url)) < 20:
            time.sleep(0.05)
        site.app.kill()
        status, headers, page = get(site.url + "/consent")
        runner.join(120)
    # Meanwhile nginx answers on our own page, with the same headers as the app's.
    assert status == 502 and "not available just now" in page
    assert headers["Cache-Control"] == "no-store" and "Strict-Transport-Security" in headers
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    acknowledged = {o.submission_id for o in outcomes if o.submission_id}
    assert acknowledged, "the kill came before any submission was acknowledged"
    assert any(o.errors for o in outcomes), "the kill came after the run had finished"
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    stored = {row[0] for row in conn.execute("SELECT id FROM submission")}
    conn.close()
    assert acknowledged <= stored
