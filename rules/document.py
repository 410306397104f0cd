"""docs/clinical-rules.md, written from the code that screens the answers.

Every fact in the document is read from the objects `evaluate` uses: the question bank, the
show-if conditions (described by themselves), the rule tables of engine.py with their
plain-word descriptions, and the docstrings of the rules that are functions. Nothing here
restates a rule, so the document cannot say one thing while the code does another; a test
keeps the checked-in copy equal to what `render()` returns.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from . import bank
from .answers import REQUIRED, missing
from .bank import AGE_MAX, AGE_MIN, BANK_VERSION, QUESTIONS, SECTIONS, Question
from .engine import (
    BOOKING_STEPS,
    CAUTIONS,
    INDICATION_RULES,
    NOTES,
    READINGS,
    RED_FLAGS,
    RULES_VERSION,
    UNDER_SIX_WEEKS,
    UNDER_THREE_MONTHS,
    WIDESPREAD_REASON,
    _redirect,
    evaluate,
)
from .fingerprint import bank_fingerprint, rules_fingerprint
from .reasons import REASONS, SITE_PHRASES, words
from .screening import CAUTION_LEVELS, TIER_MEANINGS, TIERS

# The named groups the rules and conditions use, with what each is for.
SITE_GROUPS: tuple[tuple[str, frozenset[str], str], ...] = (
    ("OA_SITES", bank.OA_SITES, "joints where osteoarthritis is usual"),
    ("TENDON_SITES", bank.TENDON_SITES, "places where tendon problems are usual"),
    ("LIG_SITES", bank.LIG_SITES, "places where ligament problems are usual"),
    ("SPINE_PELVIS", bank.SPINE_PELVIS, "the spine and the back of the pelvis"),
    ("AXIAL_LIG", bank.AXIAL_LIG, "spine and pelvis sites of the ligament posture route"),
)
DURATION_GROUPS: tuple[tuple[str, frozenset[str], str], ...] = (
    ("UNDER_SIX_WEEKS", UNDER_SIX_WEEKS, "less than 6 weeks"),
    ("SIX_WEEKS_OR_MORE", bank.SIX_WEEKS_OR_MORE, "6 weeks or more"),
    ("UNDER_THREE_MONTHS", UNDER_THREE_MONTHS, "less than 3 months"),
    ("THREE_MONTHS_OR_MORE", bank.THREE_MONTHS_OR_MORE, "3 months or more"),
)
GROUP_NAMES = {name: codes for name, codes, _ in SITE_GROUPS + DURATION_GROUPS}

_KIND_WORDS = {
    "int": f"a whole number from {AGE_MIN} to {AGE_MAX}",
    "single": "one of the options below",
    "yesno": "yes or no",
    "multi": "any of the options below; an empty list means none of these",
}


def _doc(fn: Callable[..., Any]) -> str:
    if fn.__doc__ is None:
        raise RuntimeError("the rules' docstrings are gone: run without python -OO")
    return inspect.cleandoc(fn.__doc__)


def _shown(q: Question) -> str:
    return "always" if q.show_if is None else "when " + q.show_if.describe(GROUP_NAMES)


def _codes_with_labels(qid: str, codes: frozenset[str]) -> str:
    return ", ".join(f"`{o.code}` {o.label}" for o in QUESTIONS[qid].options if o.code in codes)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _header(out: list[str]) -> None:
    out += [
        "# Clinical rules",
        "",
        "<!-- Written by `python -m rules doc` from the code in rules/. Do not edit by hand:"
        " change the code, then run the command again. -->",
        "",
        "What the self-assessment asks and how it turns the answers into a screening result,"
        " written by `python -m rules doc` from the code that does it (`rules/`). A test fails"
        " when this file differs from what the command writes, so it describes the code as it"
        " runs. The result is a screening signal for a clinician, never a diagnosis.",
        "",
        "| | version | fingerprint (SHA-256) |",
        "|---|---|---|",
        f"| question bank | {BANK_VERSION} | `{bank_fingerprint()}` |",
        f"| rules | {RULES_VERSION} | `{rules_fingerprint()}` |",
        "",
        "A fingerprint identifies the exact questions, or the exact rules code, that a version"
        " number names; a test fails if the code no longer matches the fingerprint recorded"
        " for its version in [clinical-versions.json](clinical-versions.json). What changed"
        " in each version: [clinical-changelog.md](clinical-changelog.md).",
        "",
        "Contents: [How a result is worked out](#how-a-result-is-worked-out) ·"
        " [Words used here](#words-used-here) ·"
        " [Readings of the specification](#readings-of-the-specification) ·"
        " [Questions](#questions) · [Red flags](#red-flags) · [Completeness](#completeness) ·"
        " [Widespread pain](#widespread-pain) · [Indications](#indications) ·"
        " [Reasons](#reasons) · [Notes](#notes) · [Cautions](#cautions) ·"
        " [Booking decision](#booking-decision)",
        "",
    ]


def _order(out: list[str]) -> None:
    steps = _doc(evaluate).split("\n\n", 1)[1]
    out += ["## How a result is worked out", "", steps, ""]


def _words(out: list[str]) -> None:
    site = QUESTIONS["site"]
    out += [
        "## Words used here",
        "",
        "- Question ids and option codes (`site`, `knee`) are the names used everywhere:"
        " stored answers, the export, `python -m rules evaluate`.",
        "- A yes-or-no question is answered `yes` or `no`; *yes* below means the answer `yes`.",
        "- *Not answered* means the question was skipped or not reached. An answer that is"
        " not an option code of its question, is of the wrong type, or is an age outside"
        f" {AGE_MIN} to {AGE_MAX}, is refused with an error naming the question.",
        '- A count of a multiple-choice answer ("4 or more `spa_features`") counts the'
        " options chosen.",
        "",
        "### Site groups",
        "",
        "| group | meaning | sites |",
        "|---|---|---|",
    ]
    for name, codes, meaning in SITE_GROUPS:
        out.append(f"| {name} | {meaning} | {_codes_with_labels(site.id, codes)} |")
    out += [
        "",
        "### Duration groups",
        "",
        "`duration` runs " + " < ".join(f"`{c}`" for c in bank.DURATIONS) + ".",
        "",
        "| group | meaning | durations |",
        "|---|---|---|",
    ]
    for name, codes, meaning in DURATION_GROUPS:
        out.append(f"| {name} | {meaning} | {_codes_with_labels('duration', codes)} |")
    out.append("")


def _readings(out: list[str]) -> None:
    out += [
        "## Readings of the specification",
        "",
        "The rules implement the clinic's clinical specification. Where it could be read more"
        " than one way, they take the safer reading (more red flags, less booking), or, where"
        " the text was plain, read it as written. Each reading below is what the code does.",
        "",
    ]
    out += [f"{i}. {text}" for i, text in enumerate(READINGS, 1)]
    out.append("")


def _questions(out: list[str]) -> None:
    out += [
        "## Questions",
        "",
        "The questions in the order asked, by section. *Shown when* is the question's show-if"
        " condition. A condition that reads a question not answered yet counts as holding, so"
        " the question is asked rather than hidden. An answer to a question that is not shown"
        " is dropped before anything is scored.",
        "",
    ]
    for section in SECTIONS:
        out += [f"### {section.title} (`{section.id}`)", ""]
        for q in section.questions:
            out += [f"#### `{q.id}`", "", f"> {q.text}", ""]
            out.append(f"- Answer: {_KIND_WORDS[q.kind]}")
            out.append(f"- Required: {'yes' if q.required else 'no'}")
            out.append(f"- Shown: {_shown(q)}")
            if q.hint:
                out.append(f"- Hint: {q.hint}")
            if q.kind in ("single", "multi"):
                out += ["", "| code | label |", "|---|---|"]
                out += [f"| `{o.code}` | {_cell(o.label)} |" for o in q.options]
            out.append("")


def _red_flags(out: list[str]) -> None:
    out += [
        "## Red flags",
        "",
        "Each red flag is checked on its own; several can fire together. The result's tier is"
        " the highest tier fired. Any red flag decides the booking (`seek_care`).",
        "",
        "| tier, highest first | asks the patient to |",
        "|---|---|",
    ]
    out += [f"| `{tier}` | {TIER_MEANINGS[tier]} |" for tier in TIERS]
    out += ["", "| red flag | tier | fires when |", "|---|---|---|"]
    out += [f"| `{r.id}` | `{r.level}` | {_cell(r.when)} |" for r in RED_FLAGS]
    out.append("")


def _completeness(out: list[str]) -> None:
    out += [
        "## Completeness",
        "",
        f"The result's `missing` list: {_doc(missing).lower()} Optional questions are never"
        " missing.",
        "",
        "| required question | shown |",
        "|---|---|",
    ]
    out += [f"| `{q.id}` | {_shown(q)} |" for q in REQUIRED]
    out.append("")


def _redirect_section(out: list[str]) -> None:
    out += [
        "## Widespread pain",
        "",
        _doc(_redirect),
        "",
        f"WIDESPREAD_REASON: `{WIDESPREAD_REASON.id}`, “{words(WIDESPREAD_REASON)}”",
        "",
    ]


def _indications(out: list[str]) -> None:
    out += [
        "## Indications",
        "",
        "Each indication is rated `likely`, `possible` or `unlikely`, with the answers that"
        " led there as reasons.",
        "",
    ]
    for name, rule in INDICATION_RULES.items():
        out += [f"### `{name}`", "", _doc(rule), ""]


def _reasons(out: list[str]) -> None:
    out += [
        "## Reasons",
        "",
        "Every reason a result gives is an id, with the answers it names: the pain site"
        " (`site`) or the options chosen (`chosen`). Its words, in English, are these; the"
        " patient pages show them in the patient's language, the staff pages and the FHIR"
        " API in English. `{site}` stands for the site's words below, `{chosen}` for the"
        ' labels of the options chosen. A red flag\'s reasons follow "You told us about:";'
        ' an indication\'s are sentences under "Why:".',
        "",
        "| reason | words |",
        "|---|---|",
    ]
    out += [f"| `{rid}` | {_cell(w.english)} |" for rid, w in REASONS.items()]
    out += ["", "| site | `{site}` |", "|---|---|"]
    out += [f"| `{code}` | {_cell(phrase)} |" for code, phrase in SITE_PHRASES.items()]
    out.append("")


def _notes(out: list[str]) -> None:
    out += ["## Notes", "", "| note | added when |", "|---|---|"]
    out += [f"| `{r.id}` | {_cell(r.when)} |" for r in NOTES]
    out.append("")


def _cautions(out: list[str]) -> None:
    levels = ", ".join(f"`{level}`" for level in CAUTION_LEVELS)
    out += [
        "## Cautions",
        "",
        f"Levels, most serious first: {levels}. A result lists its cautions in the order"
        " below. What a level does to the booking: see [Booking decision](#booking-decision).",
        "",
        "| caution | level | raised when |",
        "|---|---|---|",
    ]
    out += [f"| `{r.id}` | `{r.level}` | {_cell(r.when)} |" for r in CAUTIONS]
    out.append("")


def _booking(out: list[str]) -> None:
    out += [
        "## Booking decision",
        "",
        "The first step that applies decides.",
        "",
    ]
    out += [
        f"{i}. `{step.decision}` when {step.when}: {step.means}."
        for i, step in enumerate(BOOKING_STEPS, 1)
    ]
    out.append("")


def render() -> str:
    """The whole document, as Markdown."""
    out: list[str] = []
    for part in (
        _header,
        _order,
        _words,
        _readings,
        _questions,
        _red_flags,
        _completeness,
        _redirect_section,
        _indications,
        _reasons,
        _notes,
        _cautions,
        _booking,
    ):
        part(out)
    return "\n".join(out).rstrip("\n") + "\n"
