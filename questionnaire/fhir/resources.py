"""A stored submission as FHIR: its `QuestionnaireResponse`, and its screening as a
`RiskAssessment` and one `Flag` per red flag and per caution. Pure functions of a row.

"Last updated" is when the submission was stored: the answers and the screening the patient
saw never change afterwards (review notes and re-screenings are kept beside them, and are
not part of these resources).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rules import INDICATIONS, SECTIONS

from .codes import (
    ANSWERS,
    BEST_TIME_EXTENSION,
    BOOKING_EXTENSION,
    NONE_CODE,
    REFERENCE_SYSTEM,
    RULES_CODE,
    SCREENING,
    coding,
)
from .definitions import questionnaire_canonical

FLAG_CATEGORY = "http://terminology.hl7.org/CodeSystem/flag-category"
FLAG_PRIORITY = "http://hl7.org/fhir/StructureDefinition/flag-priority"
FLAG_DETAIL = "http://hl7.org/fhir/StructureDefinition/flag-detail"
CALLER = "caller"  # the id of the contained Patient that holds call-back details


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str
    email: str | None
    best_time: str


@dataclass(frozen=True)
class Stored:
    """What the resources are built from: the columns of one submission."""

    id: str
    reference: str
    created_at: datetime
    bank_version: str
    rules_version: str
    answers: dict[str, Any] | None = None
    screening: dict[str, Any] | None = None
    contact: Contact | None = None


def instant(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


def _meta(s: Stored) -> dict[str, Any]:
    return {"versionId": "1", "lastUpdated": instant(s.created_at)}


def _identifier(s: Stored) -> dict[str, str]:
    return {"system": REFERENCE_SYSTEM, "value": s.reference}


def _subject(s: Stored) -> dict[str, Any]:
    """The person, known to us only by the submission's reference code: the record system
    matches it to its patient (by the call-back details, or when they phone and quote it)."""
    return {"identifier": _identifier(s), "display": f"Self-assessment {s.reference}"}


# The bank's layout, worked out once: (section id, title, ((question id, kind), ...)).
_LAYOUT = tuple(
    (sec.id, sec.title, tuple((q.id, q.kind) for q in sec.questions)) for sec in SECTIONS
)


def _answer(qid: str, kind: str, value: Any) -> list[dict[str, Any]]:
    if kind == "int":
        return [{"valueInteger": value}]
    system = ANSWERS[qid]
    if kind == "multi":
        return [{"valueCoding": coding(system, c)} for c in value] or [
            {"valueCoding": coding(system, NONE_CODE)}
        ]
    return [{"valueCoding": coding(system, value)}]


def _items(answers: dict[str, Any]) -> list[dict[str, Any]]:
    groups = []
    for sid, title, questions in _LAYOUT:
        items = [
            {"linkId": qid, "answer": _answer(qid, kind, answers[qid])}
            for qid, kind in questions
            if answers.get(qid) is not None
        ]
        if items:
            groups.append({"linkId": sid, "text": title, "item": items})
    return groups


def _caller(contact: Contact) -> dict[str, Any]:
    phone: dict[str, Any] = {
        "system": "phone",
        "value": contact.phone,
        "extension": [
            {
                "url": BEST_TIME_EXTENSION,
                "valueCoding": coding(SCREENING["best-time-to-call"], contact.best_time),
            }
        ],
    }
    telecom = [phone]
    if contact.email:
        telecom.append({"system": "email", "value": contact.email})
    return {
        "resourceType": "Patient",
        "id": CALLER,
        "name": [{"text": contact.name}],
        "telecom": telecom,
    }


def questionnaire_response(s: Stored) -> dict[str, Any]:
    assert s.answers is not None
    out: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "id": s.id,
        "meta": _meta(s),
        "identifier": _identifier(s),
        "questionnaire": questionnaire_canonical(s.bank_version),
        "status": "completed",
        "authored": instant(s.created_at),
        "item": _items(s.answers),
    }
    if s.contact is not None:
        out["contained"] = [_caller(s.contact)]
        out["subject"] = {"reference": f"#{CALLER}"}
    return out


def risk_assessment(s: Stored) -> dict[str, Any]:
    assert s.screening is not None
    screening = s.screening
    predictions = []
    for name in INDICATIONS:
        found = screening["indications"][name]
        prediction: dict[str, Any] = {
            "outcome": {"coding": [coding(SCREENING["indication"], name)]},
            "qualitativeRisk": {"coding": [coding(SCREENING["screening-level"], found["level"])]},
        }
        if found["reasons"]:
            prediction["rationale"] = "; ".join(found["reasons"])
        predictions.append(prediction)
    booking = coding(SCREENING["booking-decision"], screening["booking"])
    rules = SCREENING["screening-rules"]
    return {
        "resourceType": "RiskAssessment",
        "id": s.id,
        "meta": _meta(s),
        "identifier": [_identifier(s)],
        "extension": [{"url": BOOKING_EXTENSION, "valueCoding": booking}],
        "status": "final",
        "method": {
            "coding": [
                {
                    "system": rules.url,
                    "version": s.rules_version,
                    "code": RULES_CODE,
                    "display": rules.displays[RULES_CODE],
                }
            ],
            "text": f"Screening rules {s.rules_version}",
        },
        "subject": _subject(s),
        "occurrenceDateTime": instant(s.created_at),
        "basis": [{"reference": f"QuestionnaireResponse/{s.id}"}],
        "prediction": predictions,
        "mitigation": booking["display"],
    }


def flag_id(submission_id: str, kind: str, code: str) -> str:
    return f"{submission_id}-{kind}-{code.replace('_', '-')}"


def _flag(s: Stored, fid: str, code: dict[str, Any], priority: dict[str, str]) -> dict[str, Any]:
    return {
        "resourceType": "Flag",
        "id": fid,
        "meta": _meta(s),
        "identifier": [_identifier(s)],
        "extension": [
            {"url": FLAG_PRIORITY, "valueCodeableConcept": {"coding": [priority]}},
            {"url": FLAG_DETAIL, "valueReference": {"reference": f"RiskAssessment/{s.id}"}},
        ],
        "status": "active",
        "category": [
            {"coding": [{"system": FLAG_CATEGORY, "code": "clinical", "display": "Clinical"}]}
        ],
        "code": code,
        "subject": _subject(s),
        "period": {"start": instant(s.created_at)},
    }


def flags(s: Stored) -> list[dict[str, Any]]:
    """Red flags (prioritised by tier), then cautions (by level), in the screening's order."""
    assert s.screening is not None
    out = []
    for f in s.screening["red_flags"]:
        code: dict[str, Any] = {"coding": [coding(SCREENING["red-flag"], f["id"])]}
        if f.get("reasons"):
            code["text"] = "; ".join(f["reasons"])
        tier = coding(SCREENING["red-flag-tier"], f["tier"])
        out.append(_flag(s, flag_id(s.id, "rf", f["id"]), code, tier))
    for c in s.screening["cautions"]:
        code = {"coding": [coding(SCREENING["caution"], c["id"])]}
        level = coding(SCREENING["caution-level"], c["level"])
        out.append(_flag(s, flag_id(s.id, "c", c["id"]), code, level))
    return out
