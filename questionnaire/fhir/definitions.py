"""The question bank as a FHIR `Questionnaire`, and our code systems as `CodeSystem`s:
pure functions of `rules/`, built once per process (the bank is read-only)."""

from __future__ import annotations

from functools import cache
from typing import Any

from questionnaire.fhir.codes import (
    ANSWERS,
    CANONICAL,
    NONE_CODE,
    PUBLISHER,
    SYSTEMS,
    System,
    coding,
)
from rules import BANK_VERSION, QUESTIONS, SECTIONS, Question
from rules.bank import AGE_MAX, AGE_MIN
from rules.conditions import AllOf, Between, Condition, OneOf

QUESTIONNAIRE_URL = f"{CANONICAL}/Questionnaire/self-assessment"
QUESTIONNAIRE_ID = f"self-assessment-{BANK_VERSION}"
MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
OPTION_EXCLUSIVE = "http://hl7.org/fhir/StructureDefinition/questionnaire-optionExclusive"


def questionnaire_canonical(bank_version: str) -> str:
    return f"{QUESTIONNAIRE_URL}|{bank_version}"


def _clauses(cond: Condition, *, alone: bool) -> list[dict[str, Any]]:
    """The enableWhen clauses for one condition, all of which must hold.

    FHIR's `!=` holds when no answer equals the value, so also when the question is not
    answered, which is how our conditions read an unanswered question. A positive "is one
    of" inside an AllOf cannot be a list of `=` joined by "any" (the AllOf needs "all"), so
    it becomes `!=` for every other option of that single-choice question: the same set."""
    if isinstance(cond, AllOf):
        return [c for part in cond.parts for c in _clauses(part, alone=False)]
    if isinstance(cond, OneOf):
        system = ANSWERS[cond.question]
        if cond.negate:
            codes, op = sorted(cond.values), "!="
        elif alone:
            codes, op = sorted(cond.values), "="
        else:
            codes, op = sorted(QUESTIONS[cond.question].codes - cond.values), "!="
        clauses: list[dict[str, Any]] = [
            {"question": cond.question, "operator": op, "answerCoding": coding(system, c)}
            for c in codes
        ]
        if op == "=":
            # Joined by "any": an unanswered question holds too, as in our conditions.
            clauses.append(
                {"question": cond.question, "operator": "exists", "answerBoolean": False}
            )
        return clauses
    if isinstance(cond, Between):
        # Only `age` is read this way: asked first and required, so never unanswered in a
        # stored submission (where FHIR's `>=` and `<=` would not hold, and ours would).
        # A lower bound at the scale's own minimum says nothing and is left out.
        out = []
        if cond.low > AGE_MIN:
            out.append({"question": cond.question, "operator": ">=", "answerInteger": cond.low})
        out.append({"question": cond.question, "operator": "<=", "answerInteger": cond.high})
        return out
    raise TypeError(f"no enableWhen for {type(cond).__name__}")


def enable_when(cond: Condition) -> tuple[list[dict[str, Any]], str]:
    """The clauses and the enableBehavior: "any" only for a lone "is one of"."""
    alone_positive = isinstance(cond, OneOf) and not cond.negate
    return _clauses(cond, alone=True), "any" if alone_positive else "all"


def _question_item(q: Question) -> dict[str, Any]:
    item: dict[str, Any] = {"linkId": q.id, "text": q.text}
    if q.kind == "int":
        item["type"] = "integer"
        item["extension"] = [
            {"url": MIN_VALUE, "valueInteger": AGE_MIN},
            {"url": MAX_VALUE, "valueInteger": AGE_MAX},
        ]
    else:
        item["type"] = "choice"
        system = ANSWERS[q.id]
        options: list[dict[str, Any]] = [{"valueCoding": coding(system, o.code)} for o in q.options]
        if q.kind == "multi":
            item["repeats"] = True
            options.append(
                {
                    "valueCoding": coding(system, NONE_CODE),
                    "extension": [{"url": OPTION_EXCLUSIVE, "valueBoolean": True}],
                }
            )
        item["answerOption"] = options
    item["required"] = q.required
    if q.show_if is not None:
        item["enableWhen"], item["enableBehavior"] = enable_when(q.show_if)
    if q.hint:
        item["item"] = [{"linkId": f"{q.id}.hint", "type": "display", "text": q.hint}]
    return item


@cache
def questionnaire() -> dict[str, Any]:
    return {
        "resourceType": "Questionnaire",
        "id": QUESTIONNAIRE_ID,
        "url": QUESTIONNAIRE_URL,
        "version": BANK_VERSION,
        "name": "ProlotherapySelfAssessment",
        "title": "Prolotherapy suitability self-assessment",
        "status": "active",
        "subjectType": ["Patient"],
        "publisher": PUBLISHER,
        "description": "Whether prolotherapy may suit someone, and any red flags first.",
        "item": [
            {
                "linkId": s.id,
                "type": "group",
                "text": s.title,
                "item": [_question_item(q) for q in s.questions],
            }
            for s in SECTIONS
        ],
    }


def code_system(system: System) -> dict[str, Any]:
    return {
        "resourceType": "CodeSystem",
        "id": system.id,
        "url": system.url,
        "version": system.version,
        "name": system.id.title().replace("-", ""),
        "title": system.title,
        "status": "active",
        "publisher": PUBLISHER,
        "description": system.description,
        "caseSensitive": True,
        "content": "complete",
        "count": len(system.concepts),
        "concept": [
            {"code": c.code, "display": c.display}
            | ({"definition": c.definition} if c.definition else {})
            for c in system.concepts
        ],
    }


@cache
def code_systems() -> dict[str, dict[str, Any]]:
    return {sid: code_system(s) for sid, s in SYSTEMS.items()}
