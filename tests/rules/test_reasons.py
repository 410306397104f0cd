"""The reasons a result gives, exactly, for exact answers: which reason goes with which
answer, in which order, and the age band, site or options it names. A clinician reads these
beside the level, so a wrong reason is a wrong result. Each reason is written here as its id,
with the site or the options it names in brackets ("said_site(knee)"); what each id says is
rules/reasons.py's, tested at the end."""

import re

import pytest

from rules import QUESTIONS, Reason, evaluate, reasons
from tests.helpers.answer_sets import bookable, complete
from tests.helpers.compare_rules import random_sets

HOT = "hot_joint"
FEVER = "fever"
NIGHT = "night_constant"
WEIGHT = "weight_loss"
PAST_CANCER = "past_cancer"
LOADED = "load_yes"


def said(reason: Reason) -> str:
    named = reason.site or ",".join(reason.chosen)
    return f"{reason.id}({named})" if named else reason.id


def flags(**changes):
    return [
        (f.id, f.tier, tuple(map(said, f.reasons))) for f in evaluate(complete(**changes)).red_flags
    ]


def why(indication, **changes):
    ind = evaluate(complete(**changes)).indications[indication]
    return ind.level, tuple(map(said, ind.reasons))


# --- red flags ---------------------------------------------------------------------------


def test_each_cauda_equina_answer_gives_its_own_reason_in_question_order():
    assert flags(rf_both_legs="yes", rf_saddle="yes", rf_bladder_bowel="yes") == [
        (
            "cauda_equina",
            "emergency",
            (
                "bladder_bowel",
                "saddle",
                "both_legs",
            ),
        )
    ]
    assert flags(rf_both_legs="yes") == [
        (
            "cauda_equina",
            "emergency",
            ("both_legs",),
        )
    ]


