"""Show-if conditions as data: each can be tested, described and serialised.

An unanswered question never hides another: a clause whose question has no answer yet
counts as holding. We would rather ask one question too many (pregnancy when the age is not
known yet) than hide a safety-relevant one; in the web flow every question a condition reads
comes on an earlier page, so the case only arises for answers sent straight to the rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol, cast

Answers = Mapping[str, Any]
# Named sets of codes (such as a group of sites), so a description can say "in LIG_SITES"
# rather than list eleven codes.
Names = Mapping[str, frozenset[str]]


class Condition(Protocol):
    def holds(self, answers: Answers) -> bool: ...

    def reads(self) -> frozenset[str]: ...

    def to_dict(self) -> dict[str, Any]: ...

    def describe(self, names: Names | None = None) -> str: ...


def _any_of(values: frozenset[str] | set[str], negate: bool) -> str:
    """`a`; `a` or `b`; one of `a`, `b`, `c` (negated: not `a`; neither...nor; none of)."""
    codes = [f"`{v}`" for v in sorted(values)]
    if len(codes) == 1:
        return f"not {codes[0]}" if negate else codes[0]
    if len(codes) == 2:
        return f"neither {codes[0]} nor {codes[1]}" if negate else f"{codes[0]} or {codes[1]}"
    return ("none of " if negate else "one of ") + ", ".join(codes)


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

    def describe(self, names: Names | None = None) -> str:
        """Plain words: "`site` is in LIG_SITES", "`site` is not `skin_patch`"."""
        names = names or {}
        # The largest named group inside the values stands for its members.
        inside = [n for n, members in names.items() if members <= self.values]
        group = max(inside, key=lambda n: (len(names[n]), n), default=None)
        rest = self.values - names[group] if group else self.values
        parts = [("not in " if self.negate else "in ") + group] if group else []
        if rest:
            parts.append(_any_of(rest, self.negate))
        joiner = ", and is " if self.negate else ", or is "
        return f"`{self.question}` is " + joiner.join(parts)


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
        return self.low <= cast(int, value) <= self.high

    def reads(self) -> frozenset[str]:
        return frozenset({self.question})

    def to_dict(self) -> dict[str, Any]:
        return {"question": self.question, "between": [self.low, self.high]}

    def describe(self, names: Names | None = None) -> str:
        return f"`{self.question}` is between {self.low} and {self.high}, both included"


@dataclass(frozen=True)
class AllOf:
    parts: tuple[Condition, ...]

    def holds(self, answers: Answers) -> bool:
        # A loop rather than all() over a generator: this runs for two questions on every
        # evaluation, and the generator costs more than the tests.
        for part in self.parts:
            if not part.holds(answers):
                return False
        return True

    def reads(self) -> frozenset[str]:
        return frozenset().union(*(part.reads() for part in self.parts))

    def to_dict(self) -> dict[str, Any]:
        return {"all": [part.to_dict() for part in self.parts]}

    def describe(self, names: Names | None = None) -> str:
        return ", and ".join(part.describe(names) for part in self.parts)
