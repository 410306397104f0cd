"""Every code has its words in one place (questionnaire/core/words.py), and they cover every code
the rules and the forms can produce, in the rules' order."""

from __future__ import annotations

from datetime import timedelta

import pytest

from questionnaire.core import words
from questionnaire.core.forms import BEST_TIMES
from rules import BOOKINGS, INDICATIONS, LEVELS, TIERS


def test_the_words_name_every_code_the_rules_produce_in_their_order():
    assert tuple(words.BOOKING_WORDS) == BOOKINGS
    assert tuple(words.TIER_WORDS) == TIERS
    assert tuple(words.LEVEL_WORDS) == LEVELS
    assert tuple(words.PATIENT_LEVEL_WORDS) == LEVELS
    assert tuple(words.INDICATION_WORDS) == INDICATIONS


def test_the_review_choices_and_the_call_back_times_are_the_words_tables():
    assert set(words.REVIEW_WORDS) < set(words.STATUS_WORDS)
    assert {o.code: o.label for o in BEST_TIMES} == words.BEST_TIME_WORDS


@pytest.mark.parametrize(
    ("age", "to", "said"),
    [
        (timedelta(minutes=-5), "minute", "less than a minute"),
        (timedelta(seconds=59), "minute", "less than a minute"),
        (timedelta(minutes=1), "minute", "1 minute"),
        (timedelta(hours=2, minutes=5), "minute", "2 hours 5 minutes"),
        (timedelta(hours=1), "minute", "1 hour"),
        (timedelta(days=1, hours=3, minutes=5), "minute", "1 day 3 hours"),
        (timedelta(minutes=59), "hour", "under an hour"),
        (timedelta(hours=2, minutes=59), "hour", "2 hours"),
        (timedelta(days=3), "hour", "3 days"),
    ],
)
def test_a_wait_in_words_to_the_hour_or_to_the_minute(age, to, said):
    assert words.wait_in_words(age, to) == said