def test_weakness_reason():
    assert flags(rf_weakness="yes") == [
        (
            "neuro_deficit",
            "emergency",
            ("weakness",),
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
    injury = "recent_injury"
    fall = "fracture_risk"
    assert flags(rf_recent_injury="yes", rf_fracture_risk="yes") == [
        ("fracture", "urgent", (injury, fall))
    ]
    assert flags(rf_fracture_risk="yes") == [("fracture", "urgent", (fall,))]


def test_calf_reason():
    assert flags(rf_calf="yes") == [("dvt", "urgent", ("calf",))]


def test_cancer_in_the_spine_names_the_site_and_each_sign():
    assert flags(rf_cancer="yes", site="neck", night_pain="constant", rf_weight_loss="yes") == [
        ("cancer_spine", "urgent", (PAST_CANCER, "pain_site(neck)", NIGHT, WEIGHT)),
        ("weight_loss", "gp_soon", (WEIGHT,)),
        ("night_pain", "gp_soon", (NIGHT,)),
    ]
    assert flags(rf_cancer="yes", site="pelvis_back", rf_weight_loss="yes")[0] == (
        "cancer_spine",
        "urgent",
        (PAST_CANCER, "pain_site(pelvis_back)", WEIGHT),
    )


def test_cancer_names_every_trigger_in_order():
    assert flags(rf_cancer="yes", site="hip_groin", night_pain="constant", duration="6w_3m") == [
        (
            "cancer",
            "gp_soon",
            (
                PAST_CANCER,
                "pain_site(hip_groin)",
                NIGHT,
                "recent_start",
            ),
        ),
        ("night_pain", "gp_soon", (NIGHT,)),
    ]
    assert flags(rf_cancer="yes", site="upper_back")[0] == (
        "cancer",
        "gp_soon",
        (PAST_CANCER, "pain_site(upper_back)"),
    )


def test_cancer_with_no_site_answered_names_no_site():
    # `site` skipped: the result is incomplete, but the flag still fires on the duration.
    assert flags(rf_cancer="yes", site=None, duration="lt_2w") == [
        ("cancer", "gp_soon", (PAST_CANCER, "recent_start"))
    ]


def test_inflammatory_reasons():
    assert flags(rf_joints_swollen="yes", morning_stiffness="gt_60") == [
        (
            "inflammatory",
            "gp_soon",
            (
                "joints_swollen",
                "long_stiffness",
            ),
        )
    ]


def test_the_spondyloarthritis_reason_names_the_signs():
    spa = ["psoriasis", "onset_before_35", "family_spa", "buttock_pain"]
    assert flags(site="low_back", duration="3m_12m", age=30, spa_features=spa) == [
        (
            "axial_spa",
            "gp_soon",
            ("spa_signs(onset_before_35,buttock_pain,family_spa,psoriasis)",),
        )
    ]


# --- osteoarthritis ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "level", "band"),
    [
        (39, "unlikely", "age_under_40"),
        (40, "possible", "age_40_44"),
        (44, "possible", "age_40_44"),
        (45, "likely", "age_45_plus"),
        (None, "unlikely", "age_not_answered"),
    ],
)
def test_osteoarthritis_names_the_age_band(age, level, band):
    got = why("osteoarthritis", load_pain="yes", morning_stiffness="le_30", age=age)
    assert got == (
        level,
        ("said_site(knee)", LOADED, band, "stiff_le_30"),
    )


@pytest.mark.parametrize(
    ("stiffness", "level", "words"),
    [
        ("none", "likely", "stiff_none"),
        ("le_30", "likely", "stiff_le_30"),
        ("31_60", "possible", "stiff_31_60"),
        ("gt_60", "unlikely", "stiff_gt_60"),
        (None, "possible", "stiff_not_answered"),
    ],
)
def test_osteoarthritis_names_the_morning_stiffness(stiffness, level, words):
    got = why("osteoarthritis", load_pain="yes", morning_stiffness=stiffness)
    assert got == (level, ("said_site(knee)", LOADED, "age_45_plus", words))


@pytest.mark.parametrize(
    "changes", [{"age": 42, "morning_stiffness": None}, {"age": 30, "morning_stiffness": "none"}]
)
def test_osteoarthritis_under_45_needs_short_stiffness_and_40_or_over(changes):
    assert why("osteoarthritis", load_pain="yes", **changes)[0] == "unlikely"


@pytest.mark.parametrize(
    ("changes", "held"),
    [({"joint_state": "hot"}, True), ({"rf_joints_swollen": "yes"}, True), ({}, False)],
)
def test_a_likely_osteoarthritis_is_held_at_possible_by_hot_or_swollen_joints(changes, held):
    got = why("osteoarthritis", load_pain="yes", morning_stiffness="none", **changes)
    base = ("said_site(knee)", LOADED, "age_45_plus", "stiff_none")
    if held:
        assert got == ("possible", (*base, "check_swelling_first"))
    else:
        assert got == ("likely", base)


def test_a_possible_osteoarthritis_is_not_held_or_changed_by_a_hot_joint():
    got = why("osteoarthritis", load_pain="yes", morning_stiffness="31_60", joint_state="hot")
    assert got == (
        "possible",
        (
            "said_site(knee)",
            LOADED,
            "age_45_plus",
            "stiff_31_60",
        ),
    )


def test_osteoarthritis_by_joint_signs_without_loading_pain_names_each_sign():
    got = why(
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
            "said_site(hand)",
            "load_no",
            "age_45_plus",
            "stiff_none",
            "grinding",
            "bony_swelling",
        ),
    )
    assert (
        why("osteoarthritis", load_pain="no", morning_stiffness="le_30", bony_swelling="yes")[0]
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
    assert why("osteoarthritis", load_pain="no", **changes) == (
        "unlikely",
        ("said_site(knee)", "load_no"),
    )


def test_osteoarthritis_without_loading_answered_says_so():
    assert why("osteoarthritis", load_pain=None, grinding="yes") == (
        "unlikely",
        ("said_site(knee)", "load_not_answered"),
    )


def test_osteoarthritis_away_from_its_joints_names_the_site_and_says_so():
    assert why("osteoarthritis", site="achilles", load_pain="yes") == (
        "unlikely",
        ("said_site(achilles)", "oa_not_here"),
    )


def test_with_no_site_the_site_rules_say_no_site_was_given():
    got = evaluate(complete(site=None, load_pain="yes")).indications
    for name in ("osteoarthritis", "tendinopathy", "ligament"):
        assert tuple(map(said, got[name].reasons)) == ("site_not_answered",)


# --- tendinopathy ------------------------------------------------------------------------

SPOT = "point_spot"
WARM = "warm_up"
OVERUSE = "overuse"
ALL_THREE = {"point_spot": "yes", "warm_up": "yes", "onset": "overuse"}


@pytest.mark.parametrize(
    ("duration", "level", "last"),
    [
        ("6w_3m", "likely", "had_6w_plus"),
        ("gt_1y", "likely", "had_6w_plus"),
        ("2w_6w", "possible", "had_under_6w"),
        ("lt_2w", "possible", "had_under_6w"),
        (None, "unlikely", "duration_not_answered"),
    ],
)
def test_tendinopathy_with_two_features_names_the_duration(duration, level, last):
    got = why(
        "tendinopathy", site="achilles", load_pain="yes", warm_up="yes", onset="overuse",
        duration=duration,
    )  # fmt: skip
    assert got == (
        level,
        ("said_site(achilles)", LOADED, WARM, OVERUSE, last),
    )


def test_tendinopathy_with_all_three_features_lists_them_in_order():
    got = why("tendinopathy", site="hip_side", load_pain="yes", **ALL_THREE)
    assert got == (
        "likely",
        (
            "said_site(hip_side)",
            LOADED,
            SPOT,
            WARM,
            OVERUSE,
            "had_6w_plus",
        ),
    )


@pytest.mark.parametrize("duration", ["lt_2w", "gt_1y"])
def test_tendinopathy_with_one_feature_is_possible_whatever_the_duration(duration):
    got = why(
        "tendinopathy", site="elbow_outer", load_pain="yes", point_spot="yes", duration=duration
    )
    assert got == (
        "possible",
        ("said_site(elbow_outer)", LOADED, SPOT, "tendon_one_sign"),
    )


def test_tendinopathy_with_no_feature_says_so():
    assert why("tendinopathy", site="shoulder", load_pain="yes") == (
        "unlikely",
        ("said_site(shoulder)", LOADED, "tendon_no_signs"),
    )


def test_all_three_features_away_from_the_tendon_sites_are_possible():
    assert why("tendinopathy", site="knee", load_pain="yes", **ALL_THREE) == (
        "possible",
        (
            "said_site(knee)",
            "tendon_signs_elsewhere",
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
            ("said_site(knee)", "tendon_not_here"),
        ),
        (
            {"site": "knee", "load_pain": "no", **ALL_THREE},
            ("said_site(knee)", "tendon_not_here", "load_no"),
        ),
        (
            {"site": "knee", "load_pain": None, **ALL_THREE},
            ("said_site(knee)", "tendon_not_here", "load_not_answered"),
        ),
        ({"site": "achilles", "load_pain": "no", **ALL_THREE}, ("said_site(achilles)", "load_no")),
        (
            {"site": "achilles", "load_pain": None},
            ("said_site(achilles)", "load_not_answered"),
        ),
        ({"site": None, "load_pain": "yes", **ALL_THREE}, ("site_not_answered",)),
        ({"site": None, "load_pain": "no"}, ("site_not_answered", "load_no")),
    ],
)
def test_unlikely_tendinopathy_says_what_is_missing(changes, expected):
    assert why("tendinopathy", **changes) == ("unlikely", expected)


