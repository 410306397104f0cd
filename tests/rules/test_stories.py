"""Worked patient stories (tests/stories/stories.json): what a clinician would expect."""

import json
from pathlib import Path

import pytest

from rules import evaluate

STORIES = json.loads((Path(__file__).parents[1] / "stories" / "stories.json").read_text())


@pytest.mark.parametrize("story", STORIES, ids=[s["name"] for s in STORIES])
def test_each_story_gets_the_outcome_a_clinician_expects(story):
    s = evaluate(story["answers"])
    expect = story["expect"]
    assert s.booking == expect["booking"]
    assert s.tier == expect["tier"]
    if "levels" in expect:
        assert {k: v.level for k, v in s.indications.items()} == expect["levels"]
    if "cautions" in expect:
        assert [c.id for c in s.cautions] == expect["cautions"]
    if "red_flags" in expect:
        assert [f.id for f in s.red_flags] == expect["red_flags"]
    if "redirect" in expect:
        assert s.redirect == expect["redirect"]
