"""Answer sets for tests: a complete, calm baseline that each test changes a little."""

from __future__ import annotations

from typing import Any

SAFETY_IDS = (
    "rf_bladder_bowel",
    "rf_saddle",
    "rf_weakness",
    "rf_both_legs",
    "rf_fever",
    "rf_recent_injury",
    "rf_calf",
    "rf_cancer",
    "rf_weight_loss",
    "rf_fracture_risk",
    "rf_joints_swollen",
)


def complete(**changes: Any) -> dict[str, Any]:
    """Every required question answered, nothing that raises a flag, a caution or an
    indication. A change of None removes that answer."""
    answers: dict[str, Any] = {
        "age": 50,
        "sex": "male",
        "site": "knee",
        "duration": "gt_1y",
        **dict.fromkeys(SAFETY_IDS, "no"),
        "blood_thinner": "none",
        "anaesthetic_allergy": "no",
        "corn_allergy": "no",
        "infection_site": "no",
    }
    for key, value in changes.items():
        if value is None:
            answers.pop(key, None)
        else:
            answers[key] = value
    return answers


def bookable(**changes: Any) -> dict[str, Any]:
    """A complete set that books: knee osteoarthritis likely, nothing else in the way."""
    return complete(load_pain="yes", morning_stiffness="le_30", **changes)
