"""Answers in words: option labels in place of codes, for people to read."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rules import TIERS, Question

NOT_ANSWERED = "Not answered"
NONE_OF_THESE_LABEL = "None of these"


def _same(text: str) -> str:
    return text


def answer_words(q: Question, value: Any, translate: Callable[[str], str] = _same) -> str:
    """`translate`: the patient's pages pass i18n.bank; staff pages read the bank's English."""
    if value is None:
        return translate(NOT_ANSWERED)
    if q.kind == "int":
        return str(value)
    if q.kind == "multi":
        if not value:
            return translate(NONE_OF_THESE_LABEL)
        return "; ".join(translate(q.label_for(code)) for code in value)
    return translate(q.label_for(value))


def printable(text: str) -> str:
    """Text a person typed, fit to show back: control characters (NUL and the like) removed."""
    return "".join(c for c in text if c.isprintable() or c in "\n\t")


def by_tier(flags: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Red flags (their JSON form), the most urgent first."""
    return sorted(flags, key=lambda f: TIERS.index(f["tier"]))
