"""The clinical core: the question bank and the screening rules, version 1.0 of each.

Pure Python, standard library only: answers in, a Screening out.
"""

from . import reasons
from .answers import Answer, AnswerError, Answers, clean, missing
from .bank import BANK_VERSION, QUESTIONS, SECTION_BY_ID, SECTIONS, Option, Question, Section
from .engine import RULES_VERSION, evaluate
from .reasons import Reason
from .screening import (
    BOOKINGS,
    CAUTION_LEVELS,
    INDICATIONS,
    LEVELS,
    TIERS,
    Caution,
    Indication,
    RedFlag,
    Screening,
)

__all__ = [
    "BANK_VERSION",
    "BOOKINGS",
    "CAUTION_LEVELS",
    "INDICATIONS",
    "LEVELS",
    "QUESTIONS",
    "RULES_VERSION",
    "SECTIONS",
    "SECTION_BY_ID",
    "TIERS",
    "Answer",
    "AnswerError",
    "Answers",
    "Caution",
    "Indication",
    "Option",
    "Question",
    "Reason",
    "RedFlag",
    "Screening",
    "Section",
    "clean",
    "evaluate",
    "missing",
    "reasons",
]
