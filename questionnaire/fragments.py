"""The inputs of a radio or checkbox group, built once per question and reused.

Option labels come from the question bank and never change, so each option's markup is
escaped and joined once; a request only picks the checked or unchecked copy. Rendering
every option through a template macro was most of a step page's time (bench/web.py).
"""

from __future__ import annotations

from collections.abc import Collection
from functools import lru_cache

from markupsafe import Markup, escape

from rules import Option

# Questions drawn on the body diagram: each option's label starts with the number of its
# region, its place in the list from 1 (templates/patient/_body_diagram.html numbers them
# the same way). The number is hidden from screen readers, as the drawing is.
NUMBERED = frozenset({"site"})


@lru_cache(maxsize=256)
def _options(name: str, options: tuple[Option, ...], kind: str) -> tuple[tuple[str, str, str], ...]:
    built = []
    for i, option in enumerate(options):
        marker = (
            f'<span class="option-marker" aria-hidden="true">{i + 1}</span> '
            if name in NUMBERED
            else ""
        )
        head = (
            f'<div class="choice"><input class="choice-input" type="{kind}" id="{escape(name)}-{i}"'
            f' name="{escape(name)}" value="{escape(option.code)}"'
        )
        tail = (
            f'><label class="choice-label" for="{escape(name)}-{i}">{marker}{escape(option.label)}'
            "</label></div>"
        )
        built.append((option.code, head + tail, head + " checked" + tail))
    return tuple(built)


def choice_inputs(
    name: str, options: tuple[Option, ...], chosen: str | Collection[str] | None, multiple: bool
) -> Markup:
    if multiple:
        picked = set(chosen or ())
    else:
        picked = {chosen} if chosen is not None else set()
    parts = _options(name, options, "checkbox" if multiple else "radio")
    return Markup("".join(on if code in picked else off for code, off, on in parts))
