"""Migration 7f41a0c9d2b3 (API tokens, purged-submission ids, the paging index): up and
down on SQLite, and on PostgreSQL too when TEST_DATABASE_URL is set."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, inspect, make_url

from questionnaire.db import make_engine
from questionnaire.migrate import downgrade, upgrade

BEFORE = "6a1e7c0b5e11"
SCHEMA = "fhir_migration_test"
TABLES = {"api_token", "purged_submission"}


@pytest.fixture(params=["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else []))
def engine(request, tmp_path):
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'fhir-mig.sqlite3'}")
        yield engine
        engine.dispose()
        return
    # A schema of its own, so the app tests' tables are left alone.
    url = make_url(os.environ["TEST_DATABASE_URL"])
    owner = create_engine(url)
    with owner.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        conn.exec_driver_sql(f"CREATE SCHEMA {SCHEMA}")
    engine = make_engine(
        url.update_query_dict({"options": f"-csearch_path={SCHEMA}"}).render_as_string(False)
    )
    yield engine
    engine.dispose()
    with owner.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA {SCHEMA} CASCADE")
    owner.dispose()


def _state(engine) -> tuple[set[str], set[str]]:
    found = inspect(engine)
    indexes = {i["name"] for i in found.get_indexes("submission")}
    return set(found.get_table_names()) & TABLES, indexes


def test_the_api_token_revision_goes_up_and_down_cleanly(engine):
    upgrade(engine, BEFORE)
    tables, indexes = _state(engine)
    assert tables == set() and "ix_submission_created_id" not in indexes
    upgrade(engine, "7f41a0c9d2b3")
    tables, indexes = _state(engine)
    assert tables == TABLES and "ix_submission_created_id" in indexes
    downgrade(engine, BEFORE)
    tables, indexes = _state(engine)
    assert tables == set() and "ix_submission_created_id" not in indexes
    upgrade(engine)  # and on to the newest again
    assert _state(engine)[0] == TABLES
