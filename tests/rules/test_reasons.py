"""The plain-word reasons a result gives, exactly, for exact answers: which reason goes with
which answer, in which order, and the age band or count it names. A clinician reads these
beside the level, so a wrong reason is a wrong result."""

import re

import pytest

from rules import QUESTIONS, evaluate
from tests.helpers.answer_sets import bookable, complete

HOT = "a hot, red and swollen joint"
FEVER = "fever, shivers or night sweats, or feeling very unwell"
NIGHT = "constant severe pain at night"
WEIGHT = "weight loss without trying"
PAST_CANCER = "cancer in the past"
LOADED = "pain on using or loading it"


def flags(**changes):
    return [(f.id, f.tier, f.reasons) for f in evaluate(complete(**changes)).red_flags]


def reasons(indication, **changes):
    ind = evaluate(complete(**changes)).indications[indication]
    return ind.level, ind.reasons


# --- red flags ---------------------------------------------------------------------------


def test_each_cauda_equina_answer_gives_its_own_reason_in_question_order():
    assert flags(rf_both_legs="yes", rf_saddle="yes", rf_bladder_bowel="yes") == [
        (
            "cauda_equina",
            "emergency",
            (
                "new trouble with bladder or bowel control",
                "numbness or changed feeling around the back passage or genitals",
                "new pain, numbness or tingling in both legs with back pain",
            ),
        )
    ]
    assert flags(rf_both_legs="yes") == [
        (
            "cauda_equina",
            "emergency",
            ("new pain, numbness or tingling in both legs with back pain",),
        )
    ]


def test_weakness_reason():
    assert flags(rf_weakness="yes") == [
        (
            "neuro_deficit",
            "emergency",
            ("an arm or leg getting weaker, or walking getting worse",),
        )
    ]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"joint_state": "hot", "rf_fever": "yes"}, [("septic_joint", "emergency", (HOT, FEVER))]),
        ({"joint_state": "hot"}, [("hot_joint", "urgent", (HOT,))]),
        ({"rf_fever": "yes"}, [("infection", "urgent", (FEVER,))]),
    ],
)
def test_hot_joint_and_fever_reasons(changes, expected):
    assert flags(**changes) == expected


def test_each_fracture_answer_gives_its_own_reason():
    injury = "an injury in the last 2 weeks with trouble taking weight or a very tender bony spot"
    fall = "sudden severe back pain after a fall or a small strain with a risk of broken bones"
    assert flags(rf_recent_injury="yes", rf_fracture_risk="yes") == [
        ("fracture", "urgent", (injury, fall))
    ]
    assert flags(rf_fracture_risk="yes") == [("fracture", "urgent", (fall,))]


def test_calf_reason():
    assert flags(rf_calf="yes") == [
        ("dvt", "urgent", ("a swollen, warm, red or tender calf or leg",))
    ]


def test_cancer_in_the_spine_names_the_site_and_each_sign():
    assert flags(rf_cancer="yes", site="neck", night_pain="constant", rf_weight_loss="yes") == [
        ("cancer_spine", "urgent", (PAST_CANCER, "pain in the neck", NIGHT, WEIGHT)),
        ("weight_loss", "gp_soon", (WEIGHT,)),
        ("night_pain", "gp_soon", (NIGHT,)),
    ]
    assert flags(rf_cancer="yes", site="pelvis_back", rf_weight_loss="yes")[0] == (
        "cancer_spine",
        "urgent",
        (PAST_CANCER, "pain in the buttock or back of the pelvis", WEIGHT),
    )


def test_cancer_names_every_trigger_in_order():
    assert flags(rf_cancer="yes", site="hip_groin", night_pain="constant", duration="6w_3m") == [
        (
            "cancer",
            "gp_soon",
            (
                PAST_CANCER,
                "pain in the hip or groin",
                NIGHT,
                "pain that began less than 3 months ago",
            ),
        ),
        ("night_pain", "gp_soon", (NIGHT,)),
    ]
    assert flags(rf_cancer="yes", site="upper_back")[0] == (
        "cancer",
        "gp_soon",
        (PAST_CANCER, "pain in the upper back or ribs"),
    )


