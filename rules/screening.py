"""The immutable result of `evaluate`, and its JSON form."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from .reasons import Reason

Level = Literal["likely", "possible", "unlikely"]
Tier = Literal["emergency", "urgent", "gp_soon"]
CautionLevel = Literal["absolute", "discuss", "note"]
Booking = Literal["seek_care", "incomplete", "not_suitable", "call_back", "book"]

INDICATIONS = ("osteoarthritis", "tendinopathy", "ligament", "neuropathic")
LEVELS: tuple[Level, ...] = ("likely", "possible", "unlikely")
TIERS: tuple[Tier, ...] = ("emergency", "urgent", "gp_soon")  # highest first
# What each tier asks of the patient. The app words its advice for patients itself; this is
# the meaning that wording must keep.
TIER_MEANINGS: dict[Tier, str] = {
    "emergency": "call the emergency number or go to A&E now",
    "urgent": "get medical help today: a same-day GP appointment, an urgent treatment centre, "
    "or NHS 111",
    "gp_soon": "see the GP within the next few days, before considering prolotherapy",
}
CAUTION_LEVELS: tuple[CautionLevel, ...] = ("absolute", "discuss", "note")
BOOKINGS: tuple[Booking, ...] = ("seek_care", "incomplete", "not_suitable", "call_back", "book")


# Screening and Indication are built on every evaluation, and a frozen dataclass's own
# __init__ sets each field through object.__setattr__, which costs about twice what writing
# the instance's dict does (Screening's alone was a tenth of an evaluation). So these two
# write their fields into the instance dict themselves; still frozen, equal and hashed as
# dataclasses.


@dataclass(frozen=True, init=False)
class Indication:
    level: Level
    reasons: tuple[Reason, ...]

    def __init__(self, level: Level, reasons: tuple[Reason, ...]) -> None:
        fields = self.__dict__
        fields["level"] = level
        fields["reasons"] = reasons


@dataclass(frozen=True)
class RedFlag:
    id: str
    tier: Tier
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class Caution:
    id: str
    level: CautionLevel


@dataclass(frozen=True, init=False)
class Screening:
    rules_version: str
    indications: dict[str, Indication]  # never mutated: built once inside evaluate
    red_flags: tuple[RedFlag, ...]
    tier: Tier | None
    redirect: str | None
    missing: tuple[str, ...]
    cautions: tuple[Caution, ...]
    notes: tuple[str, ...]
    booking: Booking

    def __init__(
        self,
        rules_version: str,
        indications: dict[str, Indication],
        red_flags: tuple[RedFlag, ...],
        tier: Tier | None,
        redirect: str | None,
        missing: tuple[str, ...],
        cautions: tuple[Caution, ...],
        notes: tuple[str, ...],
        booking: Booking,
    ) -> None:
        fields = self.__dict__
        fields["rules_version"] = rules_version
        fields["indications"] = indications
        fields["red_flags"] = red_flags
        fields["tier"] = tier
        fields["redirect"] = redirect
        fields["missing"] = missing
        fields["cautions"] = cautions
        fields["notes"] = notes
        fields["booking"] = booking

    def to_dict(self) -> dict[str, Any]:
        # The stored and printed form. Each red flag also carries the reasons that raised
        # it, as each indication does, so a clinician reading the JSON sees why: each reason
        # as its id and the answers it names (rules.reasons.words gives its words).
        return {
            "rules_version": self.rules_version,
            "indications": {
                name: {"level": ind.level, "reasons": [r.to_dict() for r in ind.reasons]}
                for name, ind in self.indications.items()
            },
            "red_flags": [
                {"id": f.id, "tier": f.tier, "reasons": [r.to_dict() for r in f.reasons]}
                for f in self.red_flags
            ],
            "tier": self.tier,
            "redirect": self.redirect,
            "missing": list(self.missing),
            "cautions": [{"id": c.id, "level": c.level} for c in self.cautions],
            "notes": list(self.notes),
            "booking": self.booking,
        }
