"""Who may read the FHIR API, and what they see: tokens (none, unknown, expired, revoked,
the wrong scope), staff sessions and tokens kept apart, contact details only with their
scope, every call audited under the token's name, the rate limit, and the admin page and
commands that make and revoke tokens."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from questionnaire.core.models import ApiToken, AuditEvent, CallbackRequest, utcnow
from tests.helpers.answer_sets import bookable
from tests.helpers.fhir_helpers import end_the_windows, fhir_json, get, make_token, outcome_of
from tests.helpers.staff_client import Staff, add_submission, make_user

QR = "/fhir/QuestionnaireResponse"
TOKEN_RE = re.compile(r'<p class="reference-code">(prolo_[A-Za-z0-9_-]+)</p>')


def with_callback(app, db) -> str:
    sid = add_submission(app, bookable())
    db.add(
        CallbackRequest(
            submission_id=sid,
            name="Ann Lee",
            phone="07700 900123",
            email="ann@example.com",
            best_time="morning",
        )
    )
    db.commit()
    return sid


def events(db, action: str | None = None) -> list[AuditEvent]:
    db.expire_all()
    query = select(AuditEvent).order_by(AuditEvent.id)
    if action:
        query = query.where(AuditEvent.action == action)
    return list(db.scalars(query))


def age_token(db, name: str, **fields) -> None:
    row = db.scalar(select(ApiToken).where(ApiToken.name == name))
    for key, value in fields.items():
        setattr(row, key, value)
    db.commit()


def test_no_token_or_another_scheme_is_401_asking_for_a_bearer_token(client):
    for headers in ({}, {"Authorization": "Basic dXNlcjpwYXNz"}, {"Authorization": "Bearer "}):
        response = client.get(QR, headers=headers)
        outcome_of(response, 401)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_an_unknown_token_is_401_invalid_token(client):
    response = get(client, QR, "prolo_" + "x" * 43)
    outcome_of(response, 401)
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_an_expired_token_stops_working_and_the_refusal_is_audited(app, db, client):
    token = make_token(app)
    fhir_json(get(client, QR, token))
    age_token(db, "Records", expires_at=utcnow() - timedelta(seconds=1))
    outcome_of(get(client, QR, token), 401)
    (refused,) = events(db, "fhir_refused")
    assert refused.details["token"] == "Records" and refused.details["reason"] == "expired"


def test_a_revoked_token_stops_at_once(app, runner, db, client):
    token = make_token(app)
    fhir_json(get(client, QR, token))
    result = runner.invoke(args=["revoke-api-token", "Records"])
    assert result.exit_code == 0, result.output
    outcome_of(get(client, QR, token), 401)
    assert events(db, "fhir_refused")[0].details["reason"] == "revoked"
    assert runner.invoke(args=["revoke-api-token", "Nobody"]).exit_code != 0


def test_the_definitions_scope_reads_the_questionnaire_but_no_responses(app, client, db):
    sid = add_submission(app, bookable())
    token = make_token(app, "definitions")
    fhir_json(get(client, "/fhir/Questionnaire", token))
    fhir_json(get(client, "/fhir/CodeSystem/caution", token))
    for url in (
        QR,
        f"{QR}/{sid}",
        "/fhir/RiskAssessment",
        f"/fhir/RiskAssessment/{sid}",
        "/fhir/Flag",
    ):
        assert "scope" in outcome_of(get(client, url, token), 403)
    assert {e.details["status"] for e in events(db, "fhir_refused")} == {403}


def test_contact_details_only_with_the_contacts_scope(app, db, client):
    sid = with_callback(app, db)
    plain = make_token(app, "responses", name="Records")
    full = make_token(app, "responses-with-contacts", name="Call centre")
    for url in (f"{QR}/{sid}", QR):
        without = get(client, url, plain)
        fhir_json(without)
        for secret in ("Ann Lee", "07700", "ann@example.com", "contained"):
            assert secret not in without.text
        with_ = fhir_json(get(client, url, full))
        qr = with_ if url != QR else with_["entry"][0]["resource"]
        (caller,) = qr["contained"]
        assert caller["name"] == [{"text": "Ann Lee"}]
        assert [t["value"] for t in caller["telecom"]] == ["07700 900123", "ann@example.com"]
    # Screening resources never carry contact details, whatever the scope.
    assert "07700" not in get(client, f"/fhir/RiskAssessment/{sid}", full).text
    reads = events(db, "fhir_read")
    assert [e.details["contacts"] for e in reads] == [False, True, False, True, False]


def test_a_staff_session_does_not_open_the_api(as_role, app):
    add_submission(app, bookable())
    admin = as_role("admin")
    for url in (QR, "/fhir/Questionnaire", "/fhir/QuestionnaireResponse/" + "0" * 32):
        response = admin.get(url)
        outcome_of(response, 401)
        assert "Set-Cookie" not in response.headers
    assert admin.get("/staff/admin/users").status_code == 200  # the session itself is fine


def test_a_token_does_not_open_staff_pages(app, client):
    add_submission(app, bookable())
    for scope in ("responses-with-contacts",):
        token = make_token(app, scope)
        for url in ("/staff/submissions/", "/staff/export/", "/staff/api-tokens/", "/staff/"):
            response = get(client, url, token)
            assert response.status_code == 302, url
            assert response.location.startswith("/staff/login")


def test_every_call_with_a_token_is_audited_under_its_name(app, db, client):
    sids = [add_submission(app, bookable()) for _ in range(3)]
    token = make_token(app)
    calls = [
        (f"{QR}?_count=2", 200),
        (f"{QR}/{sids[0]}", 200),
        (f"/fhir/RiskAssessment/{sids[1]}", 200),
        ("/fhir/Questionnaire", 200),
        (f"{QR}/{'0' * 32}", 404),
        (f"{QR}?_count=0", 400),
    ]
    for url, status in calls:
        assert get(client, url, token).status_code == status
    audited = [e for e in events(db) if e.action in ("fhir_read", "fhir_refused")]
    assert len(audited) == len(calls)
    assert {e.user_email for e in audited} == {"API token: Records"}
    assert {e.details["token"] for e in audited} == {"Records"}
    assert audited[0].details["submissions"] == sids[:2]
    assert audited[1].details["submissions"] == [sids[0]]
    assert audited[2].details["submissions"] == [sids[1]]
    assert [e.details["status"] for e in audited[4:]] == [404, 400]
    # Ids and counts only: no answers in the audit log.
    assert all("rf_calf" not in str(e.details) for e in audited)


def test_the_rate_limit_answers_429_with_retry_after_then_lets_the_token_in_again(app, db, client):
    app.config.update(FHIR_RATE_LIMIT=3, FHIR_RATE_WINDOW_SECONDS=60)
    token = make_token(app)
    for _ in range(3):
        fhir_json(get(client, QR, token))
    response = get(client, QR, token)
    outcome_of(response, 429)
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert events(db, "fhir_refused")[-1].details["status"] == 429
    # Another token has its own count.
    fhir_json(get(client, QR, make_token(app, name="Other")))
    # The next window starts afresh.
    end_the_windows(db)
    fhir_json(get(client, QR, token))


def test_the_token_is_kept_only_as_its_sha256(app, db):
    token = make_token(app)
    row = db.scalar(select(ApiToken))
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert len(token) >= 43 + len("prolo_")  # 256 random bits, base64url
    assert token not in str([(c.name, getattr(row, c.name)) for c in ApiToken.__table__.columns])


@pytest.mark.parametrize(
    "args, message",
    [
        (["X", "--scope", "everything", "--expires", "2099-01-01"], "Invalid value"),
        (["X", "--scope", "responses", "--expires", "tomorrow"], "not a date"),
        (["X", "--scope", "responses", "--expires", "2020-01-01"], "after today"),
        (["X", "--scope", "responses", "--expires", "2099-01-01"], "within"),
        (["<script>", "--scope", "responses", "--expires", "2026-12-31"], "letters"),
    ],
)
def test_the_command_refuses_bad_tokens_clearly(runner, args, message):
    result = runner.invoke(args=["create-api-token", *args])
    assert result.exit_code != 0
    assert message in result.output


# --- the admin page -----------------------------------------------------------------------


def expiry(days: int = 30) -> str:
    return (utcnow() + timedelta(days=days)).date().isoformat()


def test_only_admins_reach_the_token_page(as_role):
    for persona in ("clinician", "staff", "nobody"):
        assert as_role(persona).get("/staff/api-tokens/").status_code == 403
    page = as_role("admin").get("/staff/api-tokens/")
    assert page.status_code == 200 and "No tokens yet" in page.text
    assert 'href="/staff/api-tokens/"' in page.text  # the nav link


def test_an_admin_makes_a_token_that_is_shown_once_and_works(as_role, app, db, client):
    admin = as_role("admin")
    page = admin.post(
        "/staff/api-tokens/",
        {"name": "Practice records", "scope": "responses", "expires": expiry()},
    )
    assert page.status_code == 200
    token = TOKEN_RE.search(page.text.replace("<wbr>", "")).group(1)
    fhir_json(get(client, QR, token))
    listing = admin.get("/staff/api-tokens/").text
    assert "Practice records" in listing and token not in listing
    assert f"<td>{expiry()}</td>" in listing  # the last day it works, as the admin chose
    row = db.scalar(select(ApiToken))
    assert row.expires_at.isoformat() == f"{expiry(31)}T00:00:00+00:00"  # through that day
    (made,) = events(db, "api_token_created")
    assert made.user_email == "admin@clinic.example"
    assert made.details["scope"] == "responses"


def test_a_token_made_by_command_or_page_is_audited_alike_under_who_made_it(as_role, app, db):
    make_token(app, scope="definitions", name="Lab")
    as_role("admin").post(
        "/staff/api-tokens/",
        {"name": "Practice records", "scope": "responses", "expires": expiry()},
    )
    rows = {row.name: row for row in db.scalars(select(ApiToken))}
    made = events(db, "api_token_created")
    assert [(e.user_email, e.target, e.details) for e in made] == [
        (
            who,
            f"api_token:{rows[name].id}",
            {"name": name, "scope": scope, "expires_at": rows[name].expires_at.isoformat()},
        )
        for who, name, scope in (
            ("(command line)", "Lab", "definitions"),
            ("admin@clinic.example", "Practice records", "responses"),
        )
    ]
    assert [rows[name].created_by for name in ("Lab", "Practice records")] == [
        "(command line)",
        "admin@clinic.example",
    ]
    assert made[0].user_id is None and made[1].user_id is not None


def test_an_admin_revokes_a_token_and_it_stops_at_once(as_role, app, db, client):
    token = make_token(app)
    fhir_json(get(client, QR, token))
    row_id = db.scalar(select(ApiToken.id))
    admin = as_role("admin")
    response = admin.post("/staff/api-tokens/revoke", {"token_id": str(row_id)})
    assert response.status_code == 302
    outcome_of(get(client, QR, token), 401)
    assert "Revoked" in admin.get("/staff/api-tokens/").text
    assert events(db, "api_token_revoked")[0].details["name"] == "Records"


def test_the_token_forms_need_their_csrf_token(as_role, app, db):
    admin = as_role("admin")
    made = admin.client.post(
        "/staff/api-tokens/", data={"name": "X", "scope": "responses", "expires": expiry()}
    )
    assert made.status_code == 400
    assert db.scalar(select(ApiToken)) is None
    make_token(app)
    row_id = db.scalar(select(ApiToken.id))
    assert (
        admin.client.post("/staff/api-tokens/revoke", data={"token_id": row_id}).status_code == 400
    )
    db.expire_all()
    assert db.scalar(select(ApiToken.revoked_at)) is None


@pytest.mark.parametrize(
    "form, message",
    [
        ({"name": "", "scope": "responses"}, "Enter the name of the system"),
        ({"name": "Lab", "scope": "all"}, "Choose what the system may read"),
        ({"name": "Lab", "scope": "responses", "expires": "2020-01-01"}, "after today"),
        ({"name": "Lab", "scope": "responses", "expires": "soon"}, "Not a valid date"),
        ({"name": "Lab\x01", "scope": "responses"}, "Remove the special characters"),
    ],
)
def test_bad_input_on_the_token_form_is_named_beside_the_field(as_role, db, form, message):
    page = as_role("admin").post("/staff/api-tokens/", {"expires": expiry(), **form})
    assert page.status_code == 400
    assert "There is a problem" in page.text and message in page.text
    assert page.text.count(message) >= 2  # in the summary and beside the field
    assert db.scalar(select(ApiToken)) is None


def test_a_name_in_use_is_refused_beside_the_field(as_role, app):
    make_token(app, name="Lab")
    page = as_role("admin").post(
        "/staff/api-tokens/", {"name": "Lab", "scope": "responses", "expires": expiry()}
    )
    assert page.status_code == 400 and "exists already" in page.text


def _contacts_token(admin) -> str:
    page = admin.post(
        "/staff/api-tokens/",
        {"name": "Call-backs", "scope": "responses-with-contacts", "expires": expiry(60)},
    )
    assert page.status_code == 200, page.text[:500]
    return TOKEN_RE.search(page.text.replace("<wbr>", "")).group(1)


@pytest.mark.parametrize(
    "change, form",
    [("disable", {}), ("roles", {"roles": ["clinician"]})],
    ids=["disabled", "no longer admin"],
)
def test_a_token_stops_when_its_admin_is_disabled_or_loses_the_role(
    as_role, app, db, client, users, change, form
):
    make_user(app, "second@clinic.example", ["admin"])
    token = _contacts_token(as_role("admin"))
    with_callback(app, db)
    assert "07700 900123" in get(client, QR, token).text
    second = Staff(app.test_client(), "second@clinic.example")
    second.login()
    done = second.post(f"/staff/admin/users/{users['admin']}/{change}", form)
    assert done.status_code == 302
    refused = get(client, QR, token)
    assert refused.status_code == 401 and "07700" not in refused.text
    (revoked,) = events(db, "api_token_revoked")
    assert revoked.details["name"] == "Call-backs"
    assert revoked.details["reason"] == "its maker is no longer an active admin"
    assert get(client, QR, token).status_code == 401  # and it stays refused
    assert db.scalar(select(ApiToken.revoked_at)) is not None


def test_a_token_made_on_the_command_line_names_no_admin_and_keeps_working(app, db, client):
    token = make_token(app, "responses")
    assert db.scalar(select(ApiToken.created_by_id)) is None
    fhir_json(get(client, QR, token))


def test_a_contacts_token_lives_at_most_the_contact_maximum(as_role, app, runner, db):
    admin = as_role("admin")
    long = {"name": "Call-backs", "scope": "responses-with-contacts", "expires": expiry(91)}
    page = admin.post("/staff/api-tokens/", long)
    assert page.status_code == 400
    assert page.text.count("Choose an expiry date within 90 days") >= 2
    result = runner.invoke(
        args=["create-api-token", "Lab", "--scope", "responses-with-contacts", "--expires",
              expiry(91)]
    )  # fmt: skip
    assert result.exit_code != 0 and "within 90 days" in result.output
    assert db.scalar(select(ApiToken)) is None
    # Other scopes keep the longer maximum.
    page = admin.post("/staff/api-tokens/", {**long, "scope": "responses"})
    assert page.status_code == 200
    app.config["API_CONTACT_TOKEN_MAX_DAYS"] = 120
    page = admin.post("/staff/api-tokens/", {**long, "name": "Calls 2"})
    assert page.status_code == 200


def test_the_token_page_shows_when_each_token_was_last_used(as_role, app, client):
    admin = as_role("admin")
    token = _contacts_token(admin)
    assert "<td>Never</td>" in admin.get("/staff/api-tokens/").text
    get(client, QR, token)
    # In the clinic's clock, its zone named, like every time on the staff pages.
    now = utcnow().astimezone(ZoneInfo("Europe/London"))
    today = f"{now.day} {now:%b %Y}"
    assert re.search(
        rf"<td>{today}, \d\d:\d\d (GMT|BST)</td>\s*<td>admin@",
        admin.get("/staff/api-tokens/").text,
    )