def test_cancer_with_no_site_answered_names_no_site():
    # `site` skipped: the result is incomplete, but the flag still fires on the duration.
    assert flags(rf_cancer="yes", site=None, duration="lt_2w") == [
        ("cancer", "gp_soon", (PAST_CANCER, "pain that began less than 3 months ago"))
    ]


def test_inflammatory_reasons():
    assert flags(rf_joints_swollen="yes", morning_stiffness="gt_60") == [
        (
            "inflammatory",
            "gp_soon",
            (
                "soft swelling in two or more joints, knuckles or toes",
                "morning stiffness lasting more than an hour",
            ),
        )
    ]


def test_the_spondyloarthritis_reason_counts_and_names_the_signs():
    spa = ["psoriasis", "onset_before_35", "family_spa", "buttock_pain"]
    assert flags(site="low_back", duration="3m_12m", age=30, spa_features=spa) == [
        (
            "axial_spa",
            "gp_soon",
            (
                "4 signs of inflammatory back pain (it started before i was 35, i have pain "
                "in my buttocks, a close relative has spondylitis, i have psoriasis)",
            ),
        )
    ]


# --- osteoarthritis ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "level", "band"),
    [
        (39, "unlikely", "aged under 40"),
        (40, "possible", "aged 40 to 44"),
        (44, "possible", "aged 40 to 44"),
        (45, "likely", "aged 45 or over"),
        (None, "unlikely", "age not answered"),
    ],
)
def test_osteoarthritis_names_the_age_band(age, level, band):
    got = reasons("osteoarthritis", load_pain="yes", morning_stiffness="le_30", age=age)
    assert got == (
        level,
        ("pain in the knee joint", LOADED, band, "morning stiffness of 30 minutes or less"),
    )


@pytest.mark.parametrize(
    ("stiffness", "level", "words"),
    [
        ("none", "likely", "no morning stiffness"),
        ("le_30", "likely", "morning stiffness of 30 minutes or less"),
        ("31_60", "possible", "morning stiffness of 31 to 60 minutes"),
        ("gt_60", "unlikely", "morning stiffness of more than an hour"),
        (None, "possible", "morning stiffness not answered"),
    ],
)
def test_osteoarthritis_names_the_morning_stiffness(stiffness, level, words):
    got = reasons("osteoarthritis", load_pain="yes", morning_stiffness=stiffness)
    assert got == (level, ("pain in the knee joint", LOADED, "aged 45 or over", words))


@pytest.mark.parametrize(
    "changes", [{"age": 42, "morning_stiffness": None}, {"age": 30, "morning_stiffness": "none"}]
)
def test_osteoarthritis_under_45_needs_short_stiffness_and_40_or_over(changes):
    assert reasons("osteoarthritis", load_pain="yes", **changes)[0] == "unlikely"


@pytest.mark.parametrize(
    ("changes", "held"),
    [({"joint_state": "hot"}, True), ({"rf_joints_swollen": "yes"}, True), ({}, False)],
)
def test_a_likely_osteoarthritis_is_held_at_possible_by_hot_or_swollen_joints(changes, held):
    level, why = reasons("osteoarthritis", load_pain="yes", morning_stiffness="none", **changes)
    base = ("pain in the knee joint", LOADED, "aged 45 or over", "no morning stiffness")
    if held:
        hold = "held at possible: hot or soft swollen joints need checking first"
        assert (level, why) == ("possible", (*base, hold))
    else:
        assert (level, why) == ("likely", base)


def test_a_possible_osteoarthritis_is_not_held_or_changed_by_a_hot_joint():
    got = reasons("osteoarthritis", load_pain="yes", morning_stiffness="31_60", joint_state="hot")
    assert got == (
        "possible",
        (
            "pain in the knee joint",
            LOADED,
            "aged 45 or over",
            "morning stiffness of 31 to 60 minutes",
        ),
    )


