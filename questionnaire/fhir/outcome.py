"""Every error on the FHIR API is an `OperationOutcome`, never the site's HTML page."""

from __future__ import annotations

from typing import Any

from flask import Request, Response

from questionnaire.fhir.template import dumps

MEDIA_TYPE = "application/fhir+json; charset=utf-8"
PREFIX = "/fhir"

# HTTP status -> (FHIR issue type, what to say when the caller gave us nothing better).
ISSUES = {
    400: ("invalid", "The request is not valid."),
    401: ("login", "A valid API token is needed: Authorization: Bearer <token>."),
    403: ("forbidden", "This token's scope does not allow this."),
    404: ("not-found", "No such resource."),
    405: ("not-supported", "This API is read-only: GET only."),
    406: ("not-supported", "Only JSON (application/fhir+json) is served."),
    410: ("deleted", "This resource was deleted at the end of its retention period."),
    413: ("too-long", "The request is too large."),
    429: ("throttled", "Too many requests for this token: wait and try again."),
    500: ("exception", "Something went wrong on our side."),
}


class FhirError(Exception):
    def __init__(self, status: int, diagnostics: str | None = None, **headers: str) -> None:
        super().__init__(diagnostics)
        self.status = status
        self.diagnostics = diagnostics
        self.headers = headers


def is_fhir(request: Request) -> bool:
    return request.path == PREFIX or request.path.startswith(PREFIX + "/")


def resource_response(resource: dict[str, Any] | str, status: int = 200) -> Response:
    """`resource` as a dict, or as JSON text already written (resources.py)."""
    body = resource if isinstance(resource, str) else dumps(resource)
    return Response(body, status=status, content_type=MEDIA_TYPE)


def outcome(status: int, diagnostics: str | None = None, **headers: str) -> Response:
    code, default = ISSUES.get(status, ISSUES[500])
    severity = "error" if status < 500 else "fatal"
    resource = {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": severity, "code": code, "diagnostics": diagnostics or default}],
    }
    response = resource_response(resource, status)
    response.headers.update(headers)
    if status == 405:
        response.headers.setdefault("Allow", "GET, HEAD")
    if status == 401:
        response.headers.setdefault("WWW-Authenticate", 'Bearer realm="fhir"')
    return response
