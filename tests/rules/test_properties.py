"""Properties of the rules over generated answer sets (hypothesis)."""

import json
import subprocess
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from rules import BOOKINGS, INDICATIONS, QUESTIONS, clean, evaluate
from tests.helpers.strategies import answer_for, answer_sets


@given(answer_sets())
def test_a_fired_red_flag_always_means_seek_care(answers):
    s = evaluate(answers)
    assert (s.booking == "seek_care") == bool(s.red_flags)
    if s.red_flags:
        assert s.tier in {f.tier for f in s.red_flags}


@given(answer_sets(answered=0.97))
def test_book_never_comes_with_a_gap_a_serious_caution_or_a_red_flag(answers):
    s = evaluate(answers)
    if s.booking == "book":
        assert not s.missing and not s.red_flags
        assert all(c.level == "note" for c in s.cautions)
        assert any(i.level != "unlikely" for i in s.indications.values())


@given(answer_sets(), st.data())
def test_answers_to_hidden_questions_never_change_the_result(answers, data):
    visible = clean(answers)
    hidden = [q for q in QUESTIONS.values() if not q.is_shown(visible)]
    noise = {q.id: data.draw(answer_for(q)) for q in hidden}
    assert evaluate({**answers, **noise}) == evaluate(visible)


@given(answer_sets())
def test_every_valid_answer_set_gets_a_complete_result(answers):
    s = evaluate(answers)
    assert s.booking in BOOKINGS
    assert list(s.indications) == list(INDICATIONS)
    assert all(ind.reasons for ind in s.indications.values())
    assert (s.booking == "incomplete") == (not s.red_flags and bool(s.missing))


@settings(max_examples=15, deadline=None)
@given(st.lists(answer_sets(), min_size=1, max_size=15))
def test_the_command_line_and_evaluate_agree(batch):
    run = subprocess.run(
        [sys.executable, "-m", "rules", "evaluate", "-"],
        input=json.dumps(batch),
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(run.stdout) == [evaluate(a).to_dict() for a in batch]
