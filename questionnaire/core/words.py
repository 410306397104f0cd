"""Every code in words, for people to read: the staff pages, the digest, the CSV codebook and
the FHIR code systems all take a code's words from here, and templates get this module as
`words`. Also answers in words (option labels in place of codes).

The patient reads some of the same codes in softer words (`PATIENT_LEVEL_WORDS`), translated
on the page; staff pages, exports and FHIR stay English.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Literal

from questionnaire.core.config import LANGUAGE_TABLE
from rules import TIERS, Question

if TYPE_CHECKING:
    from questionnaire.core.models import Rescreening, Submission


# Submissions: the outcome, the red-flag tier, each indication's level, the review.
BOOKING_WORDS = {
    "seek_care": "Seek care (red flag)",
    "incomplete": "Incomplete",
    "not_suitable": "Not suitable",
    "call_back": "Call back first",
    "book": "Book",
}
TIER_WORDS = {"emergency": "Emergency", "urgent": "Urgent", "gp_soon": "GP soon"}
LEVEL_WORDS = {"likely": "Likely", "possible": "Possible", "unlikely": "Unlikely"}
STATUS_WORDS = {"new": "Not reviewed", "reviewed": "Reviewed", "follow_up": "Needs follow-up"}
INDICATION_WORDS = {
    "osteoarthritis": "Osteoarthritis",
    "tendinopathy": "Tendinopathy",
    "ligament": "Ligament",
    "neuropathic": "Neuropathic",
}
SORT_WORDS = {"newest": "Newest first", "flags": "Red flags first, then newest"}
RESCREEN_WORDS = {"changed": "Changed under the current rules"}
REVIEW_WORDS = {code: STATUS_WORDS[code] for code in ("reviewed", "follow_up")}
# The contact log: how one try at reaching the patient ended. Every outcome but those in
# CONTACT_STILL_OPEN deals with the item, which then leaves the worklist.
CONTACT_WORDS = {
    "spoke": "Called and spoke",
    "no_answer": "No answer",
    "left_message": "Left a message",
    "booked": "Booked",
    "other_care": "Advised to seek other care",
    "not_suitable": "Not suitable",
    "declined": "Patient declined",
}
CONTACT_STILL_OPEN = ("no_answer", "left_message")
# The list's call-back filter: any request, or those no contact outcome has closed yet.
CALLBACK_FILTER_WORDS = {"asked": "Asked for a call-back", "waiting": "Call-back still waiting"}
# The worklist's groups (questionnaire/staff/submissions/worklist.py), most urgent first.
WORKLIST_WORDS = {
    "red_flag": "Red flags not yet dealt with",
    "callback": "Call-back requests",
    "follow_up": "Marked for follow-up",
}
# Red flags and cautions by their rules ids, as staff read them (the patient reads
# result_text's softer words). tests/staff/test_words.py checks every id the rules raise
# has its words here.
RED_FLAG_NAMES = {
    "cauda_equina": "Possible cauda equina syndrome",
    "neuro_deficit": "Worsening weakness (nerve compression)",
    "septic_joint": "Possible septic joint (hot swollen joint with fever)",
    "hot_joint": "Hot, red, swollen joint",
    "infection": "Possible infection (fever or very unwell)",
    "fracture": "Possible fracture",
    "dvt": "Possible deep vein thrombosis (calf)",
    "cancer_spine": "Spinal pain after cancer",
    "cancer": "New or changing pain after cancer",
    "weight_loss": "Unexplained weight loss",
    "night_pain": "Constant severe night pain",
    "inflammatory": "Possible inflammatory arthritis",
    "axial_spa": "Possible axial spondyloarthritis",
}
CAUTION_NAMES = {
    "anaesthetic_allergy": "Reaction to local anaesthetic",
    "corn_allergy": "Allergy to corn, dextrose or glucose",
    "infection_site": "Infection, rash or broken skin near the area",
    "flare_now": "In a flare now",
    "lump_site": "Lump in the painful area",
    "pregnancy": "Pregnant, possibly pregnant or breastfeeding",
    "blood_thinner": "Takes a blood thinner",
    "bleeding_disorder": "Bruises or bleeds easily",
    "immunosuppressed": "Takes immunosuppressing medicines",
    "implant_site": "Joint replacement or metalwork in the area",
    "diabetes_uncontrolled": "Diabetes, possibly not well controlled",
    "under_18": "Under 18",
    "aspirin": "Takes low-dose aspirin",
    "nsaids": "Takes anti-inflammatory painkillers regularly",
    "needle_fear": "Needle fear or faints",
    "recent_steroid": "Steroid injection in this area in the last 3 months",
    "diabetes_controlled": "Diabetes (the injection contains dextrose)",
    "cancer_history": "Past cancer",
}
CAUTION_LEVEL_WORDS = {
    "absolute": "Rules out treatment",
    "discuss": "Discuss first",
    "note": "Note",
}
PATIENT_LEVEL_WORDS = {"likely": "Looks likely", "possible": "Possible", "unlikely": "Unlikely"}
YES_NO_WORDS = {True: ("yes", "Yes"), False: ("no", "No")}
# The call-back request: when the patient would like the call.
BEST_TIME_WORDS = {
    "any": "Any time",
    "morning": "Morning (9am to 12pm)",
    "afternoon": "Afternoon (12pm to 5pm)",
    "evening": "Early evening (5pm to 7pm)",
}
# What kind of answer a question takes, for the codebook.
ANSWER_KIND_WORDS = {
    "int": "whole number 0-120",
    "multi": "list: codes joined with ; ('none' = none of these)",
    "single": "code",
    "yesno": "code",
}
# The alert outbox.
ALERT_KIND_WORDS = {
    "callback": "Call-back request",
    "red_flag": "Red flag",
    "submission": "New submission",
    "digest": "Daily summary",
    "unit_failed": "A job on the server failed",
    "new_device": "Sign-in from a new device",
}
# The language a patient read the check in, in English (config.LANGUAGE_TABLE).
LANGUAGE_WORDS = {code: english for code, (english, _own, _tag) in LANGUAGE_TABLE.items()}
ALERT_STATUS_WORDS = {"pending": "Waiting to be sent", "sent": "Sent", "failed": "Failed"}

NOT_ANSWERED = "Not answered"
NONE_OF_THESE_LABEL = "None of these"


def _same(text: str) -> str:
    return text


def answer_words(q: Question, value: Any, translate: Callable[[str], str] = _same) -> str:
    """`translate`: the patient's pages pass i18n.bank; staff pages read the bank's English."""
    if value is None:
        return translate(NOT_ANSWERED)
    if q.kind == "int":
        return str(value)
    if q.kind == "multi":
        if not value:
            return translate(NONE_OF_THESE_LABEL)
        return "; ".join(translate(q.label_for(code)) for code in value)
    return translate(q.label_for(value))


def printable(text: str) -> str:
    """Text a person typed, fit to show back: control characters (NUL and the like) removed."""
    return "".join(c for c in text if c.isprintable() or c in "\n\t")


def by_tier(flags: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Red flags (their JSON form), the most urgent first."""
    return sorted(flags, key=lambda f: TIERS.index(f["tier"]))


