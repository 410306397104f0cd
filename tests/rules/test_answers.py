"""The question bank and answer validation: what is asked, what is accepted, stale answers."""

import json
from collections.abc import Mapping

import pytest

from rules import QUESTIONS, SECTIONS, AnswerError, clean, evaluate
from tests.helpers.answer_sets import complete


def test_the_bank_holds_its_five_sections_in_order():
    assert [s.id for s in SECTIONS] == ["about", "pain", "pattern", "safety", "health"]
    assert len(QUESTIONS) == 2 + 5 + 17 + 12 + 14


def test_every_safety_question_but_spa_features_is_required():
    safety = next(s for s in SECTIONS if s.id == "safety")
    assert [q.id for q in safety.questions if not q.required] == ["spa_features"]


def test_the_bank_is_json_serialisable():
    json.dumps([s.to_dict() for s in SECTIONS])


@pytest.mark.parametrize(
    ("raw", "question", "fragment"),
    [
        ({"colour": "blue"}, "colour", "not a question"),
        ({"site": "elbow"}, "site", "unknown option 'elbow'"),
        ({"age": "45"}, "age", "whole number"),
        ({"age": 45.5}, "age", "whole number"),
        ({"age": True}, "age", "whole number"),
        ({"age": -1}, "age", "between 0 and 120"),
        ({"age": 121}, "age", "between 0 and 120"),
        ({"load_pain": True}, "load_pain", "option code"),
        ({"nerve_sensations": "burning"}, "nerve_sensations", "list"),
        ({"nerve_sensations": ["burning", "hot"]}, "nerve_sensations", "unknown option 'hot'"),
        ({"rf_calf": ["yes"]}, "rf_calf", "option code"),
    ],
)
def test_bad_answers_raise_one_clear_error(raw, question, fragment):
    with pytest.raises(AnswerError) as info:
        clean(raw)
    assert info.value.question == question
    assert fragment in str(info.value)


@pytest.mark.parametrize("age", [0, 120])
def test_age_bounds_are_accepted(age):
    assert clean({"age": age}) == {"age": age}


def test_none_means_unanswered():
    assert clean({"age": None, "site": "knee"}) == {"site": "knee"}
    assert clean({"site": "knee", "sex": None, "age": 50}) == {"age": 50, "site": "knee"}


class _Answers(Mapping):
    """A read-only mapping that is not a dict, as a caller may pass."""

    def __init__(self, answers: dict) -> None:
        self._answers = answers

    def __getitem__(self, key):
        return self._answers[key]

    def __iter__(self):
        return iter(self._answers)

    def __len__(self) -> int:
        return len(self._answers)


def test_any_mapping_of_answers_is_cleaned_as_a_dict_would_be():
    raw = {"site": "knee", "age": 50, "sex": None, "nerve_sensations": ["numbness", "burning"]}
    assert clean(_Answers(raw)) == clean(raw)
    assert list(clean(_Answers(raw))) == ["age", "site", "nerve_sensations"]


def test_multi_answers_are_kept_in_bank_order_without_repeats():
    got = clean({"nerve_sensations": ["numbness", "burning", "numbness"]})
    assert got == {"nerve_sensations": ["burning", "numbness"]}


def test_answers_to_hidden_questions_are_dropped_not_rejected():
    got = clean({"site": "achilles", "giving_way": "often", "grinding": "yes", "load_pain": "yes"})
    assert got == {"site": "achilles", "load_pain": "yes"}


def test_stale_ligament_answers_cannot_make_a_non_ligament_site_likely():
    answers = complete(site="achilles", giving_way="often", sprains="2_plus", onset="injury")
    assert evaluate(answers).indications["ligament"].level == "unlikely"


def test_a_hidden_hot_joint_cannot_raise_a_red_flag():
    assert evaluate(complete(site="low_back", joint_state="hot")).red_flags == ()


def test_spa_features_are_asked_only_of_younger_people_with_long_back_pain():
    shown = {"site": "low_back", "duration": "3m_12m", "age": 44, "spa_features": ["psoriasis"]}
    assert "spa_features" in clean(shown)
    assert "spa_features" not in clean({**shown, "age": 45})
    assert "spa_features" not in clean({**shown, "duration": "6w_3m"})
    assert "spa_features" not in clean({**shown, "site": "neck"})


def test_an_unanswered_question_never_hides_another():
    # Without a site we cannot rule the ligament questions out, so their answers are kept.
    assert clean({"giving_way": "often"}) == {"giving_way": "often"}


# --- each error, word for word -----------------------------------------------------------

SITE_CODES = ", ".join(sorted(QUESTIONS["site"].codes))
X40 = "x" * 40


