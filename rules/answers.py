"""Answer validation: raw answers in, clean answers out, or one clear error."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .bank import AGE_MAX, AGE_MIN, QUESTIONS, Question

BANK_ORDER: tuple[Question, ...] = tuple(QUESTIONS.values())
REQUIRED: tuple[Question, ...] = tuple(q for q in BANK_ORDER if q.required)

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
    for qid, value in raw.items():
        q = QUESTIONS.get(qid)
        if q is None:
            shown = qid if len(str(qid)) <= 40 else str(qid)[:40] + "..."
            raise AnswerError(str(shown), "is not a question of this check")
        if value is None:
            continue
        # The common case, a known option code, without a call: this runs on every request.
        if type(value) is str and q.kind != "multi" and value in q.codes:
            checked[qid] = value
        else:
            checked[qid] = _clean_one(q, value)
    return {
        q.id: checked[q.id]
        for q in BANK_ORDER
        if q.id in checked and (q.show_if is None or q.show_if.holds(checked))
    }


def missing(answers: Mapping[str, Any]) -> list[str]:
    """Required questions that are shown and not answered, in bank order."""
    return [
        q.id for q in REQUIRED if q.id not in answers and (q.show_if is None or q.is_shown(answers))
    ]
