"""Show-if conditions as data: each can be tested, described and serialised.

An unanswered question never hides another: a clause whose question has no answer yet
counts as holding. We would rather ask one question too many (pregnancy when the age is not
known yet) than hide a safety-relevant one; in the web flow every question a condition reads
comes on an earlier page, so the case only arises for answers sent straight to the rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

Answers = Mapping[str, Any]


class Condition(Protocol):
    def holds(self, answers: Answers) -> bool: ...

    def reads(self) -> frozenset[str]: ...

    def to_dict(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class OneOf:
    """The answer to `question` is one of `values` (or, negated, is none of them)."""

    question: str
    values: frozenset[str]
    negate: bool = False

    def holds(self, answers: Answers) -> bool:
        value = answers.get(self.question)
        if value is None:
            return True
        return (value in self.values) != self.negate

    def reads(self) -> frozenset[str]:
        return frozenset({self.question})

    def to_dict(self) -> dict[str, Any]:
        op = "not_in" if self.negate else "in"
        return {"question": self.question, op: sorted(self.values)}


@dataclass(frozen=True)
class Between:
    """A whole-number answer lies in [low, high], both ends included."""

    question: str
    low: int
    high: int

    def holds(self, answers: Answers) -> bool:
        value = answers.get(self.question)
        if value is None:
            return True
        return self.low <= value <= self.high

    def reads(self) -> frozenset[str]:
        return frozenset({self.question})

    def to_dict(self) -> dict[str, Any]:
        return {"question": self.question, "between": [self.low, self.high]}


@dataclass(frozen=True)
class AllOf:
    parts: tuple[Condition, ...]

    def holds(self, answers: Answers) -> bool:
        return all(part.holds(answers) for part in self.parts)

    def reads(self) -> frozenset[str]:
        return frozenset().union(*(part.reads() for part in self.parts))

    def to_dict(self) -> dict[str, Any]:
        return {"all": [part.to_dict() for part in self.parts]}
