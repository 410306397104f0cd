"""Fixtures: the app on each database backend, a patient client, the CLI runner; the
markers that make the test tiers (docs/testing.md); hypothesis's profiles.

Every app test runs on SQLite, and on PostgreSQL too when TEST_DATABASE_URL is set. CSRF
protection stays on for every client: tests read the token from the page like a browser.
Under pytest-xdist each worker has a PostgreSQL database of its own (`postgresql_url`), so
workers never empty each other's tables.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from flask import Flask
from hypothesis import settings
from sqlalchemy import Engine, create_engine, make_url

from questionnaire import create_app
from questionnaire.core.db import make_engine
from questionnaire.core.migrate import upgrade
from questionnaire.core.models import Base
from tests.helpers.live_server import empty_postgresql, postgresql_url
from tests.helpers.patient_client import Patient
from tests.helpers.staff_client import PERSONAS, Staff, make_user

SECRET = "test-secret-key-that-is-long-enough-0123456789"

# `make test` keeps hypothesis's own 100 examples a property; `make test-fast` passes
# `--hypothesis-profile=fast` for a quick look before each commit. A test's own
# @settings(max_examples=...) wins over either.
settings.register_profile("fast", max_examples=20)

# Markers by folder, so that a tier is a `-m` expression (the Makefile's) and a new test file
# joins its tier by where it lives. Tests elsewhere that start gunicorn or nginx carry
# @pytest.mark.deployed themselves.
FOLDER_MARKERS = {"browser": ("browser",), "deployed": ("deployed",)}
FILE_MARKERS = {"test_load.py": ("load",)}


# First, so that pytest-xdist's own hook (which reads xdist_group) sees the groups.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        path = item.path
        for name in FOLDER_MARKERS.get(path.parent.name, ()) + FILE_MARKERS.get(path.name, ()):
            item.add_marker(name)
        callspec = getattr(item, "callspec", None)
        if callspec is not None and "postgresql" in callspec.params.values():
            item.add_marker("postgresql")
        # Under `--dist loadgroup` (the Makefile's) a module that deploys the site keeps to
        # one worker, so its module-scoped deployment is built once, not once per worker.
        if item.get_closest_marker("deployed") and not item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.xdist_group(path.name))


def _backends() -> list[str]:
    names = ["sqlite"]
    if os.environ.get("TEST_DATABASE_URL"):
        names.append("postgresql")
    return names


@pytest.fixture(scope="session", params=_backends())
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database migrated to the newest revision, once per backend per test run."""
    if request.param == "postgresql":
        url = postgresql_url()
        empty_postgresql(url)
    else:
        url = "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


def _empty_tables(app: Flask) -> None:
    """Every test starts from empty tables, though the append-only triggers refuse to delete
    audit events and review notes: they are set aside inside the transaction that deletes
    (TRUNCATE would pass them too, but costs about 0.1 s a time on PostgreSQL)."""
    tables = Base.metadata.sorted_tables
    with app.extensions["db_engine"].begin() as conn:
        if conn.dialect.name == "postgresql":
            # A connection left inside a transaction would make this wait for ever: fail.
            conn.exec_driver_sql("SET LOCAL lock_timeout = '10s'")
            for table in tables:
                conn.exec_driver_sql(f"ALTER TABLE {table.name} DISABLE TRIGGER USER")
            for table in reversed(tables):
                conn.execute(table.delete())
            for table in tables:
                conn.exec_driver_sql(f"ALTER TABLE {table.name} ENABLE TRIGGER USER")
            return
        # SQLite cannot disable a trigger: drop them and create them again.
        triggers = conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
        ).all()
        for name, _sql in triggers:
            conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
        for table in reversed(tables):
            conn.execute(table.delete())
        for _name, sql in triggers:
            conn.exec_driver_sql(sql)


# argon2id still, but cheap: the suite signs in hundreds of times.
FAST_HASH = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}


def make_app(database_url: str, **config: object) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": SECRET,
            "PASSWORD_HASH_PARAMS": FAST_HASH,
            # The suite's threads sign in together on purpose; test_login tests the limit.
            "PASSWORD_CHECKS_AT_ONCE": 64,
            **config,
        }
    )


@pytest.fixture
def app(
    database_url: str,
    tmp_path,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Flask]:
    # An instance folder of its own: what the app keeps there per host (the password checks'
    # slots) must not be shared with the tests another xdist worker runs at the same time.
    # Beside tmp_path, not in it: tests list what they write there.
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path_factory.mktemp("instance")))
    app = make_app(database_url)
    _empty_tables(app)
    yield app
    _empty_tables(app)
    app.extensions["db_engine"].dispose()


@pytest.fixture
def client(app: Flask):
    return app.test_client()


@pytest.fixture
def patient(app: Flask) -> Patient:
    return Patient(app.test_client())


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture
def db(app: Flask):
    """A database session for checking what was stored (not for driving the app)."""
    session = app.extensions["db_sessionmaker"]()
    yield session
    session.close()


@pytest.fixture
def users(app: Flask) -> dict[str, int]:
    """One account per persona: clinician@, staff@, admin@ and nobody@ (no role)."""
    return {
        name: make_user(app, f"{name}@clinic.example", roles) for name, roles in PERSONAS.items()
    }


@pytest.fixture
def as_role(app: Flask, users: dict[str, int]):
    """as_role("clinician") gives a signed-in Staff client for that persona."""

    def sign_in(name: str) -> Staff:
        staff = Staff(app.test_client(), f"{name}@clinic.example")
        response = staff.login()
        assert response.status_code == 302, response.text[:500]
        return staff

    return sign_in


MIGRATION_SCHEMA = "migration_test"


@pytest.fixture(params=_backends())
def engine(request: pytest.FixtureRequest, tmp_path) -> Iterator[Engine]:
    """An empty database for migrations alone, on each backend: a SQLite file, or on
    PostgreSQL a schema of its own, so the app tests' tables are left alone."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'migrations.sqlite3'}")
        yield engine
        engine.dispose()
        return
    url = make_url(postgresql_url())
    owner = create_engine(url)
    with owner.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {MIGRATION_SCHEMA} CASCADE")
        conn.exec_driver_sql(f"CREATE SCHEMA {MIGRATION_SCHEMA}")
    options = {"options": f"-csearch_path={MIGRATION_SCHEMA}"}
    engine = make_engine(url.update_query_dict(options).render_as_string(False))
    yield engine
    engine.dispose()
    with owner.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA {MIGRATION_SCHEMA} CASCADE")
    owner.dispose()
