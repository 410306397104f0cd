"""Migration 7f41a0c9d2b3 (API tokens, purged-submission ids, the paging index), and the
security revision's changes to tokens and rate counts: up and down on SQLite, and on
PostgreSQL too when TEST_DATABASE_URL is set."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import inspect, text

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


SECURITY, BEFORE_SECURITY = "d52965fc8e38", "e5a8c2d4f7b9"


def test_the_security_revision_names_each_token_s_admin_from_its_email(engine):
    upgrade(engine, BEFORE_SECURITY)
    now = datetime.now(UTC).replace(tzinfo=None)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO staff_user (id, email, password_hash, roles, active,"
                " must_change_password, failed_logins, created_at) VALUES"
                " (7, 'admin@clinic.example', 'x', '[\"admin\"]', true, false, 0, :now)"
            ),
            {"now": now},
        )
        for n, by in enumerate(("admin@clinic.example", "(command line)")):
            conn.execute(
                text(
                    "INSERT INTO api_token (name, scope, token_hash, created_by, created_at,"
                    " expires_at, window_count) VALUES (:name, 'responses', :hash, :by, :now,"
                    " :now, 3)"
                ),
                {"name": f"t{n}", "hash": f"{n:064d}", "by": by, "now": now},
            )
    upgrade(engine, SECURITY)
    with engine.connect() as conn:
        made = conn.execute(text("SELECT name, created_by_id FROM api_token ORDER BY name"))
        assert [tuple(row) for row in made] == [("t0", 7), ("t1", None)]
    assert "rate_count" in inspect(engine).get_table_names()
    downgrade(engine, BEFORE_SECURITY)
    found = inspect(engine)
    assert "rate_count" not in found.get_table_names()
    assert "resume_attempt" in found.get_table_names()
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM api_token WHERE window_count = 0")) == 2
    upgrade(engine)
