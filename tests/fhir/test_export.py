"""`flask export-fhir`: every submission since a date as FHIR NDJSON, contact details only
when asked for, a private file, audited."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from questionnaire.core.models import AuditEvent, CallbackRequest, utcnow
from tests.helpers.answer_sets import bookable
from tests.helpers.fhir_helpers import answers_of, validate
from tests.helpers.staff_client import add_submission


def lines_of(path) -> list[dict]:
    out = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    for resource in out:
        validate(resource)
    return out


def test_it_writes_each_submission_since_the_date_with_its_screening(app, runner, db, tmp_path):
    old = add_submission(app, bookable(), days_ago=10)
    new = add_submission(app, bookable(rf_calf="yes", age=61), days_ago=1)
    db.add(
        CallbackRequest(submission_id=new, name="Ann Lee", phone="07700 900123", best_time="any")
    )
    db.commit()
    since = (utcnow() - timedelta(days=5)).date().isoformat()
    target = tmp_path / "load.ndjson"
    result = runner.invoke(args=["export-fhir", "--since", since, str(target)])
    assert result.exit_code == 0, result.output
    assert "Exported 1 submission(s)" in result.output
    assert target.stat().st_mode & 0o777 == 0o600
    written = lines_of(target)
    assert [r["resourceType"] for r in written] == [
        "QuestionnaireResponse",
        "RiskAssessment",
        "Flag",
    ]
    assert {r.get("id", "")[:32] for r in written} == {new}
    assert answers_of(written[0])["age"] == 61
    assert "Ann Lee" not in target.read_text()  # no contact details unless asked for
    assert old not in target.read_text()
    (event,) = db.scalars(select(AuditEvent).where(AuditEvent.action == "fhir_exported"))
    assert event.details == {"since": since, "rows": 1, "contacts": False}


def test_contact_details_only_with_contacts(app, runner, db, tmp_path):
    sid = add_submission(app, bookable())
    db.add(
        CallbackRequest(submission_id=sid, name="Ann Lee", phone="07700 900123", best_time="any")
    )
    db.commit()
    target = tmp_path / "load.ndjson"
    result = runner.invoke(args=["export-fhir", "--since", "2000-01-01", "--contacts", str(target)])
    assert result.exit_code == 0, result.output
    (qr, _ra) = lines_of(target)
    assert qr["contained"][0]["name"] == [{"text": "Ann Lee"}]


def test_a_bad_date_is_refused_and_nothing_is_written(runner, tmp_path):
    target = tmp_path / "x.ndjson"
    for since in ("yesterday", "2026-02-30", "9999-12-31"):
        result = runner.invoke(args=["export-fhir", "--since", since, str(target)])
        assert result.exit_code == 2
        assert "--since" in result.output
    assert not target.exists()