def tier_words(tier: str | None) -> str:
    return TIER_WORDS[tier] if tier else "None"


def changes_in_words(original: Submission, again: Rescreening) -> list[str]:
    """What a re-screening decided differently from the original, one line each, for the
    clinician reading the submission (the original is what the patient was shown)."""
    lines = []
    if again.booking_changed:
        before, after = BOOKING_WORDS[original.booking], BOOKING_WORDS[again.booking]
        lines.append(f"Outcome: {before}, now {after}")
    if again.tier_changed:
        lines.append(f"Red flags: {tier_words(original.tier)}, now {tier_words(again.tier)}")
    for name in again.changed_levels:
        before, after = LEVEL_WORDS[getattr(original, name)], LEVEL_WORDS[getattr(again, name)]
        lines.append(f"{INDICATION_WORDS[name]}: {before}, now {after}")
    return lines


def wait_in_words(age: timedelta, to: Literal["hour", "minute"]) -> str:
    """How long someone has waited: to the hour on the dashboard (enough to see who has waited
    longest), to the minute in the digest. Parts that are zero are left out; a clock a
    little ahead of this server's can make an age negative, which is no wait yet."""
    minutes = max(int(age.total_seconds()) // 60, 0)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [(days, "day"), (hours, "hour")]
    if to == "minute" and not days:
        parts.append((mins, "minute"))
    said = " ".join(f"{n} {unit}{'s' * (n != 1)}" for n, unit in parts if n)
    return said or ("under an hour" if to == "hour" else "less than a minute")
