"""A stored submission as FHIR: its `QuestionnaireResponse`, and its screening as a
`RiskAssessment` and one `Flag` per red flag and per caution. Pure functions of a row, each
returning the resource's JSON text, written from templates made once (template.py).

"Last updated" is when the submission was stored: the answers and the screening the patient
saw never change afterwards (review notes and re-screenings are kept beside them, and are
not part of these resources).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache, cached_property
from typing import Any

from questionnaire.fhir.codes import (
    ANSWERS,
    BEST_TIME_EXTENSION,
    BOOKING_EXTENSION,
    NONE_CODE,
    REFERENCE_SYSTEM,
    RULES_CODE,
    SCREENING,
    coding,
)
from questionnaire.fhir.definitions import questionnaire_canonical
from questionnaire.fhir.template import Hole, Template, dumps
from rules import INDICATIONS, SECTIONS, reasons

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

    @cached_property
    def parts(self) -> dict[str, str]:
        """The JSON every resource of this submission shares, encoded once."""
        at = instant(self.created_at)
        identifier = {"system": REFERENCE_SYSTEM, "value": self.reference}
        return {
            "id": dumps(self.id),
            "at": dumps(at),
            "meta": dumps({"versionId": "1", "lastUpdated": at}),
            "identifier": dumps(identifier),
            # The person, known to us only by the reference code: the record system matches
            # it to its patient (by the call-back details, or when they phone and quote it).
            "subject": dumps(
                {"identifier": identifier, "display": f"Self-assessment {self.reference}"}
            ),
        }


def instant(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


# --- QuestionnaireResponse ---------------------------------------------------------------


def _answer_fragments() -> dict[str, dict[str, str]]:
    """Each coded answer's JSON, made once: the system and the code (the words are in the
    Questionnaire and the CodeSystem of the same version)."""
    return {
        qid: {c.code: dumps({"valueCoding": {"system": s.url, "code": c.code}}) for c in s.concepts}
        for qid, s in ANSWERS.items()
    }


_FRAGMENTS = _answer_fragments()


def _item_opening(qid: str) -> str:
    return f'{{"linkId":{dumps(qid)},"answer":['


# A single-choice question's whole item for each of its codes, made once.
_SINGLE_ITEMS = {
    qid: {code: f"{_item_opening(qid)}{fragment}]}}" for code, fragment in fragments.items()}
    for qid, fragments in _FRAGMENTS.items()
}
# (section opening, ((question id, kind, item opening, whole items or None), ...)) for each
# section, made once; the whole items are a single-choice question's, by code.
_LAYOUT = tuple(
    (
        dumps({"linkId": sec.id, "text": sec.title})[:-1] + ',"item":[',
        tuple(
            (
                q.id,
                q.kind,
                _item_opening(q.id),
                _SINGLE_ITEMS.get(q.id) if q.kind != "multi" else None,
            )
            for q in sec.questions
        ),
    )
    for sec in SECTIONS
)


def _fragment(qid: str, code: str) -> str:
    """One coded answer's JSON. A code the current bank does not know (an option retired
    since the answer was stored) is still served as stored, with its system: the record
    system sees what the patient chose, and one old answer never fails a page or an export."""
    fragment = _FRAGMENTS[qid].get(code)
    if fragment is None:
        return dumps({"valueCoding": {"system": ANSWERS[qid].url, "code": str(code)}})
    return fragment


def _item(qid: str, kind: str, opening: str, value: Any) -> str:
    if kind == "int":
        return f'{opening}{{"valueInteger":{int(value)}}}]}}'
    if kind == "multi":
        chosen = ",".join(_fragment(qid, c) for c in value) or _FRAGMENTS[qid][NONE_CODE]
        return f"{opening}{chosen}]}}"
    item = _SINGLE_ITEMS[qid].get(value)
    return item if item is not None else f"{opening}{_fragment(qid, value)}]}}"


def _items(answers: dict[str, Any]) -> str:
    groups = []
    get = answers.get
    for opening, questions in _LAYOUT:
        items = []
        for qid, kind, item, whole in questions:
            value = get(qid)
            if value is None:
                continue
            # Most answers are a single choice whose item is made already: the hot path of
            # export-fhir, one dict look-up each.
            found = whole.get(value) if whole is not None else None
            items.append(found if found is not None else _item(qid, kind, item, value))
        if items:
            groups.append(f"{opening}{','.join(items)}]}}")
    return f"[{','.join(groups)}]"


_QR_FIELDS: dict[str, Any] = {
    "resourceType": "QuestionnaireResponse",
    "id": Hole("id"),
    "meta": Hole("meta"),
    "identifier": Hole("identifier"),
    "questionnaire": Hole("questionnaire"),
    "status": "completed",
    "authored": Hole("at"),
}
_QR = Template({**_QR_FIELDS, "item": Hole("item")})
_QR_WITH_CALLER = Template(
    {
        **_QR_FIELDS,
        "contained": Hole("contained"),
        "subject": {"reference": f"#{CALLER}"},
        "item": Hole("item"),
    }
)


def _caller(contact: Contact) -> list[dict[str, Any]]:
    best_time = coding(SCREENING["best-time-to-call"], contact.best_time)
    telecom: list[dict[str, Any]] = [
        {
            "system": "phone",
            "value": contact.phone,
            "extension": [{"url": BEST_TIME_EXTENSION, "valueCoding": best_time}],
        }
    ]
    if contact.email:
        telecom.append({"system": "email", "value": contact.email})
    name = [{"text": contact.name}]
    return [{"resourceType": "Patient", "id": CALLER, "name": name, "telecom": telecom}]


def questionnaire_response(s: Stored) -> str:
    assert s.answers is not None
    values = dict(
        s.parts,
        questionnaire=dumps(questionnaire_canonical(s.bank_version)),
        item=_items(s.answers),
    )
    if s.contact is None:
        return _QR.fill(**values)
    return _QR_WITH_CALLER.fill(**values, contained=dumps(_caller(s.contact)))


# --- RiskAssessment ----------------------------------------------------------------------


@cache
def _coded(system_id: str, code: str) -> dict[str, str]:
    return coding(SCREENING[system_id], code)


@cache
def _prediction(indication: str, level: str) -> str:
    """A prediction's JSON without its closing brace (the rationale may follow)."""
    return dumps(
        {
            "outcome": {"coding": [_coded("indication", indication)]},
            "qualitativeRisk": {"coding": [_coded("screening-level", level)]},
        }
    )[:-1]


