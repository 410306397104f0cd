"""The widespread redirect and the four indications, each cutoff on both sides."""

import pytest

from rules import Reason, evaluate
from tests.helpers.answer_sets import complete


def level(indication, **changes):
    return evaluate(complete(**changes)).indications[indication].level


# --- osteoarthritis ----------------------------------------------------------------------

OA = {"site": "knee", "load_pain": "yes", "morning_stiffness": "le_30"}


@pytest.mark.parametrize(
    "site", ["knee", "hip_groin", "hand", "wrist", "ankle", "foot", "shoulder"]
)
def test_osteoarthritis_is_likely_at_each_oa_site(site):
    assert level("osteoarthritis", **{**OA, "site": site}) == "likely"


@pytest.mark.parametrize("site", ["knee_tendon", "achilles", "low_back", "elbow_outer"])
def test_osteoarthritis_is_unlikely_away_from_oa_sites(site):
    assert level("osteoarthritis", **{**OA, "site": site}) == "unlikely"


@pytest.mark.parametrize(
    ("age", "expected"), [(45, "likely"), (44, "possible"), (40, "possible"), (39, "unlikely")]
)
def test_osteoarthritis_age_cutoffs(age, expected):
    assert level("osteoarthritis", **OA, age=age) == expected


@pytest.mark.parametrize(
    ("stiffness", "expected"),
    [
        ("none", "likely"),
        ("le_30", "likely"),
        ("31_60", "possible"),
        (None, "possible"),
    ],
)
def test_osteoarthritis_stiffness_at_45_or_over(stiffness, expected):
    assert level("osteoarthritis", **{**OA, "morning_stiffness": stiffness}, age=45) == expected


def test_osteoarthritis_is_unlikely_with_stiffness_over_an_hour():
    assert level("osteoarthritis", **{**OA, "morning_stiffness": "gt_60"}) == "unlikely"


@pytest.mark.parametrize("stiffness", ["31_60", None])
def test_osteoarthritis_at_40_to_44_needs_short_stiffness(stiffness):
    assert level("osteoarthritis", **{**OA, "morning_stiffness": stiffness}, age=42) == "unlikely"


@pytest.mark.parametrize("load", ["no", None])
def test_osteoarthritis_without_load_pain_or_signs_is_unlikely(load):
    assert level("osteoarthritis", **{**OA, "load_pain": load}) == "unlikely"


@pytest.mark.parametrize("sign", ["grinding", "bony_swelling"])
def test_osteoarthritis_without_load_pain_but_with_a_joint_sign_is_possible(sign):
    assert level("osteoarthritis", **{**OA, "load_pain": "no"}, **{sign: "yes"}) == "possible"


def test_the_joint_sign_route_needs_a_no_to_load_pain_not_a_skipped_one():
    assert level("osteoarthritis", **{**OA, "load_pain": None}, grinding="yes") == "unlikely"


def test_the_joint_sign_route_needs_age_45():
    assert (
        level("osteoarthritis", **{**OA, "load_pain": "no"}, grinding="yes", age=44) == "unlikely"
    )


def test_the_joint_sign_route_needs_short_stiffness():
    changes = {**OA, "load_pain": "no", "morning_stiffness": "31_60"}
    assert level("osteoarthritis", **changes, bony_swelling="yes") == "unlikely"


def test_a_hot_joint_caps_osteoarthritis_at_possible():
    assert level("osteoarthritis", **OA, joint_state="hot") == "possible"


def test_swollen_joints_cap_osteoarthritis_at_possible():
    assert level("osteoarthritis", **OA, rf_joints_swollen="yes") == "possible"


def test_a_puffy_joint_does_not_cap_osteoarthritis():
    assert level("osteoarthritis", **OA, joint_state="puffy") == "likely"


def test_osteoarthritis_reasons_name_the_answers():
    ids = [r.id for r in evaluate(complete(**OA)).indications["osteoarthritis"].reasons]
    assert "age_45_plus" in ids and "load_yes" in ids


# --- tendinopathy ------------------------------------------------------------------------

TEN = {"site": "achilles", "load_pain": "yes", "point_spot": "yes", "warm_up": "yes"}


