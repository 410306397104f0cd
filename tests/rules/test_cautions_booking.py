"""Completeness, each caution and its level, each step of the booking order."""

import pytest

from rules import evaluate
from tests.helpers.answer_sets import bookable, complete


def cautions(answers):
    return [(c.id, c.level) for c in evaluate(answers).cautions]


@pytest.mark.parametrize(
    "qid", ["anaesthetic_allergy", "corn_allergy", "infection_site", "flare_now", "lump_site"]
)
def test_absolute_cautions(qid):
    assert cautions(complete(**{qid: "yes"})) == [(qid, "absolute")]
    assert cautions(complete(**{qid: "no"})) == []


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("yes", [("pregnancy", "discuss")]),
        ("unsure", [("pregnancy", "discuss")]),
        ("no", []),
    ],
)
def test_pregnancy_caution(answer, expected):
    assert cautions(complete(sex="female", age=30, pregnancy=answer)) == expected


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("other", [("blood_thinner", "discuss")]),
        ("aspirin_only", [("aspirin", "note")]),
        ("none", []),
    ],
)
def test_blood_thinner_cautions(answer, expected):
    assert cautions(complete(blood_thinner=answer)) == expected


@pytest.mark.parametrize("qid", ["bleeding_disorder", "immunosuppressed", "implant_site"])
def test_discuss_cautions(qid):
    assert cautions(complete(**{qid: "yes"})) == [(qid, "discuss")]
    assert cautions(complete(**{qid: "no"})) == []


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("uncontrolled", [("diabetes_uncontrolled", "discuss")]),
        ("controlled", [("diabetes_controlled", "note")]),
        ("no", []),
    ],
)
def test_diabetes_cautions(answer, expected):
    assert cautions(complete(diabetes=answer)) == expected


@pytest.mark.parametrize(("age", "expected"), [(17, [("under_18", "discuss")]), (18, [])])
def test_under_18_caution(age, expected):
    assert cautions(complete(age=age)) == expected


@pytest.mark.parametrize("qid", ["nsaids", "needle_fear", "recent_steroid"])
def test_note_cautions(qid):
    assert cautions(complete(**{qid: "yes"})) == [(qid, "note")]


def test_cautions_come_most_serious_first():
    got = cautions(complete(nsaids="yes", bleeding_disorder="yes", lump_site="yes"))
    assert [level for _, level in got] == ["absolute", "discuss", "note"]


# --- completeness ------------------------------------------------------------------------


def test_nothing_answered_lists_every_always_shown_required_question():
    missing = evaluate({}).missing
    assert missing[:3] == ("age", "site", "duration")
    assert "rf_joints_swollen" in missing and "infection_site" in missing


@pytest.mark.parametrize(
    "qid",
    [
        "age",
        "site",
        "duration",
        "rf_calf",
        "blood_thinner",
        "anaesthetic_allergy",
        "corn_allergy",
        "infection_site",
    ],
)
def test_each_required_question_is_missing_when_skipped(qid):
    s = evaluate(bookable(**{qid: None}))
    assert s.missing == (qid,)
    assert s.booking == "incomplete"


def test_pregnancy_is_required_only_when_shown():
    assert evaluate(complete(sex="female", age=30)).missing == ("pregnancy",)
    assert evaluate(complete(sex="male", age=30)).missing == ()
    assert evaluate(complete(sex="female", age=56)).missing == ()
    assert evaluate(complete(sex="female", age=11)).missing == ()
    assert evaluate(complete(sex="not_said", age=12)).missing == ("pregnancy",)
    assert evaluate(complete(sex="female", age=55)).missing == ("pregnancy",)


def test_optional_questions_are_never_missing():
    assert evaluate(complete()).missing == ()


# --- booking order -----------------------------------------------------------------------


def test_step_1_a_red_flag_wins_over_everything():
    s = evaluate(bookable(rf_calf="yes", age=None, areas="7_plus", lump_site="yes"))
    assert s.booking == "seek_care"


def test_step_2_missing_answers_come_before_the_redirect():
    assert evaluate(bookable(areas="7_plus", duration=None)).booking == "incomplete"
    assert evaluate(bookable(areas="7_plus", age=None)).booking == "incomplete"


def test_step_3_widespread_pain_is_not_suitable_even_with_cautions():
    assert evaluate(bookable(areas="7_plus", lump_site="yes")).booking == "not_suitable"


def test_step_4_no_likely_or_possible_indication_is_not_suitable():
    s = evaluate(complete(lump_site="yes"))
    assert s.booking == "not_suitable"


@pytest.mark.parametrize(
    "changes",
    [
        {"lump_site": "yes"},
        {"implant_site": "yes"},
        {"age": 17, "nerve_sensations": ["burning", "itching"]},
    ],
)
def test_step_5_an_absolute_or_discuss_caution_asks_for_a_call_back(changes):
    assert evaluate(bookable(**changes)).booking == "call_back"


