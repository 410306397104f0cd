"""JSON written from templates made once: a resource's fixed parts are encoded when the
module loads, and only its own values are encoded per submission.

Building each resource as dicts and encoding it whole served half as many resources a second,
most of the time going into re-encoding the same code systems and codings for every answer of
every submission (docs/fhir.md, "Performance").
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

_HOLE = re.compile(r'"\\u0000([A-Za-z_]+)\\u0000"')
dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


@dataclass(frozen=True)
class Hole:
    """Where a value goes in a template: filled with JSON text, not with a Python value."""

    name: str


def _mark(value: Any) -> str:
    if isinstance(value, Hole):
        # Encoded as "\u0000name\u0000". A skeleton holds only our own constants, none with
        # a NUL, so the marker cannot be mistaken for them; data goes in after the split.
        return f"\0{value.name}\0"
    raise TypeError(f"cannot encode {type(value).__name__}")


class Template:
    def __init__(self, skeleton: Any) -> None:
        text = json.dumps(skeleton, separators=(",", ":"), ensure_ascii=False, default=_mark)
        pieces = _HOLE.split(text)
        self._compile(pieces[0::2], pieces[1::2])

    def _compile(self, literals: list[str], names: list[str]) -> None:
        self._literals, self._names = literals, names
        # One %-format per template: filling it is a single C-level operation.
        self._format = "%s".join(lit.replace("%", "%%") for lit in literals)

    def fill(self, **values: str) -> str:
        """`values`: JSON text for each hole, by name (others are ignored)."""
        return self._format % tuple(values[name] for name in self._names)

    def partial(self, **values: str) -> Template:
        """This template with some holes filled: the parts a submission's resources share
        are filled once, and each resource fills only its own."""
        literals, names = [self._literals[0]], []
        for name, literal in zip(self._names, self._literals[1:], strict=True):
            if name in values:
                literals[-1] += values[name] + literal
            else:
                names.append(name)
                literals.append(literal)
        done = Template.__new__(Template)
        done._compile(literals, names)
        return done
