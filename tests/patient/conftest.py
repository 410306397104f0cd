"""Fixtures for the patient pages' tests beyond the shared ones in tests/conftest.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import _empty_tables, make_app
from tests.helpers.patient_client import Patient


@pytest.fixture
def cy_patient(database_url: str) -> Iterator[Patient]:
    """A patient who chose Welsh, on an app that offers it."""
    app = make_app(database_url, LANGUAGES=("en", "cy"))
    _empty_tables(app)
    patient = Patient(app.test_client())
    assert patient.get("/?lang=cy").status_code == 302
    yield patient
    _empty_tables(app)
    app.extensions["db_engine"].dispose()
