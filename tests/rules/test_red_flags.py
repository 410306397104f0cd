"""Each red flag, its tier, both sides of each condition."""

import pytest

from rules import Reason, evaluate
from tests.helpers.answer_sets import complete


def flags(answers):
    return {f.id: f.tier for f in evaluate(answers).red_flags}


def test_a_calm_answer_set_raises_no_red_flag():
    s = evaluate(complete())
    assert s.red_flags == () and s.tier is None


@pytest.mark.parametrize("qid", ["rf_bladder_bowel", "rf_saddle", "rf_both_legs"])
def test_each_cauda_equina_question_raises_an_emergency(qid):
    assert flags(complete(**{qid: "yes"})) == {"cauda_equina": "emergency"}


def test_weakness_raises_a_neurological_emergency():
    assert flags(complete(rf_weakness="yes")) == {"neuro_deficit": "emergency"}


def test_a_hot_joint_with_fever_is_a_septic_joint_emergency():
    assert flags(complete(joint_state="hot", rf_fever="yes")) == {"septic_joint": "emergency"}


@pytest.mark.parametrize("fever", ["no", None])
def test_a_hot_joint_without_fever_is_urgent(fever):
    assert flags(complete(joint_state="hot", rf_fever=fever)) == {"hot_joint": "urgent"}


@pytest.mark.parametrize("state", ["normal", "puffy", None])
def test_fever_without_a_hot_joint_is_an_urgent_infection(state):
    assert flags(complete(joint_state=state, rf_fever="yes")) == {"infection": "urgent"}


def test_fever_with_a_spinal_site_where_joint_state_is_not_asked_is_an_infection():
    assert flags(complete(site="low_back", rf_fever="yes")) == {"infection": "urgent"}


@pytest.mark.parametrize("state", ["normal", "puffy"])
def test_a_joint_that_is_not_hot_raises_nothing_without_fever(state):
    assert flags(complete(joint_state=state)) == {}


@pytest.mark.parametrize("qid", ["rf_recent_injury", "rf_fracture_risk"])
def test_each_fracture_question_is_urgent(qid):
    assert flags(complete(**{qid: "yes"})) == {"fracture": "urgent"}


def test_a_swollen_calf_is_an_urgent_dvt():
    assert flags(complete(rf_calf="yes")) == {"dvt": "urgent"}


@pytest.mark.parametrize("site", ["low_back", "pelvis_back", "neck", "upper_back"])
def test_past_cancer_with_spinal_pain_and_constant_night_pain_is_urgent(site):
    got = flags(complete(rf_cancer="yes", site=site, night_pain="constant"))
    assert got == {"cancer_spine": "urgent", "night_pain": "gp_soon"}


def test_past_cancer_with_spinal_pain_and_weight_loss_is_urgent():
    got = flags(complete(rf_cancer="yes", site="neck", rf_weight_loss="yes"))
    assert got == {"cancer_spine": "urgent", "weight_loss": "gp_soon"}


def test_past_cancer_with_spinal_pain_alone_is_gp_soon_not_urgent():
    assert flags(complete(rf_cancer="yes", site="low_back")) == {"cancer": "gp_soon"}


def test_past_cancer_with_hip_pain_is_gp_soon():
    assert flags(complete(rf_cancer="yes", site="hip_groin")) == {"cancer": "gp_soon"}


def test_past_cancer_with_constant_night_pain_elsewhere_is_gp_soon():
    got = flags(complete(rf_cancer="yes", site="knee", night_pain="constant"))
    assert got == {"cancer": "gp_soon", "night_pain": "gp_soon"}


@pytest.mark.parametrize("duration", ["lt_2w", "2w_6w", "6w_3m"])
def test_past_cancer_with_pain_under_three_months_is_gp_soon(duration):
    assert flags(complete(rf_cancer="yes", duration=duration)) == {"cancer": "gp_soon"}


@pytest.mark.parametrize("duration", ["3m_12m", "gt_1y"])
def test_past_cancer_with_long_knee_pain_and_nothing_else_is_a_caution_not_a_flag(duration):
    s = evaluate(complete(rf_cancer="yes", duration=duration))
    assert s.red_flags == ()
    assert [(c.id, c.level) for c in s.cautions] == [("cancer_history", "note")]


def test_a_cancer_flag_replaces_the_cancer_history_caution():
    s = evaluate(complete(rf_cancer="yes", site="hip_groin"))
    assert "cancer_history" not in {c.id for c in s.cautions}


def test_weight_loss_alone_is_gp_soon():
    assert flags(complete(rf_weight_loss="yes")) == {"weight_loss": "gp_soon"}


@pytest.mark.parametrize("night", ["none", "position"])
def test_night_pain_that_is_not_constant_raises_nothing(night):
    assert flags(complete(night_pain=night)) == {}


def test_constant_night_pain_is_gp_soon():
    assert flags(complete(night_pain="constant")) == {"night_pain": "gp_soon"}


def test_swollen_joints_are_inflammatory():
    assert flags(complete(rf_joints_swollen="yes")) == {"inflammatory": "gp_soon"}


@pytest.mark.parametrize("stiffness", ["none", "le_30", "31_60"])
def test_morning_stiffness_of_an_hour_or_less_is_not_inflammatory(stiffness):
    assert flags(complete(morning_stiffness=stiffness)) == {}


def test_morning_stiffness_over_an_hour_is_inflammatory():
    assert flags(complete(morning_stiffness="gt_60")) == {"inflammatory": "gp_soon"}


SPA_BASE = {"site": "low_back", "duration": "3m_12m", "age": 30}
SPA = ["onset_before_35", "wakes_late_night", "buttock_pain", "better_moving", "psoriasis"]


def test_three_spondyloarthritis_features_raise_nothing():
    assert flags(complete(**SPA_BASE, spa_features=SPA[:3])) == {}


@pytest.mark.parametrize("n", [4, 5])
def test_four_or_more_spondyloarthritis_features_are_gp_soon(n):
    assert flags(complete(**SPA_BASE, spa_features=SPA[:n])) == {"axial_spa": "gp_soon"}


def test_the_tier_is_the_highest_fired():
    assert evaluate(complete(rf_calf="yes", night_pain="constant")).tier == "urgent"
    assert evaluate(complete(rf_calf="yes", rf_saddle="yes")).tier == "emergency"
    assert evaluate(complete(rf_weight_loss="yes")).tier == "gp_soon"


def test_red_flags_name_the_answers_that_raised_them():
    (flag,) = evaluate(complete(rf_bladder_bowel="yes", rf_saddle="yes")).red_flags
    assert flag.reasons == (Reason("bladder_bowel"), Reason("saddle"))
