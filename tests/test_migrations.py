"""Migrations: from empty to the newest and back, and data carried across a revision."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect, text

from questionnaire.db import make_engine
from questionnaire.migrate import downgrade, upgrade

BEFORE_TIER_RANK = "0e523779bcbd"


@pytest.fixture
def engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'mig.sqlite3'}")
    yield engine
    engine.dispose()


def test_upgrade_to_newest_and_down_to_nothing(engine):
    upgrade(engine)
    tables = set(inspect(engine).get_table_names())
    assert {"submission", "draft", "staff_user", "audit_event", "review_note"} <= tables
    downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}


def test_the_tier_rank_revision_fills_in_existing_submissions(engine):
    upgrade(engine, BEFORE_TIER_RANK)
    now = datetime.now(UTC).replace(tzinfo=None)
    with engine.begin() as conn:
        for i, tier in enumerate(["emergency", "urgent", "gp_soon", None]):
            conn.execute(
                text(
                    "INSERT INTO submission (id, reference, submit_token, created_at,"
                    " bank_version, rules_version, answers, screening, booking, tier,"
                    " osteoarthritis, tendinopathy, ligament, neuropathic, consent_version,"
                    " consented_at, review_status) VALUES (:id, :ref, :tok, :now, '1.0',"
                    " '1.0', '{}', '{}', 'book', :tier, 'unlikely', 'unlikely', 'unlikely',"
                    " 'unlikely', '1.0', :now, 'new')"
                ),
                {
                    "id": f"{i:032x}",
                    "ref": f"AAAA-000{i}",
                    "tok": f"t{i}",
                    "now": now,
                    "tier": tier,
                },
            )
    upgrade(engine)
    with engine.connect() as conn:
        ranks = dict(conn.execute(text("SELECT tier, tier_rank FROM submission")).all())
    assert ranks == {"emergency": 0, "urgent": 1, "gp_soon": 2, None: 3}


def test_the_models_and_the_migrations_agree(engine):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from questionnaire.models import Base

    upgrade(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        drift = compare_metadata(context, Base.metadata)
    # Alembic cannot compare indexes on expressions (created_at DESC); those are
    # created by hand in their revision and checked by name here instead.
    drift = [
        d
        for d in drift
        if not (d[0] in ("add_index", "remove_index") and d[1].name in EXPRESSION_INDEXES)
    ]
    assert drift == []
    names = {i["name"] for i in inspect(engine).get_indexes("submission")}
    assert EXPRESSION_INDEXES <= names


EXPRESSION_INDEXES = {"ix_submission_rank_created", "ix_submission_status_rank_created"}
