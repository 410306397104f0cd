"""Migration 7f41a0c9d2b3 (API tokens, purged-submission ids, the paging index): up and
down on SQLite, and on PostgreSQL too when TEST_DATABASE_URL is set."""

from __future__ import annotations

from sqlalchemy import inspect

from questionnaire.core.migrate import downgrade, upgrade

BEFORE = "6a1e7c0b5e11"
TABLES = {"api_token", "purged_submission"}


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