# --- ligament ----------------------------------------------------------------------------

LONG = "had_3m_plus"


def test_ligament_likely_after_an_injury_that_gives_way():
    got = why("ligament", site="ankle", onset="injury", giving_way="occasional")
    assert got == (
        "likely",
        (
            "said_site(ankle)",
            "began_with_injury",
            "gives_way_sometimes",
            LONG,
        ),
    )


def test_ligament_likely_after_repeated_sprains_that_give_way():
    got = why("ligament", site="wrist", sprains="2_plus", giving_way="often", clicking="yes")
    assert got == (
        "likely",
        (
            "said_site(wrist)",
            "sprained_before",
            "gives_way_often",
            "sprained_twice",
            "clicking",
            LONG,
        ),
    )


def test_giving_way_without_an_injury_or_sprain_is_not_instability():
    got = why("ligament", site="knee", giving_way="often", sprains="0", clicking="yes")
    assert got == (
        "possible",
        (
            "said_site(knee)",
            "gives_way_often",
            "clicking",
        ),
    )


AXIAL = {"posture_pain": "yes", "point_spot": "yes"}
FLEXIBLE = ["palms_floor", "splits"]


def test_axial_ligament_likely_from_flexible_joints_names_the_painful_spot():
    got = why("ligament", site="low_back", hypermobility=FLEXIBLE, **AXIAL)
    assert got == (
        "likely",
        (
            "said_site(low_back)",
            "posture_pain",
            "flexible_joints",
            SPOT,
            LONG,
        ),
    )