def test_osteoarthritis_by_joint_signs_without_loading_pain_names_each_sign():
    got = reasons(
        "osteoarthritis",
        site="hand",
        load_pain="no",
        morning_stiffness="none",
        grinding="yes",
        bony_swelling="yes",
        age=45,
    )
    assert got == (
        "possible",
        (
            "pain in the hand, fingers or base of the thumb",
            "pain not brought on by loading",
            "aged 45 or over",
            "no morning stiffness",
            "grinding or creaking",
            "hard, bony swelling",
        ),
    )
    assert (
        reasons("osteoarthritis", load_pain="no", morning_stiffness="le_30", bony_swelling="yes")[0]
        == "possible"
    )


@pytest.mark.parametrize(
    "changes",
    [
        {"age": 44, "morning_stiffness": "none", "grinding": "yes"},
        {"age": 60, "morning_stiffness": "31_60", "grinding": "yes"},
        {"age": 60, "morning_stiffness": "none"},
        {"age": None, "morning_stiffness": "none", "grinding": "yes"},
    ],
)
def test_the_joint_sign_route_needs_45_short_stiffness_and_a_sign(changes):
    level, why = reasons("osteoarthritis", load_pain="no", **changes)
    assert (level, why[:2]) == (
        "unlikely",
        ("pain in the knee joint", "pain not brought on by loading"),
    )
    assert len(why) == 2


def test_osteoarthritis_without_loading_answered_says_so():
    assert reasons("osteoarthritis", load_pain=None, grinding="yes") == (
        "unlikely",
        ("pain in the knee joint", "loading not answered"),
    )


def test_osteoarthritis_away_from_its_joints_gives_one_reason():
    assert reasons("osteoarthritis", site="achilles", load_pain="yes") == (
        "unlikely",
        ("the pain is not in a joint where osteoarthritis is usual",),
    )


# --- tendinopathy ------------------------------------------------------------------------

SPOT = "can point to one painful spot"
WARM = "eases with warm-up, then worse afterwards"
OVERUSE = "came on after more or different activity"
ALL_THREE = {"point_spot": "yes", "warm_up": "yes", "onset": "overuse"}


@pytest.mark.parametrize(
    ("duration", "level", "last"),
    [
        ("6w_3m", "likely", "had it 6 weeks or more"),
        ("gt_1y", "likely", "had it 6 weeks or more"),
        ("2w_6w", "possible", "had it less than 6 weeks"),
        ("lt_2w", "possible", "had it less than 6 weeks"),
        (None, "unlikely", "how long not answered"),
    ],
)
def test_tendinopathy_with_two_features_names_the_duration(duration, level, last):
    got = reasons(
        "tendinopathy", site="achilles", load_pain="yes", warm_up="yes", onset="overuse",
        duration=duration,
    )  # fmt: skip
    assert got == (
        level,
        ("pain in the back of the heel, above the bone", LOADED, WARM, OVERUSE, last),
    )


def test_tendinopathy_with_all_three_features_lists_them_in_order():
    got = reasons("tendinopathy", site="hip_side", load_pain="yes", **ALL_THREE)
    assert got == (
        "likely",
        (
            "pain in the outer side of the hip",
            LOADED,
            SPOT,
            WARM,
            OVERUSE,
            "had it 6 weeks or more",
        ),
    )


@pytest.mark.parametrize("duration", ["lt_2w", "gt_1y"])
def test_tendinopathy_with_one_feature_is_possible_whatever_the_duration(duration):
    got = reasons(
        "tendinopathy", site="elbow_outer", load_pain="yes", point_spot="yes", duration=duration
    )
    assert got == (
        "possible",
        ("pain in the outer side of the elbow", LOADED, SPOT, "1 of 3 usual tendon features"),
    )


def test_tendinopathy_with_no_feature_says_so():
    assert reasons("tendinopathy", site="shoulder", load_pain="yes") == (
        "unlikely",
        ("pain in the shoulder", LOADED, "none of the usual tendon features"),
    )


