"""FHIR test helpers: validation with fhir.resources (R4B models), API tokens made through
the `flask` command, and answers read back out of a QuestionnaireResponse."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from flask import Flask
from sqlalchemy import update
from werkzeug.test import TestResponse

from questionnaire.core.models import RateCount, utcnow
from rules import QUESTIONS

MEDIA_TYPE = "application/fhir+json; charset=utf-8"


def validate(resource: dict[str, Any]) -> None:
    """Raises if `resource`, any resource in a Bundle or any contained resource is not
    valid FHIR R4(B): required elements, element names, id and string patterns, types.
    (The models do not check code bindings, so the tests check the codes that matter.)"""
    get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    for entry in resource.get("entry", []):
        validate(entry["resource"])
    for inner in resource.get("contained", []):
        validate(inner)


def make_token(app: Flask, scope: str = "responses", name: str = "Records", days: int = 30) -> str:
    expires = (utcnow() + timedelta(days=days)).date().isoformat()
    result = app.test_cli_runner().invoke(
        args=["create-api-token", name, "--scope", scope, "--expires", expires]
    )
    assert result.exit_code == 0, result.output
    return result.stdout.strip().splitlines()[-1]


def end_the_windows(db: Any) -> None:
    """Move every rate count back an hour: as if its window had ended."""
    db.execute(update(RateCount).values(window_start=utcnow() - timedelta(hours=1)))
    db.commit()


def get(client: Any, url: str, token: str | None, **kw: Any) -> TestResponse:
    headers = kw.pop("headers", {})
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return client.get(url, headers=headers, **kw)


def fhir_json(response: TestResponse, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text[:500]
    assert response.content_type == MEDIA_TYPE
    body = response.get_json(force=True)
    validate(body)
    return body


def answers_of(qr: dict[str, Any]) -> dict[str, Any]:
    """The answers dict a QuestionnaireResponse stands for, in the app's own vocabulary:
    `none` (none of these) back to an empty list, as stored."""
    out: dict[str, Any] = {}
    for group in qr.get("item", []):
        for item in group["item"]:
            q = QUESTIONS[item["linkId"]]
            values = [
                a.get("valueInteger", a.get("valueCoding", {}).get("code")) for a in item["answer"]
            ]
            if q.kind == "multi":
                out[q.id] = [v for v in values if v != "none"]
            else:
                (out[q.id],) = values
    return out


def outcome_of(response: TestResponse, status: int) -> str:
    body = fhir_json(response, status)
    assert body["resourceType"] == "OperationOutcome"
    return body["issue"][0]["diagnostics"]
