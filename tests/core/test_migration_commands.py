"""`db upgrade`, `db status` and `db downgrade` as an operator runs them: each names the
revisions it applies or undoes, and going back to the previous release (CHANGELOG.md) with
the newer code keeps the data. On SQLite, and on PostgreSQL too when TEST_DATABASE_URL is
set (the `engine` fixture)."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text

from questionnaire.core import migrate
from tests.conftest import make_app
from tests.core.test_release import releases
from tests.helpers.answer_sets import complete
from tests.helpers.patient_client import Patient


@pytest.fixture
def app_on(engine):
    """An app on the `engine` fixture's empty database, and its command runner."""
    app = make_app(engine.url.render_as_string(hide_password=False))
    yield app
    app.extensions["db_engine"].dispose()


def flask(app, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


def schema(engine) -> dict[str, set[str]]:
    found = inspect(engine)
    return {t: {c["name"] for c in found.get_columns(t)} for t in found.get_table_names()}


def test_upgrade_names_each_revision_it_applies_then_says_there_is_none(app_on):
    first = flask(app_on, "db", "upgrade")
    assert first.exit_code == 0, first.output
    applied = [line.split()[1] for line in first.output.splitlines() if line.startswith("Applied")]
    assert applied == [s.revision for s in reversed(migrate.chain(migrate.head()))]
    again = flask(app_on, "db", "upgrade")
    assert again.stdout == f"Database is at {migrate.head()}: nothing to apply.\n"


def test_status_says_whether_the_database_is_what_the_code_expects(app_on, engine):
    empty = flask(app_on, "db", "status")
    assert empty.exit_code == 1 and "Behind: run `db upgrade`" in empty.output
    flask(app_on, "db", "upgrade")
    now = flask(app_on, "db", "status")
    assert now.exit_code == 0 and now.output.endswith("Up to date.\n")
    with engine.begin() as conn:  # as a newer release leaves it
        conn.execute(text("UPDATE alembic_version SET version_num = 'f00dfeedbeef'"))
    ahead = flask(app_on, "db", "status")
    assert ahead.exit_code == 1 and "Ahead: a newer release" in ahead.output
    refused = flask(app_on, "db", "upgrade")
    assert refused.exit_code == 2 and refused.stderr.count("\n") == 1
    assert "f00dfeedbeef, which this code does not know" in refused.stderr


def test_going_back_to_the_previous_release_keeps_every_submission(app_on, engine):
    (_new, new_revision), (_old, old_revision) = releases()[:2]
    migrate.upgrade(engine, old_revision)
    old_schema = schema(engine)
    assert flask(app_on, "db", "upgrade").exit_code == 0
    for age in (30, 40, 50):
        Patient(app_on.test_client()).complete(complete(age=age))
    back = flask(app_on, "db", "downgrade", old_revision)
    assert back.exit_code == 0, back.output
    undone = [line.split()[1] for line in back.output.splitlines() if line.startswith("Undid")]
    assert undone == [s.revision for s in migrate.chain(new_revision, old_revision)]
    assert back.output.endswith(f"Database is at {old_revision}.\n")
    assert schema(engine) == old_schema  # what the old release's code expects
    with engine.connect() as conn:
        rows = conn.scalars(text("SELECT answers FROM submission")).all()
    assert len(rows) == 3
    # ...and forward again, as the next upgrade does, with the rows still there.
    assert flask(app_on, "db", "upgrade").exit_code == 0
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM submission")) == 3


@pytest.mark.parametrize("revision", ["-99", "nonsense", "7fff4dba416"])
def test_a_downgrade_that_cannot_be_done_is_one_line_and_status_2(app_on, engine, revision):
    flask(app_on, "db", "upgrade")
    refused = flask(app_on, "db", "downgrade", revision)
    assert refused.exit_code == 2 and refused.stdout == ""
    assert refused.stderr.count("\n") == 1 and refused.stderr.startswith("Error: ")
    assert migrate.current(engine) == migrate.head()  # nothing undone


def test_a_downgrade_past_the_first_revision_is_refused(app_on, engine):
    flask(app_on, "db", "upgrade")
    assert flask(app_on, "db", "downgrade", "base").exit_code == 0
    assert migrate.current(engine) is None
    refused = flask(app_on, "db", "downgrade", "-1")
    assert refused.exit_code == 2
    assert refused.stderr == (
        "Error: the database has no revision applied: there is nothing to undo\n"
    )
