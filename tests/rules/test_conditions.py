"""Show-if conditions: when each holds (an unanswered question never hides another), what it
reads, its JSON form, and the plain words docs/clinical-rules.md prints for it."""

import pytest

from rules.conditions import AllOf, Between, OneOf

NAMES = {
    "BIG": frozenset({"a", "b", "c", "d"}),
    "SMALL": frozenset({"a", "b"}),
    "OTHER": frozenset({"c", "d"}),
    "ELSEWHERE": frozenset({"x", "y"}),
}


@pytest.mark.parametrize(
    ("condition", "answers", "holds"),
    [
        (OneOf("site", frozenset({"knee", "hip"})), {"site": "knee"}, True),
        (OneOf("site", frozenset({"knee", "hip"})), {"site": "neck"}, False),
        (OneOf("site", frozenset({"knee", "hip"})), {}, True),
        (OneOf("site", frozenset({"knee", "hip"})), {"site": None}, True),
        (OneOf("site", frozenset({"knee"}), negate=True), {"site": "knee"}, False),
        (OneOf("site", frozenset({"knee"}), negate=True), {"site": "neck"}, True),
        (OneOf("site", frozenset({"knee"}), negate=True), {}, True),
        (Between("age", 12, 55), {"age": 12}, True),
        (Between("age", 12, 55), {"age": 55}, True),
        (Between("age", 12, 55), {"age": 11}, False),
        (Between("age", 12, 55), {"age": 56}, False),
        (Between("age", 12, 55), {}, True),
        (Between("age", 12, 55), {"age": None}, True),
    ],
)
def test_when_a_condition_holds(condition, answers, holds):
    assert condition.holds(answers) is holds


PREGNANCY = AllOf((OneOf("sex", frozenset({"male"}), negate=True), Between("age", 12, 55)))


@pytest.mark.parametrize(
    ("answers", "holds"),
    [
        ({"sex": "female", "age": 30}, True),
        ({"sex": "male", "age": 30}, False),
        ({"sex": "female", "age": 60}, False),
        ({"sex": "male", "age": 60}, False),
        ({}, True),
        ({"age": 30}, True),
    ],
)
def test_all_of_holds_when_every_part_holds(answers, holds):
    assert PREGNANCY.holds(answers) is holds


def test_what_each_condition_reads():
    assert OneOf("site", frozenset({"knee"})).reads() == frozenset({"site"})
    assert Between("age", 0, 44).reads() == frozenset({"age"})
    assert PREGNANCY.reads() == frozenset({"sex", "age"})


def test_the_json_forms():
    assert OneOf("site", frozenset({"knee", "hip"})).to_dict() == {
        "question": "site",
        "in": ["hip", "knee"],
    }
    assert OneOf("site", frozenset({"knee", "hip"}), negate=True).to_dict() == {
        "question": "site",
        "not_in": ["hip", "knee"],
    }
    assert Between("age", 12, 55).to_dict() == {"question": "age", "between": [12, 55]}
    assert PREGNANCY.to_dict() == {
        "all": [{"question": "sex", "not_in": ["male"]}, {"question": "age", "between": [12, 55]}]
    }


@pytest.mark.parametrize(
    ("condition", "names", "words"),
    [
        (OneOf("q", frozenset({"a"})), None, "`q` is `a`"),
        (OneOf("q", frozenset({"a"}), negate=True), None, "`q` is not `a`"),
        (OneOf("q", frozenset({"b", "a"})), None, "`q` is `a` or `b`"),
        (OneOf("q", frozenset({"b", "a"}), negate=True), None, "`q` is neither `a` nor `b`"),
        (OneOf("q", frozenset({"c", "a", "b"})), None, "`q` is one of `a`, `b`, `c`"),
        (OneOf("q", frozenset({"c", "a", "b"}), negate=True), None, "`q` is none of `a`, `b`, `c`"),
        # The largest named group inside the values stands for its members.
        (OneOf("q", frozenset("abcd")), NAMES, "`q` is in BIG"),
        (OneOf("q", frozenset("abcd"), negate=True), NAMES, "`q` is not in BIG"),
        (OneOf("q", frozenset("abe")), NAMES, "`q` is in SMALL, or is `e`"),
        (OneOf("q", frozenset("abef")), NAMES, "`q` is in SMALL, or is `e` or `f`"),
        (
            OneOf("q", frozenset("abe"), negate=True),
            NAMES,
            "`q` is not in SMALL, and is not `e`",
        ),
        # Two groups of one size: the name that sorts last, the same every time.
        (OneOf("q", frozenset("cdab")), {"SMALL": NAMES["SMALL"], "OTHER": NAMES["OTHER"]},
         "`q` is in SMALL, or is `c` or `d`"),
        (OneOf("q", frozenset("ace")), NAMES, "`q` is one of `a`, `c`, `e`"),
        (Between("age", 12, 55), None, "`age` is between 12 and 55, both included"),
        (PREGNANCY, None, "`sex` is not `male`, and `age` is between 12 and 55, both included"),
        (
            AllOf((OneOf("q", frozenset("abcd")), OneOf("r", frozenset("x")))),
            NAMES,
            "`q` is in BIG, and `r` is `x`",
        ),
    ],
)  # fmt: skip
def test_plain_words(condition, names, words):
    assert condition.describe(names) == words