@pytest.mark.parametrize(
    ("raw", "question", "problem"),
    [
        ({"age": "45"}, "age", "must be a whole number, not text"),
        ({"age": 45.0}, "age", "must be a whole number, not a number"),
        ({"age": False}, "age", "must be a whole number, not true/false"),
        ({"age": [45]}, "age", "must be a whole number, not a list"),
        ({"age": {"years": 45}}, "age", "must be a whole number, not an object"),
        ({"age": b"45"}, "age", "must be a whole number, not bytes"),
        ({"age": -1}, "age", "must be between 0 and 120, not -1"),
        ({"age": 121}, "age", "must be between 0 and 120, not 121"),
        ({"rf_calf": "maybe"}, "rf_calf", "unknown option 'maybe' (expected one of: no, yes)"),
        ({"rf_calf": 1}, "rf_calf", "must be an option code, not a number"),
        ({"site": X40 + "y"}, "site", f"unknown option '{X40}...' (expected one of: {SITE_CODES})"),
        ({"site": X40}, "site", f"unknown option '{X40}' (expected one of: {SITE_CODES})"),
        ({"nerve_sensations": "burning"}, "nerve_sensations",
         "must be a list of option codes, not text"),
        ({"nerve_sensations": ["burning", 3]}, "nerve_sensations",
         "must be an option code, not a number"),
        ({"nerve_sensations": ["burning", None]}, "nerve_sensations",
         "must be an option code, not NoneType"),
        ({"nerve_sensations": ["burning", ["numbness"]]}, "nerve_sensations",
         "must be an option code, not a list"),
        ({"colour": "blue"}, "colour", "is not a question of this check"),
        ({"q" * 41: 1}, "q" * 40 + "...", "is not a question of this check"),
        ({"q" * 40: 1}, "q" * 40, "is not a question of this check"),
        ({7: "x"}, "7", "is not a question of this check"),
        ({10**50: "x"}, str(10**50)[:40] + "...", "is not a question of this check"),
        ({"age": None, "site": "knee", "colour": None}, "colour",
         "is not a question of this check"),
    ],
)  # fmt: skip
def test_each_error_names_the_question_and_the_problem(raw, question, problem):
    with pytest.raises(AnswerError) as info:
        clean(raw)
    assert (info.value.question, info.value.problem) == (question, problem)
    assert str(info.value) == f"{question}: {problem}"


@pytest.mark.parametrize("raw", [[], "age=45", None, 45])
def test_answers_that_are_not_an_object_are_refused(raw):
    with pytest.raises(AnswerError) as info:
        clean(raw)
    assert str(info.value) == "answers: must be an object mapping question ids to answers"


def test_answers_come_out_in_bank_order_whatever_order_they_came_in():
    got = clean({"rf_calf": "no", "nerve_sensations": [], "site": "knee", "age": 30})
    assert list(got) == ["age", "site", "nerve_sensations", "rf_calf"]


def test_the_result_s_json_form_carries_every_reason():
    answers = complete(
        rf_calf="yes", age=None, radiating="yes", nsaids="yes", nerve_sensations=["numbness"]
    )
    knee = {"id": "said_site", "site": "knee"}
    assert evaluate(answers).to_dict() == {
        "rules_version": "1.3",
        "indications": {
            "osteoarthritis": {
                "level": "unlikely",
                "reasons": [knee, {"id": "load_not_answered"}],
            },
            "tendinopathy": {
                "level": "unlikely",
                "reasons": [knee, {"id": "tendon_not_here"}, {"id": "load_not_answered"}],
            },
            "ligament": {
                "level": "unlikely",
                "reasons": [knee, {"id": "ligament_no_signs"}],
            },
            "neuropathic": {
                "level": "unlikely",
                "reasons": [
                    {"id": "nerve_feelings", "chosen": ["numbness"]},
                    {"id": "nerve_one_feeling"},
                ],
            },
        },
        "red_flags": [{"id": "dvt", "tier": "urgent", "reasons": [{"id": "calf"}]}],
        "tier": "urgent",
        "redirect": None,
        "missing": ["age"],
        "cautions": [{"id": "nsaids", "level": "note"}],
        "notes": ["nerve_root"],
        "booking": "seek_care",
    }


def test_the_json_form_of_a_redirected_result():
    d = evaluate(complete(areas="7_plus")).to_dict()
    assert (d["redirect"], d["tier"], d["red_flags"], d["booking"]) == (
        "widespread",
        None,
        [],
        "not_suitable",
    )
    assert d["indications"]["ligament"] == {"level": "unlikely", "reasons": [{"id": "widespread"}]}