def test_axial_ligament_likely_after_an_injury():
    got = why("ligament", site="neck", onset="injury", **AXIAL)
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
    level, given = why("ligament", **changes)
    assert level == "possible"
    assert SPOT not in given and LONG not in given


def test_one_flexible_joint_sign_is_not_a_feature():
    got = why("ligament", site="knee", hypermobility=["splits"], clicking="yes")
    assert got == (
        "unlikely",
        ("said_site(knee)", "clicking", "ligament_few_signs"),
    )


def test_instability_under_three_months_is_possible_and_says_how_long():
    got = why("ligament", site="knee", onset="injury", giving_way="often", duration="6w_3m")
    assert got == (
        "possible",
        (
            "said_site(knee)",
            "began_with_injury",
            "gives_way_often",
            "had_under_3m",
        ),
    )


def test_a_possible_ligament_problem_with_no_duration_says_so():
    got = why("ligament", site="knee", sprains="2_plus", duration=None)
    assert got == (
        "possible",
        ("said_site(knee)", "sprained_before", "sprained_twice", "duration_not_answered"),
    )


def test_one_sprain_is_one_feature():
    assert why("ligament", site="knee", sprains="1") == (
        "unlikely",
        ("said_site(knee)", "sprained_before", "ligament_few_signs"),
    )


def test_ligament_away_from_its_sites_names_the_site_and_says_so():
    assert why("ligament", site="achilles") == (
        "unlikely",
        ("said_site(achilles)", "ligament_not_here"),
    )


def test_no_ligament_sign_says_so():
    assert why("ligament", site="knee") == ("unlikely", ("said_site(knee)", "ligament_no_signs"))


# --- neuropathic -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("chosen", "level", "felt"),
    [
        (["tingling"], "unlikely", ("nerve_feelings(tingling)", "nerve_one_feeling")),
        (["numbness", "burning"], "possible", ("nerve_feelings(burning,numbness)",)),
        (
            ["itching", "electric_shocks", "painful_cold"],
            "likely",
            ("nerve_feelings(painful_cold,electric_shocks,itching)",),
        ),
    ],
)
def test_neuropathic_names_the_sensations(chosen, level, felt):
    assert why("neuropathic", nerve_sensations=chosen) == (level, felt)


