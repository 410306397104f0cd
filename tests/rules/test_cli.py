"""`python -m rules`: the command line, its output and its error path."""

import json
import subprocess
import sys

import pytest

from tests.helpers.answer_sets import bookable


def rules(*args, stdin=""):
    return subprocess.run(
        [sys.executable, "-m", "rules", *args], input=stdin, capture_output=True, text=True
    )


def test_it_evaluates_one_answer_set_from_a_file(tmp_path):
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(bookable()))
    run = rules("evaluate", str(path))
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["booking"] == "book"


def test_it_evaluates_an_array_in_order_from_standard_input():
    batch = [bookable(), bookable(rf_calf="yes"), bookable(age=None)]
    run = rules("evaluate", "-", stdin=json.dumps(batch))
    assert [r["booking"] for r in json.loads(run.stdout)] == ["book", "seek_care", "incomplete"]


def test_it_prints_the_question_bank():
    run = rules("questions")
    bank = json.loads(run.stdout)
    ids = [q["id"] for s in bank["sections"] for q in s["questions"]]
    assert ids[:3] == ["age", "sex", "site"] and "lump_site" in ids
    assert bank["bank_version"] == "1.0"


@pytest.mark.parametrize(
    ("stdin", "fragment"),
    [
        ('{"age": 130}', "age: must be between 0 and 120"),
        ('{"age": "fifty"}', "age: must be a whole number"),
        ('{"site": "moon"}', "site: unknown option 'moon'"),
        ('{"favourite": 1}', "favourite: is not a question"),
        ('{"nerve_sensations": "burning"}', "nerve_sensations: must be a list"),
        ("{not json", "not valid JSON"),
        ('"hello"', "must be a JSON object"),
        ('[{"age": 40}, {"age": -3}]', "answer set 1: age"),
        ("[1]", "answer set 0: must be a JSON object"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_no_output(stdin, fragment):
    run = rules("evaluate", "-", stdin=stdin)
    assert run.returncode == 2
    assert run.stdout == ""
    assert run.stderr.count("\n") == 1 and fragment in run.stderr


def test_a_missing_file_exits_2(tmp_path):
    run = rules("evaluate", str(tmp_path / "nope.json"))
    assert run.returncode == 2 and "cannot read" in run.stderr and run.stdout == ""
