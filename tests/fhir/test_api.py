"""The FHIR API through the test client: reads, searches with keyset paging, and every error
an OperationOutcome. Every body is validated with fhir.resources (R4B)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest

from questionnaire.core.models import Submission
from questionnaire.fhir import api, resources
from tests.helpers.answer_sets import bookable
from tests.helpers.fhir_helpers import answers_of, fhir_json, get, make_token, outcome_of
from tests.helpers.staff_client import add_submission

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def token(app):
    return make_token(app, "responses")


def set_created(db, sid: str, at: datetime) -> None:
    db.get(Submission, sid).created_at = at
    db.commit()


def page_through(client, url: str, token: str) -> tuple[list[dict], int]:
    """Every entry's resource, following `next` links; and how many pages it took."""
    found, pages = [], 0
    while url:
        body = fhir_json(get(client, url, token))
        assert body["type"] == "searchset"
        found += [e["resource"] for e in body["entry"]]
        pages += 1
        nxt = [link["url"] for link in body["link"] if link["relation"] == "next"]
        url = urlsplit(nxt[0])._replace(scheme="", netloc="").geturl() if nxt else ""
    return found, pages


def test_metadata_is_a_capability_statement_open_to_all(client):
    body = fhir_json(client.get("/fhir/metadata"))
    assert body["resourceType"] == "CapabilityStatement"
    assert body["fhirVersion"] == "4.0.1"
    types = {r["type"] for r in body["rest"][0]["resource"]}
    assert types == {
        "Questionnaire",
        "CodeSystem",
        "QuestionnaireResponse",
        "RiskAssessment",
        "Flag",
    }


def test_the_questionnaire_is_read_by_id_and_found_by_its_canonical_url(client, token):
    q = fhir_json(get(client, "/fhir/Questionnaire/self-assessment-1.0", token))
    assert q["resourceType"] == "Questionnaire"
    bundle = fhir_json(get(client, f"/fhir/Questionnaire?url={q['url']}&version=1.0", token))
    assert bundle["total"] == 1 and bundle["entry"][0]["resource"] == q
    none = fhir_json(get(client, "/fhir/Questionnaire?version=0.9", token))
    assert none["total"] == 0 and none["entry"] == []