def test_step_6_note_cautions_still_book():
    s = evaluate(bookable(nsaids="yes", blood_thinner="aspirin_only"))
    assert s.booking == "book"
    assert [(c.id, c.level) for c in s.cautions] == [("aspirin", "note"), ("nsaids", "note")]


def test_a_possible_indication_alone_books():
    s = evaluate(bookable(age=42))
    assert s.indications["osteoarthritis"].level == "possible"
    assert s.booking == "book"


def test_to_dict_has_the_stored_shape():
    d = evaluate(bookable(nsaids="yes", radiating="yes")).to_dict()
    assert list(d) == [
        "rules_version",
        "indications",
        "red_flags",
        "tier",
        "redirect",
        "missing",
        "cautions",
        "notes",
        "booking",
    ]
    assert d["rules_version"] == "1.3"
    assert list(d["indications"]) == ["osteoarthritis", "tendinopathy", "ligament", "neuropathic"]
    assert d["cautions"] == [{"id": "nsaids", "level": "note"}]
    assert d["notes"] == ["nerve_root"]
    assert d["booking"] == "book"


def test_under_18_comes_last_of_the_discuss_cautions_before_the_notes():
    got = cautions(complete(age=17, lump_site="yes", immunosuppressed="yes", nsaids="yes"))
    assert got == [
        ("lump_site", "absolute"),
        ("immunosuppressed", "discuss"),
        ("under_18", "discuss"),
        ("nsaids", "note"),
    ]
    got = cautions(complete(age=0, corn_allergy="yes", needle_fear="yes", recent_steroid="yes"))
    assert got == [
        ("corn_allergy", "absolute"),
        ("under_18", "discuss"),
        ("needle_fear", "note"),
        ("recent_steroid", "note"),
    ]
    assert cautions(complete(age=17, nsaids="yes")) == [("under_18", "discuss"), ("nsaids", "note")]


def test_every_answer_based_caution_in_its_fixed_order():
    answers = complete(
        sex="female",
        age=30,
        pregnancy="unsure",
        blood_thinner="other",
        diabetes="uncontrolled",
        **dict.fromkeys(
            (
                "anaesthetic_allergy corn_allergy infection_site flare_now lump_site "
                "bleeding_disorder immunosuppressed implant_site nsaids needle_fear "
                "recent_steroid rf_cancer"
            ).split(),
            "yes",
        ),
    )
    assert [c for c, _ in cautions(answers)] == [
        "anaesthetic_allergy",
        "corn_allergy",
        "infection_site",
        "flare_now",
        "lump_site",
        "pregnancy",
        "blood_thinner",
        "bleeding_disorder",
        "immunosuppressed",
        "implant_site",
        "diabetes_uncontrolled",
        "nsaids",
        "needle_fear",
        "recent_steroid",
        "cancer_history",
    ]


@pytest.mark.parametrize(
    ("changes", "history"),
    [
        ({"site": "low_back", "night_pain": "constant"}, False),  # cancer_spine fired
        ({"site": "hip_groin"}, False),  # cancer fired
        ({"rf_fever": "yes"}, True),  # another flag only
        ({}, True),
    ],
)
def test_the_cancer_history_note_only_when_no_cancer_flag_fired(changes, history):
    s = evaluate(complete(rf_cancer="yes", **changes))
    assert ("cancer_history" in [c.id for c in s.cautions]) is history


def test_the_caution_table_in_words():
    from rules.engine import CAUTIONS

    assert [(c.id, c.level, c.when) for c in CAUTIONS] == [
        ("anaesthetic_allergy", "absolute", "`anaesthetic_allergy` is yes"),
        ("corn_allergy", "absolute", "`corn_allergy` is yes"),
        ("infection_site", "absolute", "`infection_site` is yes"),
        ("flare_now", "absolute", "`flare_now` is yes"),
        ("lump_site", "absolute", "`lump_site` is yes"),
        ("pregnancy", "discuss", "`pregnancy` is `yes` (Yes) or `unsure` (I'm not sure)"),
        ("blood_thinner", "discuss", "`blood_thinner` is `other` (Yes, another blood thinner)"),
        ("bleeding_disorder", "discuss", "`bleeding_disorder` is yes"),
        ("immunosuppressed", "discuss", "`immunosuppressed` is yes"),
        ("implant_site", "discuss", "`implant_site` is yes"),
        (
            "diabetes_uncontrolled",
            "discuss",
            "`diabetes` is `uncontrolled` (Yes, not well controlled or I'm not sure)",
        ),
        ("under_18", "discuss", "`age` is under 18 (not when `age` is not answered)"),
        ("aspirin", "note", "`blood_thinner` is `aspirin_only` (Low-dose aspirin only)"),
        ("nsaids", "note", "`nsaids` is yes"),
        ("needle_fear", "note", "`needle_fear` is yes"),
        ("recent_steroid", "note", "`recent_steroid` is yes"),
        ("diabetes_controlled", "note", "`diabetes` is `controlled` (Yes, well controlled)"),
        (
            "cancer_history",
            "note",
            "`rf_cancer` is yes and neither `cancer` nor `cancer_spine` fired (another red "
            "flag does not matter)",
        ),
    ]
