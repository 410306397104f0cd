"""The `CapabilityStatement` served at /fhir/metadata: what a client may ask of us."""

from __future__ import annotations

from typing import Any

from questionnaire.fhir.codes import PUBLISHER
from questionnaire.fhir.definitions import QUESTIONNAIRE_URL

PUBLISHED = "2026-11-27"
SECURITY = (
    "Every request but this one needs Authorization: Bearer <token>, a token an admin makes "
    "for one named system with a scope (definitions; responses; responses-with-contacts) and "
    "an expiry. Tokens are rate-limited; 429 comes with Retry-After."
)
SEARCH_PARAMS = [
    {
        "name": "_lastUpdated",
        "type": "date",
        "documentation": "When the submission was stored (it never changes afterwards); "
        "a value covers the range its precision implies (a day, a minute, a second, a "
        "fraction); prefixes eq, ne, ge, gt, le, lt, sa, eb; repeat for a range.",
    },
    {"name": "_count", "type": "number", "documentation": "Entries per page, 1 to 1000 (100)."},
]
DEFINITION_PARAMS = [
    {"name": "_id", "type": "token"},
    {"name": "url", "type": "uri"},
    {"name": "version", "type": "token"},
    {"name": "_count", "type": "number", "documentation": "Entries per page, 1 to 1000 (100)."},
]


def _resource(rtype: str, params: list[dict[str, str]], doc: str) -> dict[str, Any]:
    return {
        "type": rtype,
        "documentation": doc,
        "interaction": [{"code": "read"}, {"code": "search-type"}],
        "versioning": "no-version",
        "readHistory": False,
        "searchParam": params,
    }


def capability_statement(url: str) -> dict[str, Any]:
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": PUBLISHED,
        "publisher": PUBLISHER,
        "kind": "instance",
        "software": {"name": PUBLISHER},
        "implementation": {
            "description": "Read-only FHIR API",
            "url": url.removesuffix("/metadata"),
        },
        "fhirVersion": "4.0.1",
        "format": ["json"],
        "rest": [
            {
                "mode": "server",
                "security": {"cors": False, "description": SECURITY},
                "resource": [
                    _resource(
                        "Questionnaire",
                        DEFINITION_PARAMS,
                        f"The question bank, one per version ({QUESTIONNAIRE_URL}).",
                    ),
                    _resource("CodeSystem", DEFINITION_PARAMS, "Our own codes."),
                    _resource(
                        "QuestionnaireResponse",
                        SEARCH_PARAMS,
                        "One per submission; call-back details (a contained Patient) "
                        "only for the scope responses-with-contacts.",
                    ),
                    _resource(
                        "RiskAssessment",
                        SEARCH_PARAMS,
                        "One per submission: the screening the patient saw.",
                    ),
                    _resource("Flag", SEARCH_PARAMS, "Each red flag and caution of a submission."),
                ],
            }
        ],
    }