@pytest.mark.parametrize(
    "site",
    ["knee_tendon", "hip_side", "elbow_outer", "elbow_inner", "shoulder", "achilles", "heel_arch"],
)
def test_tendinopathy_is_likely_at_each_tendon_site(site):
    assert level("tendinopathy", **{**TEN, "site": site}) == "likely"


@pytest.mark.parametrize(
    ("duration", "expected"),
    [
        ("lt_2w", "possible"),
        ("2w_6w", "possible"),
        ("6w_3m", "likely"),
        ("3m_12m", "likely"),
        ("gt_1y", "likely"),
    ],
)
def test_tendinopathy_six_week_cutoff(duration, expected):
    assert level("tendinopathy", **TEN, duration=duration) == expected


@pytest.mark.parametrize(
    ("features", "expected"),
    [
        ({"point_spot": "yes"}, "possible"),
        ({"warm_up": "yes"}, "possible"),
        ({"onset": "overuse"}, "possible"),
        ({"point_spot": "yes", "onset": "overuse"}, "likely"),
        ({}, "unlikely"),
    ],
)
def test_tendinopathy_feature_count(features, expected):
    base = {"site": "achilles", "load_pain": "yes"}
    assert level("tendinopathy", **base, **features) == expected


def test_one_feature_is_possible_whatever_the_duration():
    assert (
        level("tendinopathy", site="achilles", load_pain="yes", warm_up="yes", duration="lt_2w")
        == "possible"
    )


@pytest.mark.parametrize("load", ["no", None])
def test_tendinopathy_needs_load_pain(load):
    assert level("tendinopathy", **{**TEN, "load_pain": load}, onset="overuse") == "unlikely"


def test_all_three_features_away_from_tendon_sites_are_possible():
    assert level("tendinopathy", **{**TEN, "site": "knee"}, onset="overuse") == "possible"


def test_two_features_away_from_tendon_sites_are_unlikely():
    assert level("tendinopathy", **{**TEN, "site": "knee"}) == "unlikely"


# --- ligament ----------------------------------------------------------------------------

LIG = {"site": "ankle", "onset": "injury", "giving_way": "occasional"}


@pytest.mark.parametrize(
    "site",
    [
        "knee",
        "ankle",
        "wrist",
        "hand",
        "shoulder",
        "elbow_outer",
        "elbow_inner",
        "low_back",
        "pelvis_back",
        "neck",
        "upper_back",
    ],
)
def test_ligament_is_likely_at_each_ligament_site(site):
    assert level("ligament", **{**LIG, "site": site}) == "likely"


@pytest.mark.parametrize("site", ["achilles", "hip_groin", "foot", "skin_patch"])
def test_ligament_is_unlikely_away_from_ligament_sites(site):
    assert level("ligament", **{**LIG, "site": site}) == "unlikely"


@pytest.mark.parametrize(
    ("duration", "expected"),
    [
        ("6w_3m", "possible"),
        ("3m_12m", "likely"),
        ("gt_1y", "likely"),
        ("lt_2w", "possible"),
    ],
)
def test_ligament_three_month_cutoff(duration, expected):
    assert level("ligament", **LIG, duration=duration) == expected


@pytest.mark.parametrize("giving_way", ["occasional", "often"])
def test_giving_way_with_one_sprain_is_likely(giving_way):
    assert level("ligament", site="knee", giving_way=giving_way, sprains="1") == "likely"


def test_giving_way_with_repeated_sprains_is_likely():
    assert level("ligament", site="knee", giving_way="often", sprains="2_plus") == "likely"


def test_giving_way_without_injury_or_sprain_is_not_likely():
    assert level("ligament", site="knee", giving_way="often", sprains="0") == "unlikely"


def test_never_giving_way_after_injury_is_unlikely():
    assert level("ligament", site="knee", giving_way="never", onset="injury") == "unlikely"


AXIAL = {"posture_pain": "yes", "onset": "injury", "point_spot": "yes"}


@pytest.mark.parametrize("site", ["low_back", "pelvis_back", "neck"])
def test_the_axial_route_is_likely_at_axial_sites(site):
    assert level("ligament", site=site, **AXIAL) == "likely"


def test_the_axial_route_does_not_apply_to_the_upper_back():
    assert level("ligament", site="upper_back", **AXIAL) == "possible"


