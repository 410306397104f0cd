"""The FHIR resources as pure functions of the question bank and of stored submissions:
valid FHIR (fhir.resources R4B models), and saying what the app itself says."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bench.rules_eval import sample_sets
from questionnaire.core.forms import BEST_TIMES
from questionnaire.fhir import codes, definitions, resources
from rules import BANK_VERSION, INDICATIONS, QUESTIONS, SECTIONS, evaluate
from rules.engine import CAUTIONS, RED_FLAGS
from tests.helpers.fhir_helpers import answers_of, validate
from tests.helpers.strategies import answer_sets

QUESTION_ITEMS = {
    item["linkId"]: item for group in definitions.questionnaire()["item"] for item in group["item"]
}


def qr_of(s: resources.Stored) -> dict[str, Any]:
    return json.loads(resources.questionnaire_response(s))


def ra_of(s: resources.Stored) -> dict[str, Any]:
    return json.loads(resources.risk_assessment(s))


def flags_of(s: resources.Stored) -> list[dict[str, Any]]:
    out = []
    for fid, text in resources.flags(s):
        flag = json.loads(text)
        assert flag["id"] == fid
        out.append(flag)
    return out


def stored(answers: dict[str, Any], contact: resources.Contact | None = None) -> resources.Stored:
    return resources.Stored(
        id="0123456789abcdef0123456789abcdef",
        reference="ABCD-EF12",
        created_at=datetime(2026, 3, 4, 5, 6, 7, 890123, tzinfo=UTC),
        bank_version=BANK_VERSION,
        rules_version="1.0",
        answers=answers,
        screening=evaluate(answers).to_dict(),
        contact=contact,
    )


def test_the_questionnaire_is_valid_fhir_and_holds_the_whole_bank_in_order():
    q = definitions.questionnaire()
    validate(q)
    assert q["version"] == BANK_VERSION
    assert q["url"] == definitions.QUESTIONNAIRE_URL
    assert [g["linkId"] for g in q["item"]] == [s.id for s in SECTIONS]
    assert list(QUESTION_ITEMS) == list(QUESTIONS)


def test_each_item_has_the_questions_type_options_and_required():
    for qid, item in QUESTION_ITEMS.items():
        q = QUESTIONS[qid]
        assert item["text"] == q.text
        assert item["required"] is q.required
        if q.kind == "int":
            assert item["type"] == "integer"
            assert "answerOption" not in item
            continue
        assert item["type"] == "choice"
        offered = [
            (o["valueCoding"]["code"], o["valueCoding"]["display"]) for o in item["answerOption"]
        ]
        expected = [(o.code, o.label) for o in q.options]
        if q.kind == "multi":
            assert item["repeats"] is True
            expected.append(("none", "None of these"))
            assert item["answerOption"][-1]["extension"][0]["valueBoolean"] is True
        assert offered == expected
        assert {o["valueCoding"]["system"] for o in item["answerOption"]} == {
            f"{codes.CANONICAL}/CodeSystem/answer-{qid.replace('_', '-')}"
        }


def _clause_holds(clause: dict[str, Any], answers: dict[str, Any]) -> bool:
    """FHIR R4's enableWhen operators, as the specification words them: `=` at least one
    answer equals; `!=` no answer equals (so also: no answer at all); `>=`, `<=` at least
    one answer compares so."""
    value = answers.get(clause["question"])
    given_ = [] if value is None else value if isinstance(value, list) else [value]
    if clause["operator"] == "exists":
        return (value is not None) is clause["answerBoolean"]
    if "answerCoding" in clause:
        wanted = clause["answerCoding"]["code"]
        system = clause["answerCoding"]["system"]
        assert system == codes.ANSWERS[clause["question"]].url
    else:
        wanted = clause["answerInteger"]
    op = clause["operator"]
    if op == "=":
        return any(v == wanted for v in given_)
    if op == "!=":
        return all(v != wanted for v in given_)
    if op == ">=":
        return any(v >= wanted for v in given_)
    if op == "<=":
        return any(v <= wanted for v in given_)
    raise AssertionError(op)


def fhir_enabled(item: dict[str, Any], answers: dict[str, Any]) -> bool:
    if "enableWhen" not in item:
        return True
    results = [_clause_holds(c, answers) for c in item["enableWhen"]]
    return any(results) if item["enableBehavior"] == "any" else all(results)


def test_every_show_if_has_enable_when_and_only_those():
    for qid, item in QUESTION_ITEMS.items():
        assert ("enableWhen" in item) is (QUESTIONS[qid].show_if is not None), qid


# Four times the profile's examples (400 in `make test`): each is cheap, and the bank's
# show-if rules are many.
@settings(max_examples=4 * settings.default.max_examples, deadline=None)
@given(answers=answer_sets(), age=st.integers(0, 120))
def test_enable_when_shows_a_question_exactly_when_the_bank_does(answers, age):
    # `age` is required and asked first: a stored submission always has it.
    answers = {**answers, "age": age}
    for qid, item in QUESTION_ITEMS.items():
        assert fhir_enabled(item, answers) is QUESTIONS[qid].is_shown(answers), (qid, answers)


def test_enable_when_on_the_edges_of_the_pregnancy_and_back_questions():
    pregnancy, spa = QUESTION_ITEMS["pregnancy"], QUESTION_ITEMS["spa_features"]
    assert pregnancy["enableBehavior"] == "all"
    assert fhir_enabled(pregnancy, {"age": 12, "sex": "female"})
    assert fhir_enabled(pregnancy, {"age": 55})  # sex not given: asked, as in the app
    assert not fhir_enabled(pregnancy, {"age": 56, "sex": "female"})
    assert not fhir_enabled(pregnancy, {"age": 30, "sex": "male"})
    back = {"site": "low_back", "duration": "3m_12m"}
    assert fhir_enabled(spa, {**back, "age": 44})
    assert not fhir_enabled(spa, {**back, "age": 45})
    assert not fhir_enabled(spa, {**back, "age": 30, "site": "knee"})
    assert not fhir_enabled(spa, {**back, "age": 30, "duration": "6w_3m"})


def test_every_code_system_is_valid_fhir_and_covers_the_codes_in_use():
    for system in definitions.code_systems().values():
        validate(system)
        assert system["count"] == len(system["concept"])
    served = definitions.code_systems()
    assert [c["code"] for c in served["red-flag"]["concept"]] == [r.id for r in RED_FLAGS]
    assert [c["code"] for c in served["caution"]["concept"]] == [r.id for r in CAUTIONS]
    assert [c["code"] for c in served["indication"]["concept"]] == list(INDICATIONS)
    assert [c["code"] for c in served["best-time-to-call"]["concept"]] == [
        o.code for o in BEST_TIMES
    ]
    for qid, q in QUESTIONS.items():
        if q.options:
            system = served[f"answer-{qid.replace('_', '-')}"]
            assert system["version"] == BANK_VERSION
            assert [c["code"] for c in system["concept"]][: len(q.options)] == [
                o.code for o in q.options
            ]


def check_screening(s: resources.Stored) -> None:
    screening = s.screening
    assert screening is not None
    ra = ra_of(s)
    validate(ra)
    assert ra["status"] == "final"
    assert ra["basis"] == [{"reference": f"QuestionnaireResponse/{s.id}"}]
    levels = {
        p["outcome"]["coding"][0]["code"]: p["qualitativeRisk"]["coding"][0]["code"]
        for p in ra["prediction"]
    }
    assert levels == {k: v["level"] for k, v in screening["indications"].items()}
    assert ra["extension"][0]["valueCoding"]["code"] == screening["booking"]
    assert ra["method"]["coding"][0]["version"] == s.rules_version
    flags = flags_of(s)
    for flag in flags:
        validate(flag)
        assert flag["status"] == "active"
    codes_ = [(f["code"]["coding"][0]["system"], f["code"]["coding"][0]["code"]) for f in flags]
    assert codes_ == [
        (codes.SCREENING["red-flag"].url, f["id"]) for f in screening["red_flags"]
    ] + [(codes.SCREENING["caution"].url, c["id"]) for c in screening["cautions"]]
    tiers = [f["extension"][0]["valueCodeableConcept"]["coding"][0]["code"] for f in flags]
    assert tiers[: len(screening["red_flags"])] == [f["tier"] for f in screening["red_flags"]]
    assert len({f["id"] for f in flags}) == len(flags)


def test_responses_and_screenings_are_valid_and_say_what_was_stored():
    for answers in sample_sets(300):
        s = stored(answers)
        qr = qr_of(s)
        validate(qr)
        assert qr["status"] == "completed"
        assert qr["questionnaire"] == f"{definitions.QUESTIONNAIRE_URL}|{BANK_VERSION}"
        assert qr["authored"] == "2026-03-04T05:06:07.890123Z" == qr["meta"]["lastUpdated"]
        assert answers_of(qr) == {k: v for k, v in answers.items() if v is not None}
        assert "contained" not in qr and "subject" not in qr
        check_screening(s)


def test_a_red_flag_is_a_flag_with_its_tier_and_the_booking_is_seek_care():
    from tests.helpers.answer_sets import bookable

    s = stored(bookable(rf_calf="yes"))
    ra = ra_of(s)
    assert ra["extension"][0]["valueCoding"]["code"] == "seek_care"
    (flag,) = [f for f in flags_of(s) if "-rf-" in f["id"]]
    assert flag["id"] == f"{s.id}-rf-dvt"
    assert (
        flag["code"]["coding"][0]["display"] == "A swollen, warm, tender calf can be a blood clot."
    )
    assert flag["extension"][0]["valueCodeableConcept"]["coding"][0]["code"] == "urgent"
    assert flag["extension"][1]["valueReference"] == {"reference": f"RiskAssessment/{s.id}"}


def test_multiple_choice_none_of_these_is_the_none_code():
    from tests.helpers.answer_sets import bookable

    qr = qr_of(stored(bookable(nerve_sensations=[])))
    (item,) = [i for g in qr["item"] for i in g["item"] if i["linkId"] == "nerve_sensations"]
    assert [a["valueCoding"]["code"] for a in item["answer"]] == ["none"]
    assert answers_of(qr)["nerve_sensations"] == []


def test_contact_details_go_in_a_contained_patient_only_when_given():
    from tests.helpers.answer_sets import bookable

    name = 'Ann <b>"Lee"</b> \\ \u0000'  # markup, quotes, a backslash and a NUL survive
    contact = resources.Contact(name, "07700 900123", "ann@example.com", "evening")
    qr = qr_of(stored(bookable(), contact))
    validate(qr)
    (patient,) = qr["contained"]
    assert qr["subject"] == {"reference": "#caller"}
    assert patient["name"] == [{"text": name}]
    phone, email = patient["telecom"]
    assert (phone["system"], phone["value"]) == ("phone", "07700 900123")
    assert phone["extension"][0]["valueCoding"]["code"] == "evening"
    assert email == {"system": "email", "value": "ann@example.com"}
