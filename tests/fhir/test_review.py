"""The findings of the FHIR API's security review, each through the public surface: digits
of other scripts in paging values, calls ending in a 500 audited, stored codes the current
rules no longer know, `_lastUpdated` ranges by precision, unknown scopes, OPTIONS, and the
cap on auditing a flood of refusals."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from questionnaire.core.models import ApiToken, AuditEvent, Submission
from questionnaire.fhir import resources
from tests.helpers.answer_sets import bookable
from tests.helpers.fhir_helpers import (
    end_the_windows,
    fhir_json,
    get,
    make_token,
    outcome_of,
    validate,
)
from tests.helpers.staff_client import add_submission

QR = "/fhir/QuestionnaireResponse"
T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def events(db, action: str) -> list[AuditEvent]:
    db.expire_all()
    query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    return list(db.scalars(query))


@pytest.mark.parametrize(
    "query",
    ["_count=%C2%B2", "_count=%D9%A3", "_cursor=%D9%A3-" + "0" * 32],
)
def test_digits_of_other_scripts_are_a_400_not_a_500(app, client, query):
    token = make_token(app)
    assert "_" in outcome_of(get(client, f"{QR}?{query}", token), 400)


def test_an_offset_in_another_script_is_a_400(app, client):
    token = make_token(app, "definitions")
    outcome_of(get(client, "/fhir/CodeSystem?_offset=%C2%B2", token), 400)
    fhir_json(get(client, "/fhir/CodeSystem?_offset=2", token))


def test_a_call_that_ends_in_a_500_is_audited_under_the_token(app, db, client, monkeypatch):
    add_submission(app, bookable())
    token = make_token(app)

    def broken(stored):
        raise RuntimeError("a bug")

    monkeypatch.setattr(resources, "questionnaire_response", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = get(client, QR, token)
    assert response.status_code == 500
    assert response.get_json(force=True)["resourceType"] == "OperationOutcome"
    (refused,) = events(db, "fhir_refused")
    assert refused.details["token"] == "Records" and refused.details["status"] == 500
    assert events(db, "fhir_read") == []


def retire_codes(db, sid: str) -> None:
    """Make a stored submission look as one stored under an older bank and rules would."""
    row = db.get(Submission, sid)
    answers = dict(row.answers, site="elbow_old", hypermobility=["loose_old"])
    screening = json.loads(json.dumps(row.screening))
    del screening["indications"]["neuropathic"]
    screening["red_flags"].append({"id": "retired_flag", "tier": "urgent", "reasons": []})
    screening["cautions"].append({"id": "retired_caution", "level": "old_level"})
    row.answers, row.screening = answers, screening
    db.commit()


def test_retired_codes_are_served_without_display_and_never_fail_a_page(app, db, client):
    sids = [add_submission(app, bookable(rf_calf="yes"), days_ago=3 - n) for n in range(3)]
    retire_codes(db, sids[1])
    token = make_token(app)
    seen = []
    url = f"{QR}?_count=1"
    while url:
        body = fhir_json(get(client, url, token))
        seen += [e["resource"] for e in body["entry"]]
        nxt = [link["url"] for link in body["link"] if link["relation"] == "next"]
        url = nxt[0].removeprefix("http://localhost") if nxt else ""
    assert [r["id"] for r in seen] == sids
    items = {i["linkId"]: i["answer"] for g in seen[1]["item"] for i in g["item"]}
    assert items["site"] == [
        {"valueCoding": {"system": items["site"][0]["valueCoding"]["system"], "code": "elbow_old"}}
    ]
    assert items["hypermobility"][0]["valueCoding"]["code"] == "loose_old"
    assert "answer-site" in items["site"][0]["valueCoding"]["system"]

    ra = fhir_json(get(client, f"/fhir/RiskAssessment/{sids[1]}", token))
    outcomes = [p["outcome"]["coding"][0]["code"] for p in ra["prediction"]]
    assert "neuropathic" not in outcomes and "osteoarthritis" in outcomes

    flags = fhir_json(get(client, "/fhir/Flag", token))
    retired = [e["resource"] for e in flags["entry"] if e["resource"]["id"].startswith(sids[1])]
    codings = [f["code"]["coding"][0] for f in retired]
    assert [c["code"] for c in codings] == ["dvt", "retired_flag", "retired_caution"]
    assert "display" in codings[0] and "display" not in codings[1]
    caution_id = resources.flag_id(sids[1], "c", "retired_caution")
    assert fhir_json(get(client, f"/fhir/Flag/{caution_id}", token))["id"] == caution_id


def test_retired_codes_do_not_fail_the_export(app, db, runner, tmp_path):
    sid = add_submission(app, bookable(rf_calf="yes"))
    retire_codes(db, sid)
    target = tmp_path / "load.ndjson"
    result = runner.invoke(args=["export-fhir", "--since", "2000-01-01", str(target)])
    assert result.exit_code == 0, result.output
    written = [json.loads(line) for line in target.read_text().splitlines()]
    for resource in written:
        validate(resource)
    assert [r["resourceType"] for r in written] == ["QuestionnaireResponse", "RiskAssessment"] + [
        "Flag"
    ] * 3
    assert "elbow_old" in target.read_text()


@pytest.fixture
def at_boundaries(app, db):
    """Submissions stored around 09:00 on 1 May 2026, by label."""
    stored = {
        "08:59:59.999999": T0 - timedelta(microseconds=1),
        "09:00:00": T0,
        "09:00:00.5": T0 + timedelta(milliseconds=500),
        "09:00:00.999999": T0 + timedelta(seconds=1, microseconds=-1),
        "09:00:01": T0 + timedelta(seconds=1),
        "09:00:59.9": T0 + timedelta(seconds=59, milliseconds=900),
        "09:01:00": T0 + timedelta(minutes=1),
    }
    ids = {}
    for label, at in stored.items():
        sid = add_submission(app, bookable())
        db.get(Submission, sid).created_at = at
        db.commit()
        ids[sid] = label
    return ids


def test_last_updated_covers_the_range_its_precision_implies(app, client, at_boundaries):
    token = make_token(app)

    def search(value: str) -> list[str]:
        body = fhir_json(get(client, f"{QR}?_lastUpdated={value}", token))
        return [at_boundaries[e["resource"]["id"]] for e in body["entry"]]

    second = ["09:00:00", "09:00:00.5", "09:00:00.999999"]
    assert search("eq2026-05-01T09:00:00Z") == second
    assert search("2026-05-01T09:00:00Z") == second
    assert search("le2026-05-01T09:00:00Z") == ["08:59:59.999999", *second]
    assert search("lt2026-05-01T09:00:00Z") == ["08:59:59.999999"]
    assert search("eb2026-05-01T09:00:00Z") == ["08:59:59.999999"]
    assert search("gt2026-05-01T09:00:00Z") == ["09:00:01", "09:00:59.9", "09:01:00"]
    assert search("sa2026-05-01T09:00:00Z") == ["09:00:01", "09:00:59.9", "09:01:00"]
    assert search("ge2026-05-01T09:00:00Z") == [*second, "09:00:01", "09:00:59.9", "09:01:00"]
    assert search("ne2026-05-01T09:00:00Z") == [
        "08:59:59.999999",
        "09:00:01",
        "09:00:59.9",
        "09:01:00",
    ]
    # A minute, a tenth of a second, a microsecond; an offset moves the span.
    assert search("eq2026-05-01T09:00Z") == [*second, "09:00:01", "09:00:59.9"]
    assert search("eq2026-05-01T09:00:00.5Z") == ["09:00:00.5"]
    assert search("eq2026-05-01T09:00:00.9Z") == ["09:00:00.999999"]
    assert search("eq2026-05-01T09:00:00.999999Z") == ["09:00:00.999999"]
    assert search("eq2026-05-01T10:00:00%2B01:00") == second
    assert search("gt2026-05-01") == []
    assert len(search("eq2026-05-01")) == 7


@pytest.mark.parametrize(
    "value",
    [
        "ap2026-05-01",
        "xx2026-05-01",
        "2026-05-01T09:00:00",  # no offset
        "2026-05-01T09Z",
        "2026-05-01T09:00:00.1234567Z",
        "2026-5-1",
        "%D9%A2026-05-01",
    ],
)
def test_last_updated_refuses_what_it_does_not_support(app, client, value):
    outcome_of(get(client, f"{QR}?_lastUpdated={value}", make_token(app)), 400)


def test_an_unknown_stored_scope_grants_nothing(app, db, client):
    token = make_token(app, "responses-with-contacts")
    row = db.scalar(select(ApiToken))
    row.scope = "everything"
    db.commit()
    outcome_of(get(client, QR, token), 403)
    outcome_of(get(client, "/fhir/CodeSystem", token), 403)


@pytest.mark.parametrize("path", ["/fhir/metadata", QR, f"{QR}/abc", "/fhir/CodeSystem"])
def test_options_is_refused_as_an_operation_outcome(app, client, path):
    response = client.options(path, headers={"Authorization": f"Bearer {make_token(app)}"})
    outcome_of(response, 405)
    assert response.headers["Allow"] == "GET, HEAD"


def test_a_flood_over_the_rate_limit_writes_a_few_audit_rows(app, db, client):
    app.config.update(FHIR_RATE_LIMIT=2, FHIR_RATE_WINDOW_SECONDS=600)
    token = make_token(app)
    statuses = [get(client, QR, token).status_code for _ in range(14)]
    assert statuses == [200] * 2 + [429] * 12
    refused = events(db, "fhir_refused")
    assert [(e.details["status"], e.details["refusals"]) for e in refused] == [
        (429, 1),
        (429, 10),
    ]


def test_a_flood_with_a_revoked_token_writes_a_few_audit_rows(app, db, runner, client):
    token = make_token(app)
    fhir_json(get(client, QR, token))
    assert runner.invoke(args=["revoke-api-token", "Records"]).exit_code == 0
    for _ in range(11):
        outcome_of(get(client, QR, token), 401)
    refused = events(db, "fhir_refused")
    assert [(e.details["reason"], e.details["refusals"]) for e in refused] == [
        ("revoked", 1),
        ("revoked", 10),
    ]
    # A new window starts the count again.
    end_the_windows(db)
    outcome_of(get(client, QR, token), 401)
    assert events(db, "fhir_refused")[-1].details["refusals"] == 1
