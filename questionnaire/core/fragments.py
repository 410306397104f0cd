"""The inputs of a radio or checkbox group, built once per question and reused.

Option labels come from the question bank and never change, so each option's markup is
made once, by the `choice` macro of templates/_form.html (the one markup of a choice), in a
checked and an unchecked copy; a request only picks one. Calling a template macro for every
option of every request was most of a step page's time (bench/web.py).

A step page's fixed part is kept the same way (Skeleton): rendered once with holes where the
questions and the CSRF token go, then filled in per request.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Collection, Iterable
from functools import lru_cache
from typing import Any, NamedTuple

from flask import current_app
from markupsafe import Markup

from rules import Option

# Questions drawn on the body diagram: each option's label starts with the number of its
# region, its place in the list from 1 (templates/patient/_body_diagram.html numbers them
# the same way). The number is hidden from screen readers, as the drawing is.
NUMBERED = frozenset({"site"})


# Room for every question in every language, and the staff pages' groups (one per account
# on the accounts page) without pushing the patients' questions out.
@lru_cache(maxsize=1024)
def _options(
    name: str, id: str, options: tuple[Option, ...], kind: str
) -> tuple[tuple[str, str, str], ...]:
    # A template's macros are its module's attributes only at run time: typed Any.
    macros: Any = current_app.jinja_env.get_template("_form.html").module
    choice = macros.choice
    built = []
    for i, option in enumerate(options):
        marker = i + 1 if name in NUMBERED else None
        args = (kind, f"{id}-{i}", name, option.code, option.label)
        off, on = choice(*args, False, marker=marker), choice(*args, True, marker=marker)
        built.append((option.code, str(off), str(on)))
    return tuple(built)


def choice_inputs(
    name: str,
    options: tuple[Option, ...],
    chosen: str | Collection[str] | None,
    multiple: bool,
    id: str | None = None,
) -> Markup:
    """The group's inputs, ids `id-0`, `id-1`...; `id` is the name unless several groups
    on one page share a name."""
    if multiple:
        picked = set(chosen or ())
    else:
        picked = {chosen} if isinstance(chosen, str) else set()
    parts = _options(name, id or name, options, "checkbox" if multiple else "radio")
    return Markup("".join(on if code in picked else off for code, off, on in parts))


# Unguessable, and left alone by escaping: a page holds it only where it was put.
_NONCE = secrets.token_hex(8)


def hole(name: str) -> str:
    """A placeholder for `name` in a page rendered once, to be filled in (Skeleton)."""
    return f"@@{name}-{_NONCE}@@"


class Skeleton(NamedTuple):
    """A page rendered once with holes in it, kept as the text around them: filling it in
    is a join, where rendering its template again took most of a step page's time."""

    pieces: tuple[str, ...]
    holes: tuple[str, ...]

    @classmethod
    def of(cls, page: str, names: Iterable[str]) -> Skeleton:
        by_hole = {hole(name): name for name in names}
        parts = re.split("(" + "|".join(map(re.escape, by_hole)) + ")", page)
        return cls(tuple(parts[::2]), tuple(by_hole[h] for h in parts[1::2]))

    def fill(self, **values: str) -> str:
        out = [self.pieces[0]]
        for name, piece in zip(self.holes, self.pieces[1:], strict=True):
            out += (values[name], piece)
        return "".join(out)
