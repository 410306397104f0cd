"""A real FHIR client (fhirpy's sync client) against the app as it is deployed (the shipped
nginx site over HTTPS in front of gunicorn, two workers, production settings), on SQLite and
on PostgreSQL: it fetches the Questionnaire, pages through every
QuestionnaireResponse, RiskAssessment and Flag, and reads the same answers and screening as
the CSV export of the same submissions; `export-fhir` writes the very resources the API
serves; the rate limit holds across workers."""

from __future__ import annotations

import csv
import io
import json
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from fhirpy import SyncFHIRClient
from sqlalchemy import insert

from bench.rules_eval import sample_sets
from questionnaire.core.db import make_engine
from questionnaire.core.models import CallbackRequest, Submission
from questionnaire.fhir.definitions import QUESTIONNAIRE_URL
from questionnaire.patient.submissions import outcome_columns
from rules import INDICATIONS, QUESTIONS, evaluate
from tests.helpers.deployed import deploy, tls_context
from tests.helpers.fhir_helpers import answers_of, validate
from tests.helpers.live_server import backends, scratch_database

COUNT = 120
RATE_LIMIT = 40
START = datetime(2026, 2, 1, tzinfo=UTC)


def fill(database_url: str) -> None:
    """COUNT submissions with varied answers (flags, cautions, none of these), one in ten
    with a call-back request."""
    engine = make_engine(database_url)
    rows, callbacks = [], []
    for i, answers in enumerate(sample_sets(COUNT, seed=7)[:COUNT]):
        sid = f"{i:032x}"
        rows.append(
            {
                "id": sid,
                "reference": f"{i:04d}-{i:04d}",
                "submit_token": f"t{i}",
                "created_at": START + timedelta(minutes=i),
                "answers": answers,
                "consent_version": "1.0",
                "consented_at": START,
                "review_status": "new",
                **outcome_columns(evaluate(answers)),
            }
        )
        if i % 10 == 0:
            callbacks.append(
                {
                    "submission_id": sid,
                    "name": f"Caller {i}",
                    "phone": "07700 900000",
                    "email": None,
                    "best_time": "any",
                    "created_at": START,
                }
            )
    with engine.begin() as conn:
        conn.execute(insert(Submission), rows)
        conn.execute(insert(CallbackRequest), callbacks)
    engine.dispose()


# Every test here talks to the app deployed behind nginx.
pytestmark = pytest.mark.deployed


