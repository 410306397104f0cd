"""Each reading listed under "Readings of the specification" in docs/clinical-rules.md, as
behaviour. The numbers follow rules.engine.READINGS."""

from rules import Reason, clean, evaluate
from rules.engine import READINGS
from tests.helpers.answer_sets import bookable, complete


def test_there_are_nine_readings_and_each_has_a_test_here():
    # A new reading needs a test below, and the count here raised with it.
    assert len(READINGS) == 9


def test_1_pregnancy_is_asked_while_sex_or_age_is_unanswered():
    assert evaluate(complete(sex=None, age=30)).missing == ("pregnancy",)
    assert evaluate(complete(sex="female", age=None)).missing == ("age", "pregnancy")
    assert clean({"giving_way": "often"}) == {"giving_way": "often"}


def test_2_a_skipped_site_never_counts_as_away_from_the_tendon_sites():
    features = {"load_pain": "yes", "point_spot": "yes", "warm_up": "yes", "onset": "overuse"}
    s = evaluate(complete(site=None, **features))
    assert s.indications["tendinopathy"].level == "unlikely"
    assert evaluate(complete(site="knee", **features)).indications["tendinopathy"].level == (
        "possible"
    )


def test_2_a_skipped_duration_is_not_under_three_months_for_the_cancer_flag():
    s = evaluate(complete(rf_cancer="yes", duration=None))
    assert s.red_flags == ()
    assert s.booking == "incomplete"
    assert [c.id for c in s.cautions] == ["cancer_history"]


def test_2_skipped_morning_stiffness_is_named_for_osteoarthritis_at_45():
    s = evaluate(complete(load_pain="yes", age=45))
    assert s.indications["osteoarthritis"].level == "possible"


def test_3_a_skipped_fever_answer_does_not_silence_a_hot_joint():
    assert [f.id for f in evaluate(complete(joint_state="hot", rf_fever=None)).red_flags] == [
        "hot_joint"
    ]


def test_3_fever_with_joint_state_skipped_or_not_asked_is_an_infection():
    for site in ("knee", "low_back", "skin_patch", "widespread"):
        flags = evaluate(complete(site=site, joint_state=None, rf_fever="yes")).red_flags
        assert [f.id for f in flags] == ["infection"], site


def test_4_a_skipped_load_pain_does_not_open_the_joint_sign_route():
    s = evaluate(complete(load_pain=None, grinding="yes", morning_stiffness="le_30"))
    assert s.indications["osteoarthritis"].level == "unlikely"
    s = evaluate(complete(load_pain="no", grinding="yes", morning_stiffness="le_30"))
    assert s.indications["osteoarthritis"].level == "possible"


def test_5_answers_to_hidden_questions_neither_raise_nor_prevent_anything():
    assert evaluate(complete(site="low_back", joint_state="hot")).red_flags == ()
    hidden_stiffness = complete(site="skin_patch", morning_stiffness="gt_60")
    assert evaluate(hidden_stiffness).red_flags == ()


def test_6_an_empty_list_is_an_answer_of_none_of_these():
    assert clean({"nerve_sensations": []}) == {"nerve_sensations": []}
    s = evaluate(complete(nerve_sensations=[]))
    assert s.indications["neuropathic"].reasons == (Reason("no_nerve_feelings"),)


def test_7_another_red_flag_does_not_remove_the_cancer_history_note():
    s = evaluate(complete(rf_cancer="yes", rf_calf="yes"))
    assert [f.id for f in s.red_flags] == ["dvt"]
    assert [c.id for c in s.cautions] == ["cancer_history"]


def test_8_the_nerve_root_note_is_added_even_under_the_widespread_redirect():
    s = evaluate(bookable(radiating="yes", areas="7_plus"))
    assert s.redirect == "widespread"
    assert s.notes == ("nerve_root",)


def test_9_two_or_more_sprains_alone_make_a_ligament_problem_possible():
    s = evaluate(complete(site="knee", sprains="2_plus"))
    assert s.indications["ligament"].level == "possible"
    ids = [r.id for r in s.indications["ligament"].reasons]
    assert ids == ["said_site", "sprained_before", "sprained_twice"]