def test_the_axial_route_accepts_hypermobility_instead_of_injury():
    changes = {**AXIAL, "onset": None, "hypermobility": ["splits", "thumb_forearm"]}
    assert level("ligament", site="low_back", **changes) == "likely"


def test_the_axial_route_needs_the_finger_point():
    assert level("ligament", site="low_back", **{**AXIAL, "point_spot": "no"}) == "possible"


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        (["splits"], "unlikely"),
        (["splits", "double_jointed"], "possible"),
    ],
)
def test_hypermobility_counts_from_two_items(items, expected):
    assert level("ligament", site="knee", clicking="yes", hypermobility=items) == expected


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"clicking": "yes"}, "unlikely"),
        ({"clicking": "yes", "posture_pain": "yes"}, "possible"),
        ({"sprains": "2_plus"}, "possible"),  # L1 and L3 both hold
        ({"sprains": "1"}, "unlikely"),
        ({"onset": "injury", "clicking": "yes"}, "possible"),
    ],
)
def test_ligament_possible_needs_two_features(changes, expected):
    assert level("ligament", site="knee", **changes) == expected


# --- neuropathic -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sensations", "expected"),
    [
        ([], "unlikely"),
        (["burning"], "unlikely"),
        (["burning", "tingling"], "possible"),
        (["burning", "tingling", "numbness"], "likely"),
        (["burning", "tingling", "numbness", "itching", "painful_cold"], "likely"),
    ],
)
def test_neuropathic_counts_sensations(sensations, expected):
    assert level("neuropathic", nerve_sensations=sensations) == expected


def test_one_sensation_with_touch_pain_in_a_skin_pattern_is_possible():
    changes = {"nerve_sensations": ["burning"], "touch_pain": "yes", "skin_pattern": "yes"}
    assert level("neuropathic", **changes) == "possible"


@pytest.mark.parametrize("missing_one", ["touch_pain", "skin_pattern"])
def test_one_sensation_needs_both_touch_pain_and_skin_pattern(missing_one):
    changes = {"nerve_sensations": ["burning"], "touch_pain": "yes", "skin_pattern": "yes"}
    changes[missing_one] = "no"
    assert level("neuropathic", **changes) == "unlikely"


def test_neuropathic_reasons_name_the_sensations():
    s = evaluate(complete(nerve_sensations=["burning", "tingling", "numbness"]))
    assert s.indications["neuropathic"].reasons == (
        Reason("nerve_feelings", chosen=("burning", "tingling", "numbness")),
    )


def test_radiating_pain_adds_the_nerve_root_note_without_changing_the_level():
    base = complete(nerve_sensations=["burning", "tingling"])
    with_note = evaluate({**base, "radiating": "yes"})
    assert with_note.notes == ("nerve_root",)
    assert with_note.indications == evaluate(base).indications
    assert evaluate({**base, "radiating": "no"}).notes == ()


# --- redirect ----------------------------------------------------------------------------

STRONG = {
    "load_pain": "yes",
    "morning_stiffness": "le_30",
    "nerve_sensations": ["burning", "tingling", "numbness"],
}


@pytest.mark.parametrize(
    "changes",
    [
        {"areas": "7_plus"},
        {"site": "widespread"},
        {"areas": "4_6", "fatigue": "severe"},
    ],
)
@pytest.mark.parametrize("duration", ["3m_12m", "gt_1y"])
def test_widespread_pain_for_three_months_redirects(changes, duration):
    s = evaluate(complete(**STRONG, **changes, duration=duration))
    assert s.redirect == "widespread"
    assert {i.level for i in s.indications.values()} == {"unlikely"}
    assert s.indications["osteoarthritis"].reasons == (Reason("widespread"),)
    assert s.booking == "not_suitable"


@pytest.mark.parametrize("duration", ["lt_2w", "2w_6w", "6w_3m"])
def test_widespread_pain_under_three_months_does_not_redirect(duration):
    assert evaluate(complete(areas="7_plus", duration=duration)).redirect is None


@pytest.mark.parametrize(
    "changes",
    [
        {"areas": "4_6", "fatigue": "moderate"},
        {"areas": "4_6"},
        {"areas": "2_3", "fatigue": "severe"},
    ],
)
def test_some_pain_without_severe_fatigue_does_not_redirect(changes):
    assert evaluate(complete(**changes)).redirect is None
