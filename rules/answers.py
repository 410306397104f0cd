"""Answer validation: raw answers in, clean answers out, or one clear error."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NoReturn

from .bank import AGE_MAX, AGE_MIN, QUESTIONS, Question

BANK_ORDER: tuple[Question, ...] = tuple(QUESTIONS.values())
REQUIRED: tuple[Question, ...] = tuple(q for q in BANK_ORDER if q.required)
# Worked out once: clean() runs on every step a patient saves and on every evaluation.
_SINGLE_CODES: dict[str, frozenset[str]] = {
    q.id: q.codes for q in BANK_ORDER if q.kind in ("single", "yesno")
}
_CONDITIONAL = tuple((q.id, q.show_if) for q in BANK_ORDER if q.show_if is not None)
BANK_IDS: tuple[str, ...] = tuple(QUESTIONS)
_ABSENT = object()

Answer = str | list[str] | int
Answers = dict[str, Answer]


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
        for item in value:
            _check_code(q, item)
        # Keep the bank's option order and drop repeats, so equal answers compare equal.
        return [o.code for o in q.options if o.code in value]
    _check_code(q, value)
    return value


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
    if not isinstance(raw, Mapping):
        raise AnswerError("answers", "must be an object mapping question ids to answers")
    checked: Answers = {}
    seen = 0
    # Walk the bank, not the input: the result comes out in bank order with no sort.
    for qid in BANK_IDS:
        value = raw.get(qid, _ABSENT)
        if value is _ABSENT:
            continue
        seen += 1
        if value is None:
            continue
        codes = _SINGLE_CODES.get(qid)
        if codes is not None and type(value) is str and value in codes:
            checked[qid] = value  # the common case, a known option code, with no call
        else:
            checked[qid] = _clean_one(QUESTIONS[qid], value)
    if seen != len(raw):
        _unknown(next(k for k in raw if k not in QUESTIONS))
    for qid, condition in _CONDITIONAL:
        if qid in checked and not condition.holds(checked):
            del checked[qid]
    return checked


def _unknown(qid: Any) -> NoReturn:
    shown = qid if len(str(qid)) <= 40 else str(qid)[:40] + "..."
    raise AnswerError(str(shown), "is not a question of this check")


def missing(answers: Mapping[str, Any]) -> list[str]:
    """The required questions that are shown and not answered, in the order they are asked."""
    return [
        q.id for q in REQUIRED if q.id not in answers and (q.show_if is None or q.is_shown(answers))
    ]