@cache
def _method(rules_version: str) -> str:
    rules = SCREENING["screening-rules"]
    return dumps(
        {
            "coding": [
                {
                    "system": rules.url,
                    "version": rules_version,
                    "code": RULES_CODE,
                    "display": rules.displays[RULES_CODE],
                }
            ],
            "text": f"Screening rules {rules_version}",
        }
    )


@cache
def _booking(booking: str) -> tuple[str, str]:
    coded = _coded("booking-decision", booking)
    words = coded.get("display", booking)  # a retired decision's code, if it has no words
    return dumps([{"url": BOOKING_EXTENSION, "valueCoding": coded}]), dumps(words)


_RA = Template(
    {
        "resourceType": "RiskAssessment",
        "id": Hole("id"),
        "meta": Hole("meta"),
        "identifier": [Hole("identifier")],
        "extension": Hole("booking"),
        "status": "final",
        "method": Hole("method"),
        "subject": Hole("subject"),
        "occurrenceDateTime": Hole("at"),
        "basis": [{"reference": Hole("basis")}],
        "prediction": Hole("prediction"),
        "mitigation": Hole("mitigation"),
    }
)


def risk_assessment(s: Stored) -> str:
    assert s.screening is not None
    predictions = []
    for name in INDICATIONS:
        found = s.screening["indications"].get(name)
        if found is None:  # an indication added since this screening was made
            continue
        # An indication's reasons are sentences (rules.reasons); English, as the API is.
        why = " ".join(map(reasons.words, found["reasons"]))
        rationale = f',"rationale":{dumps(why)}' if why else ""
        predictions.append(f"{_prediction(name, found['level'])}{rationale}}}")
    booking, mitigation = _booking(s.screening["booking"])
    return _RA.fill(
        **s.parts,
        booking=booking,
        method=_method(s.rules_version),
        basis=dumps(f"QuestionnaireResponse/{s.id}"),
        prediction=f"[{','.join(predictions)}]",
        mitigation=mitigation,
    )


# --- Flag --------------------------------------------------------------------------------


def _flag_suffix(kind: str, code: str) -> str:
    return f"-{kind}-{code.replace('_', '-')}"


def flag_id(submission_id: str, kind: str, code: str) -> str:
    """A Flag's id: its submission's, then rf (red flag) or c (caution), then its code."""
    return submission_id + _flag_suffix(kind, code)


_FLAG = Template(
    {
        "resourceType": "Flag",
        "id": Hole("flag_id"),
        "meta": Hole("meta"),
        "extension": [
            Hole("priority"),
            {"url": FLAG_DETAIL, "valueReference": {"reference": Hole("detail")}},
        ],
        "status": "active",
        "category": [
            {"coding": [{"system": FLAG_CATEGORY, "code": "clinical", "display": "Clinical"}]}
        ],
        "code": Hole("code"),
        "subject": Hole("subject"),
        "period": {"start": Hole("at")},
    }
)


@cache
def _flag_parts(
    kind: str, system_id: str, code: str, level_system: str, level: str
) -> tuple[str, str, str]:
    """(id suffix, priority extension JSON, code JSON) of one kind of flag, made once."""
    priority = {
        "url": FLAG_PRIORITY,
        "valueCodeableConcept": {"coding": [_coded(level_system, level)]},
    }
    return _flag_suffix(kind, code), dumps(priority), dumps({"coding": [_coded(system_id, code)]})


def flags(s: Stored) -> list[tuple[str, str]]:
    """(id, JSON) of each Flag: red flags (prioritised by tier), then cautions (by level),
    in the screening's order."""
    assert s.screening is not None
    red_flags, cautions = s.screening["red_flags"], s.screening["cautions"]
    if not red_flags and not cautions:
        return []
    fill = _FLAG.partial(**s.parts, detail=dumps(f"RiskAssessment/{s.id}")).fill
    out = []
    for f in red_flags:
        suffix, priority, code = _flag_parts("rf", "red-flag", f["id"], "red-flag-tier", f["tier"])
        if f.get("reasons"):
            told = "; ".join(map(reasons.words, f["reasons"]))
            code = f'{code[:-1]},"text":{dumps(told)}}}'
        fid = s.id + suffix
        # Ids are ours: hex, dashes and lower-case letters, nothing JSON must escape.
        out.append((fid, fill(flag_id=f'"{fid}"', priority=priority, code=code)))
    for c in cautions:
        suffix, priority, code = _flag_parts("c", "caution", c["id"], "caution-level", c["level"])
        fid = s.id + suffix
        out.append((fid, fill(flag_id=f'"{fid}"', priority=priority, code=code)))
    return out
