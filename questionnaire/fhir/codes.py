"""Our own code systems, under one canonical base, with the words the app already uses.

A canonical URL names a definition; nothing needs to answer at that address. Each system
is served as a `CodeSystem` resource at `/fhir/CodeSystem/{id}`: the ones for screening
codes here, and one per question for its answer options (`answer-{question id}`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from questionnaire.core.forms import BEST_TIMES
from questionnaire.core.words import (
    BOOKING_WORDS,
    INDICATION_WORDS,
    LEVEL_WORDS,
    NONE_OF_THESE_LABEL,
    TIER_WORDS,
)
from questionnaire.patient.result_text import CAUTION_WORDS, RED_FLAG_WORDS
from rules import BANK_VERSION, INDICATIONS, QUESTIONS, RULES_VERSION, Question
from rules.engine import BOOKING_STEPS, CAUTIONS, RED_FLAGS
from rules.screening import CAUTION_LEVELS, TIER_MEANINGS, TIERS

CANONICAL = "https://prolotherapy-self-assessment.example/fhir"
PUBLISHER = "Prolotherapy self-assessment"
# "None of these", chosen on a multiple-choice question: stored as an empty list.
NONE_CODE = "none"
NONE_DISPLAY = NONE_OF_THESE_LABEL
# The reference code a patient quotes on the phone: an identifier, not a secret.
REFERENCE_SYSTEM = f"{CANONICAL}/NamingSystem/submission-reference"
BOOKING_EXTENSION = f"{CANONICAL}/StructureDefinition/booking-decision"
BEST_TIME_EXTENSION = f"{CANONICAL}/StructureDefinition/best-time-to-call"
RULES_CODE = "prolotherapy-screening"

# What a caution level does, in the booking rules' own words (rules.engine.BOOKING_STEPS).
_CALL_BACK = next(s.means for s in BOOKING_STEPS if s.decision == "call_back")
CAUTION_LEVEL_WORDS = {
    "absolute": ("Absolute", f"The most serious: {_CALL_BACK}."),
    "discuss": ("Discuss", f"{_CALL_BACK[0].upper()}{_CALL_BACK[1:]}."),
    "note": ("Note", "Listed for the patient and the clinician; it does not stop a booking."),
}


@dataclass(frozen=True)
class Concept:
    code: str
    display: str
    definition: str | None = None


@dataclass(frozen=True)
class System:
    id: str
    title: str
    description: str
    version: str
    concepts: tuple[Concept, ...]
    url: str = field(init=False)
    displays: dict[str, str] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "url", f"{CANONICAL}/CodeSystem/{self.id}")
        object.__setattr__(self, "displays", {c.code: c.display for c in self.concepts})


def _screening_systems() -> tuple[System, ...]:
    return (
        System(
            "indication",
            "Indications",
            "The four problems the clinic treats with prolotherapy.",
            RULES_VERSION,
            tuple(Concept(i, INDICATION_WORDS[i]) for i in INDICATIONS),
        ),
        System(
            "screening-level",
            "Screening levels",
            "How well the answers fit an indication.",
            RULES_VERSION,
            tuple(Concept(code, word) for code, word in LEVEL_WORDS.items()),
        ),
        System(
            "red-flag",
            "Red flags",
            "Signs that need other care first; the definition is when the rules raise it.",
            RULES_VERSION,
            tuple(Concept(r.id, RED_FLAG_WORDS[r.id], r.when) for r in RED_FLAGS),
        ),
        System(
            "red-flag-tier",
            "Red-flag tiers",
            "How soon care is needed, most urgent first.",
            RULES_VERSION,
            tuple(Concept(t, TIER_WORDS[t], TIER_MEANINGS[t]) for t in TIERS),
        ),
        System(
            "caution",
            "Cautions",
            "Things a clinician weighs before treating; the definition is when raised.",
            RULES_VERSION,
            tuple(Concept(r.id, CAUTION_WORDS[r.id], r.when) for r in CAUTIONS),
        ),
        System(
            "caution-level",
            "Caution levels",
            "How much a caution weighs, most serious first.",
            RULES_VERSION,
            tuple(Concept(c, *CAUTION_LEVEL_WORDS[c]) for c in CAUTION_LEVELS),
        ),
        System(
            "booking-decision",
            "Booking decisions",
            "What the result offered; the first that applies wins.",
            RULES_VERSION,
            tuple(
                Concept(s.decision, BOOKING_WORDS[s.decision], f"{s.when}: {s.means}")
                for s in BOOKING_STEPS
            ),
        ),
        System(
            "screening-rules",
            "Screening rules",
            "The rules that screened the answers; the code system's version is theirs.",
            RULES_VERSION,
            (Concept(RULES_CODE, "Prolotherapy suitability screening"),),
        ),
        System(
            "best-time-to-call",
            "Best time to call",
            "When a patient asking for a call-back would like it.",
            RULES_VERSION,
            tuple(Concept(o.code, o.label) for o in BEST_TIMES),
        ),
    )


def answer_system(q: Question) -> System:
    concepts = tuple(Concept(o.code, o.label) for o in q.options)
    if q.kind == "multi":
        concepts += (Concept(NONE_CODE, NONE_DISPLAY, "None of the other options applies."),)
    return System(
        f"answer-{q.id}".replace("_", "-"),
        f"Answers to {q.id}",
        q.text,
        BANK_VERSION,
        concepts,
    )


SCREENING: dict[str, System] = {s.id: s for s in _screening_systems()}
ANSWERS: dict[str, System] = {qid: answer_system(q) for qid, q in QUESTIONS.items() if q.options}
SYSTEMS: dict[str, System] = {s.id: s for s in (*SCREENING.values(), *ANSWERS.values())}


def coding(system: System, code: str) -> dict[str, str]:
    """A Coding for `code`; without a display when the current rules do not know the code
    (one retired since it was stored), so an old screening is served rather than failing."""
    out = {"system": system.url, "version": system.version, "code": code}
    display = system.displays.get(code)
    if display is not None:
        out["display"] = display
    return out