def test_code_systems_are_served(client, token):
    cs = fhir_json(get(client, "/fhir/CodeSystem/red-flag", token))
    assert cs["url"].endswith("/CodeSystem/red-flag")
    bundle = fhir_json(get(client, "/fhir/CodeSystem", token))
    assert {e["resource"]["id"] for e in bundle["entry"]} >= {"answer-site", "booking-decision"}
    assert "not-found" in get(client, "/fhir/CodeSystem/nope", token).text
    paged, pages = page_through(client, "/fhir/CodeSystem?_count=10", token)
    assert [r["id"] for r in paged] == [e["resource"]["id"] for e in bundle["entry"]]
    assert pages == -(-len(paged) // 10)
    outcome_of(get(client, "/fhir/CodeSystem?_offset=-1", token), 400)


def test_a_response_is_read_by_its_submission_id_with_the_stored_answers(app, client, token):
    answers = bookable(nerve_sensations=["burning", "tingling"], hypermobility=[])
    sid = add_submission(app, answers)
    response = get(client, f"/fhir/QuestionnaireResponse/{sid}", token)
    qr = fhir_json(response)
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers
    assert qr["id"] == sid and answers_of(qr) == answers
    ra = fhir_json(get(client, f"/fhir/RiskAssessment/{sid}", token))
    assert ra["basis"] == [{"reference": f"QuestionnaireResponse/{sid}"}]


def test_flags_are_read_by_id_and_searched_with_their_submissions(app, client, token):
    sid = add_submission(app, bookable(rf_calf="yes", blood_thinner="other"))
    add_submission(app, bookable())  # no flag, no caution
    flag_id = resources.flag_id(sid, "rf", "dvt")
    flag = fhir_json(get(client, f"/fhir/Flag/{flag_id}", token))
    assert flag["code"]["coding"][0]["code"] == "dvt"
    found, _ = page_through(client, "/fhir/Flag", token)
    assert [f["id"] for f in found] == [flag_id, resources.flag_id(sid, "c", "blood_thinner")]
    outcome_of(get(client, f"/fhir/Flag/{sid}-rf-cancer", token), 404)


def test_paging_gives_every_response_once_oldest_first_by_next_links(app, db, client, token):
    ids = [add_submission(app, bookable(age=20 + i)) for i in range(23)]
    for i, sid in enumerate(ids):
        set_created(db, sid, T0 + timedelta(minutes=i))
    found, pages = page_through(client, "/fhir/QuestionnaireResponse?_count=5", token)
    assert [r["id"] for r in found] == ids
    assert pages == 5
    assert [answers_of(r)["age"] for r in found] == list(range(20, 43))


def test_links_are_on_site_url_whatever_port_the_host_header_names(app, db, client, token):
    app.config["SITE_URL"] = "https://selfcheck.clinic.example"
    sid = add_submission(app, bookable())
    add_submission(app, bookable())
    body = fhir_json(
        get(client, "/fhir/QuestionnaireResponse?_count=1", token, headers={"Host": "x:8443"})
    )
    assert body["entry"][0]["fullUrl"] == (
        f"https://selfcheck.clinic.example/fhir/QuestionnaireResponse/{sid}"
    )
    (nxt,) = [link["url"] for link in body["link"] if link["relation"] == "next"]
    assert nxt.startswith("https://selfcheck.clinic.example/fhir/QuestionnaireResponse?")


def test_paging_keeps_submissions_stored_in_the_same_microsecond(app, db, client, token):
    ids = [add_submission(app, bookable()) for _ in range(7)]
    for sid in ids:
        set_created(db, sid, T0)
    found, _ = page_through(client, "/fhir/QuestionnaireResponse?_count=2", token)
    assert [r["id"] for r in found] == sorted(ids)


def test_last_updated_picks_a_range(app, db, client, token):
    ids = [add_submission(app, bookable()) for _ in range(6)]
    for i, sid in enumerate(ids):
        set_created(db, sid, T0 + timedelta(days=i))  # 1 May ... 6 May

    def search(query: str) -> list[str]:
        found, _ = page_through(client, f"/fhir/QuestionnaireResponse?{query}", token)
        return [r["id"] for r in found]

    assert search("_lastUpdated=ge2026-05-03") == ids[2:]
    assert search("_lastUpdated=gt2026-05-03") == ids[3:]
    assert search("_lastUpdated=lt2026-05-03") == ids[:2]
    assert search("_lastUpdated=le2026-05-03") == ids[:3]
    assert search("_lastUpdated=2026-05-03") == [ids[2]]
    assert search("_lastUpdated=ge2026-05-02&_lastUpdated=lt2026-05-04&_count=1") == ids[1:3]
    assert search("_lastUpdated=ge2026-05-02T09:00:00Z") == ids[1:]
    assert search("_lastUpdated=gt2026-05-02T09:00:00%2B00:00") == ids[2:]
    assert search("_lastUpdated=ge2026-05-02T10:00:00%2B02:00") == ids[1:]


@pytest.mark.parametrize(
    "query",
    [
        "colour=blue",
        "_count=0",
        "_count=1001",
        "_count=ten",
        "_lastUpdated=yesterday",
        "_lastUpdated=ge2026-05-02T09:00:00",  # a time needs its offset
        "_lastUpdated=ge9999-12-31",
        "_lastUpdated=ap2026-01-01",
        "_cursor=abc",
        "_cursor=99999999999999999999-0123456789abcdef0123456789abcdef",
    ],
)
def test_a_bad_search_parameter_is_a_400_that_says_which(client, token, query):
    text = outcome_of(get(client, f"/fhir/QuestionnaireResponse?{query}", token), 400)
    assert query.split("=")[0] in text


def test_only_json_is_served(client, token):
    outcome_of(get(client, "/fhir/QuestionnaireResponse?_format=xml", token), 406)


def test_unknown_things_are_404_and_writes_405_as_operation_outcomes(client, token):
    outcome_of(get(client, "/fhir/Patient", token), 404)
    outcome_of(get(client, "/fhir/QuestionnaireResponse/" + "0" * 32, token), 404)
    outcome_of(get(client, "/fhir/QuestionnaireResponse/not_an_id!", token), 404)
    outcome_of(get(client, "/fhir/a/b/c", token), 404)
    outcome_of(get(client, "/fhir", token), 404)
    for send in (client.post, client.put, client.delete):
        response = send("/fhir/QuestionnaireResponse", headers={"Authorization": f"Bearer {token}"})
        outcome_of(response, 405)
        assert response.headers["Allow"] == "GET, HEAD"


def test_a_purged_submission_is_410_gone(app, runner, client, token):
    old = add_submission(app, bookable(rf_calf="yes"), days_ago=400)
    kept = add_submission(app, bookable())
    assert runner.invoke(args=["purge-submissions", "--days", "365"]).exit_code == 0
    assert "deleted" in outcome_of(get(client, f"/fhir/QuestionnaireResponse/{old}", token), 410)
    outcome_of(get(client, f"/fhir/RiskAssessment/{old}", token), 410)
    outcome_of(get(client, f"/fhir/Flag/{resources.flag_id(old, 'rf', 'dvt')}", token), 410)
    fhir_json(get(client, f"/fhir/QuestionnaireResponse/{kept}", token))
    # Safe to run twice: the tombstone is written once.
    assert runner.invoke(args=["purge-submissions", "--days", "365"]).exit_code == 0
    outcome_of(get(client, f"/fhir/QuestionnaireResponse/{old}", token), 410)


def test_an_unexpected_error_is_a_500_operation_outcome_with_nothing_inside(
    app, client, token, monkeypatch
):
    sid = add_submission(app, bookable())

    def broken(_stored):
        raise RuntimeError("secret detail")

    monkeypatch.setitem(
        api.FROM_SUBMISSIONS, "QuestionnaireResponse", (api.store.Want(answers=True), broken)
    )
    response = get(client, f"/fhir/QuestionnaireResponse/{sid}", token)
    assert "secret detail" not in response.text
    outcome_of(response, 500)
