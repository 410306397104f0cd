"""The question bank as built, its JSON form (`python -m rules questions`, what the web flow
and any other client read), and the consistency check that stops a bank that contradicts
itself from loading."""

import dataclasses
import json

import pytest

from rules import QUESTIONS, SECTION_BY_ID, SECTIONS, Option, Question
from rules.bank import (
    AGE_MAX,
    AGE_MIN,
    AXIAL_LIG,
    LIG_SITES,
    OA_SITES,
    SPINE_PELVIS,
    THREE_MONTHS_OR_MORE,
    _check,
    bank_dict,
)
from rules.conditions import AllOf, Between, OneOf

YES_NO = [{"code": "yes", "label": "Yes"}, {"code": "no", "label": "No"}]


def test_sections_have_their_titles_and_hold_their_own_questions():
    assert [(s.id, s.title) for s in SECTIONS] == [
        ("about", "About you"),
        ("pain", "Your pain"),
        ("pattern", "What the pain is like"),
        ("safety", "Important health questions"),
        ("health", "Your health and medicines"),
    ]
    for section in SECTIONS:
        assert SECTION_BY_ID[section.id] is section
        assert all(q.section == section.id for q in section.questions), section.id
    assert [q.id for q in SECTION_BY_ID["about"].questions] == ["age", "sex"]
    assert [q.id for q in SECTION_BY_ID["pain"].questions] == [
        "site",
        "duration",
        "onset",
        "areas",
        "fatigue",
    ]


def test_every_question_s_codes_and_labels_are_its_options():
    for q in QUESTIONS.values():
        assert q.codes == frozenset(o.code for o in q.options), q.id
        assert q.labels == {o.code: o.label for o in q.options}, q.id
        assert all(q.label_for(o.code) == o.label for o in q.options), q.id
        assert (q.kind == "int") == (q.options == ()), q.id


def test_yes_no_questions_offer_yes_then_no():
    yesno = [q for q in QUESTIONS.values() if q.kind == "yesno"]
    assert len(yesno) == 32
    assert all([o.code for o in q.options] == ["yes", "no"] for q in yesno)
    assert all([o.label for o in q.options] == ["Yes", "No"] for q in yesno)


def test_kinds_required_hints_and_conditions_are_as_defined():
    assert QUESTIONS["age"].kind == "int" and QUESTIONS["site"].kind == "single"
    assert QUESTIONS["hypermobility"].kind == "multi"
    assert [q.id for q in QUESTIONS.values() if q.required] == [
        "age",
        "site",
        "duration",
        *(
            "rf_bladder_bowel rf_saddle rf_weakness rf_both_legs rf_fever rf_recent_injury "
            "rf_calf rf_cancer rf_weight_loss rf_fracture_risk rf_joints_swollen"
        ).split(),
        "pregnancy",
        "blood_thinner",
        "anaesthetic_allergy",
        "corn_allergy",
        "infection_site",
    ]
    assert {q.id: q.hint for q in QUESTIONS.values() if q.hint} == {
        "age": "Your age in whole years.",
        "hypermobility": "Choose all that apply.",
        "nerve_sensations": "Choose all that apply.",
        "spa_features": "Choose all that apply.",
    }
    assert {q.id: q.show_if for q in QUESTIONS.values() if q.show_if} == {
        "morning_stiffness": OneOf("site", frozenset({"skin_patch"}), negate=True),
        **dict.fromkeys(("posture_pain", "giving_way", "sprains", "clicking", "hypermobility"),
                        OneOf("site", LIG_SITES)),
        "grinding": OneOf("site", OA_SITES),
        "bony_swelling": OneOf("site", OA_SITES),
        "joint_state": OneOf("site", SPINE_PELVIS | {"skin_patch", "widespread"}, negate=True),
        "spa_features": AllOf((
            OneOf("site", frozenset({"low_back", "pelvis_back"})),
            OneOf("duration", THREE_MONTHS_OR_MORE),
            Between("age", AGE_MIN, 44),
        )),
        "pregnancy": AllOf(
            (OneOf("sex", frozenset({"male"}), negate=True), Between("age", 12, 55))
        ),
    }  # fmt: skip
    assert AXIAL_LIG < LIG_SITES and SPINE_PELVIS < LIG_SITES


# --- the JSON form -----------------------------------------------------------------------


def question_json(qid):
    return next(q for s in bank_dict()["sections"] for q in s["questions"] if q["id"] == qid)


def test_the_json_form_of_a_whole_number_question():
    assert question_json("age") == {
        "id": "age",
        "text": "How old are you?",
        "type": "int",
        "min": 0,
        "max": 120,
        "required": True,
        "shown_if": None,
        "hint": "Your age in whole years.",
    }
    assert list(question_json("age")) == [
        "id", "text", "type", "min", "max", "required", "shown_if", "hint"
    ]  # fmt: skip


def test_the_json_form_of_a_yes_no_question_without_a_hint():
    assert question_json("rf_calf") == {
        "id": "rf_calf",
        "text": "Is one calf or leg swollen, warm, red or tender?",
        "type": "yesno",
        "options": YES_NO,
        "required": True,
        "shown_if": None,
    }


