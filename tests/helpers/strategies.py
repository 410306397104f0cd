"""Hypothesis strategies that build answer sets from the question bank itself."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from rules import QUESTIONS, Question


def answer_for(q: Question) -> st.SearchStrategy[Any]:
    if q.kind == "int":
        return st.integers(min_value=0, max_value=120)
    codes = [o.code for o in q.options]
    if q.kind == "multi":
        return st.lists(st.sampled_from(codes), unique=True)
    return st.sampled_from(codes)


@st.composite
def answer_sets(draw: st.DrawFn, answered: float = 0.8) -> dict[str, Any]:
    """Valid answers to any subset of the bank, shown or not (most questions answered)."""
    out: dict[str, Any] = {}
    for q in QUESTIONS.values():
        if draw(st.floats(0, 1)) < answered:
            out[q.id] = draw(answer_for(q))
    return out
