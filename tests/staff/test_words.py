"""Every red flag and caution the rules can raise has staff words (pages, CSV, codebook)."""

from questionnaire.core.words import CAUTION_LEVEL_WORDS, CAUTION_NAMES, RED_FLAG_NAMES
from rules import CAUTION_LEVELS
from rules.engine import CAUTIONS, RED_FLAGS


def test_every_red_flag_and_caution_id_has_staff_words():
    assert set(RED_FLAG_NAMES) == {r.id for r in RED_FLAGS}
    assert set(CAUTION_NAMES) == {c.id for c in CAUTIONS}
    assert set(CAUTION_LEVEL_WORDS) == set(CAUTION_LEVELS)