def test_all_three_features_away_from_the_tendon_sites_are_possible():
    assert reasons("tendinopathy", site="knee", load_pain="yes", **ALL_THREE) == (
        "possible",
        (
            "all 3 usual tendon features, away from the usual tendon sites",
            LOADED,
            SPOT,
            WARM,
            OVERUSE,
        ),
    )


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"site": "knee", "load_pain": "yes", "point_spot": "yes", "warm_up": "yes"},
            ("the pain is not at a usual tendon site", "2 of 3 usual tendon features"),
        ),
        (
            {"site": "knee", "load_pain": "yes", "point_spot": "yes"},
            ("the pain is not at a usual tendon site", "1 of 3 usual tendon features"),
        ),
        (
            {"site": "knee", "load_pain": "no", **ALL_THREE},
            ("the pain is not at a usual tendon site", "pain not brought on by loading"),
        ),
        ({"site": "achilles", "load_pain": "no", **ALL_THREE}, ("pain not brought on by loading",)),
        (
            {"site": None, "load_pain": "yes", **ALL_THREE},
            ("the pain is not at a usual tendon site", "3 of 3 usual tendon features"),
        ),
    ],
)
def test_unlikely_tendinopathy_says_what_is_missing(changes, expected):
    assert reasons("tendinopathy", **changes) == ("unlikely", expected)


# --- ligament ----------------------------------------------------------------------------

LONG = "had it 3 months or more"


def test_ligament_likely_after_an_injury_that_gives_way():
    got = reasons("ligament", site="ankle", onset="injury", giving_way="occasional")
    assert got == (
        "likely",
        (
            "pain in the ankle",
            "it began with a sprain, twist or fall",
            "it gives way or feels unstable (occasional)",
            LONG,
        ),
    )


def test_ligament_likely_after_repeated_sprains_that_give_way():
    got = reasons("ligament", site="wrist", sprains="2_plus", giving_way="often", clicking="yes")
    assert got == (
        "likely",
        (
            "pain in the wrist",
            "sprained or dislocated it before",
            "it gives way or feels unstable (often)",
            "sprained or dislocated it twice or more",
            "clicking, clunking or shifting",
            LONG,
        ),
    )


def test_giving_way_without_an_injury_or_sprain_is_not_instability():
    got = reasons("ligament", site="knee", giving_way="often", sprains="0", clicking="yes")
    assert got == (
        "possible",
        (
            "pain in the knee joint",
            "it gives way or feels unstable (often)",
            "clicking, clunking or shifting",
            "2 of 6 ligament features",
        ),
    )


AXIAL = {"posture_pain": "yes", "point_spot": "yes"}
FLEXIBLE = ["palms_floor", "splits"]


def test_axial_ligament_likely_from_flexible_joints_names_the_painful_spot():
    got = reasons("ligament", site="low_back", hypermobility=FLEXIBLE, **AXIAL)
    assert got == (
        "likely",
        (
            "pain in the lower back",
            "worse after staying in one position, better moving",
            "2 signs of very flexible joints",
            SPOT,
            LONG,
        ),
    )


def test_axial_ligament_likely_after_an_injury():
    got = reasons("ligament", site="neck", onset="injury", **AXIAL)
    assert got[0] == "likely" and got[1][-2:] == (SPOT, LONG)


@pytest.mark.parametrize(
    "changes",
    [
        {"site": "upper_back", "hypermobility": FLEXIBLE, **AXIAL},  # not an axial site
        {"site": "low_back", "hypermobility": FLEXIBLE, "posture_pain": "yes"},  # no spot
        {"site": "low_back", "hypermobility": FLEXIBLE, **AXIAL, "duration": "6w_3m"},
        {"site": "low_back", "hypermobility": FLEXIBLE[:1], "clicking": "yes", **AXIAL},
    ],
)
def test_axial_ligament_needs_every_part(changes):
    level, why = reasons("ligament", **changes)
    assert level == "possible"
    assert SPOT not in why and LONG not in why


