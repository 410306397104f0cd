"""Answer validation: raw answers in, clean answers out, or one clear error."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NoReturn, cast

from .bank import AGE_MAX, AGE_MIN, QUESTIONS, Question
from .conditions import Condition

BANK_ORDER: tuple[Question, ...] = tuple(QUESTIONS.values())
REQUIRED: tuple[Question, ...] = tuple(q for q in BANK_ORDER if q.required)
BANK_IDS: tuple[str, ...] = tuple(QUESTIONS)
_ABSENT = object()

Answer = str | list[str] | int
Answers = dict[str, Answer]

# Worked out once: answers are checked on every step a patient saves and on every
# evaluation. Every (question, answer) pair a single-choice or yes/no question accepts; the
# other questions (the age and the lists) are checked one by one.
_SINGLE_KINDS = ("single", "yesno")
_SINGLE_PAIRS: frozenset[tuple[str, str]] = frozenset(
    (q.id, code) for q in BANK_ORDER if q.kind in _SINGLE_KINDS for code in q.codes
)
_OTHERS: tuple[Question, ...] = tuple(q for q in BANK_ORDER if q.kind not in _SINGLE_KINDS)
_REQUIRED_SHOW_IF = tuple((q.id, q.show_if) for q in REQUIRED)
# Each list question's codes in order, and the place of each.
_OPTION_CODES: dict[str, tuple[str, ...]] = {
    q.id: tuple(o.code for o in q.options) for q in _OTHERS if q.kind == "multi"
}
_OPTION_PLACE: dict[str, dict[str, int]] = {
    qid: {code: place for place, code in enumerate(codes)} for qid, codes in _OPTION_CODES.items()
}


def _show_if_tables() -> tuple[
    dict[str, dict[str | None, tuple[str, ...]]], tuple[tuple[Condition, tuple[str, ...]], ...]
]:
    """Each distinct show-if condition with the questions it shows. One that reads a single
    single-choice answer (nine questions are shown by `site` alone) is tabulated: for each
    possible answer, the questions it hides, found by testing the condition itself. The
    others are tested on each answer set."""
    shows: dict[Condition, tuple[str, ...]] = {}
    for q in BANK_ORDER:
        if q.show_if is not None:
            shows[q.show_if] = (*shows.get(q.show_if, ()), q.id)
    hidden_when: dict[str, dict[str | None, tuple[str, ...]]] = {}
    tested = []
    for condition, qids in shows.items():
        [*reads] = condition.reads()
        if len(reads) != 1 or QUESTIONS[reads[0]].kind not in _SINGLE_KINDS:
            tested.append((condition, qids))
            continue
        read = reads[0]
        table = hidden_when.setdefault(read, dict.fromkeys((*QUESTIONS[read].codes, None), ()))
        for answer in table:
            if not condition.holds({read: answer}):
                table[answer] += qids
    return hidden_when, tuple(tested)


_HIDDEN_WHEN, _TESTED = _show_if_tables()


class AnswerError(ValueError):
    """One problem with one answer; `str()` reads as '<question>: <problem>'."""

    def __init__(self, question: str, problem: str) -> None:
        super().__init__(f"{question}: {problem}")
        self.question = question
        self.problem = problem


def _clean_one(q: Question, value: Any) -> Answer:
    if q.kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise AnswerError(q.id, f"must be a whole number, not {_kind_of(value)}")
        if not AGE_MIN <= value <= AGE_MAX:
            raise AnswerError(q.id, f"must be between {AGE_MIN} and {AGE_MAX}, not {value}")
        return value
    if q.kind == "multi":
        if not isinstance(value, list):
            raise AnswerError(q.id, f"must be a list of option codes, not {_kind_of(value)}")
        place = _OPTION_PLACE[q.id]
        for item in value:
            # A known code as a plain str passes at once; anything else is looked at closely
            # (a str subclass of a known code passes there too).
            if type(item) is not str or item not in place:
                _check_code(q, item)
        if not value:
            return []
        # The bank's codes in the bank's option order, each once, so equal answers compare
        # equal.
        codes = _OPTION_CODES[q.id]
        return [codes[i] for i in sorted({place[item] for item in value})]
    _check_code(q, value)
    return cast(str, value)


def _check_code(q: Question, value: Any) -> None:
    if not isinstance(value, str):
        raise AnswerError(q.id, f"must be an option code, not {_kind_of(value)}")
    if value not in q.codes:
        shown = value if len(value) <= 40 else value[:40] + "..."
        raise AnswerError(
            q.id, f"unknown option {shown!r} (expected one of: {', '.join(sorted(q.codes))})"
        )


def _kind_of(value: Any) -> str:
    return {
        bool: "true/false",
        int: "a number",
        float: "a number",
        str: "text",
        list: "a list",
        dict: "an object",
    }.get(type(value), type(value).__name__)


def clean(raw: Mapping[str, Any]) -> Answers:
    """Validate every answer, then drop those whose question is not shown (stale answers).

    A `None` value means unanswered. Raises AnswerError for the first problem found.
    """
    shown = shown_answers(raw)
    # Bank order, whatever the input's order, so equal answer sets store alike.
    return {qid: shown[qid] for qid in BANK_IDS if qid in shown}


def shown_answers(raw: Mapping[str, Any]) -> Answers:
    """What clean() returns, in no particular order: for the rules, which read by id."""
    if not isinstance(raw, Mapping):
        raise AnswerError("answers", "must be an object mapping question ids to answers")
    answers = _check_usual(raw) if type(raw) is dict else None
    if answers is None:
        answers = _check_each(raw)
    # A show-if condition reads only questions that are always shown (the bank checks this),
    # so dropping one stale answer cannot change whether another question is shown.
    for read, table in _HIDDEN_WHEN.items():
        for qid in table[cast("str | None", answers.get(read))]:
            answers.pop(qid, None)
    for condition, qids in _TESTED:
        if not condition.holds(answers):
            for qid in qids:
                answers.pop(qid, None)
    return answers


def _check_usual(raw: dict[str, Any]) -> Answers | None:
    """The usual answer set checked in bulk: every key a question, every single choice a
    known code (exactly a str) or None. Returns the answers given, or None when any of that
    fails: _check_each then walks the bank and raises the first problem, as before."""
    answers = raw.copy()
    others = [(q, answers.pop(q.id, None)) for q in _OTHERS]
    # Every answer left must be text (None too is left to _check_each, which skips it):
    # join() refuses anything else before any answer is hashed. An unknown key fails the
    # pairs test.
    try:
        "".join(answers.values())
    except TypeError:
        return None
    if not _SINGLE_PAIRS.issuperset(answers.items()):
        return None
    # Every key is known and every single choice valid, so the first problem in bank order,
    # if any, is among these: _clean_one raises it as _check_each would.
    for q, value in others:
        if value is not None:
            answers[q.id] = _clean_one(q, value)
    return answers


def _check_each(raw: Mapping[str, Any]) -> Answers:
    """Every answer checked in bank order; raises AnswerError for the first problem."""
    checked: Answers = {}
    seen = 0
    for qid in BANK_IDS:
        value = raw.get(qid, _ABSENT)
        if value is _ABSENT:
            continue
        seen += 1
        if value is None:
            continue
        checked[qid] = _clean_one(QUESTIONS[qid], value)
    if seen != len(raw):
        _unknown(next(k for k in raw if k not in QUESTIONS))
    return checked


def _unknown(qid: Any) -> NoReturn:
    shown = qid if len(str(qid)) <= 40 else str(qid)[:40] + "..."
    raise AnswerError(str(shown), "is not a question of this check")


def missing(answers: Mapping[str, Any]) -> list[str]:
    """The required questions that are shown and not answered, in the order they are asked."""
    return [
        qid
        for qid, show_if in _REQUIRED_SHOW_IF
        if qid not in answers and (show_if is None or show_if.holds(answers))
    ]