def test_the_json_form_of_conditions():
    assert question_json("morning_stiffness")["shown_if"] == {
        "question": "site",
        "not_in": ["skin_patch"],
    }
    assert question_json("grinding")["shown_if"] == {"question": "site", "in": sorted(OA_SITES)}
    assert question_json("pregnancy")["shown_if"] == {
        "all": [{"question": "sex", "not_in": ["male"]}, {"question": "age", "between": [12, 55]}]
    }
    assert question_json("spa_features")["shown_if"] == {
        "all": [
            {"question": "site", "in": ["low_back", "pelvis_back"]},
            {"question": "duration", "in": ["3m_12m", "gt_1y"]},
            {"question": "age", "between": [0, 44]},
        ]
    }


def test_the_json_form_of_a_multi_question_keeps_option_order():
    q = question_json("nerve_sensations")
    assert (q["type"], q["required"], q["hint"]) == ("multi", False, "Choose all that apply.")
    assert [o["code"] for o in q["options"]] == [
        "burning",
        "painful_cold",
        "electric_shocks",
        "tingling",
        "pins_needles",
        "numbness",
        "itching",
    ]
    assert q["options"][5] == {"code": "numbness", "label": "Numbness"}


def test_the_json_form_is_the_whole_bank_in_order():
    bank = bank_dict()
    assert list(bank) == ["bank_version", "sections"]
    assert bank["bank_version"] == "1.0"
    assert [(s["id"], s["title"]) for s in bank["sections"]] == [(s.id, s.title) for s in SECTIONS]
    assert all(list(s) == ["id", "title", "questions"] for s in bank["sections"])
    ids = [q["id"] for s in bank["sections"] for q in s["questions"]]
    assert ids == list(QUESTIONS)
    for q in (q for s in bank["sections"] for q in s["questions"]):
        source = QUESTIONS[q["id"]]
        assert q["text"] == source.text and q["type"] == source.kind
        assert q["required"] is source.required
        if source.kind != "int":
            assert q["options"] == [{"code": o.code, "label": o.label} for o in source.options]
    assert json.loads(json.dumps(bank)) == bank


def test_a_question_built_by_hand_works_out_its_codes_labels_and_form():
    q = Question(
        "colour",
        "about",
        "Which colour?",
        "single",
        (Option("red", "Red"), Option("blue", "Blue")),
        show_if=Between("age", 18, 30),
    )
    assert q.codes == frozenset({"red", "blue"})
    assert q.labels == {"red": "Red", "blue": "Blue"} and q.label_for("blue") == "Blue"
    assert q.is_shown({"age": 18}) and q.is_shown({}) and not q.is_shown({"age": 31})
    assert q.to_dict() == {
        "id": "colour",
        "text": "Which colour?",
        "type": "single",
        "options": [{"code": "red", "label": "Red"}, {"code": "blue", "label": "Blue"}],
        "required": False,
        "shown_if": {"question": "age", "between": [18, 30]},
    }
    whole = Question("n", "about", "How many?", "int", required=True)
    assert whole.is_shown({}) and whole.to_dict()["min"] == AGE_MIN
    assert whole.to_dict()["max"] == AGE_MAX and "options" not in whole.to_dict()


# --- the consistency check ---------------------------------------------------------------


def rebuilt(*questions):
    """The real bank, its last section given these questions as well."""
    last = SECTIONS[-1]
    return (*SECTIONS[:-1], dataclasses.replace(last, questions=last.questions + questions))


def test_the_real_bank_passes_its_check():
    assert _check(SECTIONS) is None


@pytest.mark.parametrize(
    ("question", "message"),
    [
        (QUESTIONS["age"], "question id 'age' defined twice"),
        (
            Question("n", "health", "How many?", "int", (Option("1", "One"),)),
            "n: int questions take no options, others need some",
        ),
        (
            Question("c", "health", "Which?", "single"),
            "c: int questions take no options, others need some",
        ),
        (
            Question("c", "health", "Which?", "single", (Option("a", "A"), Option("a", "Also A"))),
            "c: option codes repeat",
        ),
        (
            Question("c", "health", "?", "yesno", QUESTIONS["rf_calf"].options,
                     show_if=OneOf("later", frozenset({"yes"}))),
            "c: show-if reads 'later', not an earlier always-shown question",
        ),
        (
            Question("c", "health", "?", "yesno", QUESTIONS["rf_calf"].options,
                     show_if=OneOf("pregnancy", frozenset({"yes"}))),
            "c: show-if reads 'pregnancy', not an earlier always-shown question",
        ),
    ],
)  # fmt: skip
def test_a_bank_that_contradicts_itself_is_refused(question, message):
    with pytest.raises(ValueError) as info:
        _check(rebuilt(question))
    assert str(info.value) == message


def test_a_condition_on_an_earlier_always_shown_question_is_accepted():
    male = OneOf("sex", frozenset({"male"}))
    reads_sex = Question("c", "health", "?", "yesno", QUESTIONS["rf_calf"].options, show_if=male)
    assert _check(rebuilt(reads_sex)) is None