def test_one_flexible_joint_sign_is_not_a_feature():
    got = reasons("ligament", site="knee", hypermobility=["splits"], clicking="yes")
    assert got == (
        "unlikely",
        ("pain in the knee joint", "clicking, clunking or shifting", "1 of 6 ligament features"),
    )


def test_instability_under_three_months_is_possible_with_its_count():
    got = reasons("ligament", site="knee", onset="injury", giving_way="often", duration="6w_3m")
    assert got == (
        "possible",
        (
            "pain in the knee joint",
            "it began with a sprain, twist or fall",
            "it gives way or feels unstable (often)",
            "2 of 6 ligament features",
        ),
    )


def test_one_sprain_is_one_feature():
    assert reasons("ligament", site="knee", sprains="1") == (
        "unlikely",
        ("pain in the knee joint", "sprained or dislocated it before", "1 of 6 ligament features"),
    )


def test_ligament_away_from_its_sites_gives_one_reason():
    assert reasons("ligament", site="achilles") == (
        "unlikely",
        ("the pain is not at a usual ligament site",),
    )


# --- neuropathic -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("chosen", "level", "felt"),
    [
        (["tingling"], "unlikely", "1 nerve-type sensation (tingling)"),
        (["numbness", "burning"], "possible", "2 nerve-type sensations (burning, numbness)"),
        (
            ["itching", "electric_shocks", "painful_cold"],
            "likely",
            "3 nerve-type sensations (painful cold, electric shocks, itching)",
        ),
    ],
)
def test_neuropathic_counts_and_names_the_sensations(chosen, level, felt):
    assert reasons("neuropathic", nerve_sensations=chosen) == (level, (felt,))


def test_one_sensation_with_touch_pain_in_a_skin_pattern_is_possible():
    got = reasons("neuropathic", nerve_sensations=["burning"], touch_pain="yes", skin_pattern="yes")
    assert got == (
        "possible",
        (
            "1 nerve-type sensation (burning)",
            "light touch hurts",
            "pain in a patch of skin, along a scar or a line",
        ),
    )


@pytest.mark.parametrize(
    "changes",
    [
        {"nerve_sensations": ["burning"], "touch_pain": "yes"},
        {"nerve_sensations": ["burning"], "skin_pattern": "yes"},
        {"nerve_sensations": [], "touch_pain": "yes", "skin_pattern": "yes"},
    ],
)
def test_touch_pain_and_a_skin_pattern_need_one_sensation_and_each_other(changes):
    assert reasons("neuropathic", **changes)[0] == "unlikely"


def test_no_sensation_answered_reads_as_none():
    assert reasons("neuropathic") == ("unlikely", ("no nerve-type sensations",))


# --- widespread --------------------------------------------------------------------------


def test_under_the_redirect_every_indication_gives_the_one_widespread_reason():
    s = evaluate(complete(site="widespread", load_pain="yes", nerve_sensations=["burning"]))
    assert {name: (i.level, i.reasons) for name, i in s.indications.items()} == dict.fromkeys(
        ("osteoarthritis", "tendinopathy", "ligament", "neuropathic"),
        ("unlikely", ("widespread pain is better assessed as a whole",)),
    )


@pytest.mark.parametrize(
    ("site", "phrase"),
    [("knee_tendon", "pain just below the kneecap"), ("heel_arch", "pain under the heel or arch")],
)
def test_a_site_whose_words_begin_their_own_way_reads_right(site, phrase):
    """Rules 1.1: "pain in the " + the option's words read wrongly for four sites."""
    reasons = evaluate(bookable(site=site)).indications["tendinopathy"].reasons
    assert reasons[0] == phrase


@pytest.mark.parametrize("site", [o.code for o in QUESTIONS["site"].options])
def test_no_site_is_named_with_a_doubled_article_or_a_stray_the(site):
    screening = evaluate(bookable(site=site))
    said = [r for ind in screening.indications.values() for r in ind.reasons]
    for reason in said:
        assert not re.search(r"\bthe (a|an|the|just|under|many)\b", reason), reason