@pytest.fixture(scope="module", params=backends())
def server(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp("fhir-live")
    with (
        scratch_database(request.param, folder, "fhir_live") as url,
        deploy(url, folder, workers=2, FHIR_RATE_LIMIT=str(RATE_LIMIT)) as site,
        pytest.MonkeyPatch.context() as patch,
    ):
        # fhirpy (through requests) trusts the test's own certificate, and nothing else.
        patch.setenv("REQUESTS_CA_BUNDLE", str(folder / "cert.pem"))
        fill(url)
        yield site


def make_token(server, name: str, scope: str = "responses") -> str:
    expires = (datetime.now(UTC) + timedelta(days=5)).date().isoformat()
    out = server.flask("create-api-token", name, "--scope", scope, "--expires", expires)
    return out.stdout.strip()


def csv_rows(server) -> dict[str, dict[str, str]]:
    text = server.flask("export-csv", "-").stdout.lstrip("\ufeff")
    return {row["submission_id"]: row for row in csv.DictReader(io.StringIO(text))}


def as_csv_cell(qid: str, value) -> str:
    if value is None:
        return ""
    if QUESTIONS[qid].kind == "multi":
        return ";".join(value) or "none"
    return str(value)


def test_fhirpy_reads_the_questionnaire_and_every_response_as_the_csv_export_has_them(server):
    client = SyncFHIRClient(
        f"{server.url}/fhir", authorization=f"Bearer {make_token(server, 'EHR')}"
    )
    assert client.url.startswith("https://")
    questionnaire = client.resources("Questionnaire").search(url=QUESTIONNAIRE_URL).first()
    validate(questionnaire.serialize())
    assert [i["linkId"] for g in questionnaire["item"] for i in g["item"]] == list(QUESTIONS)

    responses = (
        client.resources("QuestionnaireResponse")
        .search(_lastUpdated="ge2026-01-01")
        .limit(25)
        .fetch_all()
    )
    assessments = client.resources("RiskAssessment").limit(50).fetch_all()
    flags = client.resources("Flag").limit(30).fetch_all()
    for r in [*responses, *assessments, *flags]:
        validate(r.serialize())

    exported = csv_rows(server)
    assert [r.id for r in responses] == list(exported) == [f"{i:032x}" for i in range(COUNT)]
    by_id = {ra.id: ra for ra in assessments}
    flags_of: dict[str, list[str]] = {}
    for f in flags:
        flags_of.setdefault(f["subject"]["identifier"]["value"], []).append(
            f["code"]["coding"][0]["code"]
        )
    for qr in responses:
        row = exported[qr.id]
        answers = answers_of(qr.serialize())
        assert {q: as_csv_cell(q, answers.get(q)) for q in QUESTIONS} == {
            q: row[q] for q in QUESTIONS
        }
        assert "contained" not in qr  # this token's scope has no contact details
        ra = by_id[qr.id]
        levels = {
            p["outcome"]["coding"][0]["code"]: p["qualitativeRisk"]["coding"][0]["code"]
            for p in ra["prediction"]
        }
        assert levels == {i: row[i] for i in INDICATIONS}
        assert ra["extension"][0]["valueCoding"]["code"] == row["booking"]
        named = flags_of.get(qr["identifier"]["value"], [])
        expected = [c for c in row["red_flags"].split(";") + row["cautions"].split(";") if c]
        assert named == expected
        tiers = {
            f["extension"][0]["valueCodeableConcept"]["coding"][0]["code"]
            for f in flags
            if f["subject"]["identifier"]["value"] == qr["identifier"]["value"] and "-rf-" in f.id
        }
        highest = min(tiers, key=["emergency", "urgent", "gp_soon"].index) if tiers else ""
        assert highest == row["tier"]


def test_export_fhir_writes_what_the_api_serves(server, tmp_path):
    token = make_token(server, "Loader", "responses-with-contacts")
    client = SyncFHIRClient(f"{server.url}/fhir", authorization=f"Bearer {token}")
    served = {
        (r.resource_type, r.id): r.serialize()
        for kind in ("QuestionnaireResponse", "RiskAssessment", "Flag")
        for r in client.resources(kind).limit(200).fetch_all()
    }
    target = tmp_path / "first-load.ndjson"
    done = server.flask("export-fhir", "--since", "2026-01-01", "--contacts", str(target))
    assert f"Exported {COUNT} submission(s)" in done.stderr
    assert target.stat().st_mode & 0o777 == 0o600
    written = [json.loads(line) for line in target.read_text().splitlines()]
    assert {(r["resourceType"], r["id"]): r for r in written} == served
    assert len(written) == len(served)
    assert sum("contained" in r for r in written) == COUNT // 10
    later = server.flask("export-fhir", "--since", "2026-02-01", str(tmp_path / "x"))
    assert f"Exported {COUNT} submission(s)" in later.stderr
    none = server.flask("export-fhir", "--since", "2026-03-01", str(tmp_path / "y"))
    assert "Exported 0 submission(s)" in none.stderr


def test_the_rate_limit_holds_across_workers(server):
    token = make_token(server, "Hammer")

    def call(_i: int) -> int:
        request = urllib.request.Request(
            f"{server.url}/fhir/Questionnaire/self-assessment-1.0",
            headers={"Authorization": f"Bearer {token}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30, context=tls_context()) as response:
                return response.status
        except urllib.error.HTTPError as error:
            assert error.headers["Retry-After"].isdigit()
            return error.code

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(call, range(RATE_LIMIT + 20)))
    assert statuses.count(200) == RATE_LIMIT
    assert statuses.count(429) == 20
