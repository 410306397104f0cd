"""Young people: who the rules treat as a child, and who needs a parent or guardian to be
called back. The questions and rules stay as the bank has them; only the words change."""

from __future__ import annotations

from functools import cache
from typing import Any

from flask import current_app

from rules import evaluate


@cache
def under_age(age: int) -> bool:
    """Whether the rules treat this age as a child's (their under_18 caution), asked of the
    rules once per age rather than repeating their limit here."""
    return any(c.id == "under_18" for c in evaluate({"age": age}).cautions)


def is_young(answers: dict[str, Any]) -> bool:
    age = answers.get("age")
    return isinstance(age, int) and under_age(age)


def needs_guardian(answers: dict[str, Any]) -> bool:
    """Younger than GUARDIAN_AGE: the clinic calls a parent or guardian, not the patient."""
    age = answers.get("age")
    return isinstance(age, int) and age < current_app.config["GUARDIAN_AGE"]
