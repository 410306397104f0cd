"""The question bank and answer validation: what is asked, what is accepted, stale answers."""

import json

import pytest

from rules import QUESTIONS, SECTIONS, AnswerError, clean, evaluate
from tests.answer_sets import complete


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