def test_one_sensation_with_touch_pain_in_a_skin_pattern_is_possible():
    got = why("neuropathic", nerve_sensations=["burning"], touch_pain="yes", skin_pattern="yes")
    assert got == (
        "possible",
        (
            "nerve_feelings(burning)",
            "touch_pain",
            "skin_pattern",
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
    assert why("neuropathic", **changes)[0] == "unlikely"


def test_no_sensation_answered_reads_as_none():
    assert why("neuropathic") == ("unlikely", ("no_nerve_feelings",))


# --- widespread --------------------------------------------------------------------------


def test_under_the_redirect_every_indication_gives_the_one_widespread_reason():
    s = evaluate(complete(site="widespread", load_pain="yes", nerve_sensations=["burning"]))
    assert {name: (i.level, i.reasons) for name, i in s.indications.items()} == dict.fromkeys(
        ("osteoarthritis", "tendinopathy", "ligament", "neuropathic"),
        ("unlikely", (Reason("widespread"),)),
    )


@pytest.mark.parametrize(
    ("site", "phrase"),
    [("knee_tendon", "pain just below the kneecap"), ("heel_arch", "pain under the heel or arch")],
)
def test_a_site_whose_words_begin_their_own_way_reads_right(site, phrase):
    """Rules 1.1: "pain in the " + the option's words read wrongly for four sites."""
    first = evaluate(bookable(site=site)).indications["tendinopathy"].reasons[0]
    assert reasons.words(first) == f"You said you have {phrase}."


@pytest.mark.parametrize("site", [o.code for o in QUESTIONS["site"].options])
def test_no_site_is_named_with_a_doubled_article_or_a_stray_the(site):
    screening = evaluate(bookable(site=site, rf_cancer="yes", night_pain="constant"))
    given = [r for ind in screening.indications.values() for r in ind.reasons]
    given += [r for flag in screening.red_flags for r in flag.reasons]
    for reason in map(reasons.words, given):
        assert not re.search(r"\bthe (a|an|the|just|under|many)\b", reason), reason


# --- the words of each reason ------------------------------------------------------------


def _given() -> tuple[set[str], set[str]]:
    """The ids of the reasons the indications give, and the red flags', on 1,000 random
    answer sets (every reason is given within the first 300)."""
    indication_reasons, flag_reasons = set(), set()
    for a in random_sets(1000):
        s = evaluate(a)
        indication_reasons |= {r.id for ind in s.indications.values() for r in ind.reasons}
        flag_reasons |= {r.id for f in s.red_flags for r in f.reasons}
    return indication_reasons, flag_reasons


def test_every_reason_with_words_is_given_by_some_answers_and_none_without():
    """No reason's words are dead, and the rules give none that has no words."""
    indication_reasons, flag_reasons = _given()
    assert indication_reasons | flag_reasons == set(reasons.REASONS)


def test_an_indication_reason_is_a_sentence_and_a_red_flag_reason_a_phrase():
    """Indication reasons are shown one a line under "Why:"; a red flag's follow "You told
    us about:" and are joined with semicolons."""
    indication_reasons, flag_reasons = _given()
    assert not flag_reasons & indication_reasons
    for rid in indication_reasons:
        english = reasons.REASONS[rid].english
        assert english[0].isupper() and english.endswith("."), rid
    for rid in flag_reasons:
        english = reasons.REASONS[rid].english
        assert not english.endswith("."), rid


def test_no_reason_reads_as_a_score():
    """Rules 1.3: the patient reads what they told us, never "1 of 3 usual features"."""
    for rid, words in reasons.REASONS.items():
        assert not re.search(r"\d+ (of|out of) \d+", words.english), rid
        assert words.english.strip(), rid


def test_words_fill_in_the_site_and_the_options_chosen():
    knee = Reason("said_site", site="knee")
    assert reasons.words(knee) == "You said you have pain in the knee joint."
    spa = Reason("spa_signs", chosen=("psoriasis", "buttock_pain"))
    assert reasons.words(spa) == (
        "signs of back pain caused by inflammation"
        " (“I have psoriasis”, “I have pain in my buttocks”)"
    )
    felt = Reason("nerve_feelings", chosen=("burning", "pins_needles"))
    assert reasons.words(felt) == "You said the pain comes with: burning, pins and needles."


def test_a_reason_stored_as_json_reads_the_same_as_the_reason():
    stored = evaluate(bookable(nerve_sensations=["tingling"])).to_dict()
    felt, one = stored["indications"]["neuropathic"]["reasons"]
    assert felt == {"id": "nerve_feelings", "chosen": ["tingling"]}
    assert one == {"id": "nerve_one_feeling"}
    assert reasons.words(felt) == "You said the pain comes with: tingling."
    assert reasons.from_stored(felt) == Reason("nerve_feelings", chosen=("tingling",))


def test_a_translation_that_is_missing_blank_or_broken_gives_the_english():
    r = Reason("said_site", site="neck")
    english = "You said you have pain in the neck."
    for broken in ("", "Dywedoch fod gennych {safle}.", "{", "Dywedoch {0}."):
        assert reasons.words(r, lambda key, text, t=broken: t) == english
    welsh = {"reason:said_site": "Dywedoch fod gennych {site}.", "site:neck": "poen yn y gwddf"}
    assert reasons.words(r, lambda key, text: welsh.get(key, text)) == (
        "Dywedoch fod gennych poen yn y gwddf."
    )


def test_a_result_stored_before_reasons_were_data_still_reads():
    """Rules 1.2 and before stored English phrases; a retired id shows as itself."""
    assert reasons.words("cancer in the past") == "cancer in the past"
    assert reasons.words({"id": "retired_reason"}) == "retired_reason"


def test_a_reason_without_words_is_refused_when_the_rules_are_built():
    with pytest.raises(KeyError, match="no words for reason"):
        reasons.reason("no_such_reason")
